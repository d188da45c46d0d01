import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9 ().\-/]{6,25}$")
# Steps after which the bot waits for the visitor.
INPUT_STEP_TYPES = ("question", "ask_email", "ask_phone", "free_input_single", "free_input_multi")


class LiveChatChatbotStep(models.Model):
    _name = "live_chat.chatbot.step"
    _description = "Live Chat Chatbot Step"
    _order = "sequence, id"
    _rec_name = "message"

    script_id = fields.Many2one("live_chat.chatbot.script", "Chatbot", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    step_type = fields.Selection([
        ("text", "Text"),
        ("question", "Question"),
        ("ask_email", "Ask for Email"),
        ("ask_phone", "Ask for Phone"),
        ("free_input_single", "Free Input"),
        ("free_input_multi", "Free Input (Multi-Line)"),
        ("forward_operator", "Forward to Operator"),
        ("end", "End"),
    ], string="Type", required=True, default="text")
    message = fields.Text(translate=True, help="What the bot says at this step.")
    answer_ids = fields.One2many("live_chat.chatbot.answer", "step_id", string="Answers", copy=True)

    @api.constrains("step_type", "message")
    def _check_message(self):
        for step in self:
            if step.step_type in ("text", "question", "ask_email", "ask_phone") and not (step.message or "").strip():
                raise ValidationError(_("A “%(type)s” step needs a message for the bot to say.",
                                        type=dict(self._fields["step_type"].selection)[step.step_type]))

    def _next_step(self):
        """The step after this one in its script, by sequence."""
        self.ensure_one()
        steps = self.script_id.step_ids.sorted(lambda step: (step.sequence, step.id))
        later = steps.filtered(lambda step: (step.sequence, step.id) > (self.sequence, self.id))
        return later[:1]

    def _validate_input(self, text):
        """None when `text` is a fine answer to this step, else the bot's
        sentence asking again."""
        self.ensure_one()
        text = text.strip()
        if self.step_type == "ask_email" and not EMAIL_RE.match(text):
            return _("“%s” does not look like an email address. Could you type it again? (e.g. name@example.com)", text)
        if self.step_type == "ask_phone" and (not PHONE_RE.match(text) or sum(c.isdigit() for c in text) < 6):
            return _("“%s” does not look like a phone number. Could you type it again? (e.g. +32 470 12 34 56)", text)
        return None

    def _public_info(self):
        self.ensure_one()
        return {
            "id": self.id,
            "type": self.step_type,
            "answers": [{"id": answer.id, "name": answer.name} for answer in self.answer_ids],
        }
