import logging
import random
import re
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import OperationalError

from odoo import _, api, fields, models
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

_logger = logging.getLogger(__name__)

# A session counts against its operator's "Max chats per operator" while it
# is open and started, or had a message, within this many minutes: a visitor
# who went away without ending the chat does not hold a place for ever.
ACTIVE_SESSION_MINUTES = 30
# Routing prefers the operator who chatted with the same visitor lately.
PREVIOUS_OPERATOR_DAYS = 7
# A waiting visitor whose widget has not called for this long (page closed)
# leaves the queue. The widget calls every minute while it waits.
QUEUE_LEAVE_MINUTES = 3
QUEUE_PING_SECONDS = 30
# At most this many visitors are given operators in one go (one call).
MAX_DISPATCH = 50

# A visitor waiting in line: queued, no operator yet, not ended.
QUEUED_SQL = ("channel_type = 'live_chat' AND live_chat_queued_at IS NOT NULL "
              "AND live_chat_operator_id IS NULL AND live_chat_closed IS NOT TRUE")

LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?$")


def base_language(code):
    """"fr" for "fr_BE", "fr-be" or "fr"; "" for nothing."""
    return (code or "").replace("-", "_").split("_")[0].lower()


def clean_lang_code(code):
    """A language code a visitor's browser sent ("fr-BE" -> "fr_BE"), or
    False when it does not look like one."""
    if not isinstance(code, str) or not LANG_RE.match(code.strip()):
        return False
    return code.strip().replace("-", "_")


class DiscussChannel(models.Model):
    """Capacity, routing and the waiting queue of live chat sessions.

    An operator takes at most the channel's "Max chats per operator" at once.
    A new session goes, among the available operators under their limit, to
    one who speaks the visitor's language, then to the one who last chatted
    with this visitor (7 days), then to the least busy. When every available
    operator is at the limit, the visitor waits in line: the queue is the
    sessions themselves (`live_chat_queued_at`, no operator yet), so that it
    holds across workers and servers, and the oldest visitor gets the first
    place an operator frees.
    """

    _inherit = "discuss.channel"

    live_chat_queued_at = fields.Datetime(
        "Waiting since", readonly=True,
        help="When the visitor started waiting in line because every available operator was at "
             "the channel's limit (kept once an operator took the session).")
    live_chat_queue_ping = fields.Datetime("Waiting visitor last seen", readonly=True)
    live_chat_visitor_lang = fields.Char("Visitor language", readonly=True,
                                         help="The language of the visitor's page or browser, e.g. fr_BE.")
    live_chat_assigned_at = fields.Datetime(
        "Operator since", readonly=True, help="When the current operator got the session.")

    def init(self):
        result = super().init()
        # The line of each channel, oldest first (its WHERE is QUEUED_SQL).
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS discuss_channel_live_chat_queue_idx
                ON discuss_channel (live_chat_channel_id, live_chat_queued_at, id)
             WHERE channel_type = 'live_chat' AND live_chat_queued_at IS NOT NULL
               AND live_chat_operator_id IS NULL AND live_chat_closed IS NOT TRUE
        """)
        return result

    # ------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------

    @api.model
    def _live_chat_operator_rows(self, users, guest=None, partner=None):
        """For each of `users`: (user id, languages spoken, open sessions
        counting against a limit, start of their last session with this
        guest / partner in the last 7 days or None). One query."""
        if not users:
            return []
        now = fields.Datetime.now()
        self.flush_model(["live_chat_operator_id", "live_chat_closed", "live_chat_start", "live_chat_assigned_at",
                              "live_chat_guest_id", "live_chat_visitor_partner_id"])
        self.env["res.users"].flush_model(["live_chat_lang_ids", "partner_id"])
        self.env["res.partner"].flush_model(["lang"])
        self.env["mail.message"].flush_model(["model", "res_id", "date"])
        self.env.cr.execute("""
            SELECT u.id,
                   p.lang,
                   ARRAY(SELECT l.code FROM live_chat_res_users_lang_rel r JOIN res_lang l ON l.id = r.lang_id
                          WHERE r.user_id = u.id),
                   (SELECT count(*) FROM discuss_channel s
                     WHERE s.live_chat_operator_id = u.id AND s.channel_type = 'live_chat'
                       AND s.live_chat_closed IS NOT TRUE
                       AND (s.live_chat_assigned_at >= %(active)s OR s.live_chat_start >= %(active)s
                            OR EXISTS (SELECT 1 FROM mail_message m
                                        WHERE m.model = 'discuss.channel' AND m.res_id = s.id
                                          AND m.date >= %(active)s))),
                   (SELECT max(s.live_chat_start) FROM discuss_channel s
                     WHERE s.live_chat_operator_id = u.id AND s.channel_type = 'live_chat'
                       AND s.live_chat_start >= %(week)s
                       AND (s.live_chat_guest_id = %(guest)s OR s.live_chat_visitor_partner_id = %(partner)s))
              FROM res_users u
              JOIN res_partner p ON p.id = u.partner_id
             WHERE u.id = ANY(%(users)s)
        """, {
            "users": list(users.ids), "active": now - timedelta(minutes=ACTIVE_SESSION_MINUTES),
            "week": now - timedelta(days=PREVIOUS_OPERATOR_DAYS),
            "guest": guest.id if guest else None, "partner": partner.id if partner else None,
        })
        return [(uid, {base_language(code) for code in [lang, *langs] if code}, load, last)
                for uid, lang, langs, load, last in self.env.cr.fetchall()]

    @api.model
    def _live_chat_route(self, channel, *, lang=None, guest=None, partner=None, exclude=None):
        """The operator of `channel` for a new session: among its available
        operators under the channel's limit (minus `exclude`), one who speaks
        `lang`, then the one who last chatted with this guest / partner in the
        last 7 days, then the least busy (ties at random, so that visitors
        arriving together spread over equally busy operators)."""
        candidates = channel.available_operator_ids - (exclude or self.env["res.users"])
        rows = self._live_chat_operator_rows(candidates, guest=guest, partner=partner)
        limit = channel.max_sessions_per_operator
        rows = [row for row in rows if not limit or row[2] < limit]
        if not rows:
            return self.env["res.users"]
        wanted = base_language(lang)
        rows = [row for row in rows if wanted in row[1]] or rows if wanted else rows
        previous = [row for row in rows if row[3]]
        if previous:
            return candidates.browse(max(previous, key=lambda row: row[3])[0])
        fewest = min(row[2] for row in rows)
        return candidates.browse(random.choice([row[0] for row in rows if row[2] == fewest]))

    @api.model
    def _live_chat_claim_operator(self, operator, channel):
        """Under a limit, giving `operator` a session writes their row: two
        transactions giving them a session at once conflict there, and
        PostgreSQL makes the later one start again (Odoo retries it), so that
        it counts again and the limit holds across workers and servers."""
        if channel.max_sessions_per_operator:
            # A refusal is expected under load: Odoo retries, no error logged.
            self.env.cr.execute("UPDATE res_users SET live_chat_assigned_at = %s WHERE id = %s",
                                [fields.Datetime.now(), operator.id], log_exceptions=False)
            operator.invalidate_recordset(["live_chat_assigned_at"])

    # ------------------------------------------------------------------
    # The queue
    # ------------------------------------------------------------------

    @api.model
    def _live_chat_queue_length(self, channel):
        """How many visitors wait in `channel`'s line."""
        self.flush_model(["live_chat_queued_at", "live_chat_operator_id", "live_chat_closed"])
        self.env.cr.execute(f"SELECT count(*) FROM discuss_channel WHERE {QUEUED_SQL} AND live_chat_channel_id = %s",
                            [channel.id])
        return self.env.cr.fetchone()[0]

    @api.model
    def _live_chat_would_queue(self, channel):
        """The position a new visitor of `channel` would take in line if they
        wrote now: 0 when an operator can take them at once (or nobody is
        available at all: that is not a queue), N >= 1 otherwise."""
        if not channel.available_operator_ids:
            return 0
        waiting = self._live_chat_queue_length(channel) if channel.max_sessions_per_operator else 0
        if waiting:
            return waiting + 1
        return 0 if self._live_chat_route(channel) else 1

    def _live_chat_queue_position(self):
        """1 for the first visitor in line, 0 when not waiting."""
        self.ensure_one()
        session = self.sudo()
        if not session._live_chat_is_queued():
            return 0
        self.flush_model(["live_chat_queued_at", "live_chat_operator_id", "live_chat_closed"])
        self.env.cr.execute(f"""
            SELECT count(*) FROM discuss_channel
             WHERE {QUEUED_SQL} AND live_chat_channel_id = %s AND (live_chat_queued_at, id) <= (%s, %s)
        """, [session.live_chat_channel_id.id, session.live_chat_queued_at, session.id])
        return self.env.cr.fetchone()[0]

    def _live_chat_is_queued(self):
        self.ensure_one()
        return bool(self.channel_type == "live_chat" and self.live_chat_queued_at
                    and not self.live_chat_operator_id and not self.live_chat_closed)

    def _live_chat_enqueue(self):
        """The visitor waits in line (every available operator is at the limit)."""
        now = fields.Datetime.now()
        self.sudo().write({"live_chat_queued_at": now, "live_chat_queue_ping": now})

    def _live_chat_queue_seen(self):
        """The waiting visitor's widget called: they are still there. Written
        at most every 30 s (one UPDATE, nothing when not waiting)."""
        self.ensure_one()
        now = fields.Datetime.now()
        self.env.cr.execute(f"""
            UPDATE discuss_channel SET live_chat_queue_ping = %s
             WHERE id = %s AND {QUEUED_SQL} AND (live_chat_queue_ping IS NULL OR live_chat_queue_ping < %s)
        """, [now, self.id, now - timedelta(seconds=QUEUE_PING_SECONDS)])
        if self.env.cr.rowcount:
            self.invalidate_recordset(["live_chat_queue_ping"])

    @api.model
    def _live_chat_dispatch_queue(self, channels=None):
        """Give the waiting visitors of `channels` (all when None) to the
        operators who have a free place, oldest visitor first, and tell the
        others their new position. Called when a place may have been freed
        (a session closed or transferred, an operator joined or came back,
        the limit changed) and every minute by a scheduled action.

        The head of the line is locked (FOR UPDATE NOWAIT) before it is
        given: when another worker holds it, or took it since this
        transaction started, this one stops and leaves the rest to the
        scheduled action, triggered at once. Returns the sessions given."""
        Session = self.sudo()
        channel_ids = channels.ids if channels is not None else None
        if channel_ids == []:
            return Session.browse()
        changed = set(self._live_chat_drop_gone_visitors(channel_ids))
        given = Session.browse()
        skipped = []
        for _i in range(MAX_DISPATCH):
            try:
                head = self._live_chat_lock_queue_head(channel_ids, skipped)
            except OperationalError as error:
                if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                self._live_chat_dispatch_later()
                break
            if not head:
                break
            session = Session.browse(head)
            channel = session.live_chat_channel_id
            operator = self._live_chat_route(channel, lang=session.live_chat_visitor_lang,
                                             guest=session.live_chat_guest_id,
                                             partner=session.live_chat_visitor_partner_id)
            if not operator:
                skipped.append(channel.id)
                continue
            try:
                with self.env.cr.savepoint(flush=False):
                    self._live_chat_claim_operator(operator, channel)
            except OperationalError as error:
                if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                self._live_chat_dispatch_later()
                break
            session._live_chat_take(operator)
            given |= session
            changed.add(channel.id)
        if changed:
            self._live_chat_notify_queue(list(changed))
        return given

    @api.model
    def _live_chat_lock_queue_head(self, channel_ids, skipped):
        """The id of the oldest waiting session (of `channel_ids`, not of
        `skipped`), locked for this transaction, or None. Raises a
        concurrency error when another transaction holds it or changed it."""
        self.flush_model(["live_chat_queued_at", "live_chat_operator_id", "live_chat_closed"])
        where = [QUEUED_SQL]
        params = []
        if channel_ids is not None:
            where.append("live_chat_channel_id = ANY(%s)")
            params.append(channel_ids)
        if skipped:
            where.append("live_chat_channel_id != ALL(%s)")
            params.append(skipped)
        # The savepoint keeps the caller's transaction usable after a refusal.
        with self.env.cr.savepoint(flush=False):
            self.env.cr.execute(f"""
                SELECT id FROM discuss_channel WHERE {" AND ".join(where)}
                 ORDER BY live_chat_queued_at, id LIMIT 1 FOR UPDATE NOWAIT
            """, params, log_exceptions=False)
            row = self.env.cr.fetchone()
        return row[0] if row else None

    @api.model
    def _live_chat_dispatch_later(self):
        """Another worker is giving out the same line: run the dispatch
        again as soon as possible, in its own transaction."""
        self.env.ref("live_chat.ir_cron_live_chat_queue")._trigger()

    @api.model
    def _live_chat_drop_gone_visitors(self, channel_ids=None):
        """Visitors whose widget has not called for QUEUE_LEAVE_MINUTES
        (they closed the page) leave the line: their session ends. Returns
        the channels whose line changed."""
        self.flush_model(["live_chat_queued_at", "live_chat_operator_id", "live_chat_closed",
                              "live_chat_queue_ping"])
        self.env.cr.execute(f"""
            SELECT id FROM discuss_channel
             WHERE {QUEUED_SQL} AND live_chat_queue_ping < %s
               {"AND live_chat_channel_id = ANY(%s)" if channel_ids is not None else ""}
        """, [fields.Datetime.now() - timedelta(minutes=QUEUE_LEAVE_MINUTES)]
            + ([channel_ids] if channel_ids is not None else []))
        gone = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        for session in gone:
            session._live_chat_close("visitor", _("The visitor left the queue"))
        return gone.live_chat_channel_id.ids

    @api.model
    def _live_chat_notify_queue(self, channel_ids):
        """Tell every visitor waiting in these channels their position."""
        self.flush_model(["live_chat_queued_at", "live_chat_operator_id", "live_chat_closed"])
        self.env.cr.execute(f"""
            SELECT id, row_number() OVER (PARTITION BY live_chat_channel_id ORDER BY live_chat_queued_at, id)
              FROM discuss_channel WHERE {QUEUED_SQL} AND live_chat_channel_id = ANY(%s)
        """, [channel_ids])
        for session_id, position in self.env.cr.fetchall():
            self.sudo().browse(session_id)._live_chat_notify_visitor(
                "live_chat/queue", {"session_id": session_id, "queue_position": position})

    @api.model
    def _cron_live_chat_queue(self):
        """Every minute: waiting visitors who closed the page leave the line,
        and the others get the places freed meanwhile (an operator came back
        online, a session went idle)."""
        return self._live_chat_dispatch_queue()

    def _live_chat_close(self, by, notice):
        was_queued = self._live_chat_is_queued()
        result = super()._live_chat_close(by, notice)
        session = self.sudo()
        if session.live_chat_operator_id:
            # The operator freed a place: the first visitor waiting in one of
            # their channels gets it.
            self._live_chat_dispatch_queue(session.live_chat_operator_id.live_chat_channel_ids)
        elif was_queued:
            self._live_chat_notify_queue(session.live_chat_channel_id.ids)
        return result

    # ------------------------------------------------------------------
    # Handing a session to an operator
    # ------------------------------------------------------------------

    def _live_chat_take(self, operator):
        """`operator` takes the waiting session: their chat window opens
        with the conversation, the visitor is told who they talk with."""
        self.ensure_one()
        self._live_chat_hand_over(operator, _("%(operator)s joined the conversation",
                                              operator=operator._get_live_chat_name()))

    def _live_chat_hand_over(self, operator, notice, channel=None, alert_title=None):
        """Make `operator` the session's operator (and `channel` its channel):
        their member is added, opened in a chat window; the previous
        operator, if any, leaves the session without closing it; `notice` is
        posted for the operators and "You are now talking with <name>" for
        the visitor, then the new operator is alerted."""
        self.ensure_one()
        session = self.sudo()
        previous = session.live_chat_operator_id
        name = operator._get_live_chat_name()
        values = {
            "live_chat_operator_id": operator.id,
            "live_chat_assigned_at": fields.Datetime.now(),
            "name": f"{session.live_chat_visitor_name}, {name}",
        }
        if channel:
            values["live_chat_channel_id"] = channel.id
        session.write(values)
        Member = self.env["discuss.channel.member"].sudo()
        member = session.channel_member_ids.filtered(lambda m: m.partner_id == operator.partner_id)
        if not member:
            member = Member.create({"channel_id": session.id, "partner_id": operator.partner_id.id})
        # Open in a chat window, also after a reload of the operator's Odoo.
        member.write({"fold_state": "open", "is_minimized": True})
        if previous and previous != operator:
            session._live_chat_remove_operator(previous, name)
        session._live_chat_post_notice(
            notice, visitor_text=session._live_chat_in_visitor_lang()._live_chat_now_talking_text(name))
        session._live_chat_notify_joined(operator.partner_id)
        session._live_chat_notify_operator_info()
        session._live_chat_notify_visitor("live_chat/operator", {
            "session_id": session.id, "operator_name": name,
            "operator_avatar_url": f"/live_chat/avatar/operator/{operator.id}", "queue_position": 0,
        })
        session._live_chat_alert_operator(operator, title=alert_title)

    def _live_chat_remove_operator(self, user, new_name):
        """`user` leaves the session (it goes on with someone else): their
        web client drops it, the other members' lists follow."""
        member = self.channel_member_ids.filtered(lambda m: m.partner_id == user.partner_id)
        if not member:
            return
        member_id = member.id
        member.unlink()
        self.env["bus.bus"]._sendone(user.partner_id, "live_chat/transferred", {
            "id": self.id, "operatorName": new_name, "visitorName": self.live_chat_visitor_name or "",
        })
        self.env["bus.bus"]._sendone(self, "mail.record/insert", {
            "Thread": {
                "channelMembers": [("DELETE", {"id": member_id})],
                "id": self.id,
                "memberCount": self.member_count,
                "model": "discuss.channel",
            },
        })

    def _live_chat_post_notice(self, text, *, visitor_text=None, author=None, guest=None):
        """A system notice in the thread: posted by `author` (a partner: the
        bot, a logged-in visitor) or `guest` (the visitor), else by nobody,
        never by the public user of a visitor's request. `visitor_text`: what
        the visitor's widget shows instead (in their language)."""
        self.ensure_one()
        session = self.sudo()._live_chat_trusted()
        if guest:
            session = session.with_user(self.env.ref("base.public_user")).sudo().with_context(guest=guest)
        else:
            session = session.with_context(guest=None)
        if visitor_text:
            session = session.with_context(live_chat_visitor_text=visitor_text)
        return session.message_post(
            body=Markup('<div class="o_mail_notification o_live_chat_notice">%s</div>') % text,
            author_id=author.id if author else False,
            message_type="notification",
            subtype_xmlid="mail.mt_comment",
            # No reply-to nor alias lookups: a notice is never emailed.
            record_alias_domain_id=False,
            reply_to=False,
        )

    def _live_chat_in_visitor_lang(self):
        """The session in the visitor's language (for the texts they read)."""
        session = self.sudo()
        lang = session.live_chat_guest_id.lang or session.live_chat_visitor_partner_id.lang or self.env.lang
        return self.with_context(lang=lang)

    def _live_chat_now_talking_text(self, name):
        return _("You are now talking with %s", name)
