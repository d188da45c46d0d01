from odoo import api, http
from odoo.http import request

from odoo.addons.web.controllers.session import Session


class LiveChatSession(Session):

    @http.route()
    def logout(self, redirect="/web"):
        # Logging out counts as away for live chat at once: the bus marks
        # the presence offline only when the user's last websocket closes.
        uid = request.session.uid
        if uid:
            env = api.Environment(request.env.cr, uid, {})
            # sudo: the user's own presence, before their session ends.
            env["bus.presence"].sudo().search([("user_id", "=", uid)]).write({"status": "offline"})
        return super().logout(redirect=redirect)
