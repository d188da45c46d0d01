from datetime import timedelta

from odoo import fields, models

TYPING_THROTTLE_SECONDS = 2
# An operator's "typing" lasts this long without a new one (mail's composer
# repeats it every 50 s while the operator types).
OPERATOR_TYPING_SECONDS = 60


class DiscussChannel(models.Model):
    """Real time for the visitor: visitor-safe bus notifications.

    The visitor's websocket is never subscribed to its session's bus channel
    (see ir_websocket.py): mail's notifications there carry the operators'
    partner data. Instead every event of the session is sent to the
    visitor's guest (or logged-in partner), in the shape of the public API.
    """

    _inherit = "discuss.channel"

    # ------------------------------------------------------------------
    # Hooks on mail
    # ------------------------------------------------------------------

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if self.channel_type == "live_chat" and not self.env.context.get("live_chat_quiet") \
                and message.message_type in ("comment", "notification") and not self._live_chat_is_internal(message):
            session = self.sudo()
            session._live_chat_notify_visitor("live_chat/message", {
                "session_id": session.id, "message": session._live_chat_message_dict(message)})
        return message

    def _message_update_content(self, message, body, attachment_ids=None, partner_ids=None,
                                strict=True, **kwargs):
        super()._message_update_content(message, body, attachment_ids=attachment_ids,
                                        partner_ids=partner_ids, strict=strict, **kwargs)
        if self.channel_type != "live_chat":
            return
        message = message.sudo()
        if body is not None and not message._filter_empty() and not message.live_chat_edited:
            message.live_chat_edited = True
        session = self.sudo()
        session._live_chat_notify_visitor("live_chat/message_update", {
            "session_id": session.id, "message": session._live_chat_message_dict(message)})

    def _types_allowing_seen_infos(self):
        # The operator's thread shows Odoo's seen indicator for the visitor.
        return super()._types_allowing_seen_infos() + ["live_chat"]

    def _set_last_seen_message(self, last_message, allow_older=False):
        sessions = self.filtered(lambda channel: channel.channel_type == "live_chat")
        partner, _guest = self.env["res.partner"]._get_current_persona()
        before = {}
        if sessions and partner:
            # sudo: only the current user's own members are read.
            members = self.env["discuss.channel.member"].sudo().search([
                ("channel_id", "in", sessions.ids), ("partner_id", "=", partner.id)])
            before = {member.channel_id.id: member.seen_message_id.id for member in members}
        result = super()._set_last_seen_message(last_message, allow_older=allow_older)
        for session in sessions.sudo():
            if session.id not in before or partner == session.live_chat_visitor_partner_id:
                continue
            if last_message and last_message.id != before[session.id] \
                    and (allow_older or last_message.id > before[session.id]):
                session._live_chat_notify_visitor("live_chat/seen", {
                    "session_id": session.id, "message_id": last_message.id})
        return result

    def _live_chat_close(self, by, notice):
        result = super()._live_chat_close(by, notice)
        if by == "operator":
            self._live_chat_notify_visitor("live_chat/closed", {"session_id": self.id})
        return result

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _live_chat_visitor_target(self):
        """The bus target of the session's visitor: its guest, or the partner
        of the logged-in user who started it."""
        self.ensure_one()
        session = self.sudo()
        return session.live_chat_guest_id or session.live_chat_visitor_partner_id

    def _live_chat_notify_visitor(self, notification_type, payload):
        self.ensure_one()
        target = self._live_chat_visitor_target()
        if target:
            self.env["bus.bus"].sudo()._sendone(target, notification_type, payload)

    def _live_chat_operator_member_state(self):
        """(seen_message_id, typing) of the session's operator, for the
        visitor: the last message the operator has seen (0 if none), and
        whether they are typing now. One query."""
        self.ensure_one()
        session = self.sudo()
        operator = session.live_chat_operator_id
        if not operator:
            return 0, False
        self.env.cr.execute("""
            SELECT seen_message_id, live_chat_typing_at FROM discuss_channel_member
             WHERE channel_id = %s AND partner_id = %s
        """, [session.id, operator.partner_id.id])
        row = self.env.cr.fetchone()
        if not row:
            return 0, False
        seen, typing_at = row
        since = fields.Datetime.now() - timedelta(seconds=OPERATOR_TYPING_SECONDS)
        return seen or 0, bool(typing_at and typing_at >= since)

    def _live_chat_visitor_typing(self, is_typing, *, guest=None, partner=None):
        """The visitor is typing (or stopped): tell the operator's thread
        through mail's member typing notification. At most one "typing" per
        TYPING_THROTTLE_SECONDS per session, and one "stopped" after each
        (checked and recorded in one UPDATE, on the visitor's member row, so
        that it holds with several workers). Returns False when throttled."""
        self.ensure_one()
        now = fields.Datetime.now()
        self.env.cr.execute("""
            UPDATE discuss_channel_member
               SET live_chat_typing = %(typing)s,
                   live_chat_typing_at = CASE WHEN %(typing)s THEN %(now)s ELSE live_chat_typing_at END
             WHERE channel_id = %(session)s
               AND (guest_id = %(guest)s OR partner_id = %(partner)s)
               AND CASE WHEN %(typing)s
                        THEN live_chat_typing_at IS NULL OR live_chat_typing_at <= %(since)s
                        ELSE COALESCE(live_chat_typing, FALSE) END
         RETURNING id
        """, {"typing": bool(is_typing), "now": now, "since": now - timedelta(seconds=TYPING_THROTTLE_SECONDS),
              "session": self.id, "guest": guest.id if guest else None,
              "partner": partner.id if partner else None})
        row = self.env.cr.fetchone()
        if not row:
            return False
        member = self.env["discuss.channel.member"].sudo().browse(row[0])
        member.invalidate_recordset(["live_chat_typing", "live_chat_typing_at"])
        member._notify_typing(bool(is_typing))
        return True

    def _live_chat_visitor_seen(self, message_id, *, guest=None, partner=None):
        """The visitor has seen the session up to `message_id`: mail's own
        method, so that the operator's thread shows Odoo's seen indicator."""
        self.ensure_one()
        session = self.sudo()
        if guest:
            session = session.with_user(self.env.ref("base.public_user")).sudo().with_context(guest=guest)
        return session._channel_seen(message_id)
