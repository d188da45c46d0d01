"""Scripts and pages for visitors: the widget loader, the chat window script
and the direct chat link page. They are served from the addon's files, not
Odoo's asset bundles, so that a visitor downloads a few kilobytes only."""
import gzip
import hashlib

from odoo import _, http
from odoo.http import request
from odoo.tools import file_open

from odoo.addons.bus.websocket import WebsocketConnectionHandler

from .security import js_string, script_base_url
from .widget import _lang_answer, _visitor_lang

WIDGET_FILES = {
    "loader": "live_chat/static/src/widget/loader.js",
    "window": "live_chat/static/src/widget/chat_window.js",
}
_cache = {}  # file content by path: immutable once the server has started


def widget_strings():
    """The widget's texts, in the request's language (see the `lang` param).
    Every text the widget shows that is not the channel's own comes from here;
    "%s" is replaced by the widget."""
    return {
        "chat_with_us": _("Chat with us"),
        "dismiss": _("Dismiss"),
        "messages": _("Messages"),
        "message": _("Message"),
        "you": _("You"),
        "send": _("Send"),
        "sending": _("Sending…"),
        "fold": _("Minimize the chat"),
        "end_short": _("End"),
        "end": _("End the conversation"),
        "end_confirm": _("End this conversation?"),
        "cancel": _("Cancel"),
        "ended": _("This conversation has ended."),
        "new_chat": _("Start a new chat"),
        "restart": _("Restart the conversation"),
        "bot_ended": _("The bot has finished. Restart it, or start a new chat later: "
                       "nobody reads messages written here."),
        "bot_ended_operator": _("The bot has finished. Restart it, or start a new chat "
                                "to talk to a person."),
        "bot_ended_offline": _("The bot has finished. Our team has your message and will answer you by email."),
        "typing": _("%s is typing…"),
        "seen": _("Seen"),
        "edited": _("(edited)"),
        "deleted": _("This message has been deleted."),
        "new_message": _("(%s) New message"),
        "reconnecting": _("Reconnecting…"),
        "queue_position": _("You are number %s in line"),
        "unreachable": _("The server cannot be reached. Please try again."),
        "no_operator": _("No operator available right now. Please try again later."),
        "too_long": _("Your message is too long: %s characters at most."),
        "attach": _("Attach a file"),
        "drop": _("Drop files here to send them"),
        "file_too_large": _("This file is too large: %s at most."),
        "bad_email": _("Please type a valid email address, like name@example.com."),
        "bad_phone": _("Please type a valid phone number."),
        "rate_question": _("How was this conversation?"),
        "satisfied": _("Satisfied"),
        "okay": _("Okay"),
        "dissatisfied": _("Dissatisfied"),
        "comment": _("Comment (optional)"),
        "send_rating": _("Send my rating"),
        "skip": _("Skip"),
        "thanks": _("Thank you for your feedback!"),
        "transcript": _("Send me the transcript: your email"),
        "transcript_sent": _("Transcript sent to"),
        "offline_intro": _("Nobody can answer right now. Leave us a message and we will answer you by email."),
        "offline_opens": _("We open again on %s."),
        "offline_missing": _("Please give your name, your email address and your message."),
        "offline_thanks": _("Thank you! We received your message and will answer you at %s."),
        "name": _("Your name"),
        "email": _("Your email address"),
    }


def _file(path):
    if path not in _cache:
        with file_open(path, "rb") as file:
            content = file.read()
        _cache[path] = content
    return _cache[path]


def _version(content):
    return hashlib.sha1(content).hexdigest()[:16]


def _script_response(content, max_age, vary="Accept-Encoding"):
    """A JavaScript response that caches and revalidates (ETag), gzipped when
    the browser accepts it."""
    etag = f'"{_version(content)}"'
    headers = [
        ("Content-Type", "application/javascript; charset=utf-8"),
        ("Cache-Control", f"public, max-age={max_age}"),
        ("ETag", etag),
        ("Vary", vary),
        ("Access-Control-Allow-Origin", "*"),
    ]
    if etag in request.httprequest.headers.get("If-None-Match", ""):
        return request.make_response(b"", headers=headers, status=304)
    if "gzip" in request.httprequest.headers.get("Accept-Encoding", ""):
        key = ("gz", etag)
        if key not in _cache:
            _cache[key] = gzip.compress(content, 9)
        content = _cache[key]
        headers.append(("Content-Encoding", "gzip"))
    return request.make_response(content, headers=headers)


class LiveChatEmbedController(http.Controller):

    @http.route("/live_chat/embed/<int:channel_id>.js", type="http", auth="public", methods=["GET"],
                save_session=False, readonly=True)
    def live_chat_embed(self, channel_id):
        """The widget loader, with the server's address and the channel baked
        in. It asks /live_chat/init what to draw and loads the chat window
        only when the visitor opens it."""
        base = script_base_url()  # never the Host header: see controllers/security.py
        window = _file(WIDGET_FILES["window"])
        config = (
            f'var LIVE_CHAT_BASE = {js_string(base)}, LIVE_CHAT_CHANNEL = {int(channel_id)}, '
            f'LIVE_CHAT_WINDOW = {js_string(f"{base}/live_chat/widget/window.{_version(window)}.js")}, '
            # Odoo's bus refuses websockets that do not give its version.
            f'LIVE_CHAT_BUS = {js_string(WebsocketConnectionHandler._VERSION)};\n'
        ).encode()
        content = b"(function () {\n" + config + _file(WIDGET_FILES["loader"]) + b"\n})();\n"
        # The website (so the base URL) is chosen by the Host: caches keep one copy per Host.
        return _script_response(content, max_age=3600, vary="Accept-Encoding, Host")

    @http.route("/live_chat/widget/window.<string:version>.js", type="http", auth="public", methods=["GET"],
                save_session=False, readonly=True)
    def live_chat_window_script(self, version):
        # The version in the URL changes with the file: cache it for long.
        return _script_response(_file(WIDGET_FILES["window"]), max_age=31536000)

    @http.route("/live_chat/chat/<int:channel_id>", type="http", auth="public", methods=["GET"],
                save_session=False)
    def live_chat_direct_link(self, channel_id, lang=None):
        """The page an operator sends a customer: a full-page chat, in the
        visitor's language (`?lang=`, else the browser's, else the
        website's) and its direction (right to left for Arabic, Hebrew...)."""
        request.update_context(lang=_visitor_lang({"lang": lang}))
        # sudo: the page only shows the name of an active channel and the
        # public name and logo of the company behind it.
        channel = request.env["live_chat.channel"].sudo().browse(channel_id).exists()
        if not channel or not channel.active:
            raise request.not_found()
        website = request.env["website"].sudo().search([("live_chat_channel_id", "=", channel.id)], limit=1)
        company = website.company_id or request.env.company
        if website.logo:
            logo_url = f"/web/image/website/{website.id}/logo"
        elif company.logo:
            logo_url = f"/web/binary/company_logo?company={company.id}"
        else:
            logo_url = False
        language = _lang_answer()  # QWeb has its own `lang`: the page's are html_lang and html_dir
        page = request.env["ir.qweb"]._render("live_chat.direct_chat_page", {
            "channel": channel, "html_lang": language["lang"], "html_dir": language["dir"],
            "company_name": company.name, "logo_url": logo_url,
        })
        # The doctype is not in the template: Odoo does not translate a
        # template whose text starts with one.
        return request.make_response(f"<!DOCTYPE html>\n{page}",
                                     headers=[("Content-Type", "text/html; charset=utf-8")])
