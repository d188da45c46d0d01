from odoo import fields, models


class LiveChatTransfer(models.Model):
    """One transfer of a live chat session from an operator to another (of
    the same channel, or of another channel): the reports count them."""

    _name = "live_chat.transfer"
    _description = "Live Chat Transfer"
    _order = "id desc"

    session_id = fields.Many2one("discuss.channel", required=True, ondelete="cascade", index=True)
    from_user_id = fields.Many2one("res.users", "From operator", ondelete="set null")
    to_user_id = fields.Many2one("res.users", "To operator", ondelete="set null")
    from_channel_id = fields.Many2one("live_chat.channel", "From channel", ondelete="set null")
    to_channel_id = fields.Many2one("live_chat.channel", "To channel", ondelete="set null")
    user_id = fields.Many2one("res.users", "Transferred by", ondelete="set null")
    date = fields.Datetime(default=fields.Datetime.now, required=True)
