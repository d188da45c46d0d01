from odoo import http
from odoo.http import request


class LiveChatChatbotTestController(http.Controller):

    @http.route("/live_chat/chatbot/<int:script_id>/test", type="http", auth="user", methods=["GET"])
    def live_chat_chatbot_test_page(self, script_id):
        """A chatbot's Test page (Live Chat administrators): the direct chat
        page of one of its channels, where the widget talks to this bot
        whatever the rules say; its conversations are tests, out of the
        reports."""
        if not request.env.user.has_group("live_chat.group_live_chat_manager"):
            raise request.not_found()
        script = request.env["live_chat.chatbot.script"].browse(script_id).exists()
        channel = script._live_chat_test_channel() if script else None
        if not channel:
            raise request.not_found()
        company = request.env.company
        return request.render("live_chat.direct_chat_page", {
            "channel": channel, "lang": (request.env.lang or "en_US").replace("_", "-"),
            "company_name": company.name,
            "logo_url": f"/web/binary/company_logo?company={company.id}" if company.logo else False,
            "test_script": script, "test_token": script._live_chat_test_token(),
        })
