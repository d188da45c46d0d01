"""Issue 18: the visitor's message by the lean path.

The operator's Discuss must not see a difference: the lean path must send
the bus notifications mail's `message_post` sends for the same message
(same types, targets, keys and values, apart from ids and dates), store the
same message and leave the members in the same state. Then the query counts
of the visitor's routes (deterministic bounds, no timing) and the 503 the
API answers when the database connection pool is full."""
import collections
import datetime
import json
import logging
import select
import threading
import time
from unittest.mock import patch

import psycopg2
from markupsafe import Markup
from psycopg2.pool import PoolError

from odoo import models
from odoo.modules.registry import Registry
from odoo.sql_db import Cursor, TestCursor, connection_info_for
from odoo.tests import new_test_user, tagged

from .common import LiveChatCase
from .test_session_api import LiveChatApiCase
from .test_visitor_tours import VisitorTourCase

_logger = logging.getLogger(__name__)


def record_bus(case):
    """Record (target, type, payload) of every bus notification sent while
    the returned list is in use (nothing is written to bus.bus)."""
    sent = []

    def sendone(_bus, target, notification_type, message):
        sent.append((target, notification_type, message))

    case.startPatcher(patch.object(type(case.env["bus.bus"]), "_sendone", sendone))
    return sent


class Normalizer:
    """Replaces the ids of the records of one run by names, and dates by a
    placeholder, so that two runs on two twin sessions compare equal."""

    ID_KEYS = ("id", "res_id", "seen_message_id", "session_id")
    DATE_KEYS = ("date", "create_date", "write_date", "last_interest_dt")

    def __init__(self, **records):
        self.names = {}
        for name, recordset in records.items():
            for index, record in enumerate(recordset):
                self.names[(record._name, record.id)] = f"<{name}{index or ''}>"
        self.ids = {record_id: name for (_model, record_id), name in self.names.items()}

    def target(self, target):
        if isinstance(target, tuple):
            return (self.target(target[0]), *target[1:])
        if isinstance(target, models.BaseModel):
            return self.names.get((target._name, target.id), f"{target._name}({target.id})")
        return target

    def value(self, value, key=None):
        if isinstance(value, datetime.date):
            return "<date>"
        if isinstance(value, Markup):
            return str(value)
        if isinstance(value, dict):
            if key == "user":  # the same user in both runs: its id is kept
                return value
            if value.get("type") == "partner":  # the same partners in both runs
                return {k: v if k == "id" else self.value(v, k) for k, v in value.items()}
            return {k: self.value(v, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            if key == "subtype_id":
                return [value[0], value[1]]
            return [self.value(v) for v in value]
        if key in self.DATE_KEYS and isinstance(value, str):
            return "<date>"
        if key == "message_unread_counter_bus_id":
            return "<bus id>"
        if key in self.ID_KEYS and isinstance(value, int) and not isinstance(value, bool):
            return self.ids.get(value, value)
        return value

    def __call__(self, sent):
        return [(self.target(target), kind, self.value(payload)) for target, kind, payload in sent]


@tagged("post_install", "-at_install")
class TestLeanPostSameAsMessagePost(LiveChatCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel.welcome_message = "Welcome!"
        cls.portal = new_test_user(cls.env, login="lc_post_portal", name="Paula Portal", groups="base.group_portal",
                                   email="paula@example.com")

    def twin_sessions(self, partner=None):
        """Two sessions, the same in all but their ids: (session, guest) twice."""
        twins = []
        for _index in range(2):
            guest = None if partner else self.env["mail.guest"].create({"name": "Vera"})
            session = self.env["discuss.channel"]._live_chat_create_session(
                self.channel, self.operator, guest=guest, partner=partner, visitor_name="Vera",
                url="https://shop.example.com/", visitor_wrote=True)
            twins.append((session, guest))
        return twins

    def compare(self, old, new, post_old, post_new, extra=()):
        """Post with mail's message_post (`post_old(session, guest)`) on one
        twin and with the lean path (`post_new`) on the other; both must send
        the same notifications. Returns the two messages."""
        (session_a, guest_a), (session_b, guest_b) = old, new
        sent = record_bus(self)
        message_a = post_old(session_a, guest_a)
        from_message_post = list(sent)
        sent.clear()
        message_b = post_new(session_b, guest_b)
        from_lean_path = list(sent)

        def normalizer(session, guest, message):
            return Normalizer(session=session, guest=guest or self.env["mail.guest"], message=message,
                              member=session.channel_member_ids.sorted("id"),
                              attachment=message.attachment_ids.sorted("id"))

        self.assertTrue(from_message_post)
        self.assertEqual(normalizer(session_b, guest_b, message_b)(from_lean_path),
                         normalizer(session_a, guest_a, message_a)(from_message_post))
        # The same message stored, and the members in the same state.
        fields_ = ["author_id", "author_guest_id", "email_from", "model", "message_type", "subtype_id", "subject",
                   "parent_id", "partner_ids", "record_name", "record_company_id", "record_alias_domain_id",
                   "reply_to", "email_add_signature", "is_internal", "create_uid", *extra]
        values_a, values_b = message_a.read(fields_)[0], message_b.read(fields_)[0]
        values_a.pop("id"), values_b.pop("id")
        if guest_a:
            values_a["author_guest_id"], values_b["author_guest_id"] = "guest", "guest"
        self.assertEqual(values_b, values_a)
        self.assertEqual(str(message_b.body), str(message_a.body))

        def members(session, message):
            return [(bool(m.partner_id), m.partner_id.id, bool(m.guest_id), m.is_pinned,
                     m.seen_message_id == message, m.fetched_message_id == message, m.message_unread_counter)
                    for m in session.channel_member_ids.sorted(lambda m: (bool(m.guest_id), m.partner_id.id))]

        self.env.invalidate_all()
        self.assertEqual(members(session_b, message_b), members(session_a, message_a))
        return message_a, message_b

    def test_guest_message_same_notifications_as_message_post(self):
        old, new = self.twin_sessions()
        _message_a, message_b = self.compare(
            old, new,
            lambda session, guest: session._live_chat_post("Hello\nI need <b>help</b>", guest=guest, quiet=True),
            lambda session, guest: session._live_chat_post_visitor_message("Hello\nI need <b>help</b>", guest=guest))
        # What mail's client reads to count and show it: the operator has one
        # more unread message, the visitor has seen its own.
        session = new[0]
        operator_member = session.channel_member_ids.filtered(lambda m: m.partner_id == self.operator.partner_id)
        visitor_member = session.channel_member_ids.filtered("guest_id")
        self.assertEqual(operator_member.message_unread_counter, 2, "the welcome and the visitor's message")
        self.assertEqual(visitor_member.seen_message_id, message_b)
        self.assertEqual(message_b.body, Markup("<p>Hello<br>I need &lt;b&gt;help&lt;/b&gt;</p>"))

    def test_logged_in_visitor_message_same_notifications_as_message_post(self):
        old, new = self.twin_sessions(partner=self.portal.partner_id)
        portal = self.portal.partner_id
        self.compare(
            old, new,
            lambda session, _guest: session.with_user(self.portal)._live_chat_post("Hi", author=portal, quiet=True),
            lambda session, _guest: session.with_user(self.portal)._live_chat_post_visitor_message(
                "Hi", partner=portal))

    def test_operator_welcome_same_notifications_as_message_post(self):
        # The welcome of a session start: the operator is the author, the
        # visitor (not quiet here) is told on its own bus channel too.
        old, new = self.twin_sessions()
        author = self.operator.partner_id
        self.compare(old, new,
                     lambda session, _guest: session._live_chat_post("How may I help?", author=author),
                     lambda session, _guest: session._live_chat_post_lean("How may I help?", author=author))

    def test_author_format_is_mails(self):
        """The lean path formats a partner author itself (mail's
        mail_partner_format reads the public user's row to decide whether to
        drop an email these fields never include): the same dict as mail's
        for an operator, a portal user, a partner without a user (a bot) and
        one with an archived internal user and a portal user, whichever user
        asks."""
        bot = self.env["res.partner"].create({"name": "Bot", "is_company": True})
        archived = new_test_user(self.env, login="lc_post_z_archived", name="Zoe Archived", groups="base.group_user")
        both = archived.partner_id
        new_test_user(self.env, login="lc_post_a_portal", name="Ada Portal", groups="base.group_portal",
                      partner_id=both.id)
        archived.active = False
        fields = {"id": True, "name": True, "is_company": True, "user": {"id": True}}
        Session = self.env["discuss.channel"]
        public = self.env.ref("base.public_user")
        for partner in (self.operator.partner_id, self.portal.partner_id, bot, both):
            for user in (self.env.user, public):
                with self.subTest(partner=partner.name, user=user.login):
                    self.assertEqual(Session.with_user(user)._live_chat_author_format(partner),
                                     partner.with_user(user).sudo().mail_partner_format(fields)[partner])

    def test_visitor_file_same_notifications_as_message_post(self):
        old, new = self.twin_sessions()
        public = self.env.ref("base.public_user")

        def through_message_post(session, guest):
            # mail links the pending attachments its poster created.
            attachment = self.env["ir.attachment"].with_user(public).sudo().create({
                "name": "photo.png", "raw": b"\x89PNG fake", "mimetype": "image/png",
                "res_model": "mail.compose.message", "res_id": 0})
            return session._live_chat_post("", guest=guest, attachment_ids=attachment.ids, quiet=True)

        def through_lean_path(session, guest):
            attachment = self.env["ir.attachment"].with_user(public).sudo().create({
                "name": "photo.png", "raw": b"\x89PNG fake", "mimetype": "image/png",
                "res_model": "discuss.channel", "res_id": session.id})
            return session._live_chat_post_visitor_message("", guest=guest, attachments=attachment)

        message_a, message_b = self.compare(old, new, through_message_post, through_lean_path)
        self.assertEqual(len(message_b.attachment_ids), 1)
        self.assertEqual((message_b.attachment_ids.res_model, message_b.attachment_ids.res_id),
                         ("discuss.channel", new[0].id))
        self.assertEqual(message_a.attachment_ids.checksum, message_b.attachment_ids.checksum)

    def test_seen_later_message_is_not_moved_back(self):
        # As mail: a member that has seen a later message keeps it.
        (session, guest), _other = self.twin_sessions()
        first = session._live_chat_post_visitor_message("one", guest=guest)
        later = session._live_chat_post_visitor_message("two", guest=guest)
        member = session.channel_member_ids.filtered("guest_id")
        self.assertEqual(member.seen_message_id, later)
        sent = record_bus(self)
        session._live_chat_update_members(first, guest=guest)
        self.assertFalse(sent)
        self.env.invalidate_all()
        self.assertEqual(member.seen_message_id, later)

    def test_visitor_message_hook(self):
        # One method reacts to every message of the visitor (the bot does).
        (session, guest), _other = self.twin_sessions()
        seen = []
        original = type(session)._live_chat_on_visitor_message

        def hook(channel, message, body=None, answer=None):
            seen.append((channel.id, message.id, body))
            return original(channel, message, body=body, answer=answer)

        with patch.object(type(session), "_live_chat_on_visitor_message", hook):
            message = session._live_chat_visitor_says("Anyone there?", guest=guest)
        self.assertEqual(seen, [(session.id, message.id, "Anyone there?")])


class RouteQueries:
    """Counts the SQL queries of the requests to the visitor routes (the
    server's threads), as Odoo's request log does, without the test
    cursor's savepoints."""

    def __init__(self, case):
        self.tables = collections.defaultdict(list)
        original = Cursor.execute
        queries = self

        def execute(cursor, query, params=None, log_exceptions=True):
            url = getattr(threading.current_thread(), "url", "") or ""
            text = (query.code if hasattr(query, "code") else str(query)).strip()
            if "/live_chat/" in url and not text.upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                path = url.split("?")[0].rsplit("/live_chat/", 1)[1]
                queries.tables[path].append(text)
            return original(cursor, query, params, log_exceptions)

        case.startPatcher(patch.object(Cursor, "execute", execute))

    def take(self, path):
        return self.tables.pop(path, [])


@tagged("post_install", "-at_install")
class TestVisitorRouteQueries(LiveChatApiCase):
    """Queries per call, counted like Odoo's request log (which also counts
    the registry's signaling check, and the database list when the server
    runs with --db-filter: one or two more in production)."""

    def test_query_counts_per_route(self):
        queries = RouteQueries(self)
        init = {"channel_id": self.channel.id, "url": "https://shop.example.com/"}
        # Warm: the first calls fill the caches of the process, for each
        # operator (routing picks the least busy: the measured call gets the
        # other one, whose companies and groups Odoo caches on first use).
        self.ok("/live_chat/session/start", {**init, "body": "Warm up"})
        started = self.ok("/live_chat/session/start", {**init, "body": "Warm up"})
        self.ok("/live_chat/session/post", {"session_id": started["session_id"],
                                            "guest_token": started["guest_token"], "body": "again"})
        self.ok("/live_chat/init", init)
        queries.tables.clear()

        self.ok("/live_chat/init", init)
        init_queries = queries.take("init")
        # Odoo's request log counts a few more than the test cursor: the
        # registry's signaling check, the transaction's clock and, after the
        # commit, the bus's wake-up (tools/bench reports those counts).
        self.assertLessEqual(len(init_queries), 2, "\n".join(init_queries))

        started = self.ok("/live_chat/session/start", {**init, "body": "Hello"})
        start_queries = queries.take("session/start")
        self.assertLessEqual(len(start_queries), 19, "\n".join(start_queries))

        self.ok("/live_chat/session/post", {"session_id": started["session_id"],
                                            "guest_token": started["guest_token"], "body": "Second"})
        post_queries = queries.take("session/post")
        self.assertLessEqual(len(post_queries), 4, "\n".join(post_queries))
        _logger.info("visitor routes' queries (test cursor): init %s, session/start %s, session/post %s",
                     len(init_queries), len(start_queries), len(post_queries))
        for query in init_queries + start_queries + post_queries:
            self.assertNotIn("ir_config_parameter", query, "a system parameter read on a visitor's call")


def refuse_cursor(case, path, times=1):
    """The next `times` requests to `path` find the database connection pool
    full (psycopg2's PoolError where Odoo opens the request's cursor)."""
    refused = collections.Counter()
    original = Registry.cursor

    def cursor(registry):
        url = getattr(threading.current_thread(), "url", "") or ""
        if url.split("?")[0].endswith(path) and refused[path] < times:
            refused[path] += 1
            raise PoolError("The Connection Pool Is Full")
        return original(registry)

    case.startPatcher(patch.object(Registry, "cursor", cursor))
    return refused


@tagged("post_install", "-at_install")
class TestOverload(LiveChatApiCase):
    """A full database connection pool: 503 with Retry-After, never a 500."""

    def refuse_cursor(self, path, times=1):
        return refuse_cursor(self, path, times)

    def raw_post(self, path, params):
        return self.url_open(path, data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
                             headers={"Content-Type": "text/plain", "Origin": "https://shop.example.com"})

    def test_full_pool_answers_503_with_retry_after(self):
        started = self.ok("/live_chat/session/start", {"channel_id": self.channel.id, "body": "Hello"})
        own = {"session_id": started["session_id"], "guest_token": started["guest_token"]}
        messages = self.env["mail.message"].search_count([("res_id", "=", started["session_id"])])
        refused = self.refuse_cursor("/live_chat/session/post")
        response = self.raw_post("/live_chat/session/post", {**own, "body": "While busy"})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.headers["Retry-After"], "1")
        self.assertIn("Retry-After", response.headers["Access-Control-Expose-Headers"])
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")
        self.assertEqual(response.json()["error"]["data"]["code"], "overloaded")
        self.assertEqual(refused["/live_chat/session/post"], 1)
        self.assertEqual(self.env["mail.message"].search_count([("res_id", "=", started["session_id"])]), messages,
                         "nothing was posted")
        # Sent again, as the widget does after Retry-After: posted once.
        self.ok("/live_chat/session/post", {**own, "body": "While busy"})
        self.assertEqual(self.env["mail.message"].search_count(
            [("res_id", "=", started["session_id"]), ("body", "ilike", "While busy")]), 1)

    def test_full_pool_at_session_start_creates_nothing(self):
        sessions = self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")])
        self.refuse_cursor("/live_chat/session/start")
        response = self.raw_post("/live_chat/session/start", {"channel_id": self.channel.id, "body": "Hello"})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")]), sessions)

    def test_other_routes_keep_odoo_behaviour(self):
        # Only the visitor API answers 503: Odoo's own pages are untouched.
        self.refuse_cursor("/web/login")
        with self.assertLogs("odoo.http", "ERROR"):
            response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 500)

    def test_pool_full_after_commit_answers_the_message(self):
        # mail's bus opens a second connection after the commit: when the pool
        # is full then, the message is posted and answered (a 503 would make
        # the widget post it twice), and the bus is woken up again.
        started = self.ok("/live_chat/session/start", {"channel_id": self.channel.id, "body": "Hello"})
        own = {"session_id": started["session_id"], "guest_token": started["guest_token"]}
        original = TestCursor.commit
        woken = []

        def commit(cursor):
            result = original(cursor)
            url = getattr(threading.current_thread(), "url", "") or ""
            if url.endswith("/live_chat/session/post") and not woken:
                woken.append("refused")
                raise PoolError("The Connection Pool Is Full")
            return result

        self.startPatcher(patch.object(TestCursor, "commit", commit))
        self.startPatcher(patch("odoo.addons.live_chat.controllers.overload.wake_up_bus", woken.append))
        result = self.ok("/live_chat/session/post", {**own, "body": "Posted before the pool filled"})
        self.assertEqual(result["message"]["body"], "Posted before the pool filled")
        self.assertEqual(woken[0], "refused")
        self.assertIn(["discuss.channel", started["session_id"]], [list(c[1:3]) for c in woken[1]],
                      "the session's bus channel is woken up again")
        self.assertEqual(self.env["mail.message"].search_count(
            [("res_id", "=", started["session_id"]), ("body", "ilike", "Posted before the pool filled")]), 1)


@tagged("post_install", "-at_install")
class TestBusyWidget(VisitorTourCase):
    """The widget in Chromium, the server busy on its first two calls."""

    def test_widget_sends_again_after_retry_after(self):
        refused_start = refuse_cursor(self, "/live_chat/session/start")
        refused_post = refuse_cursor(self, "/live_chat/session/post")
        self.visitor_tour("live_chat_visitor_busy_retry")
        self.assertEqual(refused_start["/live_chat/session/start"], 1, "the first message met a busy server")
        self.assertEqual(refused_post["/live_chat/session/post"], 1, "the second message met a busy server")
        session = self.sessions()
        self.assertEqual(len(session), 1)
        bodies = [str(message.body) for message in self.session_messages(session)]
        self.assertEqual(bodies.count("<p>Sent while the server is busy</p>"), 1, bodies)
        self.assertEqual(bodies.count("<p>And again while busy</p>"), 1, bodies)


@tagged("post_install", "-at_install")
class TestBusWakeUp(LiveChatCase):
    """After a commit, the bus is woken up (NOTIFY imbus on the `postgres`
    database, where Odoo's websocket process listens) through one
    connection that the process keeps, not a new one each time."""

    def test_one_kept_connection_wakes_the_bus_up(self):
        from odoo.addons.live_chat.models.bus_bus import NOTIFIER

        _name, info = connection_info_for("postgres")
        listener = psycopg2.connect(**info)
        listener.autocommit = True
        self.addCleanup(listener.close)
        with listener.cursor() as cr:
            cr.execute("LISTEN imbus")
        partner = self.operator.partner_id
        backends = []
        for index in range(2):
            self.env["bus.bus"]._sendone(partner, "live_chat/test", {"index": index})
            self.env.cr.postcommit.run()  # what the commit runs
            backends.append(NOTIFIER.connection.get_backend_pid())
        self.assertEqual(backends[0], backends[1], "the same connection both times")
        received = []
        deadline = time.monotonic() + 10
        while len(received) < 2 and time.monotonic() < deadline:
            select.select([listener], [], [], 0.5)
            listener.poll()
            received += [json.loads(notify.payload) for notify in listener.notifies]
            listener.notifies.clear()
        wanted = [self.env.cr.dbname, "res.partner", partner.id]
        self.assertEqual([channels for channels in received if wanted in channels], [[wanted], [wanted]])
