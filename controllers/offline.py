"""When nobody can answer, the visitor leaves a message (see README, "Public
API"). Same conventions and checks as the widget routes."""
from odoo import _, http
from odoo.http import request
from odoo.tools.mail import single_email_re
from odoo.tools.misc import formatLang

from odoo.addons.live_chat.models.live_chat_chatbot_step import PHONE_RE
from odoo.addons.live_chat.models.live_chat_text import is_blank

from .widget import (
    MAX_BODY,
    MAX_URL,
    MAX_VISITOR_NAME,
    ROUTE,
    LiveChatError,
    LiveChatWidgetController,
    _api,
    _text_param,
)

MAX_EMAIL = 254
MAX_PHONE = 30


class LiveChatOfflineController(http.Controller):

    @http.route("/live_chat/offline/message", **ROUTE)
    @_api
    def live_chat_offline_message(self, params):
        """The visitor's name, email and message when nobody can answer: a
        session flagged "Offline message" that every operator of the channel
        is told about, answered by email."""
        widget = LiveChatWidgetController
        channel = widget._get_channel(self, params)
        name = " ".join(_text_param(params, "name", MAX_VISITOR_NAME, _("Your name")).split())
        if is_blank(name):
            raise LiveChatError(400, "bad_request", _("Please give your name."))
        email = _text_param(params, "email", MAX_EMAIL, _("Your email address")).strip()
        if not single_email_re.fullmatch(email):
            raise LiveChatError(400, "bad_email", _("Please enter a valid email address, like name@example.com."))
        text = _text_param(params, "message", MAX_BODY, _("Your message"), too_long=lambda: _(
            "Your message is too long: %(max)s characters at most.",
            max=formatLang(request.env, MAX_BODY, digits=0)))
        if is_blank(text):
            raise LiveChatError(400, "empty_message", _("The message is empty."))
        phone = _text_param(params, "phone", MAX_PHONE, _("Your phone number"), required=False).strip()
        if phone and not PHONE_RE.match(phone):
            raise LiveChatError(400, "bad_phone", _("Please type a valid phone number."))
        url = _text_param(params, "url", MAX_URL, _("The page address"), required=False)
        # Checked before anything is made: a refusal leaves nothing behind.
        address = request.httprequest.remote_addr
        Session = request.env["discuss.channel"]
        Session._live_chat_check_start_rate(address)
        Session._live_chat_check_offline_rate(address, email)
        partner = guest = None
        if request.env.user._is_public():
            guest = widget._create_guest(self, name)
        else:
            partner = request.env.user.partner_id
        Session.with_context(live_chat_quiet=True)._live_chat_create_offline_session(
            channel, text, visitor_name=name, email=email, phone=phone, guest=guest, partner=partner,
            country=widget._visitor_country(self), url=url, ip=address)
        return {"received": True, "email": email}
