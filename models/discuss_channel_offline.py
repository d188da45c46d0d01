from datetime import timedelta

from odoo import Command, _, api, fields, models, tools

from .discuss_channel_abuse import LiveChatLimitError, _param


class DiscussChannel(models.Model):
    """Offline messages: what a visitor leaves when nobody can answer (no
    operator online, or outside the channel's opening hours). Each one is a
    session flagged "Offline message", with every operator of the channel as
    a member (it shows in their Live Chat category in Discuss), who are also
    told by email. They answer it in Discuss; the answers go to the visitor
    by email (discuss_channel_email.py)."""

    _inherit = "discuss.channel"

    live_chat_offline = fields.Boolean(
        "Offline message", index=True, readonly=True,
        help="The visitor left this message when nobody could answer; the answers are emailed to them.")

    # ------------------------------------------------------------------
    # Business methods (called by the public routes after their checks)
    # ------------------------------------------------------------------

    @api.model
    def _live_chat_check_offline_rate(self, address, email):
        """Refuse an offline message when too many came recently from the
        client `address` (as sessions store it) or for the same `email`:
        `live_chat.offline_rate_limit` (5) per
        `live_chat.offline_rate_limit_window_seconds` (3600). Each one emails
        every operator: a burst must not become a mail bomb."""
        limit = _param(self.env, "live_chat.offline_rate_limit", 5)
        window = _param(self.env, "live_chat.offline_rate_limit_window_seconds", 3600)
        since = fields.Datetime.now() - timedelta(seconds=window)
        address = self._live_chat_visitor_address(address)
        self.env.cr.execute("""
            SELECT count(*) FILTER (WHERE %(address)s IS NOT NULL AND live_chat_ip = %(address)s),
                   count(*) FILTER (WHERE lower(live_chat_visitor_email) = %(email)s)
              FROM discuss_channel
             WHERE channel_type = 'live_chat' AND live_chat_offline AND live_chat_start >= %(since)s
        """, {"address": address, "email": (email or "").strip().lower(), "since": since})
        from_address, for_email = self.env.cr.fetchone()
        if from_address >= limit or for_email >= limit:
            raise LiveChatLimitError(429, "rate_limited", _(
                "Too many messages sent from your address: please try again later."))

    @api.model
    def _live_chat_create_offline_session(self, channel, text, *, visitor_name, email, phone=None, guest=None,
                                          partner=None, country=None, url=None, ip=None):
        """The session of an offline message: the visitor (a guest, or the
        partner of a logged-in user) and every operator of `channel` are its
        members, no operator is assigned until one answers. Posts the
        visitor's `text`, then tells the operators. Returns the session."""
        session = self._live_chat_create_session(
            channel, guest=guest, partner=partner, visitor_name=visitor_name, country=country, url=url, ip=ip,
            visitor_wrote=True, values={
                "live_chat_offline": True,
                "live_chat_visitor_email": email,
                "live_chat_visitor_phone": phone or False,
            })
        session._live_chat_add_operators()
        session._live_chat_post(text, guest=guest, author=partner, quiet=True)
        session._live_chat_offline_received()
        return session

    def _live_chat_offline_received(self):
        """An offline message was just left in this session (created, its
        message posted): tell every operator of the channel, in Odoo (the
        session shows in their Live Chat category, unread) and by email.
        Called once per offline message; other addons extend it (e.g. to make
        a lead of it)."""
        for session in self.sudo():
            operators = session.live_chat_channel_id.user_ids
            session._live_chat_notify_joined(operators.partner_id)
            message = session._live_chat_visitor_messages()[-1:]
            session._live_chat_email_operators(operators, message)

    def _live_chat_bot_found_no_operator(self):
        """The bot could not hand the visitor over to an operator: when the
        visitor gave their email, the session becomes an offline message,
        which the operators are told about and answer by email (rather than
        an email nobody reads)."""
        self.ensure_one()
        session = self.sudo()
        if session.live_chat_offline or session.live_chat_test or not session.live_chat_visitor_email:
            return
        session.live_chat_offline = True
        session._live_chat_add_operators()
        session._live_chat_offline_received()

    def _live_chat_operator_info(self):
        info = super()._live_chat_operator_info()
        session = self.sudo()
        info.update({
            "offline": session.live_chat_offline,
            "visitorEmail": session.live_chat_visitor_email or False,
            "answersByEmail": self._live_chat_answers_by_email(),
        })
        return info

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _live_chat_add_operators(self):
        """Every operator of the channel becomes a member of the session."""
        self.ensure_one()
        session = self.sudo()
        partners = session.live_chat_channel_id.user_ids.partner_id - session.channel_member_ids.partner_id
        session.channel_member_ids = [Command.create({"partner_id": partner.id}) for partner in partners]

    def _live_chat_visitor_messages(self):
        """The visitor's messages of the session, oldest first."""
        self.ensure_one()
        session = self.sudo()
        visitor = ([("author_guest_id", "=", session.live_chat_guest_id.id)] if session.live_chat_guest_id
                   else [("author_id", "=", session.live_chat_visitor_partner_id.id)])
        return self.env["mail.message"].sudo().search([
            ("model", "=", "discuss.channel"), ("res_id", "=", self.id), ("message_type", "=", "comment"),
            *visitor], order="id")

    def _live_chat_email_operators(self, operators, message):
        """Queue, to each of `operators` (res.users) with an email address,
        the visitor's `message` of this session with a link to answer it in
        Odoo, in the operator's language. The email is linked to the message
        (as mail's notifications are): an operator who replies to it by email
        answers in the session."""
        self.ensure_one()
        template = self.env.ref("live_chat.mail_template_live_chat_offline_message", raise_if_not_found=False)
        if not template or not message:
            return self.env["mail.mail"]
        session = self.sudo()
        template = template.sudo()
        values = session._notify_by_email_get_base_mail_values(message)
        context = {"live_chat_message_text": session._live_chat_email_text(message.body),
                   "live_chat_url": f"{session.get_base_url()}/web#action=mail.action_discuss"
                                    f"&active_id=discuss.channel_{session.id}"}
        mails = self.env["mail.mail"].sudo()
        for operator in operators.sudo().filtered(lambda user: user.email):
            lang = operator.lang or self.env.lang
            rendered = {
                field: template._render_field(field, session.ids, set_lang=lang, add_context=context)[session.id]
                for field in ("subject", "body_html")
            }
            mails |= mails.create({
                **values,
                "subject": rendered["subject"],
                "body_html": rendered["body_html"],
                "email_from": session._live_chat_email_from(session.live_chat_visitor_name),
                "reply_to": session._live_chat_reply_to(),
                "recipient_ids": [Command.link(operator.partner_id.id)],
                # The message stays when the email is deleted once sent.
                "is_notification": True,
                "auto_delete": True,
            })
        return mails

    def _live_chat_company(self):
        self.ensure_one()
        return self.sudo().live_chat_operator_id.company_id or self.env.company

    def _live_chat_email_from(self, name):
        """The sender of the session's emails: `name` at the company's
        address, never an operator's own address."""
        company = self._live_chat_company()
        address = company.email or company.default_from_email or company.catchall_email
        if not address:
            return company.email_formatted or False
        return tools.formataddr((_("%(name)s (%(company)s)", name=name, company=company.name), address))

    def _live_chat_reply_to(self):
        """Where replies to the session's emails go: mail's reply-to of the
        session (its alias, else the company's catchall), so that the mail
        gateway brings them back into the session."""
        self.ensure_one()
        return self.sudo()._notify_get_reply_to(default=self._live_chat_email_from(self._live_chat_company().name))[
            self.id]
