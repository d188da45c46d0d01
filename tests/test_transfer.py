"""Transfer (issue 20): to a colleague of the channel or to another channel;
the new operator's window opens with the history, the visitor is told, the
previous operator leaves without closing, the reports follow. And the alerts
that go with a new session: bus, web push."""
import json

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LiveChatCase, new_operator
from .test_operator_ui import OperatorBusMixin
from .test_session_api import LiveChatApiCase


@tagged("post_install", "-at_install")
class TestTransfer(OperatorBusMixin, LiveChatCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator_2.live_chat_name = "Ana"
        cls.sales_operator = new_operator(cls.env, "lc_sales_op", "Sam Sales", live_chat_name="Sam")
        cls.sales = cls.env["live_chat.channel"].create({
            "name": "Sales", "user_ids": [Command.set(cls.sales_operator.ids)]})

    def setUp(self):
        super().setUp()
        for user in (self.operator, self.operator_2, self.sales_operator):
            self.set_presence(user, minutes_ago=0)
        self.guest = self.env["mail.guest"].create({"name": "Vera"})
        self.session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=self.guest, visitor_name="Vera", visitor_wrote=True)
        self.session._live_chat_post("I need help with my order", guest=self.guest)
        self.env["bus.bus"].sudo().search([]).unlink()

    def transfer(self, user=None, **kwargs):
        return self.session.with_user(user or self.operator).live_chat_transfer(**kwargs)

    def member_partners(self):
        self.session.invalidate_recordset()
        return self.session.channel_member_ids.partner_id

    def test_transfer_to_a_colleague(self):
        self.transfer(user_id=self.operator_2.id)
        session = self.session
        self.assertEqual(session.live_chat_operator_id, self.operator_2)
        self.assertFalse(session.live_chat_closed, "the session goes on")
        self.assertIn(self.operator_2.partner_id, self.member_partners())
        self.assertNotIn(self.operator.partner_id, self.member_partners(), "the previous operator left")
        self.assertIn(self.guest, session.channel_member_ids.guest_id)
        # The colleague's window opens (with the history: it is their session now).
        joined = self.bus_notifications(self.operator_2.partner_id, "discuss.channel/joined")
        self.assertEqual(joined[-1]["channel"]["id"], session.id)
        self.assertEqual(joined[-1]["channel"]["liveChat"]["operatorPartnerId"], self.operator_2.partner_id.id)
        member = session.channel_member_ids.filtered(lambda m: m.partner_id == self.operator_2.partner_id)
        self.assertTrue(member.is_minimized)
        self.assertGreaterEqual(member.message_unread_counter, 1, "new to them until opened")
        alert = self.bus_notifications(self.operator_2.partner_id, "live_chat/new_session")[-1]
        self.assertEqual(alert["body"], "I need help with my order")
        self.assertIn("Vera", alert["title"])
        # The previous operator's client drops it.
        left = self.bus_notifications(self.operator.partner_id, "live_chat/transferred")
        self.assertEqual(left, [{"id": session.id, "operatorName": "Ana", "visitorName": "Vera"}])
        # The thread says so, signed by nobody; the visitor reads who they talk with.
        notice = session.message_ids.filtered(lambda m: "transferred the conversation" in (m.body or ""))
        self.assertEqual(len(notice), 1)
        self.assertIn("Oscar Operator transferred the conversation to Ana", notice.body)
        self.assertFalse(notice.author_id)
        self.assertFalse(notice.author_guest_id)
        visitor_says = session._live_chat_message_dict(notice)
        self.assertEqual(visitor_says["body"], "You are now talking with Ana")
        self.assertTrue(visitor_says["is_notification"])
        told = self.bus_notifications(self.guest, "live_chat/operator")
        self.assertEqual(told[-1]["operator_name"], "Ana")
        self.assertEqual(told[-1]["operator_avatar_url"], f"/live_chat/avatar/operator/{self.operator_2.id}")
        messages = [m["payload"]["message"]["body"] for m in self.guest_bus("live_chat/message")]
        self.assertIn("You are now talking with Ana", messages)
        self.assertNotIn("Oscar", " ".join(messages), "the visitor never reads an operator's real name")
        # Recorded.
        record = session.live_chat_transfer_ids
        self.assertEqual((record.from_user_id, record.to_user_id, record.user_id),
                         (self.operator, self.operator_2, self.operator))
        self.assertEqual(session.live_chat_transfer_count, 1)

    def guest_bus(self, kind):
        self.env.cr.precommit.run()
        from odoo.addons.bus.models.bus import channel_with_db, json_dump
        channel = json_dump(channel_with_db(self.env.cr.dbname, self.guest))
        rows = self.env["bus.bus"].sudo().search([("channel", "=", channel)], order="id")
        return [message for message in (json.loads(row.message) for row in rows) if message["type"] == kind]

    def test_refused_to_an_away_colleague_and_nothing_changes(self):
        self.operator_2.live_chat_status = "away"
        with self.assertRaises(UserError):
            self.transfer(user_id=self.operator_2.id)
        self.assertEqual(self.session.live_chat_operator_id, self.operator)
        self.assertFalse(self.session.live_chat_transfer_ids)

    def test_refused_to_a_colleague_at_the_limit(self):
        self.channel.max_sessions_per_operator = 1
        self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator_2, guest=self.env["mail.guest"].create({"name": "Other"}))
        with self.assertRaises(UserError):
            self.transfer(user_id=self.operator_2.id)
        self.assertEqual(self.session.live_chat_operator_id, self.operator)

    def test_refused_to_someone_outside_the_channel(self):
        with self.assertRaises(UserError):
            self.transfer(user_id=self.sales_operator.id)

    def test_transfer_to_another_channel(self):
        self.transfer(channel_id=self.sales.id)
        self.assertEqual(self.session.live_chat_operator_id, self.sales_operator)
        self.assertEqual(self.session.live_chat_channel_id, self.sales)
        record = self.session.live_chat_transfer_ids
        self.assertEqual((record.from_channel_id, record.to_channel_id), (self.channel, self.sales))
        notice = self.session.message_ids.filtered(lambda m: "transferred the conversation" in (m.body or ""))
        self.assertIn("Sales", notice.body)
        # The new operator reads it (they are its operator, not of its old channel).
        self.assertTrue(self.session.with_user(self.sales_operator).read(["live_chat_visitor_name"]))

    def test_transfer_to_a_channel_where_nobody_can_take_it(self):
        self.set_presence(self.sales_operator, minutes_ago=0, status="offline")
        with self.assertRaises(UserError):
            self.transfer(channel_id=self.sales.id)
        self.assertEqual(self.session.live_chat_operator_id, self.operator)
        self.assertEqual(self.session.live_chat_channel_id, self.channel)

    def test_only_the_sessions_operator_transfers(self):
        with self.assertRaises(UserError):
            self.transfer(user=self.operator_2, user_id=self.operator_2.id)
        # An administrator may.
        self.transfer(user=self.manager, user_id=self.operator_2.id)
        self.assertEqual(self.session.live_chat_operator_id, self.operator_2)

    def test_closed_session_is_not_transferred(self):
        self.session.with_user(self.operator).live_chat_close_by_operator()
        with self.assertRaises(UserError):
            self.transfer(user_id=self.operator_2.id)

    def test_targets_list_free_colleagues_and_channels(self):
        targets = self.session.with_user(self.operator).live_chat_transfer_targets()
        self.assertEqual([o["id"] for o in targets["operators"]], [self.operator_2.id])
        self.assertEqual(targets["operators"][0]["sessions"], 0)
        sales = [c for c in targets["channels"] if c["id"] == self.sales.id]
        self.assertEqual(sales[0]["available"], 1)
        self.operator_2.live_chat_status = "away"
        self.channel.invalidate_recordset()
        self.assertFalse(self.session.with_user(self.operator).live_chat_transfer_targets()["operators"])

    def test_reports_count_the_session_for_the_new_operator(self):
        self.transfer(user_id=self.operator_2.id)
        self.session.with_user(self.operator_2).message_post(
            body="Hello Vera, Ana here", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.env.flush_all()
        Report = self.env["live_chat.report.session"]
        row = Report.search([("session_id", "=", self.session.id)])
        self.assertEqual(row.operator_id, self.operator_2)
        self.assertEqual(row.transfer_count, 1)
        self.assertTrue(row.is_transferred)
        by_operator = dict(Report._read_group(
            [("session_id", "=", self.session.id)], ["operator_id"], ["session_count:sum"]))
        self.assertEqual(by_operator, {self.operator_2: 1})
        # The Sessions list follows.
        sessions = self.env["discuss.channel"].search([("live_chat_operator_id", "=", self.operator_2.id),
                                                       ("live_chat_transfer_ids", "!=", False)])
        self.assertEqual(sessions, self.session)

    def test_transfer_frees_a_place_for_the_line(self):
        self.channel.max_sessions_per_operator = 1
        waiting = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, guest=self.env["mail.guest"].create({"name": "Walt"}), visitor_wrote=True)
        self.assertEqual(waiting._live_chat_queue_position(), 1)
        self.transfer(user_id=self.operator_2.id)
        self.assertEqual(waiting.live_chat_operator_id, self.operator)


@tagged("post_install", "-at_install")
class TestNewSessionAlerts(LiveChatApiCase):

    def setUp(self):
        super().setUp()
        self.set_presence(self.operator_2, minutes_ago=45)

    def device(self, partner):
        return self.env["mail.partner.device"].sudo().create({
            "partner_id": partner.id, "endpoint": "https://push.example.com/abc", "keys": json.dumps(
                {"p256dh": "BGbkP4", "auth": "DJFdtAgZwrT6yYkUMgUqow"})})

    def test_new_session_sends_a_web_push_with_the_visitor_and_first_message(self):
        device = self.device(self.operator.partner_id)
        started = self.start(visitor_name="Vera", body="Do you ship to Belgium?")
        pushes = self.env["mail.notification.web.push"].sudo().search([("user_device", "=", device.id)])
        self.assertEqual(len(pushes), 1, "one alert, not one more for the first message")
        payload = json.loads(pushes.payload)
        self.assertEqual(payload["title"], "New live chat: Vera")
        self.assertEqual(payload["options"]["body"], "Do you ship to Belgium?")
        self.assertEqual(payload["options"]["data"]["res_id"], started["session_id"])
        self.assertEqual(payload["options"]["data"]["model"], "discuss.channel")

    def test_the_bus_alert_comes_before_the_first_message(self):
        # The operator's client alerts once (sound, notification) for the new
        # session and then does not alert again for the first message.
        started = self.start(visitor_name="Vera", body="Hello there")
        session = self.session_of(started)
        self.env.cr.precommit.run()
        from odoo.addons.bus.models.bus import channel_with_db, json_dump

        def rows(target, kind):
            channel = json_dump(channel_with_db(self.env.cr.dbname, target))
            return [(row.id, json.loads(row.message)["payload"])
                    for row in self.env["bus.bus"].sudo().search([("channel", "=", channel)], order="id")
                    if json.loads(row.message)["type"] == kind]

        alerts = rows(self.operator.partner_id, "live_chat/new_session")
        self.assertEqual([payload for _id, payload in alerts],
                         [{"id": session.id, "title": "New live chat: Vera", "body": "Hello there"}])
        visitor_message = [row_id for row_id, payload in rows(session, "discuss.channel/new_message")
                           if "Hello there" in payload["message"]["body"]]
        self.assertLess(alerts[0][0], visitor_message[0])
        joined = rows(self.operator.partner_id, "discuss.channel/joined")
        self.assertLess(joined[0][0], alerts[0][0], "the thread is known when the alert comes")

    def test_no_device_no_push(self):
        self.start(visitor_name="Vera")
        self.assertFalse(self.env["mail.notification.web.push"].sudo().search([]))
