from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LiveChatCase, new_operator


@tagged("post_install", "-at_install")
class TestSessions(LiveChatCase):
    """Live Chat > Sessions: the action, its filters, figures and who reads what."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Channel = cls.env["discuss.channel"]
        cls.other_channel = cls.env["live_chat.channel"].create({
            "name": "Other Support", "user_ids": [Command.set([cls.operator_2.id])]})
        cls.outsider = new_operator(cls.env, "lc_outsider", "Otto Outsider")

        def session(channel, operator, name, country=None):
            guest = cls.env["mail.guest"].create({"name": name})
            session = Channel._live_chat_create_session(
                channel, operator, guest=guest, visitor_name=name, country=country)
            session._live_chat_post(f"Hi, {name} here", guest=guest)  # sessions start when the visitor writes
            return session

        cls.s_open = session(cls.channel, cls.operator, "Ann", cls.belgium)
        cls.s_closed = session(cls.channel, cls.operator_2, "Bob", cls.france)
        cls.s_other = session(cls.other_channel, cls.operator_2, "Cid")
        cls.s_closed._live_chat_close("visitor", "Visitor left the conversation")
        start = fields.Datetime.now() - timedelta(days=3)
        cls.s_closed.write({"live_chat_start": start, "live_chat_end": start + timedelta(minutes=12, seconds=30)})
        cls.normal_channel = Channel.create({"name": "general-talk", "channel_type": "channel"})
        cls.action = cls.env.ref("live_chat.discuss_channel_live_chat_action")

    def sessions_seen_by(self, user, domain=()):
        action_domain = [("channel_type", "=", "live_chat")]
        return self.env["discuss.channel"].with_user(user).search(action_domain + list(domain))

    def search_filter(self, name, user=None, now=None):
        """The domain of the search view's filter `name`, evaluated as the web
        client does: `context_today()` is the user's date in their time zone
        and `to_utc()` turns the user's local time into the server's UTC.
        `now`: the UTC time to evaluate at (default: now)."""
        import datetime as std_datetime

        import pytz
        from dateutil.relativedelta import relativedelta
        from lxml import etree

        from odoo.tools.safe_eval import safe_eval

        user = user or self.manager
        tz = pytz.timezone(user.tz or "UTC")
        now = now or fields.Datetime.now()

        class LocalDatetime(std_datetime.datetime):
            def to_utc(self):
                return tz.localize(self.replace(tzinfo=None)).astimezone(pytz.utc).replace(tzinfo=None)

        class DatetimeModule:
            datetime = LocalDatetime
            date = std_datetime.date
            time = std_datetime.time
            timedelta = std_datetime.timedelta

        arch = etree.fromstring(self.env.ref("live_chat.discuss_channel_live_chat_view_search").arch)
        node = arch.xpath(f"//filter[@name='{name}']")[0]
        context = {"uid": user.id, "relativedelta": relativedelta, "datetime": DatetimeModule,
                   "context_today": lambda: pytz.utc.localize(now).astimezone(tz).date()}
        return safe_eval(node.get("domain"), context)

    def test_action_lists_only_live_chat_sessions(self):
        self.assertEqual(self.action.res_model, "discuss.channel")
        from odoo.tools.safe_eval import safe_eval
        found = self.env["discuss.channel"].search(safe_eval(self.action.domain))
        self.assertIn(self.s_open, found)
        self.assertNotIn(self.normal_channel, found)
        self.assertEqual(set(found.mapped("channel_type")), {"live_chat"})

    def test_filters(self):
        manager_sessions = lambda name: self.sessions_seen_by(self.manager, self.search_filter(name))  # noqa: E731
        mine = self.sessions_seen_by(self.operator, self.search_filter("my_sessions", self.operator))
        self.assertEqual(mine, self.s_open)
        self.assertIn(self.s_open, manager_sessions("open"))
        self.assertNotIn(self.s_closed, manager_sessions("open"))
        self.assertIn(self.s_closed, manager_sessions("closed"))
        self.assertNotIn(self.s_open, manager_sessions("closed"))
        self.assertIn(self.s_open, manager_sessions("today"))
        self.assertNotIn(self.s_closed, manager_sessions("today"), "started 3 days ago")
        self.assertEqual(
            self.sessions_seen_by(self.manager, [("live_chat_country_id", "=", self.france.id)]), self.s_closed)

    def test_today_is_the_users_day_in_their_time_zone(self):
        """A session started at 23:30 UTC is "Today" for a user in Brussels on
        the next day (00:30 local), not on the UTC day; for a user in New
        York it is 19:30 on the same day."""
        start = fields.Datetime.to_datetime("2026-03-09 23:30:00")
        self.s_open.live_chat_start = start
        for tz, now, today in [
            ("Europe/Brussels", "2026-03-10 08:00:00", True),    # 09:00 on the 10th there
            ("Europe/Brussels", "2026-03-09 22:00:00", False),   # 23:00 on the 9th: tomorrow's
            ("America/New_York", "2026-03-09 23:45:00", True),   # 19:45 on the 9th there
            ("America/New_York", "2026-03-10 06:00:00", False),  # 02:00 on the 10th: yesterday's
        ]:
            self.manager.tz = tz
            domain = self.search_filter("today", now=fields.Datetime.to_datetime(now))
            found = self.sessions_seen_by(self.manager, domain)
            self.assertEqual(self.s_open in found, today, f"{tz} at {now} UTC: {domain}")

    def test_my_sessions_filter_uses_the_current_user(self):
        domain = self.search_filter("my_sessions")
        self.assertEqual(domain, [("live_chat_operator_id", "=", self.manager.id)])

    def test_group_by_channel_and_rating(self):
        groups = self.env["discuss.channel"].with_user(self.manager)._read_group(
            [("channel_type", "=", "live_chat")], ["live_chat_channel_id"], ["__count"])
        counts = dict(groups)
        self.assertEqual(counts[self.channel], 2)
        self.assertEqual(counts[self.other_channel], 1)
        self.s_closed._live_chat_rate("satisfied", "Great")
        rated = self.sessions_seen_by(self.manager, self.search_filter("rating_satisfied"))
        self.assertEqual(rated, self.s_closed)

    def test_duration_and_message_count(self):
        self.assertEqual(self.s_closed.live_chat_duration, 12.5)
        self.assertEqual(self.s_open.live_chat_duration, 0)
        before = self.s_open.live_chat_message_count  # the welcome message, if any
        self.s_open._live_chat_post("Hello", guest=self.s_open.live_chat_guest_id)
        self.s_open._live_chat_post("Hi Ann", author=self.operator.partner_id)
        self.s_open.invalidate_recordset(["live_chat_message_count"])
        self.assertEqual(self.s_open.live_chat_message_count, before + 2)
        # Comments only: the "left the conversation" notice does not count.
        self.s_open._live_chat_close("operator", "Oscar left the conversation")
        self.s_open.invalidate_recordset(["live_chat_message_count"])
        self.assertEqual(self.s_open.live_chat_message_count, before + 2)

    def test_unread_flag_goes_when_the_operator_reads(self):
        session = self.s_open.with_user(self.operator)
        self.s_open._live_chat_post("Anyone?", guest=self.s_open.live_chat_guest_id)
        session.invalidate_recordset(["live_chat_unread"])
        self.assertTrue(session.live_chat_unread)
        # Another user, not a member, has nothing unread there.
        self.assertFalse(self.s_open.with_user(self.manager).live_chat_unread)
        session._channel_seen(self.s_open.message_ids[:1].id)
        session.invalidate_recordset(["live_chat_unread"])
        self.assertFalse(session.live_chat_unread)

    def test_conversation_on_the_form_is_text(self):
        self.s_open._live_chat_post("<b>bold</b> & co", guest=self.s_open.live_chat_guest_id)
        html = str(self.s_open.live_chat_conversation)
        self.assertIn("&lt;b&gt;bold&lt;/b&gt; &amp; co", html)
        self.assertNotIn("<b>bold</b>", html)
        self.assertIn("Ann", html)

    def test_views_load_for_operator_and_manager(self):
        views = [(self.env.ref("live_chat.discuss_channel_live_chat_view_tree").id, "list"),
                 (self.env.ref("live_chat.discuss_channel_live_chat_view_form").id, "form"),
                 (self.env.ref("live_chat.discuss_channel_live_chat_view_search").id, "search")]
        for user in (self.operator, self.manager):
            result = self.env["discuss.channel"].with_user(user).get_views(views)
            self.assertIn("list", result["views"])
            self.assertIn("live_chat_unread", result["views"]["list"]["arch"])
        record = self.s_open.with_user(self.operator)
        record.read(["live_chat_visitor_name", "live_chat_duration", "live_chat_message_count",
                     "live_chat_unread", "live_chat_conversation", "live_chat_rating"])

    def test_read_access(self):
        # The operators of the session's channel read it, members or not.
        self.assertEqual(self.sessions_seen_by(self.operator), self.s_open | self.s_closed)
        # operator_2 operates both channels' sessions: own channel + own sessions.
        self.assertEqual(self.sessions_seen_by(self.operator_2), self.s_open | self.s_closed | self.s_other)
        # An operator of another channel sees nothing of this one.
        self.assertFalse(self.sessions_seen_by(self.outsider))
        with self.assertRaises(AccessError):
            self.s_open.with_user(self.outsider).read(["live_chat_visitor_name"])
        # An employee without the Live Chat group sees none.
        self.assertFalse(self.sessions_seen_by(self.employee))
        with self.assertRaises(AccessError):
            self.s_other.with_user(self.employee).read(["name"])
        # The administrator sees them all.
        self.assertEqual(self.sessions_seen_by(self.manager), self.s_open | self.s_closed | self.s_other)

    def test_operators_read_but_do_not_edit_sessions_of_their_channel(self):
        # operator reads s_closed (same channel) without being its member...
        self.assertTrue(self.s_closed.with_user(self.operator).live_chat_visitor_name)
        # ... but cannot change it.
        with self.assertRaises(AccessError):
            self.s_closed.with_user(self.operator).write({"live_chat_visitor_name": "X"})
