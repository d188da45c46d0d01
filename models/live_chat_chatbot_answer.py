from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class LiveChatChatbotAnswer(models.Model):
    _name = "live_chat.chatbot.answer"
    _description = "Live Chat Chatbot Answer"
    _order = "sequence, id"

    step_id = fields.Many2one("live_chat.chatbot.step", required=True, ondelete="cascade", index=True)
    script_id = fields.Many2one(related="step_id.script_id", string="Chatbot")
    sequence = fields.Integer(default=10)
    name = fields.Char("Answer", required=True, translate=True)
    next_step_id = fields.Many2one(
        "live_chat.chatbot.step", "Jump to", ondelete="set null",
        domain="[('script_id', '=', script_id)]",
        help="The step the bot goes on with when the visitor picks this answer. "
             "Empty: the next step of the script.",
    )
    end_script = fields.Boolean("Ends the conversation", help="The bot stops after this answer.")

    @api.constrains("next_step_id", "step_id")
    def _check_next_step(self):
        for answer in self.filtered("next_step_id"):
            step, target = answer.step_id, answer.next_step_id
            if target.script_id != step.script_id or (target.sequence, target.id) <= (step.sequence, step.id):
                raise ValidationError(_(
                    "The answer “%(answer)s” can only jump to a later step of the same script.",
                    answer=answer.name))
