"""Visitors act on their live chat session only through the addon's routes.

A visitor (a mail.guest, or the partner of a logged-in user) is a member of
its session's discuss.channel, and its guest token is mail's `dgid` cookie:
without this file every generic mail / discuss route (post, edit, upload,
link preview, rename, read the member list...) would let it skip the
addon's rules. The rules live here, in the models, so that they hold
whatever route is used:

* a global record rule (security/live_chat_visitor_security.xml) hides a
  session from its own visitor, for discuss.channel and its members: every
  mail route that looks the channel up as the caller (`search`, record
  rules) answers "not found";
* the methods that mail's routes call with sudo() after their own, weaker
  checks (message_post, _message_update_content, link previews,
  attachments, reactions) refuse a visitor of a live chat session unless the
  call comes from the addon's routes, which mark their environment with
  TRUSTED after checking the guest token.

The addon's routes reach the session with sudo(), after checking the token.
"""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.bus.websocket import wsrequest

from .live_chat_text import BIDI_CONTROLS


class _Trusted:
    """The value of the context key set by the addon's own routes. An object
    that no JSON-RPC client can send (mail's /mail/message/post copies a
    client-given `context` into the request's), unlike True or a string."""

    def __repr__(self):
        return "<live_chat trusted route>"


TRUSTED = _Trusted()
TRUSTED_KEY = "live_chat_trusted_route"


def is_trusted(env):
    return env.context.get(TRUSTED_KEY) is TRUSTED


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    live_chat_is_own_visit = fields.Boolean(
        "Visited by me", compute="_compute_live_chat_is_own_visit", search="_search_live_chat_is_own_visit",
        help="The current user or guest is the visitor of this live chat session.")

    @api.depends_context("uid", "guest")
    def _compute_live_chat_is_own_visit(self):
        partner, guest = self.env["res.partner"]._get_current_persona()
        for session in self:
            session.live_chat_is_own_visit = session._live_chat_is_visitor(partner, guest)

    def _search_live_chat_is_own_visit(self, operator, operand):
        if operator not in ("=", "!=") or not isinstance(operand, bool):
            raise NotImplementedError()
        partner, guest = self.env["res.partner"]._get_current_persona()
        if wsrequest:
            # The websocket's subscriptions (mail's ir.websocket looks up the
            # guest's channels as the guest) are the bus's business: the
            # "visitor" work replaces mail's notifications to visitors with
            # visitor-safe ones and drops the sessions there.
            partner = guest = None
        if guest:
            own = [("channel_type", "=", "live_chat"), ("live_chat_guest_id", "=", guest.id)]
        elif partner:
            own = [("channel_type", "=", "live_chat"), ("live_chat_visitor_partner_id", "=", partner.id)]
        else:
            own = [(0, "=", 1)]
        if (operator == "=") == operand:
            return own
        return ["!", *own] if len(own) == 1 else ["!", "&", *own]

    def _live_chat_is_visitor(self, partner, guest):
        self.ensure_one()
        session = self.sudo()
        if session.channel_type != "live_chat":
            return False
        return bool((guest and session.live_chat_guest_id == guest)
                    or (partner and session.live_chat_visitor_partner_id == partner))

    def _live_chat_check_not_visitor(self):
        """Refuse the current user or guest if it is the visitor of one of
        these live chat sessions and the call does not come from the addon's
        routes (which check the visitor's rules before they act)."""
        if is_trusted(self.env):
            return
        partner, guest = self.env["res.partner"]._get_current_persona()
        if not partner and not guest:
            return
        for session in self:
            if session._live_chat_is_visitor(partner, guest):
                raise AccessError(_("A live chat visitor writes through the live chat only."))

    @api.model_create_multi
    def create(self, vals_list):
        # What a visitor gave: names without bidirectional controls (they
        # make a name read backwards), a page URL only when http(s) (the
        # operator's thread shows it as a link).
        for vals in vals_list:
            if vals.get("channel_type") != "live_chat":
                continue
            for key in ("name", "live_chat_visitor_name"):
                if isinstance(vals.get(key), str):
                    vals[key] = BIDI_CONTROLS.sub("", vals[key])
            url = vals.get("live_chat_url")
            if url and not (isinstance(url, str) and url.strip().lower().startswith(("http://", "https://"))):
                vals["live_chat_url"] = False
        return super().create(vals_list)

    # Mail's methods reached by a visitor through mail's routes -------------

    def message_post(self, **kwargs):
        self._live_chat_check_not_visitor()
        return super().message_post(**kwargs)

    def _message_update_content(self, message, body, *args, **kwargs):
        self._live_chat_check_not_visitor()
        return super()._message_update_content(message, body, *args, **kwargs)

    # The addon's own business methods (private: no RPC reaches them) are
    # the trusted path, whoever calls them after checking the visitor.

    def _live_chat_trusted(self):
        return self.with_context(**{TRUSTED_KEY: TRUSTED})

    def _live_chat_post(self, text, **kwargs):
        return super(DiscussChannel, self._live_chat_trusted())._live_chat_post(text, **kwargs)

    def _live_chat_close(self, by, notice):
        return super(DiscussChannel, self._live_chat_trusted())._live_chat_close(by, notice)

    def _live_chat_rate(self, choice, comment="", **kwargs):
        return super(DiscussChannel, self._live_chat_trusted())._live_chat_rate(choice, comment, **kwargs)

    def _live_chat_notify_joined(self, partners):
        # A logged-in visitor's web client gets no Discuss channel: the
        # session is hidden from its visitor (its chat is the widget's).
        return super()._live_chat_notify_joined(partners - self.sudo().live_chat_visitor_partner_id)


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _live_chat_sessions(self):
        """The live chat sessions these messages belong to."""
        ids = {message.res_id for message in self.sudo() if message.model == "discuss.channel" and message.res_id}
        sessions = self.env["discuss.channel"].sudo().browse(ids).exists()
        return self.env["discuss.channel"].browse(sessions.filtered(lambda s: s.channel_type == "live_chat").ids)

    def _validate_access_for_current_persona(self, operation):
        # /mail/message/reaction (and other guest routes) check the persona here.
        if self and not is_trusted(self.env):
            try:
                self._live_chat_sessions()._live_chat_check_not_visitor()
            except AccessError:
                return False
        return super()._validate_access_for_current_persona(operation)


class MailLinkPreview(models.Model):
    _inherit = "mail.link.preview"

    @api.model
    def _create_from_message_and_notify(self, message, request_url=None):
        # Finding 1 (SSRF): a message of a live chat session never gets a
        # link preview, so no URL a visitor typed is ever fetched by the
        # server, whoever asks for the preview.
        if message._live_chat_sessions():
            return self
        return super()._create_from_message_and_notify(message, request_url=request_url)

    @api.model_create_multi
    def create(self, vals_list):
        message_ids = [vals.get("message_id") for vals in vals_list if vals.get("message_id")]
        if self.env["mail.message"].browse(message_ids)._live_chat_sessions():
            raise AccessError(_("Live chat conversations have no link previews."))
        return super().create(vals_list)


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model_create_multi
    def create(self, vals_list):
        session_ids = [vals.get("res_id") for vals in vals_list
                       if vals.get("res_model") == "discuss.channel" and vals.get("res_id")]
        if session_ids:
            self.env["discuss.channel"].browse(session_ids)._live_chat_check_not_visitor()
        return super().create(vals_list)

    def _delete_and_notify(self, message=None):
        sessions = self.env["discuss.channel"].browse(
            [a.res_id for a in self.sudo() if a.res_model == "discuss.channel" and a.res_id])
        if message:
            sessions |= message._live_chat_sessions()
        sessions.exists()._live_chat_check_not_visitor()
        return super()._delete_and_notify(message)
