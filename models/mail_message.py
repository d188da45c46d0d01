from odoo import fields, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    # Set when an operator edits a live chat message in Discuss (mail 17
    # keeps no trace of an edit), so that the visitor's widget can say so.
    live_chat_edited = fields.Boolean("Edited (live chat)", readonly=True)
