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

    @api.depends("website_id.live_chat_channel_id")
    def _compute_website_live_chat_enabled(self):
        for settings in self:
            settings.website_live_chat_enabled = bool(settings.website_id.live_chat_channel_id)

    def set_values(self):
        super().set_values()
        for settings in self.filtered(lambda s: not s.website_live_chat_enabled):
            settings.website_id.live_chat_channel_id = False
