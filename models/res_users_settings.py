from odoo import fields, models


class ResUsersSettings(models.Model):
    _inherit = "res.users.settings"

    # Remembers whether the operator folded the "Live Chat" category of the
    # Discuss sidebar, like mail does for its own categories.
    is_discuss_sidebar_category_live_chat_open = fields.Boolean(
        "Is the Live Chat category of the Discuss sidebar open?", default=True)
