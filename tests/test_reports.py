from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import LiveChatCase

START = datetime(2024, 3, 4, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestReports(LiveChatCase):
    """Sessions built here with known times; the analyses must give them back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel.welcome_message = "Hello, how may I help you?"
        cls.other_channel = cls.env["live_chat.channel"].create({"name": "Other Support"})

    def make_session(self, operator, *, start=START, end=None, country=None, channel=None, messages=()):
        """A session of `operator`, opened at `start`; `messages` are
        (seconds after start, "visitor" / "operator", text)."""
        guest = self.env["mail.guest"].create({"name": "Guest"})
        session = self.env["discuss.channel"]._live_chat_create_session(
            channel or self.channel, operator, guest=guest, country=country)
        session.write({"live_chat_start": start, "live_chat_end": end, "live_chat_closed": bool(end),
                       "live_chat_visitor_wrote": any(who == "visitor" for _s, who, _t in messages)})
        for seconds, who, text in messages:
            self.env["mail.message"].create({
                "model": "discuss.channel", "res_id": session.id, "message_type": "comment",
                "body": text, "date": start + timedelta(seconds=seconds),
                "author_guest_id": guest.id if who == "visitor" else False,
                "author_id": operator.partner_id.id if who == "operator" else False,
            })
        return session

    def rate(self, session, choice):
        session._live_chat_rate(choice, guest=session.live_chat_guest_id)

    def build_sessions(self):
        self.answered_fast = self.make_session(
            self.operator, end=START + timedelta(minutes=5), country=self.belgium,
            messages=[(10, "visitor", "Hi"), (40, "operator", "Hello!"), (60, "visitor", "Thanks")])
        self.answered_slow = self.make_session(
            self.operator, start=START + timedelta(days=1), end=START + timedelta(days=1, minutes=15),
            country=self.france,
            messages=[(20, "visitor", "Anyone?"), (30, "visitor", "Hello?"), (110, "operator", "Sorry, here")])
        self.unanswered = self.make_session(
            self.operator_2, end=START + timedelta(minutes=3), country=self.belgium,
            messages=[(5, "visitor", "Is the shop open?")])
        self.silent = self.make_session(self.operator_2, end=START + timedelta(minutes=1))
        self.rate(self.answered_slow, "satisfied")
        self.rate(self.answered_fast, "okay")
        self.rate(self.unanswered, "dissatisfied")  # no answer: not counted (issue 15)
        self.env.flush_all()

    def report(self, groupby, domain=()):
        return self.env["live_chat.report.session"]._read_group(
            [("channel_id", "=", self.channel.id), *domain], groupby,
            ["__count", "duration:avg", "time_to_answer:avg", "unanswered_percentage:avg",
             "rating:avg", "satisfied_percentage:avg"])

    def test_each_session_has_its_figures(self):
        self.build_sessions()
        rows = self.env["live_chat.report.session"].search([("channel_id", "=", self.channel.id)])
        figures = {row.session_id: (row.duration, row.time_to_answer, row.is_unanswered, row.rating_text,
                                    row.message_count) for row in rows}
        self.assertEqual(figures, {
            # the welcome message, posted before the visitor wrote, is no answer
            self.answered_fast: (5, 30, False, "okay", 4),
            self.answered_slow: (15, 90, False, "satisfied", 4),
            self.unanswered: (3, 0, True, False, 2),  # rated, but nobody answered
            # self.silent: the visitor never wrote, it is no session of the reports
        })
        self.assertEqual(rows.filtered(lambda r: r.session_id == self.answered_fast).country_id, self.belgium)

    def test_sessions_analysis_totals(self):
        self.build_sessions()
        [(count, duration, time_to_answer, unanswered, rating, satisfied)] = self.report([])
        self.assertEqual(count, 3, "the silent session does not count")
        self.assertAlmostEqual(duration, (5 + 15 + 3) / 3)
        self.assertAlmostEqual(time_to_answer, (30 + 90) / 2, msg="sessions with no answer do not count")
        self.assertAlmostEqual(unanswered, 100 / 3)
        self.assertAlmostEqual(rating, (5 + 3) / 2, msg="the unanswered session's rating does not count")
        self.assertAlmostEqual(satisfied, 50)

    def test_sessions_per_day_operator_and_country(self):
        self.build_sessions()
        per_day = {day: count for day, count, *_rest in self.report(["start_date:day"])}
        day = datetime(2024, 3, 4)
        self.assertEqual(per_day, {day: 2, day + timedelta(days=1): 1})
        per_country = {country: count for country, count, *_rest in self.report(["country_id"])}
        self.assertEqual(per_country, {self.belgium: 2, self.france: 1})

    def test_operators_analysis(self):
        self.build_sessions()
        per_operator = {
            operator: (count, time_to_answer, rating)
            for operator, count, _duration, time_to_answer, _unanswered, rating, _satisfied
            in self.report(["operator_id"], [("operator_id", "!=", False)])
        }
        self.assertEqual(per_operator, {
            self.operator: (2, 60, 4),
            self.operator_2: (1, False, False),  # no answer: no time, no rating; the silent session does not count
        })

    def test_open_session_has_no_duration_yet(self):
        """Issue 20: an open session's duration is blank in the Sessions
        list, its form and the reports, and counts in no average."""
        session = self.make_session(self.operator, messages=[(10, "visitor", "Hi"), (300, "operator", "Hi!")])
        session.message_ids.filtered(lambda m: m.date > START + timedelta(minutes=10)).unlink()  # the welcome
        self.build_sessions()
        row = self.env["live_chat.report.session"].search([("session_id", "=", session.id)])
        self.env.cr.execute("SELECT duration FROM live_chat_report_session WHERE session_id = %s", [session.id])
        self.assertIsNone(self.env.cr.fetchone()[0])
        self.assertEqual(row.time_to_answer, 290)
        [(count, duration, *_rest)] = self.report([])
        self.assertEqual(count, 4)
        self.assertAlmostEqual(duration, (5 + 15 + 3) / 3, msg="the open session is out of the average")

    def test_duration_is_the_sessions_figure(self):
        """The reports show the figure of Live Chat > Sessions, rounded the
        same way (minutes, one decimal)."""
        session = self.make_session(self.operator, end=START + timedelta(minutes=7, seconds=40),
                                    messages=[(10, "visitor", "Hi")])
        self.env.flush_all()
        row = self.env["live_chat.report.session"].search([("session_id", "=", session.id)])
        self.assertEqual(session.live_chat_duration, 7.7)
        self.assertEqual(row.duration, session.live_chat_duration)
        self.assertEqual(row._fields["duration"].get_digits(self.env),
                         session._fields["live_chat_duration"].get_digits(self.env))

    def test_operator_sees_the_reports_of_their_channels_only(self):
        self.build_sessions()
        self.make_session(self.manager, channel=self.other_channel, messages=[(5, "visitor", "Hi")])
        self.env.flush_all()
        Report = self.env["live_chat.report.session"]
        self.assertEqual(Report.with_user(self.operator).search([]).channel_id, self.channel)
        self.assertLessEqual(self.channel | self.other_channel, Report.with_user(self.manager).search([]).channel_id)


@tagged("post_install", "-at_install")
class TestChannelSatisfaction(LiveChatCase):

    def make_rated_session(self, choice=None, days_ago=0, channel=None):
        guest = self.env["mail.guest"].create({"name": "Guest"})
        session = self.env["discuss.channel"]._live_chat_create_session(
            channel or self.channel, self.operator, guest=guest)
        session._live_chat_post("Hi", guest=guest)  # the visitor wrote: the session counts
        session.live_chat_start = fields.Datetime.now() - timedelta(days=days_ago)
        if choice:
            session._live_chat_post("Hello?", guest=guest)
            session._live_chat_post("Hi!", author=self.operator.partner_id)
            session._live_chat_rate(choice, guest=guest)
        return session

    def test_no_session_no_rating(self):
        self.assertEqual(self.channel.recent_session_count, 0)
        self.assertEqual(self.channel.satisfaction_percentage, -1)

    def test_share_of_satisfied_ratings_over_14_days(self):
        for choice in ("satisfied", "satisfied", "satisfied", "okay", None):
            self.make_rated_session(choice)
        self.make_rated_session("dissatisfied", days_ago=20)  # too old
        self.make_rated_session("dissatisfied", channel=self.env["live_chat.channel"].create({"name": "Other"}))
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.recent_session_count, 5)
        self.assertEqual(self.channel.satisfaction_percentage, 75)
        # An operator, who cannot read every session, sees the same figures.
        channel = self.channel.with_user(self.operator_2)
        self.assertEqual((channel.recent_session_count, channel.satisfaction_percentage), (5, 75))

    def test_channel_without_rating_shows_no_satisfaction(self):
        self.make_rated_session()
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.recent_session_count, 1)
        self.assertEqual(self.channel.satisfaction_percentage, -1)

    def test_ratings_of_empty_sessions_do_not_count(self):
        """Twenty empty sessions rated dissatisfied moved a channel from 100 % to 5 %."""
        self.make_rated_session("satisfied")
        for _index in range(20):
            guest = self.env["mail.guest"].create({"name": "Troll"})
            session = self.env["discuss.channel"]._live_chat_create_session(self.channel, self.operator, guest=guest)
            session._live_chat_rate("dissatisfied", guest=guest)
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.satisfaction_percentage, 100)
