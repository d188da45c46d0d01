from datetime import timedelta

from lxml import html as lxml_html

from odoo import _, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import email_normalize

from .discuss_channel import PRESENCE_SILENCE_SECONDS, html_to_text
from .live_chat_channel import is_allowed_type, sniff_mimetype


class DiscussChannel(models.Model):
    """Continuity by email: when the visitor is gone, the operator's answers
    are emailed to the address the visitor gave (the offline form, or the
    bot's email question), through Odoo's mail queue; the visitor's reply
    comes back into the same session through the mail gateway (the email's
    Message-Id / References and the session's reply-to: its alias, else the
    company's catchall).

    The visitor is gone when the session is an offline message, when the
    visitor closed it, or when their widget is not connected: no bus
    presence (the widget keeps its guest's presence up to date over its
    websocket, see ir_websocket.py) within the bus's disconnection delay.
    """

    _inherit = "discuss.channel"

    # ------------------------------------------------------------------
    # Hooks on mail
    # ------------------------------------------------------------------

    def message_post(self, **kwargs):
        # An email the mail gateway routed to a live chat session (a reply to
        # one of its emails): the visitor's reply becomes the visitor's
        # message, as plain text without the quoted email.
        if self.env.context.get("from_alias") and len(self) == 1 and self.channel_type == "live_chat":
            message = self.with_context(from_alias=False)._live_chat_receive_email(kwargs)
            if message is not None:
                return message
            # Anyone else: an email in the thread, for the operators only
            # (without its subject line, noise in a chat).
            kwargs.pop("subject", None)
        return super().message_post(**kwargs)

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        if self.channel_type == "live_chat":
            self._live_chat_after_message(message)
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def live_chat_close_by_operator(self):
        # A session the visitor closed but still answered by email: the
        # operator ends it (no more answers), as they leave an open one.
        continued = self.filtered(lambda s: s.channel_type == "live_chat" and s.sudo().live_chat_closed
                                  and s._live_chat_answers_by_email())
        for session in continued:
            if not session.is_member and not self.env.user.has_group("live_chat.group_live_chat_manager"):
                raise UserError(_("Only the session's operator can close it."))
            session.sudo()._live_chat_close(
                "operator", _("%(operator)s left the conversation", operator=self.env.user._get_live_chat_name()))
        return super(DiscussChannel, self - continued).live_chat_close_by_operator()

    def action_live_chat_erase_visitor_data(self):
        # Answers still waiting in the mail queue carry the visitor's address.
        sessions = self.sudo().filtered(lambda s: s.channel_type == "live_chat" and s.live_chat_visitor_email)
        for session in sessions:
            self.env["mail.mail"].sudo().search([
                ("model", "=", "discuss.channel"), ("res_id", "=", session.id),
                ("email_to", "ilike", session.live_chat_visitor_email)]).unlink()
        return super().action_live_chat_erase_visitor_data()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _live_chat_visitor_gone(self):
        """Whether the visitor can no longer read the session in the widget:
        an offline message, a session they closed, or no presence of their
        guest (or user) on the bus for PRESENCE_SILENCE_SECONDS, the delay
        after which the operator's banner says they left: a visitor still
        on the page in a background tab (whose timers the browser slows)
        reads the answer there, not in an email."""
        self.ensure_one()
        session = self.sudo()
        if session.live_chat_offline or session.live_chat_closed:
            return True
        if session.live_chat_guest_id:
            identity = [("guest_id", "=", session.live_chat_guest_id.id)]
        elif session.live_chat_visitor_partner_id.user_ids:
            identity = [("user_id", "in", session.live_chat_visitor_partner_id.user_ids.ids)]
        else:
            return True
        since = fields.Datetime.now() - timedelta(seconds=PRESENCE_SILENCE_SECONDS)
        return not self.env["bus.presence"].sudo().search_count(
            [*identity, ("status", "!=", "offline"), ("last_poll", ">=", since)], limit=1)

    def _live_chat_answers_by_email(self):
        """Whether the operator's answers go to the visitor by email, whatever
        their presence: an offline message, or a session the visitor closed,
        with the visitor's email."""
        self.ensure_one()
        session = self.sudo()
        return bool(session.live_chat_visitor_email and (
            session.live_chat_offline or (session.live_chat_closed and session.live_chat_closed_by == "visitor")))

    def _live_chat_after_message(self, message):
        """After a message in the session: an operator's answer (an internal
        user, not the visitor nor the bot) takes an offline message that no
        operator has taken yet, and is emailed to a visitor who is gone.
        Internal messages and notes (e.g. the link to a CRM lead) are for
        the operators: never an answer, never emailed."""
        self.ensure_one()
        if message.message_type not in ("comment", "email") or not message.author_id:
            return
        if self._live_chat_is_internal(message):
            return
        session = self.sudo()
        author = message.sudo().author_id
        if author == session.live_chat_visitor_partner_id \
                or author == session.live_chat_chatbot_script_id.bot_partner_id:
            return
        user = author.user_ids[:1]
        if not user or user.share:
            return
        if session.live_chat_offline and not session.live_chat_operator_id:
            session.write({"live_chat_operator_id": user.id,
                           "name": f"{session.live_chat_visitor_name}, {user._get_live_chat_name()}"})
            session._live_chat_notify_operator_info()
        if session.live_chat_visitor_email and session._live_chat_visitor_gone():
            session._live_chat_email_answer(message)

    def _live_chat_email_answer(self, message):
        """Queue the operator's answer `message` to the visitor's address
        (Odoo's mail queue, never sent during the operator's request). The
        email is the message's own (its Message-Id), with the session's
        reply-to: the visitor's reply comes back into the session."""
        self.ensure_one()
        session = self.sudo()
        template = self.env.ref("live_chat.mail_template_live_chat_answer", raise_if_not_found=False)
        if not template or not session.live_chat_visitor_email:
            return self.env["mail.mail"]
        template = template.sudo()
        operator = message.sudo().author_id.user_ids[:1]
        operator_name = operator._get_live_chat_name() if operator else message.sudo().author_id.name
        asked = session._live_chat_visitor_messages().filtered(lambda m: m.id < message.id)[-1:]
        context = {
            "live_chat_operator_name": operator_name,
            "live_chat_answer_text": session._live_chat_email_text(message.body),
            "live_chat_question_text": session._live_chat_email_text(asked.body) if asked else "",
        }
        rendered = {field: template._render_field(field, session.ids, compute_lang=True, add_context=context)[
            session.id] for field in ("subject", "body_html")}
        return self.env["mail.mail"].sudo().create({
            **session._notify_by_email_get_base_mail_values(message),
            "subject": rendered["subject"],
            "body_html": rendered["body_html"],
            "email_to": session.live_chat_visitor_email,
            "recipient_ids": [],
            # Never the operator's own address: visitors see chat names only.
            "email_from": session._live_chat_email_from(operator_name),
            "reply_to": session._live_chat_reply_to(),
            # The answer stays in the session when the email is deleted once sent.
            "is_notification": True,
            "auto_delete": True,
        })

    def _live_chat_receive_email(self, values):
        """Post the email the gateway routed to this session (`values`, what
        it gives message_post). From the visitor's address: the visitor's
        message (plain text, without the quoted email, and the files the
        widget would take), and a closed session opens again; an operator
        answering by email: their answer (emailed to the visitor in turn).
        Anyone else: None, mail posts it as it is."""
        self.ensure_one()
        session = self.sudo()
        sender = email_normalize(values.get("email_from") or "")
        author = self.env["res.partner"].sudo().browse(values.get("author_id") or [])
        visitor_email = email_normalize(session.live_chat_visitor_email or "")
        is_visitor = bool(sender and sender == visitor_email) or (
            author and author == session.live_chat_visitor_partner_id)
        operator = author.user_ids[:1] if author else self.env["res.users"]
        if not is_visitor and not (operator and not operator.share):
            return None
        text = self._live_chat_email_text(values.get("body"))
        attachments = self._live_chat_email_attachments(values.get("attachments") or [])
        if not text and not attachments:
            return self.env["mail.message"]
        if is_visitor:
            if session.live_chat_closed:
                session.write({"live_chat_closed": False, "live_chat_closed_by": False, "live_chat_end": False})
                session._live_chat_notify_operator_info()
            message = session._live_chat_post(text, guest=session.live_chat_guest_id or None,
                                              author=session.live_chat_visitor_partner_id or None,
                                              attachment_ids=attachments.ids)
            # The next operator's email thanks to the gateway's threading.
            message.message_id = values.get("message_id") or message.message_id
            session._live_chat_email_operators(
                session.live_chat_operator_id or session.live_chat_channel_id.user_ids, message)
            return message
        poster = session.with_user(operator).sudo()
        return poster._live_chat_post(text, author=operator.partner_id, attachment_ids=attachments.ids)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _live_chat_email_text(self, body):
        """Plain text of an email's or a message's HTML `body`, without the
        quoted earlier emails (mail's quote detection)."""
        sanitized = tools.html_sanitize(str(body or ""))
        if not sanitized:
            return ""
        tree = lxml_html.fragment_fromstring(str(sanitized), create_parent="div")
        for node in tree.xpath("//*[@data-o-mail-quote]"):
            if node.getparent() is not None:
                node.drop_tree()
        return html_to_text(lxml_html.tostring(tree, encoding="unicode"))

    def _live_chat_email_attachments(self, attachments):
        """Pending attachments (of the visitor, on the composer) made of an
        email's files that the widget's upload would take: allowed type (from
        the content) and size; the others are left out."""
        max_bytes, _per_minute, allowed = self.env["live_chat.channel"].sudo()._live_chat_upload_limits()
        if not self.sudo().live_chat_channel_id.uploads:
            return self.env["ir.attachment"]
        values = []
        for attachment in attachments:
            name, content = attachment[0], attachment[1]
            if isinstance(content, str):
                content = content.encode()
            if not content or len(content) > max_bytes:
                continue
            mimetype = sniff_mimetype(content, name or "")
            if not is_allowed_type(mimetype, allowed):
                continue
            values.append({"name": name, "raw": content, "mimetype": mimetype,
                           "res_model": "mail.compose.message", "res_id": 0})
        return self.env["ir.attachment"].sudo().create(values)
