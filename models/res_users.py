from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    live_chat_name = fields.Char(
        "Online Chat Name",
        help="The name visitors see in the live chat. Empty: your name.",
    )
    live_chat_channel_ids = fields.Many2many(
        "live_chat.channel", "live_chat_channel_res_users_rel", "user_id", "channel_id",
        string="Live Chat Channels",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["live_chat_name"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["live_chat_name"]

    def _get_live_chat_name(self):
        """The name shown to visitors: the online chat name, else the user name."""
        self.ensure_one()
        return (self.live_chat_name or "").strip() or self.name
