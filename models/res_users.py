from odoo import _, api, fields, models
from odoo.exceptions import UserError

LIVE_CHAT_STATUSES = [("available", "Available"), ("away", "Away")]


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
    live_chat_status = fields.Selection(
        LIVE_CHAT_STATUSES, default="available", required=True,
        help="Away: you get no new live chat session; the open ones go on. Being logged out, or "
             "inactive in Odoo for 30 minutes, counts as away.",
    )
    # Any language, installed or not: visitors come with their browser's.
    live_chat_lang_ids = fields.Many2many(
        "res.lang", "live_chat_res_users_lang_rel", "user_id", "lang_id", string="Live Chat Languages",
        context={"active_test": False},
        help="Languages you chat in besides your own: visitors who speak them are sent to you first.",
    )
    # Written (raw SQL) each time a session is given to the user under a
    # channel's "Max chats per operator": two workers giving this operator a
    # session at once then update the same row, so PostgreSQL makes the later
    # one start again with the new count (see _live_chat_claim_operator).
    live_chat_assigned_at = fields.Datetime("Last live chat assignment", readonly=True)

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["live_chat_name", "live_chat_status", "live_chat_lang_ids"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["live_chat_name", "live_chat_status", "live_chat_lang_ids"]

    def write(self, vals):
        result = super().write(vals)
        if vals.get("live_chat_status") == "available":
            # Back: the visitors waiting in their channels' queues get them.
            channels = self.sudo().live_chat_channel_ids
            if channels:
                self.env["discuss.channel"]._live_chat_dispatch_queue(channels)
        if "live_chat_status" in vals:
            for user in self:
                self.env["bus.bus"]._sendone(user.partner_id, "live_chat/status", {"status": user.live_chat_status})
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def live_chat_set_status(self, status):
        """The Live Chat status of the systray: "available" or "away"."""
        if status not in dict(LIVE_CHAT_STATUSES):
            raise UserError(_("Choose Available or Away."))
        user = self.env.user
        if user.live_chat_status != status:
            # sudo: a user's own status, which SELF_WRITEABLE_FIELDS allows.
            user.sudo().live_chat_status = status
        return status

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _get_live_chat_name(self):
        """The name shown to visitors: the online chat name, else the user name."""
        self.ensure_one()
        return (self.live_chat_name or "").strip() or self.name
