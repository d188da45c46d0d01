"""The end of a visitor's chat: rate it, get its transcript by email (see
README, "Public API"). Same conventions and checks as the widget routes."""
from odoo import _, http
from odoo.tools.mail import single_email_re

from odoo.addons.live_chat.models.discuss_channel_rating import MAX_TRANSCRIPTS, RATING_VALUES

from .widget import ROUTE, LiveChatError, LiveChatWidgetController, _api, _text_param

MAX_COMMENT = 1000
MAX_EMAIL = 254


class LiveChatFeedbackController(http.Controller):

    @http.route("/live_chat/session/rate", **ROUTE)
    @_api
    def live_chat_session_rate(self, params):
        """The visitor rates the conversation, once, with an optional comment."""
        session, guest, partner = self._get_session(params)
        choice = params.get("rating")
        if not isinstance(choice, str) or choice not in RATING_VALUES:
            raise LiveChatError(400, "bad_rating", _(
                "The rating must be “satisfied”, “okay” or “dissatisfied”."))
        comment = _text_param(params, "comment", MAX_COMMENT, _("Your comment"), required=False)
        if session._live_chat_rating_record():
            raise LiveChatError(409, "already_rated", _("You have already rated this conversation."))
        session._live_chat_rate(choice, comment, guest=guest, partner=partner)
        return {"rating": choice}

    @http.route("/live_chat/session/transcript", **ROUTE)
    @_api
    def live_chat_session_transcript(self, params):
        """Queue the conversation by email to the address the visitor typed."""
        session, _guest, _partner = self._get_session(params)
        email = _text_param(params, "email", MAX_EMAIL, _("The email address")).strip()
        if not single_email_re.fullmatch(email):
            raise LiveChatError(400, "bad_email", _("Please enter a valid email address, like name@example.com."))
        if session.live_chat_transcript_count >= MAX_TRANSCRIPTS:
            raise LiveChatError(429, "too_many_transcripts", _(
                "The transcript of this conversation has already been sent %(count)s times.",
                count=MAX_TRANSCRIPTS))
        session._live_chat_send_transcript(email)
        return {"queued": True, "email": email}

    def _get_session(self, params):
        # The widget routes' check: the caller must be the session's visitor.
        return LiveChatWidgetController._get_session(self, params)
