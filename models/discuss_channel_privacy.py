import logging
import threading
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

RETENTION_BATCH = 200


class DiscussChannel(models.Model):
    """Visitors' data kept no longer than needed: the retention of closed
    sessions and the erasure of one visitor's data on request."""

    _inherit = "discuss.channel"

    live_chat_erased = fields.Boolean(
        "Visitor data erased", readonly=True, copy=False,
        help="The visitor's messages, name, contact details, address, attachments and guest "
             "were erased; the session's figures (duration, rating value) remain.")

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_live_chat_erase_visitor_data(self):
        """Erase what identifies the visitor of these sessions: their
        messages and attachments, name, email, phone, address, bot answers,
        rating comment and guest. What the reports count stays: start, end,
        duration, rating value, operator, channel, country."""
        if not self.env.user.has_group("live_chat.group_live_chat_manager"):
            raise AccessError(_("Only Live Chat administrators can erase a visitor's data."))
        # sudo: an administrator's decision, checked above; the records
        # involved (guests, messages, ratings) belong to no one user.
        sessions = self.sudo().filtered(lambda s: s.channel_type == "live_chat")
        Message = self.env["mail.message"].sudo()
        guests = sessions.live_chat_guest_id
        for session in sessions:
            visitor_domain = []
            if session.live_chat_guest_id:
                visitor_domain = [("author_guest_id", "=", session.live_chat_guest_id.id)]
            elif session.live_chat_visitor_partner_id:
                visitor_domain = [("author_id", "=", session.live_chat_visitor_partner_id.id)]
            thread = [("model", "=", "discuss.channel"), ("res_id", "=", session.id)]
            # The visitor's messages, and the emails of the session (the
            # transcripts sent to the visitor's address).
            messages = Message.search(thread + ["|", ("message_type", "in", ("email", "email_outgoing"))]
                                      + (visitor_domain or [("id", "=", 0)]))
            # The rating stays (its value is a figure) without its comment,
            # its author and the visitor's notice it hangs on.
            ratings = session._live_chat_ratings()
            ratings.write({"feedback": False, "partner_id": False, "message_id": False})
            messages.attachment_ids.unlink()
            self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)]).unlink()
            messages.unlink()
            session.live_chat_chatbot_answer_ids.unlink()
            # The visitor leaves the session's members (a guest is deleted
            # below unless another session still has it).
            session.channel_member_ids.filtered(
                lambda m, s=session: (m.guest_id and m.guest_id == s.live_chat_guest_id)
                or (m.partner_id and m.partner_id == s.live_chat_visitor_partner_id)).unlink()
            host_name = (session.live_chat_operator_id._get_live_chat_name() if session.live_chat_operator_id
                         else session.live_chat_chatbot_script_id.bot_partner_id.name or "")
            anonymous = _("Erased visitor")
            session.write({
                "name": f"{anonymous}, {host_name}" if host_name else anonymous,
                "live_chat_visitor_name": anonymous,
                "live_chat_visitor_email": False,
                "live_chat_visitor_phone": False,
                "live_chat_ip": False,
                "live_chat_guest_id": False,
                "live_chat_visitor_partner_id": False,
                "live_chat_erased": True,
                # No visitor left to talk to: an open session ends here (and
                # the retention period counts from now).
                **({} if session.live_chat_closed else {
                    "live_chat_closed": True, "live_chat_end": fields.Datetime.now()}),
            })
            ratings.res_name = session.name
        self._live_chat_delete_orphan_guests(guests)
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _cron_delete_expired_sessions(self):
        """Daily: delete the closed sessions older than the retention
        period of the Live Chat settings (nothing when it is off)."""
        # Commits between batches, so that a large first clean-up neither
        # holds its locks for long nor loses its progress on a timeout; never
        # inside tests, which run in one transaction.
        commit = not getattr(threading.current_thread(), "testing", False)
        return self._live_chat_delete_expired_sessions(commit=commit)

    @api.model
    def _live_chat_delete_expired_sessions(self, batch_size=RETENTION_BATCH, commit=False):
        """Delete, `batch_size` at a time, the live chat sessions closed more
        than `live_chat.retention_days` days ago, with their messages,
        attachments, ratings and bot answers, and the guests left with no
        session. A session never closed (the visitor went away) counts as
        closed at its last message. Returns how many sessions were deleted."""
        params = self.env["ir.config_parameter"].sudo()
        if not params.get_param("live_chat.retention_enabled"):
            return 0
        try:
            days = int(params.get_param("live_chat.retention_days") or 0)
        except ValueError:
            days = 0
        if days <= 0:
            return 0
        limit = fields.Datetime.now() - timedelta(days=days)
        # Abandoned sessions: open, started before the limit, and without a
        # message since.
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT c.id FROM discuss_channel c
             WHERE c.channel_type = 'live_chat' AND c.live_chat_closed IS NOT TRUE
               AND COALESCE(c.live_chat_start, c.create_date) < %(limit)s
               AND NOT EXISTS (SELECT 1 FROM mail_message m
                                WHERE m.model = 'discuss.channel' AND m.res_id = c.id AND m.date >= %(limit)s)
        """, {"limit": limit})
        abandoned_ids = [row[0] for row in self.env.cr.fetchall()]
        domain = [("channel_type", "=", "live_chat"), "|", "|",
                  "&", ("live_chat_closed", "=", True), ("live_chat_end", "<", limit),
                  "&", "&", ("live_chat_closed", "=", True), ("live_chat_end", "=", False),
                  ("create_date", "<", limit),
                  ("id", "in", abandoned_ids)]
        deleted = 0
        # sudo: a system clean-up, decided by the administrator's setting.
        Session = self.sudo().with_context(active_test=False)
        while True:
            sessions = Session.search(domain, order="id", limit=batch_size)
            if not sessions:
                break
            guests = sessions.live_chat_guest_id
            sessions._live_chat_ratings().unlink()
            sessions.unlink()
            self._live_chat_delete_orphan_guests(guests)
            deleted += len(sessions)
            if commit:
                # Batches of a cron, committed one by one (see above).
                self.env.cr.commit()  # pylint: disable=invalid-commit
            else:
                self.env.flush_all()
            self.env.invalidate_all()
        if deleted:
            _logger.info("Live chat: deleted %s session(s) closed before %s (retention %s days)",
                         deleted, limit, days)
        return deleted

    def _live_chat_ratings(self):
        return self.env["rating.rating"].sudo().search([
            ("res_model", "=", "discuss.channel"), ("res_id", "in", self.ids)])

    @api.model
    def _live_chat_delete_orphan_guests(self, guests):
        """Delete those of `guests` that no session and no other
        conversation refer to any more."""
        guests = guests.sudo().exists()
        if not guests:
            return
        used = self.sudo().with_context(active_test=False).search(
            [("live_chat_guest_id", "in", guests.ids)]).live_chat_guest_id
        members = self.env["discuss.channel.member"].sudo().search([("guest_id", "in", (guests - used).ids)])
        (guests - used - members.guest_id).unlink()
