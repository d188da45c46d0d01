"""The visitor's public JSON API (see README, "Public API").

Routes are plain HTTP routes speaking JSON-RPC 2.0 so that every answer is
under our control: a clear error object for bad input, never a traceback,
and a body accepted as text/plain to spare browsers a CORS preflight.
"""
import json
import logging
from datetime import timedelta

from psycopg2 import IntegrityError, OperationalError

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tools import consteq
from odoo.http import request

from odoo.addons.live_chat.models.discuss_channel_security import TRUSTED, TRUSTED_KEY

from odoo.addons.live_chat.models.live_chat_text import has_bad_characters, is_blank

from .security import check_visitor_origin

_logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 16 * 1024
MAX_BODY = 4000
MAX_VISITOR_NAME = 100
MAX_URL = 2048
MAX_ID = 2**31 - 1
ROUTE = {
    "type": "http", "auth": "public", "methods": ["POST", "OPTIONS"], "cors": "*",
    "csrf": False, "save_session": False, "readonly": False,
}


class LiveChatError(Exception):
    """A refusal the visitor should read: HTTP-like status, stable slug, sentence."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _api(handler):
    """Decorate a route handler `handler(self, params)`: parse the JSON body,
    answer JSON-RPC, turn refusals into error objects and undo their writes."""

    def endpoint(self, **_kwargs):
        rpc_id = None
        try:
            params, rpc_id = _read_params()
            # TRUSTED: the models let a visitor act on its session only from here.
            request.update_context(lang=_visitor_lang(params), **{TRUSTED_KEY: TRUSTED})
            check_visitor_origin(LiveChatError)
            result = handler(self, params)
            return _answer({"jsonrpc": "2.0", "id": rpc_id, "result": result})
        except LiveChatError as error:
            request.env.cr.rollback()
            return _error_answer(rpc_id, error)
        except (OperationalError, IntegrityError):
            raise  # let Odoo retry the request on a serialization failure
        except (UserError, ValidationError, AccessError) as error:
            request.env.cr.rollback()
            return _error_answer(rpc_id, LiveChatError(
                getattr(error, "live_chat_status", 400), getattr(error, "live_chat_code", "bad_request"),
                str(error)))
        except Exception:
            request.env.cr.rollback()
            _logger.exception("live chat route %s failed", request.httprequest.path)
            return _error_answer(rpc_id, LiveChatError(
                500, "internal_error", _("Something went wrong on our side. Please try again.")))

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


def _read_params():
    if request.httprequest.content_length and request.httprequest.content_length > MAX_REQUEST_BYTES:
        raise LiveChatError(413, "too_long", _("The request is too large."))
    # Read at most one byte more than allowed: a chunked body (no
    # Content-Length) is refused while reading, never held whole in memory.
    wrapped = getattr(request.httprequest, "_HTTPRequest__wrapped", None)  # Odoo hides werkzeug's stream
    raw = wrapped.stream.read(MAX_REQUEST_BYTES + 1) if wrapped is not None else request.httprequest.get_data()
    if len(raw) > MAX_REQUEST_BYTES:
        raise LiveChatError(413, "too_long", _("The request is too large."))
    try:
        payload = json.loads(raw or b"{}")
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise LiveChatError(400, "bad_request", _("The request is not valid JSON.")) from None
    if not isinstance(payload, dict):
        raise LiveChatError(400, "bad_request", _("The request must be a JSON object."))
    if "jsonrpc" in payload or "params" in payload:
        params, rpc_id = payload.get("params", {}), payload.get("id")
        if not isinstance(params, dict):
            raise LiveChatError(400, "bad_request", _("The request's params must be a JSON object."))
        return params, rpc_id
    return payload, None


def _visitor_lang(params):
    """The visitor's language among the installed ones: the `lang` param
    (the page's language, sent by the widget), else the browser's
    Accept-Language, else the default."""
    installed = [code for code, _name in request.env["res.lang"].get_installed()]
    wanted = []
    if isinstance(params.get("lang"), str):
        wanted.append(params["lang"])
    wanted += [value for value, _quality in request.httprequest.accept_languages]
    for code in wanted:
        code = code.replace("-", "_")
        if code in installed:
            return code
        same_language = [lang for lang in installed if lang.split("_")[0] == code.split("_")[0]]
        if same_language:
            return same_language[0]
    return request.env.lang or "en_US"


def _answer(payload):
    return request.make_json_response(payload, headers=[("Cache-Control", "no-store")])


def _error_answer(rpc_id, error):
    return _answer({"jsonrpc": "2.0", "id": rpc_id, "error": {
        "code": error.status,
        "message": error.message,
        "data": {"name": f"live_chat.{error.code}", "code": error.code, "message": error.message},
    }})


def _int_param(params, name, required=True):
    value = params.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        if not (isinstance(value, str) and value.isdigit() and len(value) < 12):
            raise LiveChatError(400, "bad_request", _("“%(name)s” must be a positive whole number.", name=name))
        value = int(value)
    if value > MAX_ID:  # ids are PostgreSQL integers
        raise LiveChatError(400, "bad_request", _("“%(name)s” is too large.", name=name))
    return value


def _text_param(params, name, max_length, required=True):
    value = params.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise LiveChatError(400, "bad_request", _("“%(name)s” must be a text.", name=name))
    if len(value) > max_length:
        raise LiveChatError(413, "too_long", _(
            "“%(name)s” is too long: %(max)s characters at most.", name=name, max=max_length))
    if has_bad_characters(value):  # NUL, control characters, lone surrogates
        raise LiveChatError(400, "bad_request", _(
            "“%(name)s” holds characters that are not allowed.", name=name))
    return value


class LiveChatWidgetController(http.Controller):

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @http.route("/live_chat/init", **ROUTE)
    @_api
    def live_chat_init(self, params):
        """Which rule applies to this page for this visitor, and the options."""
        channel = self._get_channel(params)
        url = _text_param(params, "url", MAX_URL, required=False)
        country = self._visitor_country()
        rule = request.env["live_chat.channel.rule"].sudo()._match_rule(channel, url, country)
        options = channel._live_chat_options()
        script = rule._chatbot_for(channel)
        from .embed import widget_strings  # the widget's own texts live with the widget
        return {
            "channel_id": channel.id,
            "action": rule.action if rule else "hide",
            "auto_open_seconds": rule.auto_open_seconds if rule and rule.action == "auto_open" else 0,
            "operator_available": bool(channel.available_operator_ids),
            "chatbot": script._public_info() if script else None,
            "options": options,
            "strings": widget_strings(),
        }

    @http.route("/live_chat/session/start", **ROUTE)
    @_api
    def live_chat_session_start(self, params):
        """Start a session with the rule's chatbot, or else with the least
        busy available operator."""
        channel = self._get_channel(params)
        request.env["discuss.channel"]._live_chat_check_start_rate(request.httprequest.remote_addr)
        url = _text_param(params, "url", MAX_URL, required=False)
        visitor_name = " ".join(_text_param(params, "visitor_name", MAX_VISITOR_NAME, required=False).split())
        token = _text_param(params, "guest_token", 200, required=False)
        Session = request.env["discuss.channel"]
        country = self._visitor_country()
        rule = request.env["live_chat.channel.rule"].sudo()._match_rule(channel, url, country)
        script = rule._chatbot_for(channel)
        operator = request.env["res.users"] if script else Session._live_chat_pick_operator(channel)
        if not operator and not script:
            raise LiveChatError(503, "no_operator", _(
                "No operator available right now. Please try again later."))
        partner = guest = None
        user = request.env.user
        if not user._is_public():
            partner = user.partner_id
        else:
            guest = request.env["mail.guest"]._get_guest_from_token(token) if token else None
            if guest:
                if visitor_name and visitor_name != guest.name:
                    guest.sudo().name = visitor_name
            else:
                guest = self._create_guest(visitor_name)
        session = Session._live_chat_create_session(
            channel, operator, script=script, guest=guest, partner=partner,
            visitor_name=visitor_name or None, country=country, url=url,
            ip=request.httprequest.remote_addr,
        )
        return {
            "session_id": session.id,
            "guest_token": guest.sudo()._format_auth_cookie() if guest else None,
            "guest_id": guest.id if guest else None,
            **self._session_state(session),
        }

    @http.route("/live_chat/session/post", **ROUTE)
    @_api
    def live_chat_session_post(self, params):
        """The visitor posts a message."""
        session, guest, partner = self._get_session(params)
        body = _text_param(params, "body", MAX_BODY)
        if is_blank(body):  # spaces, zero-width characters only
            raise LiveChatError(400, "empty_message", _("The message is empty."))
        if session.live_chat_closed:
            raise LiveChatError(409, "session_closed", _("This conversation has ended."))
        self._check_rate_limit(session, guest, partner)
        message = session._live_chat_post(body, guest=guest, author=partner)
        session._chatbot_process_input(body)
        return {
            "message_id": message.id,
            "message": session._live_chat_message_dict(message),
            "chatbot": session._chatbot_info(),
        }

    @http.route("/live_chat/session/messages", **ROUTE)
    @_api
    def live_chat_session_messages(self, params):
        """Messages after `after_id`: history after a reload, polling fallback."""
        session, _guest, _partner = self._get_session(params)
        after_id = _int_param(params, "after_id", required=False) or 0
        return self._session_state(session, after_id)

    @http.route("/live_chat/session/close", **ROUTE)
    @_api
    def live_chat_session_close(self, params):
        """The visitor leaves: the operator is told in the thread."""
        session, _guest, _partner = self._get_session(params)
        if not session.live_chat_closed:
            session._live_chat_close("visitor", _("Visitor left the conversation"))
        return {"closed": True}

    @http.route("/live_chat/chatbot/answer", **ROUTE)
    @_api
    def live_chat_chatbot_answer(self, params):
        """The visitor picks one of the answers of the bot's question."""
        session, guest, partner = self._get_session(params)
        answer_id = _int_param(params, "answer_id")
        if session.live_chat_closed:
            raise LiveChatError(409, "session_closed", _("This conversation has ended."))
        step = session.live_chat_chatbot_step_id
        answer = step.answer_ids.filtered(lambda a: a.id == answer_id) if step.step_type == "question" else None
        if not answer:
            raise LiveChatError(400, "bad_answer", _("This answer is not one of the bot's current choices."))
        self._check_rate_limit(session, guest, partner)
        session._live_chat_post(answer.name, guest=guest, author=partner)
        session._chatbot_pick_answer(answer)
        return self._session_state(session, _int_param(params, "after_id", required=False) or 0)

    @http.route("/live_chat/chatbot/restart", **ROUTE)
    @_api
    def live_chat_chatbot_restart(self, params):
        """Start the bot's script again once it has ended."""
        session, _guest, _partner = self._get_session(params)
        if session.live_chat_closed:
            raise LiveChatError(409, "session_closed", _("This conversation has ended."))
        if not session.live_chat_chatbot_script_id or not session.live_chat_chatbot_ended \
                or session.live_chat_operator_id:
            raise LiveChatError(409, "chatbot_running", _("The bot can only start again once it has finished."))
        session._chatbot_restart()
        return self._session_state(session, _int_param(params, "after_id", required=False) or 0)

    @http.route("/live_chat/chatbot/<int:script_id>/avatar", type="http", auth="public", methods=["GET"],
                cors="*", save_session=False)
    def live_chat_chatbot_avatar(self, script_id):
        # sudo: a bot's avatar is public, it is what every visitor sees.
        script = request.env["live_chat.chatbot.script"].sudo().browse(script_id).exists()
        if not script:
            raise request.not_found()
        return request.env["ir.binary"]._get_image_stream_from(
            script.bot_partner_id, "avatar_128").get_response(max_age=3600)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _session_state(self, session, after_id=0):
        """What the widget needs after each call about a session."""
        return {
            "session_id": session.id,
            "messages": session._live_chat_messages(after_id),
            "closed": session.live_chat_closed,
            "operator_name": (session.live_chat_operator_id._get_live_chat_name()
                              if session.live_chat_operator_id
                              else session.live_chat_chatbot_script_id.bot_partner_id.name or ""),
            "chatbot": session._chatbot_info(),
        }

    def _get_channel(self, params):
        channel_id = _int_param(params, "channel_id")
        # sudo: visitors read a channel's public options; only an active
        # channel is answered.
        channel = request.env["live_chat.channel"].sudo().browse(channel_id).exists()
        if not channel or not channel.active:
            raise LiveChatError(404, "unknown_channel", _(
                "This live chat channel does not exist or is closed."))
        return channel

    def _get_session(self, params):
        """The session of `session_id` if the caller is its visitor: the guest
        whose token is given, or the logged-in partner who started it. Any
        mismatch answers like an unknown session, so ids cannot be probed."""
        session_id = _int_param(params, "session_id")
        token = _text_param(params, "guest_token", 200, required=False)
        unknown = LiveChatError(404, "unknown_session", _(
            "This conversation does not exist, or it is not yours."))
        # sudo: the visitor's right to the session is checked just below,
        # against its guest token or its logged-in partner.
        session = request.env["discuss.channel"].sudo().browse(session_id)
        try:
            if session.channel_type != "live_chat":  # reads the row: one query, no exists()
                raise unknown
        except MissingError:
            raise unknown from None
        guest = partner = None
        if session.live_chat_guest_id:
            guest = session.live_chat_guest_id
            guest_id, _sep, secret = token.partition(guest._cookie_separator)
            # sudo: the guest's access token is compared, never returned.
            if guest_id != str(guest.id) or not secret or not guest.sudo().access_token \
                    or not consteq(guest.sudo().access_token, secret):
                raise unknown
            guest = guest.sudo(False)
        elif session.live_chat_visitor_partner_id:
            user = request.env.user
            if user._is_public() or user.partner_id != session.live_chat_visitor_partner_id:
                raise unknown
            partner = user.partner_id
        else:
            raise unknown
        return session, guest, partner

    def _create_guest(self, visitor_name):
        # sudo: public visitors cannot create guests themselves.
        Guest = request.env["mail.guest"].sudo()
        guest = Guest.create({"name": visitor_name or _("Visitor"), "lang": request.env.lang or False})
        if not visitor_name:
            guest.name = _("Visitor #%s", guest.id)
        return guest

    def _visitor_country(self):
        code = request.geoip.country_code
        if not code:
            return request.env["res.country"]
        return request.env["res.country"].sudo().search([("code", "=", code)], limit=1)

    def _check_rate_limit(self, session, guest, partner):
        """At most N visitor messages per session, and M per client address,
        within the window. Counted in the database, so that every worker and
        server sees the same numbers (on the message date, set when the
        message is made, not on the transaction's start)."""
        params = request.env["ir.config_parameter"].sudo()
        per_session = int(params.get_param("live_chat.rate_limit_session", 20))
        per_address = int(params.get_param("live_chat.rate_limit_address", 60))
        window = int(params.get_param("live_chat.rate_limit_window_seconds", 10))
        since = fields.Datetime.now() - timedelta(seconds=window)
        address = request.httprequest.remote_addr
        # Both counts in one query: this runs before every visitor message.
        request.env.cr.execute("""
            SELECT (SELECT count(*) FROM mail_message
                     WHERE model = 'discuss.channel' AND res_id = %(session)s AND message_type = 'comment'
                       AND date >= %(since)s AND (author_guest_id = %(guest)s OR author_id = %(partner)s)),
                   (SELECT count(*) FROM mail_message m
                      JOIN discuss_channel c ON c.id = m.res_id
                     WHERE %(address)s IS NOT NULL AND c.live_chat_ip = %(address)s
                       AND c.channel_type = 'live_chat'
                       AND m.model = 'discuss.channel' AND m.message_type = 'comment'
                       AND m.date >= %(since)s
                       AND (m.author_guest_id = c.live_chat_guest_id
                            OR m.author_id = c.live_chat_visitor_partner_id))
        """, {"session": session.id, "since": since, "guest": guest.id if guest else None,
              "partner": partner.id if partner else None, "address": address})
        in_session, from_address = request.env.cr.fetchone()
        too_many = in_session >= per_session or from_address >= per_address
        if too_many:
            raise LiveChatError(429, "rate_limited", _(
                "Too many messages: please wait a few seconds before sending more."))
