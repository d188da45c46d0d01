"""Issue 15, finding 3: the public API is no relay for floods, spam or fake
ratings. Counted in the database (several workers and servers share the
numbers); limits are system parameters."""
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .discuss_channel_post import ADDRESS_COUNT


class LiveChatLimitError(UserError):
    """A refusal with the HTTP-like status and slug the visitor routes answer."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.live_chat_status = status
        self.live_chat_code = code


def _param(env, name, default):
    try:
        return int(env["ir.config_parameter"].sudo().get_param(name, default))
    except (TypeError, ValueError):
        return default


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    @api.model
    def _live_chat_check_start_rate(self, address, messages=None):
        """Refuse a new session when `address` started too many recently
        (`live_chat.session_rate_limit_address` sessions per
        `live_chat.session_rate_limit_window_seconds`, default 10 per 300 s):
        one address created 305 sessions (and operator windows) in 30 s.
        Counted on the address as sessions store it (anonymized, or not at
        all, as the Live Chat settings say). `messages`: the message limits
        (`_live_chat_message_limits`), also checked for the address in the
        same query, as the visitor's first message starts the session."""
        address = self._live_chat_visitor_address(address)
        if not address:
            return
        limit = _param(self.env, "live_chat.session_rate_limit_address", 10)
        window = _param(self.env, "live_chat.session_rate_limit_window_seconds", 300)
        since = fields.Datetime.now() - timedelta(seconds=window)
        self.env.cr.execute(f"""
            SELECT (SELECT count(*) FROM discuss_channel
                     WHERE live_chat_ip = %(start_address)s AND channel_type = 'live_chat'
                       AND live_chat_start >= %(start_since)s),
                   {ADDRESS_COUNT if messages else "0"}
        """, {"start_address": address, "start_since": since, **(messages or {})})
        sessions, address_messages = self.env.cr.fetchone()
        if sessions >= limit:
            raise LiveChatLimitError(429, "rate_limited", _(
                "Too many conversations started from your address: please wait a few minutes."))
        if messages and address_messages >= messages["per_address"]:
            raise LiveChatLimitError(429, "rate_limited", _(
                "Too many messages: please wait a few seconds before sending more."))

    def _live_chat_both_sides_wrote(self):
        """The visitor wrote, and an operator (an internal user, not the bot)
        answered after the visitor's first message."""
        self.ensure_one()
        self.env["mail.message"].flush_model()
        self.env.cr.execute("""
            SELECT EXISTS (
                SELECT 1 FROM mail_message q
                  JOIN discuss_channel c ON c.id = q.res_id
                  JOIN mail_message a ON a.model = 'discuss.channel' AND a.res_id = c.id
                       AND a.message_type = 'comment' AND a.id > q.id
                  JOIN res_users u ON u.partner_id = a.author_id AND NOT u.share
                 WHERE c.id = %s AND q.model = 'discuss.channel' AND q.message_type = 'comment'
                   AND (q.author_guest_id = c.live_chat_guest_id OR q.author_id = c.live_chat_visitor_partner_id)
                   AND a.author_id IS DISTINCT FROM c.live_chat_visitor_partner_id)
        """, [self.id])
        return self.env.cr.fetchone()[0]

    def _live_chat_send_transcript(self, email):
        """A transcript only for a real conversation, and at most N a day
        from one address and M a day to one recipient: five sessions sent 15
        emails with visitor-chosen text from the company's address."""
        self.ensure_one()
        session = self.sudo()
        if not session._live_chat_both_sides_wrote():
            raise LiveChatLimitError(409, "no_conversation", _(
                "A transcript is sent once you and an operator have written."))
        since = fields.Datetime.now() - timedelta(days=1)
        Log = self.env["live_chat.transcript.log"].sudo()
        email_key = email.strip().lower()
        per_email = _param(self.env, "live_chat.transcripts_per_email_per_day", 3)
        per_address = _param(self.env, "live_chat.transcripts_per_address_per_day", 10)
        if Log.search_count([("email", "=", email_key), ("create_date", ">=", since)]) >= per_email \
                or (session.live_chat_ip and Log.search_count(
                    [("address", "=", session.live_chat_ip), ("create_date", ">=", since)]) >= per_address):
            raise LiveChatLimitError(429, "too_many_transcripts", _(
                "Too many transcripts sent today: please try again tomorrow."))
        result = super()._live_chat_send_transcript(email)
        Log.create({"session_id": self.id, "email": email_key, "address": session.live_chat_ip or False})
        return result


class LiveChatTranscriptLog(models.Model):
    """One row per transcript sent, for the daily limits (and kept no longer
    than the limits need: the rows are tiny and cascade with the session)."""

    _name = "live_chat.transcript.log"
    _description = "Live Chat Transcript Sent"

    session_id = fields.Many2one("discuss.channel", required=True, ondelete="cascade", index=True)
    email = fields.Char(required=True, index=True)
    address = fields.Char(index=True)
    create_date = fields.Datetime(index=True)
