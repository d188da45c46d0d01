"""Issue 17, "Leave a message": the rule's choice when no operator is
available, init's `offline` answer, the offline route with every bad input
and its rate limit, and the opening hours of a channel."""
from collections import deque
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LiveChatCase, new_operator
from .test_session_api import LiveChatApiCase

OFFLINE = "/live_chat/offline/message"


class OfflineApiCase(LiveChatApiCase):

    def setUp(self):
        super().setUp()
        # Nobody online: the operators were last seen long ago.
        self.set_presence(self.operator, minutes_ago=45)
        self.set_presence(self.operator_2, minutes_ago=45)
        self.channel.write({"offline_button_text": "Write to us", "offline_back_text": "Back tomorrow at 9."})

    def init(self, **params):
        return self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://site.test/", **params})

    def leave(self, **params):
        values = {"channel_id": self.channel.id, "url": "http://site.test/contact", "name": "Nina Night",
                  "email": "nina@example.com", "message": "Do you ship to Norway?", **params}
        return self.ok(OFFLINE, {key: value for key, value in values.items() if value is not None})

    def offline_sessions(self):
        return self.env["discuss.channel"].search([("live_chat_offline", "=", True),
                                                   ("live_chat_channel_id", "=", self.channel.id)])

    def counts(self):
        self.env.invalidate_all()
        return {
            "sessions": self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")]),
            "guests": self.env["mail.guest"].search_count([]),
            "messages": self.env["mail.message"].search_count([]),
            "emails": self.env["mail.mail"].search_count([]),
        }


@tagged("post_install", "-at_install")
class TestOfflineInit(OfflineApiCase):

    def test_new_rules_leave_a_message(self):
        self.assertEqual(self.channel.rule_ids.no_operator_action, "leave_message")
        rule = self.env["live_chat.channel.rule"].create({"channel_id": self.channel.id})
        self.assertEqual(rule.no_operator_action, "leave_message")

    def test_init_offers_the_form_when_nobody_can_answer(self):
        result = self.init()
        self.assertEqual(result["action"], "show")
        self.assertFalse(result["operator_available"])
        self.assertEqual(result["offline"], {"button_text": "Write to us", "back_text": "Back tomorrow at 9.",
                                             "next_opening": None})
        self.assertTrue(result["strings"]["offline_intro"])

    def test_init_has_no_form_when_an_operator_is_available(self):
        self.set_presence(self.operator, minutes_ago=1)
        result = self.init()
        self.assertTrue(result["operator_available"])
        self.assertIsNone(result["offline"])

    def test_hide_the_button_is_todays_behaviour(self):
        self.channel.rule_ids.no_operator_action = "hide"
        self.assertIsNone(self.init()["offline"])
        # The direct link page has no button to hide: it shows the form.
        self.assertEqual(self.init(page=True)["offline"]["button_text"], "Write to us")

    def test_no_form_when_a_chatbot_answers(self):
        script = self.env["live_chat.chatbot.script"].create({"name": "Night bot", "bot_name": "Nox"})
        self.env["live_chat.chatbot.step"].create({"script_id": script.id, "step_type": "text", "message": "Hi"})
        self.channel.rule_ids.write({"chatbot_script_id": script.id, "only_if_no_operator": True})
        result = self.init()
        self.assertEqual(result["chatbot"]["name"], "Nox")
        self.assertIsNone(result["offline"])

    def test_hidden_rule_and_no_rule_give_no_form(self):
        self.channel.rule_ids.action = "hide"
        self.assertIsNone(self.init()["offline"])
        self.channel.rule_ids.write({"action": "show", "url_regex": "/shop"})
        self.assertEqual(self.init()["action"], "hide")
        self.assertIsNone(self.init()["offline"])

    def test_upgrade_keeps_existing_rules_hiding(self):
        """Rules made before the choice existed keep today's behaviour."""
        rule = self.channel.rule_ids
        self.env.flush_all()
        self.env.cr.execute("ALTER TABLE live_chat_channel_rule DROP COLUMN no_operator_action")
        # What the registry holds while it updates a module.
        with patch.object(self.registry, "_post_init_queue", deque(), create=True), \
                patch.object(self.registry, "_foreign_keys", {}, create=True), \
                patch.object(self.registry, "_is_install", False, create=True):
            self.env["live_chat.channel.rule"]._auto_init()
        self.env.invalidate_all()
        self.assertEqual(rule.no_operator_action, "hide")
        self.assertEqual(self.env["live_chat.channel.rule"].create(
            {"channel_id": self.channel.id}).no_operator_action, "leave_message")


@tagged("post_install", "-at_install")
class TestOfflineRoute(OfflineApiCase):

    def test_message_becomes_an_offline_session(self):
        before = self.env["mail.mail"].search([]).ids
        result = self.leave(phone="+32 470 12 34 56")
        self.assertEqual(result, {"received": True, "email": "nina@example.com"})
        session = self.offline_sessions()
        self.assertEqual(len(session), 1)
        self.assertEqual(session.channel_type, "live_chat")
        self.assertEqual(session.live_chat_visitor_name, "Nina Night")
        self.assertEqual(session.live_chat_visitor_email, "nina@example.com")
        self.assertEqual(session.live_chat_visitor_phone, "+32 470 12 34 56")
        self.assertEqual(session.live_chat_url, "http://site.test/contact")
        self.assertFalse(session.live_chat_operator_id, "no operator until one answers")
        self.assertFalse(session.live_chat_closed)
        self.assertTrue(session.live_chat_visitor_wrote)
        self.assertEqual(session.live_chat_guest_id.name, "Nina Night")
        messages = self.env["mail.message"].search([("model", "=", "discuss.channel"), ("res_id", "=", session.id)])
        self.assertEqual(messages.mapped("body"), ["<p>Do you ship to Norway?</p>"])
        self.assertEqual(messages.author_guest_id, session.live_chat_guest_id)
        # Every operator of the channel is a member: it is in their Live Chat category.
        self.assertEqual(session.channel_member_ids.partner_id,
                         (self.operator | self.operator_2).partner_id)
        # ...and gets it by email, through the queue.
        emails = self.env["mail.mail"].search([("id", "not in", before)])
        self.assertEqual(sorted(emails.recipient_ids.ids), sorted((self.operator | self.operator_2).partner_id.ids))
        self.assertEqual(set(emails.mapped("state")), {"outgoing"})
        self.assertIn("Do you ship to Norway?", emails[0].body_html)
        # In the lists and the reports.
        self.assertIn(session, self.env["discuss.channel"].search([("live_chat_offline", "=", True)]))
        row = self.env["live_chat.report.session"].search([("session_id", "=", session.id)])
        self.assertTrue(row.is_offline)
        self.assertEqual(row.offline_count, 1)

    def test_offline_received_is_called_once(self):
        calls = []
        Session = type(self.env["discuss.channel"])
        original = Session._live_chat_offline_received

        def spy(sessions):
            calls.append((sessions.ids, sessions.sudo().message_ids.mapped("body")))
            return original(sessions)

        self.patch(Session, "_live_chat_offline_received", spy)
        self.leave()
        session = self.offline_sessions()
        self.assertEqual(calls, [(session.ids, ["<p>Do you ship to Norway?</p>"])],
                         "called once, with the message posted")

    def test_messages_are_taken_while_an_operator_is_online(self):
        """A visitor whose form showed does not lose the message because an
        operator came back meanwhile."""
        self.set_presence(self.operator, minutes_ago=1)
        self.leave()
        self.assertEqual(len(self.offline_sessions()), 1)

    def test_every_bad_input_is_refused_and_changes_nothing(self):
        archived = self.env["live_chat.channel"].create({"name": "Old", "active": False})
        cases = [
            ({"channel_id": 999999}, "unknown_channel", 404),
            ({"channel_id": archived.id}, "unknown_channel", 404),
            ({"channel_id": "abc"}, "bad_request", 400),
            ({"name": None}, "bad_request", 400),
            ({"name": "   "}, "bad_request", 400),
            ({"name": 42}, "bad_request", 400),
            ({"name": "N" * 101}, "too_long", 413),
            ({"name": "Nina\x00"}, "bad_request", 400),
            ({"email": None}, "bad_request", 400),
            ({"email": "not an email"}, "bad_email", 400),
            ({"email": "nina@example.com, eve@example.com"}, "bad_email", 400),
            ({"email": "Nina <nina@example.com>"}, "bad_email", 400),
            ({"email": "n" * 250 + "@example.com"}, "too_long", 413),
            ({"message": None}, "bad_request", 400),
            ({"message": " \u200b "}, "empty_message", 400),
            ({"message": "x" * 4001}, "too_long", 413),
            ({"message": ["a list"]}, "bad_request", 400),
            ({"phone": "call me"}, "bad_phone", 400),
            ({"url": "http://s.test/" + "a" * 2048}, "too_long", 413),
        ]
        base = {"channel_id": self.channel.id, "url": "http://s.test/", "name": "Nina",
                "email": "nina@example.com", "message": "Hello"}
        before = self.counts()
        for change, code, status in cases:
            with self.subTest(change=change):
                params = {key: value for key, value in {**base, **change}.items() if value is not None}
                error = self.refused(OFFLINE, params, code)
                self.assertEqual(error["code"], status)
        self.assertEqual(self.counts(), before)

    def test_burst_from_one_address_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param("live_chat.offline_rate_limit", 2)
        self.leave(email="a@example.com")
        self.leave(email="b@example.com")
        before = self.counts()
        error = self.refused(OFFLINE, {"channel_id": self.channel.id, "name": "Nina", "email": "c@example.com",
                                       "message": "Third"}, "rate_limited")
        self.assertEqual(error["code"], 429)
        self.assertEqual(self.counts(), before, "a refused message creates nothing, emails nobody")

    def test_burst_for_one_email_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param("live_chat.offline_rate_limit", 2)
        Session = self.env["discuss.channel"]
        # Two messages for this email from other addresses.
        for _index in range(2):
            Session._live_chat_create_offline_session(
                self.channel, "Hi", visitor_name="Nina", email="Nina@Example.com",
                guest=self.env["mail.guest"].create({"name": "Nina"}), ip="203.0.113.9")
        self.refused(OFFLINE, {"channel_id": self.channel.id, "name": "Nina", "email": "nina@example.com",
                               "message": "Third"}, "rate_limited")

    def test_sessions_per_address_limit_applies(self):
        self.env["ir.config_parameter"].sudo().set_param("live_chat.session_rate_limit_address", 1)
        self.leave()
        self.refused(OFFLINE, {"channel_id": self.channel.id, "name": "Nina", "email": "x@example.com",
                               "message": "Again"}, "rate_limited")
        self.assertEqual(len(self.offline_sessions()), 1)

    def test_logged_in_visitor_leaves_a_message_as_themselves(self):
        employee = new_operator(self.env, "offline_visitor", "Paula Visitor")
        self.authenticate("offline_visitor", "offline_visitor")
        self.leave(name="Paula", email="paula@example.com")
        session = self.offline_sessions()
        self.assertEqual(session.live_chat_visitor_partner_id, employee.partner_id)
        self.assertFalse(session.live_chat_guest_id)
        self.assertIn(employee.partner_id, session.channel_member_ids.partner_id)


class TestOpeningHours(LiveChatCase):
    """A weekly table in the channel's time zone. 2024-01-08 is a Monday;
    Brussels is UTC+1 in winter, UTC+2 in summer."""

    def setUp(self):
        super().setUp()
        self.channel.write({"tz": "Europe/Brussels", "hours_ids": [
            Command.create({"day_of_week": "0", "hour_from": 9.0, "hour_to": 17.0}),
            Command.create({"day_of_week": "2", "hour_from": 13.5, "hour_to": 18.0}),
        ]})

    def test_no_hours_is_always_open(self):
        self.channel.hours_ids = [Command.clear()]
        self.assertTrue(self.channel._live_chat_is_open(datetime(2024, 1, 7, 3, 0)))
        self.assertIsNone(self.channel._live_chat_next_opening(datetime(2024, 1, 7, 3, 0)))

    def test_before_opening(self):
        now = datetime(2024, 1, 8, 7, 30)  # 08:30 in Brussels
        self.assertFalse(self.channel._live_chat_is_open(now))
        self.assertEqual(self.channel._live_chat_next_opening(now), datetime(2024, 1, 8, 8, 0))

    def test_during_opening(self):
        for now in (datetime(2024, 1, 8, 8, 0), datetime(2024, 1, 8, 15, 59)):
            self.assertTrue(self.channel._live_chat_is_open(now), now)
            self.assertIsNone(self.channel._live_chat_next_opening(now))
        self.assertTrue(self.channel._live_chat_is_open(datetime(2024, 1, 10, 12, 30)), "Wednesday 13:30")

    def test_after_closing(self):
        now = datetime(2024, 1, 8, 16, 0)  # Monday 17:00 in Brussels: closed
        self.assertFalse(self.channel._live_chat_is_open(now))
        # Next: Wednesday 13:30 in Brussels.
        self.assertEqual(self.channel._live_chat_next_opening(now), datetime(2024, 1, 10, 12, 30))
        # After Wednesday's slot: Monday of the next week.
        self.assertEqual(self.channel._live_chat_next_opening(datetime(2024, 1, 10, 18, 0)),
                         datetime(2024, 1, 15, 8, 0))

    def test_time_zone(self):
        now = datetime(2024, 1, 8, 8, 30)  # 09:30 in Brussels, 03:30 in New York
        self.assertTrue(self.channel._live_chat_is_open(now))
        self.channel.tz = "America/New_York"
        self.assertFalse(self.channel._live_chat_is_open(now))
        self.assertEqual(self.channel._live_chat_next_opening(now), datetime(2024, 1, 8, 14, 0))
        # Summer time in Brussels (UTC+2): 07:30 UTC is 09:30 there.
        self.channel.tz = "Europe/Brussels"
        self.assertTrue(self.channel._live_chat_is_open(datetime(2024, 7, 8, 7, 30)))
        self.assertFalse(self.channel._live_chat_is_open(datetime(2024, 7, 8, 6, 30)))

    def test_default_time_zone_is_the_company_or_the_creator(self):
        self.env.company.partner_id.tz = "Asia/Tokyo"
        self.assertEqual(self.env["live_chat.channel"].create({"name": "Tokyo"}).tz, "Asia/Tokyo")
        self.env.company.partner_id.tz = False
        self.env.user.tz = "Europe/Paris"
        self.assertEqual(self.env["live_chat.channel"].create({"name": "Paris"}).tz, "Europe/Paris")

    def test_outside_hours_nobody_is_available_even_online(self):
        with freeze_time("2024-01-08 08:30:00"):
            self.set_presence(self.operator, minutes_ago=0)
            self.channel.invalidate_recordset(["available_operator_ids"])
            self.assertEqual(self.channel.available_operator_ids, self.operator)
        with freeze_time("2024-01-08 16:30:00"):
            self.set_presence(self.operator, minutes_ago=0)
            self.channel.invalidate_recordset(["available_operator_ids"])
            self.assertFalse(self.channel.available_operator_ids)
            self.assertEqual(self.channel.available_operator_count, 0)
            self.assertFalse(self.env["discuss.channel"]._live_chat_pick_operator(self.channel))
            info = self.channel._live_chat_offline_info()
            self.assertEqual(info["next_opening"], "2024-01-10T12:30:00Z")

    def test_slots_must_make_sense(self):
        Hours = self.env["live_chat.channel.hours"]
        for hour_from, hour_to in ((18, 9), (9, 9), (-1, 5), (9, 24.5)):
            with self.subTest(hour_from=hour_from, hour_to=hour_to), self.assertRaises(ValidationError):
                Hours.create({"channel_id": self.channel.id, "day_of_week": "1",
                              "hour_from": hour_from, "hour_to": hour_to})
        Hours.create({"channel_id": self.channel.id, "day_of_week": "1", "hour_from": 0, "hour_to": 24})


@tagged("post_install", "-at_install")
class TestOpeningHoursApi(OfflineApiCase):

    def test_closed_channel_offers_the_form_with_its_next_opening(self):
        # Operators online, but the channel opens tomorrow only.
        self.set_presence(self.operator, minutes_ago=1)
        tomorrow = (datetime.utcnow() + timedelta(days=1)).weekday()
        self.channel.write({"tz": "UTC", "hours_ids": [
            Command.create({"day_of_week": str(tomorrow), "hour_from": 0, "hour_to": 24})]})
        result = self.init()
        self.assertFalse(result["operator_available"])
        opening = datetime.fromisoformat(result["offline"]["next_opening"].removesuffix("Z"))
        self.assertEqual(opening.date(), (datetime.utcnow() + timedelta(days=1)).date())
        self.assertEqual((opening.hour, opening.minute), (0, 0))
        # A chat cannot start: nobody can answer.
        self.refused("/live_chat/session/start", {"channel_id": self.channel.id, "body": "Hi?"}, "no_operator")
        self.leave()
        self.assertEqual(len(self.offline_sessions()), 1)
