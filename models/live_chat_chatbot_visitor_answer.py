from odoo import fields, models


class LiveChatChatbotVisitorAnswer(models.Model):
    """What a visitor answered to a chatbot step, kept on the session."""

    _name = "live_chat.chatbot.visitor.answer"
    _description = "Live Chat Chatbot Visitor Answer"
    _order = "id"

    session_id = fields.Many2one("discuss.channel", required=True, ondelete="cascade", index=True)
    step_id = fields.Many2one("live_chat.chatbot.step", required=True, ondelete="cascade")
    step_type = fields.Selection(related="step_id.step_type")
    answer_id = fields.Many2one("live_chat.chatbot.answer", ondelete="set null")
    value = fields.Text("Given Answer")
