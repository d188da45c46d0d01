from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    website_live_chat_enabled = fields.Boolean(
        "Live Chat", compute="_compute_website_live_chat_enabled", readonly=False,
        help="Show a live chat button on this website's pages.",
    )
    website_live_chat_channel_id = fields.Many2one(
        related="website_id.live_chat_channel_id", readonly=False,
    )
    live_chat_retention_enabled = fields.Boolean(
        "Delete old sessions", config_parameter="live_chat.retention_enabled",
        help="Every day, delete the sessions closed more than the given number of days ago, with "
             "their messages, attachments, ratings, bot answers and the visitors' guests.",
    )
    live_chat_retention_days = fields.Integer(
        "Delete sessions after (days)", config_parameter="live_chat.retention_days", default=365,
    )
    live_chat_visitor_address = fields.Selection(
        [("store", "Store it"), ("anonymize", "Store it anonymized"), ("none", "Do not store it")],
        "Visitor address", config_parameter="live_chat.visitor_address", default="store",
        help="The visitor's IP address on their sessions. Anonymized: the last part of IPv4 addresses "
             "and all but the first 48 bits of IPv6 addresses are zeroed. The per-address message limit "
             "counts on what is stored, so it does not apply when nothing is stored.",
    )

    @api.depends("website_id.live_chat_channel_id")
    def _compute_website_live_chat_enabled(self):
        for settings in self:
            settings.website_live_chat_enabled = bool(settings.website_id.live_chat_channel_id)

    def set_values(self):
        result = super().set_values()
        for settings in self.filtered(lambda s: not s.website_live_chat_enabled):
            settings.website_id.live_chat_channel_id = False
        return result
