"""The visitor's public JSON API (see README, "Public API").

Routes are plain HTTP routes speaking JSON-RPC 2.0 so that every answer is
under our control: a clear error object for bad input, never a traceback,
and a body accepted as text/plain to spare browsers a CORS preflight.
"""
import json
import logging
import os
import re
import unicodedata
from datetime import timedelta

from psycopg2 import IntegrityError, OperationalError
from werkzeug.datastructures import FileStorage

from odoo import _, fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq
from odoo.tools.misc import formatLang

from odoo.addons.live_chat.models.discuss_channel_security import TRUSTED, TRUSTED_KEY
from odoo.addons.live_chat.models.live_chat_text import has_bad_characters, is_blank

from ..models.discuss_channel import INLINE_IMAGE_TYPES
from ..models.discuss_channel_post import ADDRESS_COUNT
from ..models.live_chat_channel import is_allowed_type, sniff_mimetype
from .security import check_visitor_origin

_logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 16 * 1024
MAX_BODY = 4000
MAX_VISITOR_NAME = 100
MAX_URL = 2048
MAX_PAGE_TITLE = 300
MAX_FILE_NAME = 255
# Room for the multipart envelope and the other fields around the file.
MULTIPART_OVERHEAD = 64 * 1024
MAX_ID = 2**31 - 1
# What the visitor routes read of a session, with its guest, in one query.
SESSION_FIELDS = (
    "channel_type", "name", "live_chat_guest_id", "live_chat_visitor_partner_id", "live_chat_closed",
    "live_chat_visitor_wrote", "live_chat_operator_id", "live_chat_chatbot_script_id",
    "live_chat_chatbot_step_id", "live_chat_chatbot_ended", "live_chat_channel_id", "live_chat_queued_at",
)
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
    return _api_with(handler, _read_params)


def _api_multipart(handler):
    """`_api` for a multipart/form-data request (the upload): the form's
    fields and its file in `params`, the same answers and errors."""
    return _api_with(handler, _read_multipart)


def _api_with(handler, reader):

    def endpoint(self, **_kwargs):
        rpc_id = None
        try:
            params, rpc_id = reader()
            # TRUSTED: the models let a visitor act on its session only from here.
            # allowed_company_ids: the user's company (Odoo's env.company), named
            # so that the ORM's defaults do not read the user on every call.
            request.update_context(
                lang=_visitor_lang(params), **{TRUSTED_KEY: TRUSTED},
                allowed_company_ids=request.env.context.get("allowed_company_ids") or [
                    request.env["discuss.channel"]._live_chat_user_company_id(request.env.uid)])
            check_visitor_origin(LiveChatError)
            result = handler(self, params)
            response = _answer({"jsonrpc": "2.0", "id": rpc_id, "result": result})
            # Sent as is if the pool is full after the commit (overload.py).
            request.live_chat_answer = (
                response, list(request.env.cr.postcommit.data.get("bus.bus.channels", ())))
            return response
        except LiveChatError as error:
            request.env.cr.rollback()
            return _error_answer(rpc_id, error)
        except (OperationalError, IntegrityError):  # pylint: disable=try-except-raise
            raise  # let Odoo retry the request on a serialization failure (not the handler below)
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


def _read_multipart():
    max_bytes = request.env["live_chat.channel"].sudo()._live_chat_upload_limits()[0]
    length = request.httprequest.content_length
    if length and length > max_bytes + MULTIPART_OVERHEAD:
        # Before the body is read: a visitor cannot make the server swallow
        # a huge file to refuse it afterwards.
        raise LiveChatError(413, "file_too_large", _too_large_text(max_bytes))
    if not (request.httprequest.mimetype or "").startswith("multipart/form-data"):
        raise LiveChatError(400, "bad_request", _("Send the file as multipart/form-data."))
    form, files = request.httprequest.form, request.httprequest.files
    params = {key: form.get(key) for key in ("session_id", "guest_token", "lang") if form.get(key) is not None}
    if "file" in files:
        params["file"] = files["file"]
    return params, None


def _too_large_text(max_bytes):
    megabytes = max_bytes / (1024 * 1024)
    return _("This file is too large: %(size)s MB at most.",
             size=formatLang(request.env, megabytes, digits=0 if megabytes >= 10 else 1))


def _read_params():
    if request.httprequest.content_length and request.httprequest.content_length > MAX_REQUEST_BYTES:
        raise LiveChatError(413, "too_long", _("The request is too large."))
    # A chunked body (no Content-Length) is read to at most one byte more
    # than allowed: refused while reading, never held whole in memory. What
    # was read is kept as werkzeug's cached body, because Odoo replays the
    # request after a serialization failure and the stream is spent by then.
    wrapped = getattr(request.httprequest, "_HTTPRequest__wrapped", None)  # Odoo hides werkzeug's stream
    if wrapped is None or request.httprequest.content_length is not None:
        raw = request.httprequest.get_data()
    else:
        raw = getattr(wrapped, "_cached_data", None)
        if raw is None:
            raw = wrapped._cached_data = wrapped.stream.read(MAX_REQUEST_BYTES + 1)
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
    (the page's `lang` attribute, sent by the widget), else the browser's
    languages (Accept-Language), else the website's default language."""
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
    # These routes are not website routes: the website is the request's (its domain).
    # Read from Odoo's caches (website's and res.lang's): no query per call.
    website = request.env["website"].sudo().get_current_website()
    lang_id = website._get_cached("default_lang_id") if website else None
    lang = request.env["res.lang"].browse(lang_id)._get_cached("code") if lang_id else None
    return lang or request.env.lang or "en_US"


def _lang_answer():
    """The request's language for the widget: a BCP 47 tag for its dates
    (`Intl`) and `lang` attribute, and the text direction (res.lang's)."""
    code = request.env.lang or "en_US"
    direction = request.env["res.lang"]._lang_get_direction(code)  # ormcached
    return {"lang": code.replace("_", "-").split("@")[0], "dir": direction or "ltr"}


def _answer(payload):
    return request.make_json_response(payload, headers=[("Cache-Control", "no-store")])


def _error_answer(rpc_id, error):
    return _answer({"jsonrpc": "2.0", "id": rpc_id, "error": {
        "code": error.status,
        "message": error.message,
        "data": {"name": f"live_chat.{error.code}", "code": error.code, "message": error.message},
    }})


def _int_param(params, name, label, required=True):
    """`params[name]`, a whole number >= 0; `label` names it for the visitor
    ("The conversation"), never the internal field name."""
    value = params.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        if not (isinstance(value, str) and value.isdigit() and len(value) < 12):
            raise LiveChatError(400, "bad_request", _("%(label)s is missing or is not a valid number.", label=label))
        value = int(value)
    if value > MAX_ID:  # ids are PostgreSQL integers
        raise LiveChatError(400, "bad_request", _("%(label)s is not a valid number.", label=label))
    return value


def _text_param(params, name, max_length, label, required=True, too_long=None):
    """`params[name]`, a text of at most `max_length` characters; `label`
    names it for the visitor, `too_long` makes a specific sentence (called
    only when needed: formatting the number reads the language)."""
    value = params.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise LiveChatError(400, "bad_request", _("%(label)s is missing or is not a text.", label=label))
    if len(value) > max_length:
        raise LiveChatError(413, "too_long", too_long() if too_long else _(
            "%(label)s is too long: %(max)s characters at most.",
            label=label, max=formatLang(request.env, max_length, digits=0)))
    if has_bad_characters(value):  # NUL, control characters, lone surrogates
        raise LiveChatError(400, "bad_request", _(
            "%(label)s holds characters that are not allowed.", label=label))
    return value


def _body_param(params, code="empty_message"):
    """The visitor's message: a text of 1..MAX_BODY characters, not blank."""
    body = _text_param(params, "body", MAX_BODY, _("Your message"), too_long=lambda: _(
        "Your message is too long: %(max)s characters at most.",
        max=formatLang(request.env, MAX_BODY, digits=0)))
    if is_blank(body):  # spaces, zero-width characters only
        raise LiveChatError(400, code, _("The message is empty."))
    return body


def _tested_chatbot(params):
    """The bot of a chatbot's Test page (its signed `chatbot_test` token),
    which replaces the rules' bot; None on any other page."""
    token = params.get("chatbot_test")
    if token is None:
        return None
    return request.env["live_chat.chatbot.script"]._live_chat_from_test_token(token)


def _clean_file_name(name):
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[:MAX_FILE_NAME] or "file"


class LiveChatWidgetController(http.Controller):

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @http.route("/live_chat/init", **ROUTE)
    @_api
    def live_chat_init(self, params):
        """Which rule applies to this page for this visitor, the options and
        what the window shows before a session exists. Creates nothing."""
        channel = self._get_channel(params)
        url = _text_param(params, "url", MAX_URL, _("The page address"), required=False)
        country = self._visitor_country()
        rule = request.env["live_chat.channel.rule"].sudo()._match_rule(channel, url, country)
        script = _tested_chatbot(params) or rule._chatbot_for(channel)
        from .embed import widget_strings  # the widget's own texts live with the widget
        chatbot = None
        if script:
            step = script._first_waiting_step()
            chatbot = {**script._public_info(), "step": step._public_info() if step else None}
        operator_available = bool(channel.available_operator_ids)
        # Nobody can answer: the visitor may leave a message when the rule
        # says so, and always on the direct link page (`page`).
        offline = None
        if not operator_available and not script and (params.get("page") is True or (
                rule and rule.action != "hide" and rule.no_operator_action == "leave_message")):
            offline = channel._live_chat_offline_info()
        return {
            "channel_id": channel.id,
            "action": rule.action if rule else "hide",
            "auto_open_seconds": rule.auto_open_seconds if rule and rule.action == "auto_open" else 0,
            "operator_available": operator_available,
            "queue_position": self._init_queue_position(channel, params),
            "chatbot": chatbot,
            "offline": offline,
            "welcome": script._opening_messages() if script else channel._live_chat_cached()["welcome"],
            "options": {**channel._live_chat_cached()["options"], **self._upload_options(), **self._company_options()},
            "strings": widget_strings(),
            **_lang_answer(),
        }

    @http.route("/live_chat/session/start", **ROUTE)
    @_api
    def live_chat_session_start(self, params):
        """The visitor's first message (or first answer to the bot) starts
        the session: the guest, the session and its operator (the least busy
        available one, or the rule's chatbot) are made now, the welcome
        message is posted, then the visitor's message, then the bot reacts."""
        channel = self._get_channel(params)
        # Sessions and messages from the address: one query, before anything is made.
        address = request.httprequest.remote_addr
        Sessions = request.env["discuss.channel"]
        Sessions._live_chat_check_start_rate(address, messages=Sessions._live_chat_message_limits(address))
        url = _text_param(params, "url", MAX_URL, _("The page address"), required=False)
        visitor_name = " ".join(_text_param(
            params, "visitor_name", MAX_VISITOR_NAME, _("Your name"), required=False).split())
        token = _text_param(params, "guest_token", 200, _("The visitor token"), required=False)
        answer_id = _int_param(params, "answer_id", _("The answer"), required=False)
        body = None
        if answer_id is None:
            if params.get("body") is None:
                raise LiveChatError(400, "bad_request", _(
                    "Write a message (or pick one of the bot's answers) to start the conversation."))
            body = _body_param(params, code="bad_request")
        Session = request.env["discuss.channel"].with_context(live_chat_quiet=True)
        tested = _tested_chatbot(params)
        if tested:  # a chatbot's Test page: a test session, out of the reports
            Session = Session.with_context(live_chat_chatbot_test=True)
        country = self._visitor_country()
        rule = request.env["live_chat.channel.rule"].sudo()._match_rule(channel, url, country)
        script = tested or rule._chatbot_for(channel)
        answer = None
        if answer_id is not None:
            step = script._first_waiting_step() if script else None
            answer = step.answer_ids.filtered(lambda a: a.id == answer_id) if step and step.step_type == "question" \
                else None
            if not answer:
                raise LiveChatError(400, "bad_answer", _("This answer is not one of the bot's current choices."))
        partner = guest = None
        new_guest = False
        user = request.env.user
        if not user._is_public():
            partner = user.partner_id
        else:
            guest = request.env["mail.guest"]._get_guest_from_token(token) if token else None
        lang = self._visitor_language(params)
        operator = request.env["res.users"]
        queued = False
        if not script:
            # Visitors already waiting in line go first: a new one queues
            # behind them (the places freed meanwhile are given out below).
            waiting = channel.max_sessions_per_operator and Session._live_chat_queue_length(channel)
            if not waiting:
                operator = Session._live_chat_pick_operator(channel, lang=lang, guest=guest, partner=partner)
            # Operators are there but every one is at the channel's limit.
            queued = not operator and bool(channel.available_operator_ids)
            if not operator and not queued:
                raise LiveChatError(503, "no_operator", _(
                    "No operator available right now. Please try again later."))
        if not partner:
            if guest:
                if visitor_name and visitor_name != guest.name:
                    guest.sudo().name = visitor_name
            else:
                guest = self._create_guest(visitor_name)
                new_guest = True
        if operator:
            Session._live_chat_claim_operator(operator, channel)
        session = Session._live_chat_create_session(
            channel, operator, script=script, guest=guest, partner=partner,
            visitor_name=visitor_name or None, country=country, url=url,
            ip=request.httprequest.remote_addr, visitor_wrote=True, lang=lang, new_guest=new_guest,
        )
        if operator:
            # Before the message: the operator's client alerts once, with it.
            session._live_chat_alert_operator(operator, body=body if answer is None else answer.name)
        message = session._live_chat_visitor_says(body, answer, guest=guest, partner=partner)
        if queued:
            # Not quiet: visitors ahead in line may get an operator here.
            request.env["discuss.channel"]._live_chat_dispatch_queue(channel)
        return {
            "session_id": session.id,
            "guest_token": guest.sudo()._format_auth_cookie() if guest else None,
            "guest_id": guest.id if guest else None,
            **self._session_state(session, new=True),
            "message_id": message.id,
            "message": session._live_chat_message_dict(message),
        }

    @http.route("/live_chat/session/post", **ROUTE)
    @_api
    def live_chat_session_post(self, params):
        """The visitor posts a message."""
        session, guest, partner, over_limit = self._get_session(params, rate_limit=True)
        body = _body_param(params)
        if session.live_chat_closed:
            raise LiveChatError(409, "session_closed", _("This conversation has ended."))
        if over_limit:
            self._refuse_rate_limited()
        message = session._live_chat_visitor_says(body, guest=guest, partner=partner)
        return {
            "message_id": message.id,
            "message": session._live_chat_message_dict(message),
            "chatbot": session._chatbot_info(),
            "queue_position": session._live_chat_queue_position(),
        }

    @http.route("/live_chat/session/upload", **ROUTE)
    @_api_multipart
    def live_chat_session_upload(self, params):
        """The visitor sends a file: a message of theirs with the file
        attached, which the operator sees in Discuss like any attachment."""
        session, guest, partner = self._get_session(params)
        if session.live_chat_closed:
            raise LiveChatError(409, "session_closed", _("This conversation has ended."))
        if not session.live_chat_channel_id.uploads:
            raise LiveChatError(403, "uploads_disabled", _("Files cannot be sent in this chat."))
        max_bytes, per_minute, allowed = request.env["live_chat.channel"].sudo()._live_chat_upload_limits()
        upload = params.get("file")
        if not isinstance(upload, FileStorage):
            raise LiveChatError(400, "bad_request", _("Choose a file to send."))
        data = upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise LiveChatError(413, "file_too_large", _too_large_text(max_bytes))
        if not data:
            raise LiveChatError(400, "bad_request", _("This file is empty."))
        name = _clean_file_name(upload.filename)
        mimetype = sniff_mimetype(data, name)
        if not is_allowed_type(mimetype, allowed):
            raise LiveChatError(415, "bad_file_type", _(
                "This type of file cannot be sent. You can send images, PDF, text and office documents."))
        self._check_upload_rate(session, guest, partner, per_minute)
        # sudo: visitors cannot create attachments; this one is the checked
        # visitor's, made on the session for the message that carries it.
        attachment = request.env["ir.attachment"].sudo().create({
            "name": name, "raw": data, "mimetype": mimetype,
            "res_model": "discuss.channel", "res_id": session.id,
        })
        message = session._live_chat_post_visitor_message("", guest=guest, partner=partner, attachments=attachment)
        return {"message_id": message.id, "message": session._live_chat_message_dict(message)}

    @http.route("/live_chat/session/<int:session_id>/attachment/<int:attachment_id>", type="http",
                auth="public", methods=["GET"], cors="*", save_session=False)
    def live_chat_session_attachment(self, session_id, attachment_id, guest_token=None, download=None, **_kw):
        """A file of the session's messages, for its visitor only: the same
        404 for a wrong token, another session or an unknown file."""
        try:
            session, _guest, _partner = self._get_session({"session_id": session_id,
                                                           "guest_token": guest_token or ""})
        except LiveChatError:
            raise request.not_found() from None
        request.env.cr.execute("""
            SELECT 1 FROM message_attachment_rel rel
              JOIN mail_message m ON m.id = rel.message_id
             WHERE rel.attachment_id = %s AND m.model = 'discuss.channel' AND m.res_id = %s
             LIMIT 1
        """, [attachment_id, session.id])
        if not request.env.cr.fetchone():
            raise request.not_found()
        # sudo: the visitor's right to this session's files is checked above.
        attachment = request.env["ir.attachment"].sudo().browse(attachment_id)
        inline = attachment.mimetype in INLINE_IMAGE_TYPES and not download
        response = request.env["ir.binary"]._get_stream_from(attachment).get_response(as_attachment=not inline)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "sandbox"
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response

    @http.route("/live_chat/session/messages", **ROUTE)
    @_api
    def live_chat_session_messages(self, params):
        """Messages after `after_id`: history after a reload, polling fallback."""
        session, guest, _partner = self._get_session(params)
        after_id = _int_param(params, "after_id", _("The last message"), required=False) or 0
        if session.live_chat_queued_at and not session.live_chat_operator_id:
            session._live_chat_queue_seen()  # a waiting visitor is still there
        session._live_chat_visitor_polled(guest)
        return self._session_state(session, after_id)

    @http.route("/live_chat/session/typing", **ROUTE)
    @_api
    def live_chat_session_typing(self, params):
        """The visitor is typing (or stopped): shown in the operator's thread."""
        session, guest, partner = self._get_session(params)
        typing = params.get("typing")
        if not isinstance(typing, bool):
            raise LiveChatError(400, "bad_request", _("Say whether you are typing (true or false)."))
        if session.live_chat_closed:
            return {"ok": True, "throttled": True}
        if not session._live_chat_visitor_typing(typing, guest=guest, partner=partner):
            return {"ok": True, "throttled": True}
        return {"ok": True}

    @http.route("/live_chat/session/seen", **ROUTE)
    @_api
    def live_chat_session_seen(self, params):
        """The visitor has seen the conversation up to `message_id`."""
        session, guest, partner = self._get_session(params)
        message_id = _int_param(params, "message_id", _("The message"))
        session._live_chat_visitor_seen(message_id, guest=guest, partner=partner)
        return {"ok": True}

    @http.route("/live_chat/session/page", **ROUTE)
    @_api
    def live_chat_session_page(self, params):
        """The visitor opened a page of the site while their session goes on
        (the loader reports each page load): the operator's banner follows."""
        session, _guest, _partner = self._get_session(params)
        url = _text_param(params, "url", MAX_URL, _("The page address"))
        title = " ".join(_text_param(params, "title", MAX_PAGE_TITLE, _("The page title"), required=False).split())
        if not re.match(r"https?://[^\s/]", url, re.IGNORECASE):
            raise LiveChatError(400, "bad_request", _("The page address must be a web address (http or https)."))
        if session.live_chat_closed:
            raise LiveChatError(409, "session_closed", _("This conversation has ended."))
        return {"recorded": session._live_chat_visitor_viewed(url, title)}

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
        session, guest, partner, over_limit = self._get_session(params, rate_limit=True)
        answer_id = _int_param(params, "answer_id", _("The answer"))
        if session.live_chat_closed:
            raise LiveChatError(409, "session_closed", _("This conversation has ended."))
        step = session.live_chat_chatbot_step_id
        answer = step.answer_ids.filtered(lambda a: a.id == answer_id) if step.step_type == "question" else None
        if not answer:
            raise LiveChatError(400, "bad_answer", _("This answer is not one of the bot's current choices."))
        if over_limit:
            self._refuse_rate_limited()
        session._live_chat_visitor_says(answer=answer, guest=guest, partner=partner)
        return self._session_state(
            session, _int_param(params, "after_id", _("The last message"), required=False) or 0)

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
        return self._session_state(
            session, _int_param(params, "after_id", _("The last message"), required=False) or 0)

    @http.route("/live_chat/chatbot/<int:script_id>/avatar", type="http", auth="public", methods=["GET"],
                cors="*", save_session=False)
    def live_chat_chatbot_avatar(self, script_id):
        # sudo: a bot's avatar is public, it is what every visitor sees.
        script = request.env["live_chat.chatbot.script"].sudo().browse(script_id).exists()
        if not script:
            raise request.not_found()
        return request.env["ir.binary"]._get_image_stream_from(
            script.bot_partner_id, "avatar_128").get_response(max_age=3600)

    @http.route("/live_chat/avatar/operator/<int:user_id>", type="http", auth="public", methods=["GET"],
                cors="*", save_session=False)
    def live_chat_operator_avatar(self, user_id):
        """The avatar (128 px) of an operator: a user of an active live chat
        channel, or the operator of a session (their past messages keep their
        face once they left the channel). Any other user: 404, so that the
        route tells nothing about who else is in the database."""
        request.env.cr.execute("""
            SELECT 1 FROM res_users u
             WHERE u.id = %(user)s AND u.active AND NOT u.share
               AND (EXISTS (SELECT 1 FROM live_chat_channel_res_users_rel rel
                              JOIN live_chat_channel c ON c.id = rel.channel_id
                             WHERE rel.user_id = u.id AND c.active)
                    OR EXISTS (SELECT 1 FROM discuss_channel s
                                WHERE s.live_chat_operator_id = u.id AND s.channel_type = 'live_chat'))
        """, {"user": user_id})
        if not request.env.cr.fetchone():
            raise request.not_found()
        # sudo: only the avatar of an operator, which every visitor sees.
        partner = request.env["res.users"].sudo().browse(user_id).partner_id
        return request.env["ir.binary"]._get_image_stream_from(partner, "avatar_128").get_response(max_age=3600)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _session_state(self, session, after_id=0, new=False):
        """What the widget needs after each call about a session. `new`: the
        session was just made (no operator has seen or typed anything)."""
        operator = session.live_chat_operator_id
        bot = session.live_chat_chatbot_script_id
        seen, typing = (0, False) if new else session._live_chat_operator_member_state()
        return {
            "session_id": session.id,
            "messages": session._live_chat_messages(after_id),
            "closed": session.live_chat_closed,
            "operator_name": operator._get_live_chat_name() if operator else bot.bot_partner_id.name or "",
            "operator_avatar_url": (f"/live_chat/avatar/operator/{operator.id}" if operator
                                    else bot._public_info()["avatar_url"] if bot else None),
            "chatbot": session._chatbot_info(),
            "seen_message_id": seen,
            "typing": typing,
            "queue_position": session._live_chat_queue_position(),
        }

    def _visitor_language(self, params):
        """The visitor's language for routing (any language, installed or
        not): the page's `lang`, else the browser's first, else the request's."""
        from ..models.discuss_channel_queue import clean_lang_code
        for code in [params.get("lang"), *[value for value, _q in request.httprequest.accept_languages]]:
            code = clean_lang_code(code)
            if code:
                return code
        return request.env.lang or False

    def _init_queue_position(self, channel, params):
        """init's `queue_position`: with the `session_id` and `guest_token` of
        a waiting visitor, their place in line; else the place a new visitor
        would take if they wrote now (0: an operator would answer at once)."""
        if params.get("session_id") is not None:
            session, _guest, _partner = self._get_session(params)
            return session._live_chat_queue_position()
        if not channel.max_sessions_per_operator:
            return 0  # no limit: never a line
        return request.env["discuss.channel"]._live_chat_would_queue(channel)

    def _upload_options(self):
        max_bytes, _per_minute, allowed = request.env["live_chat.channel"].sudo()._live_chat_upload_limits()
        return {"max_file_bytes": max_bytes, "allowed_file_types": allowed}

    def _company_options(self):
        """The company shown on the direct link page: the website's."""
        website = getattr(request, "website", None)
        company_id = website._get_cached("company_id") if website else request.env.company.id
        # Its name and whether it has a logo, in one query (not the logo).
        request.env.cr.execute("""
            SELECT c.name, EXISTS (SELECT 1 FROM ir_attachment a WHERE a.res_model = 'res.company'
                                      AND a.res_field = 'logo' AND a.res_id = c.id)
              FROM res_company c WHERE c.id = %s
        """, [company_id])
        name, has_logo = request.env.cr.fetchone() or ("", False)
        return {"company_name": name or "",
                "company_logo_url": f"/logo.png?company={company_id}" if has_logo else None}

    def _get_channel(self, params):
        channel_id = _int_param(params, "channel_id", _("The chat channel"))
        # sudo: visitors read a channel's public options; only an active
        # channel is answered (known from the channel's cached data).
        channel = request.env["live_chat.channel"].sudo().browse(channel_id)
        if not channel._live_chat_cache_fields():
            raise LiveChatError(404, "unknown_channel", _(
                "This live chat channel does not exist or is closed."))
        return channel

    def _get_session(self, params, rate_limit=False):
        """The session of `session_id` if the caller is its visitor: the guest
        whose token is given, or the logged-in partner who started it. Any
        mismatch answers like an unknown session, so ids cannot be probed.
        `rate_limit`: also count the visitor's recent messages (see
        `_live_chat_message_limits`) and return whether a new one is over the limits,
        as a fourth value. One query reads the session, its guest and the
        counts; the session and guest are then read from the cache."""
        session_id = _int_param(params, "session_id", _("The conversation"))
        token = _text_param(params, "guest_token", 200, _("The visitor token"), required=False)
        unknown = LiveChatError(404, "unknown_session", _(
            "This conversation does not exist, or it is not yours."))
        Session = request.env["discuss.channel"]
        limits = Session._live_chat_message_limits(request.httprequest.remote_addr) if rate_limit else None
        counts = """,
            (SELECT count(*) FROM mail_message m
              WHERE m.model = 'discuss.channel' AND m.res_id = c.id AND m.message_type = 'comment'
                AND m.date >= %(since)s
                AND (m.author_guest_id = c.live_chat_guest_id OR m.author_id = c.live_chat_visitor_partner_id)),
            """ + ADDRESS_COUNT if limits else ""
        request.env.cr.execute(f"""
            SELECT {", ".join(f"c.{name}" for name in SESSION_FIELDS)}, g.name, g.access_token{counts}
              FROM discuss_channel c
         LEFT JOIN mail_guest g ON g.id = c.live_chat_guest_id
             WHERE c.id = %(session)s
        """, {"session": session_id, **(limits or {})})
        row = request.env.cr.fetchone()
        if not row or row[0] != "live_chat":
            raise unknown
        values = dict(zip(SESSION_FIELDS, row[:len(SESSION_FIELDS)], strict=True))
        guest_name, access_token = row[len(SESSION_FIELDS):len(SESSION_FIELDS) + 2]
        # sudo: the visitor's right to the session is checked just below,
        # against its guest token or its logged-in partner.
        session = Session.sudo().browse(session_id)
        guest = partner = None
        if values["live_chat_guest_id"]:
            guest_id, _sep, secret = token.partition(request.env["mail.guest"]._cookie_separator)
            # The guest's access token is compared, never returned.
            if guest_id != str(values["live_chat_guest_id"]) or not secret or not access_token \
                    or not consteq(access_token, secret):
                raise unknown
            guest = request.env["mail.guest"].browse(values["live_chat_guest_id"])
            Session._live_chat_cache_values(guest, {"name": guest_name})
        elif values["live_chat_visitor_partner_id"]:
            user = request.env.user
            if user._is_public() or user.partner_id.id != values["live_chat_visitor_partner_id"]:
                raise unknown
            partner = user.partner_id
        else:
            raise unknown
        Session._live_chat_cache_values(session, values)
        if limits:
            in_session, from_address = row[-2:]
            return session, guest, partner, in_session >= limits["per_session"] or from_address >= limits["per_address"]
        return session, guest, partner

    def _create_guest(self, visitor_name):
        # sudo: public visitors cannot create guests themselves.
        Guest = request.env["mail.guest"].sudo()
        guest = Guest.create({"name": visitor_name or _("Visitor"), "lang": request.env.lang or False})
        if not visitor_name:
            guest.name = _("Visitor #%s", guest.id)
        return guest

    def _visitor_country(self):
        return request.env["discuss.channel"]._live_chat_visitor_country(request.geoip)

    def _refuse_rate_limited(self):
        raise LiveChatError(429, "rate_limited", _(
            "Too many messages: please wait a few seconds before sending more."))

    def _check_upload_rate(self, session, guest, partner, per_minute):
        """At most `per_minute` files of the visitor per session a minute,
        counted in the database on the messages' dates."""
        since = fields.Datetime.now() - timedelta(minutes=1)
        request.env.cr.execute("""
            SELECT count(*) FROM message_attachment_rel rel
              JOIN mail_message m ON m.id = rel.message_id
             WHERE m.model = 'discuss.channel' AND m.res_id = %(session)s AND m.date >= %(since)s
               AND (m.author_guest_id = %(guest)s OR m.author_id = %(partner)s)
        """, {"session": session.id, "since": since, "guest": guest.id if guest else None,
              "partner": partner.id if partner else None})
        if request.env.cr.fetchone()[0] >= per_minute:
            raise LiveChatError(429, "rate_limited", _(
                "Too many files: please wait a minute before sending more."))
