from odoo import fields, models


class Website(models.Model):
    _inherit = "website"

    live_chat_channel_id = fields.Many2one(
        "live_chat.channel", ondelete="set null",
        help="The live chat channel whose button this website shows. Empty: no live chat.",
    )
