from odoo import api, fields, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    # Set when an operator edits a live chat message in Discuss (mail 17
    # keeps no trace of an edit), so that the visitor's widget can say so.
    live_chat_edited = fields.Boolean("Edited (live chat)", readonly=True)
    # What the visitor's widget shows instead of the body, for system notices
    # worded for the operators ("Oscar transferred the conversation to Ana"
    # reads "You are now talking with Ana" for the visitor, in their language).
    # Given by _live_chat_post_notice in the context (mail's message_post
    # accepts no unknown value), so that it is there when the visitor is told.
    live_chat_visitor_text = fields.Char("Visitor's text (live chat)", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        text = self.env.context.get("live_chat_visitor_text")
        if text:
            for vals in vals_list:
                vals.setdefault("live_chat_visitor_text", text)
        return super().create(vals_list)
