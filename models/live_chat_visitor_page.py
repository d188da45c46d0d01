from odoo import fields, models


class LiveChatVisitorPage(models.Model):
    """A page of the site a visitor opened while their session was going: the
    widget's loader reports each page load (`/live_chat/session/page`). The
    operator sees the page the visitor is on and the last ones before it."""

    _name = "live_chat.visitor.page"
    _description = "Live Chat Visitor Page"
    _order = "date desc, id desc"
    _log_access = False

    session_id = fields.Many2one("discuss.channel", required=True, ondelete="cascade", index=True)
    url = fields.Char("Page", required=True)
    title = fields.Char("Page title")
    date = fields.Datetime("Opened", required=True, default=fields.Datetime.now)
