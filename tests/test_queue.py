"""Capacity and the waiting queue (issue 20): "Max chats per operator",
visitors waiting in line, their position, and who gets them."""
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import new_operator
from .test_visitor_chat import VisitorChatCase


class QueueCase(VisitorChatCase):

    def setUp(self):
        super().setUp()
        # One operator available, who takes one chat at a time.
        self.channel.max_sessions_per_operator = 1
        self.set_presence(self.operator_2, minutes_ago=0, status="offline")

    def close_as_visitor(self, started):
        return self.ok("/live_chat/session/close", self.own(started))

    def messages(self, started):
        return self.ok("/live_chat/session/messages", self.own(started))

    def queue_notifications(self, started):
        return [n["payload"]["queue_position"]
                for n in self.notifications(self.guest_of(started), "live_chat/queue")]


@tagged("post_install", "-at_install")
class TestCapacity(QueueCase):

    def test_limit_one_second_visitor_waits_then_gets_the_operator(self):
        first = self.start(body="First visitor here")
        self.assertEqual(self.session_of(first).live_chat_operator_id, self.operator)
        self.assertEqual(first["queue_position"], 0)

        second = self.start(body="Second visitor, anybody?")
        session = self.session_of(second)
        self.assertFalse(session.live_chat_operator_id, "the operator is at their limit")
        self.assertEqual(second["queue_position"], 1)
        self.assertEqual(second["operator_name"], "")
        self.assertIn("Second visitor, anybody?", [m["body"] for m in second["messages"]])
        self.assertTrue(session.live_chat_visitor_wrote)
        self.assertFalse(self.bus_joined(session), "the operator's window does not open yet")
        self.assertEqual(self.messages(second)["queue_position"], 1)
        self.assertEqual(self.ok("/live_chat/session/post", {**self.own(second), "body": "Still here"})
                         ["queue_position"], 1)

        # The first visitor ends the chat: the place goes to the second one.
        self.close_as_visitor(first)
        self.env.invalidate_all()
        self.assertEqual(session.live_chat_operator_id, self.operator)
        self.assertIn(self.operator.partner_id, session.channel_member_ids.partner_id)
        state = self.messages(second)
        self.assertEqual(state["queue_position"], 0)
        self.assertEqual(state["operator_name"], "Oz")
        self.assertIn("You are now talking with Oz", [m["body"] for m in state["messages"]])
        told = self.notifications(self.guest_of(second), "live_chat/operator")
        self.assertEqual(told[-1]["payload"]["operator_name"], "Oz")
        self.assertEqual(told[-1]["payload"]["queue_position"], 0)
        # The operator's chat window opens now, and they are alerted.
        joined = self.bus_joined(session)
        self.assertEqual(joined[-1]["channel"]["liveChat"]["operatorPartnerId"], self.operator.partner_id.id)
        alerts = [n["payload"] for n in self.notifications(self.operator.partner_id, "live_chat/new_session")
                  if n["payload"]["id"] == session.id]
        self.assertEqual(alerts[-1]["body"], "Second visitor, anybody?")
        self.assertIn("Visitor #", alerts[-1]["title"])
        # Not answered at once by the welcome message: the report counts
        # from the operator's own first answer.
        self.assertFalse(session.message_ids.filtered(lambda m: "Welcome!" in (m.body or "")))

    def bus_joined(self, session):
        return [n["payload"] for n in self.notifications(self.operator.partner_id, "discuss.channel/joined")
                if n["payload"]["channel"]["id"] == session.id]

    def test_oldest_visitor_first_and_positions_follow(self):
        first = self.start()
        second = self.start(body="second")
        third = self.start(body="third")
        self.assertEqual((second["queue_position"], third["queue_position"]), (1, 2))
        self.assertEqual(self.ok("/live_chat/init", {"channel_id": self.channel.id, **self.own(third)})
                         ["queue_position"], 2)
        self.close_as_visitor(first)
        self.env.invalidate_all()
        self.assertEqual(self.session_of(second).live_chat_operator_id, self.operator)
        self.assertFalse(self.session_of(third).live_chat_operator_id)
        self.assertEqual(self.queue_notifications(third)[-1], 1, "the third visitor moved up in real time")
        self.assertEqual(self.messages(third)["queue_position"], 1)

    def test_new_visitor_waits_behind_those_already_waiting(self):
        self.start()
        waiting = self.start(body="waiting first")
        # A second operator comes back meanwhile: the visitor who waits gets
        # them, not the newcomer who writes now.
        self.set_presence(self.operator_2, minutes_ago=0)
        newcomer = self.start(body="newcomer")
        self.env.invalidate_all()
        self.assertEqual(self.session_of(waiting).live_chat_operator_id, self.operator_2)
        self.assertFalse(self.session_of(newcomer).live_chat_operator_id)
        self.assertEqual(newcomer["queue_position"], 1)

    def test_visitor_who_ends_the_chat_leaves_the_line(self):
        self.start()
        second = self.start(body="second")
        third = self.start(body="third")
        self.close_as_visitor(second)
        self.env.invalidate_all()
        self.assertTrue(self.session_of(second).live_chat_closed)
        self.assertFalse(self.session_of(second).live_chat_operator_id)
        self.assertEqual(self.queue_notifications(third)[-1], 1)
        self.assertEqual(self.messages(third)["queue_position"], 1)

    def test_visitor_who_closed_the_page_leaves_the_line(self):
        self.start()
        gone = self.start(body="gone")
        staying = self.start(body="staying")
        session = self.session_of(gone)
        session.live_chat_queue_ping = fields.Datetime.now() - timedelta(minutes=4)
        # The waiting widget calls every minute: the one who stays is fine.
        self.session_of(staying).live_chat_queue_ping = fields.Datetime.now() - timedelta(minutes=2)
        self.messages(staying)
        self.env.invalidate_all()
        self.assertGreater(self.session_of(staying).live_chat_queue_ping,
                           fields.Datetime.now() - timedelta(minutes=1))
        self.env.ref("live_chat.ir_cron_live_chat_queue").method_direct_trigger()
        self.env.invalidate_all()
        self.assertTrue(session.live_chat_closed)
        self.assertEqual(session.live_chat_closed_by, "visitor")
        self.assertFalse(self.session_of(staying).live_chat_closed)
        self.assertEqual(self.messages(staying)["queue_position"], 1)

    def test_no_limit_never_queues(self):
        self.channel.max_sessions_per_operator = 0
        for _i in range(3):
            started = self.start()
            self.assertEqual(self.session_of(started).live_chat_operator_id, self.operator)
            self.assertEqual(started["queue_position"], 0)

    def test_nobody_available_is_no_operator_not_a_queue(self):
        self.set_presence(self.operator, minutes_ago=45)
        before = self.counts()[0]
        self.refused("/live_chat/session/start", {
            "channel_id": self.channel.id, "body": "Hello?"}, "no_operator")
        self.assertEqual(self.counts()[0], before)

    def test_init_tells_the_place_a_new_visitor_would_take(self):
        init = {"channel_id": self.channel.id, "url": "http://site.test/"}
        self.assertEqual(self.ok("/live_chat/init", init)["queue_position"], 0)
        first = self.start()
        self.assertEqual(self.ok("/live_chat/init", init)["queue_position"], 1)
        self.start()
        self.assertEqual(self.ok("/live_chat/init", init)["queue_position"], 2)
        self.assertEqual(self.ok("/live_chat/init", {**init, **self.own(first)})["queue_position"], 0)

    def test_raising_the_limit_serves_the_line(self):
        self.start()
        waiting = self.start(body="waiting")
        self.channel.max_sessions_per_operator = 2
        self.env.invalidate_all()
        self.assertEqual(self.session_of(waiting).live_chat_operator_id, self.operator)

    def test_an_operator_who_joins_serves_the_line(self):
        self.start()
        waiting = self.start(body="waiting")
        newcomer = new_operator(self.env, "queue_joiner", "Jo Joiner")
        self.set_presence(newcomer, minutes_ago=0)
        self.channel.with_user(newcomer).action_join()
        self.env.invalidate_all()
        self.assertEqual(self.session_of(waiting).live_chat_operator_id, newcomer)

    def test_an_idle_session_frees_its_place(self):
        first = self.start()
        waiting = self.start(body="waiting")
        # Nothing said in the first session for 31 minutes (the visitor went
        # away without ending it): it holds no place any more.
        long_ago = fields.Datetime.now() - timedelta(minutes=31)
        session = self.session_of(first)
        session.write({"live_chat_start": long_ago, "live_chat_assigned_at": long_ago})
        self.env["mail.message"].flush_model()
        self.env.cr.execute("UPDATE mail_message SET date = %s WHERE model = 'discuss.channel' AND res_id = %s",
                            [long_ago, session.id])
        self.env.ref("live_chat.ir_cron_live_chat_queue").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(self.session_of(waiting).live_chat_operator_id, self.operator)

    def test_operator_at_the_limit_gets_nothing_while_a_colleague_has_room(self):
        self.set_presence(self.operator_2, minutes_ago=0)
        first = self.session_of(self.start()).live_chat_operator_id
        second = self.session_of(self.start()).live_chat_operator_id
        self.assertEqual(first | second, self.operator | self.operator_2)
        self.assertEqual(self.start(body="third")["queue_position"], 1)

    def test_the_operators_own_closing_frees_the_place(self):
        first = self.start()
        waiting = self.start(body="waiting")
        self.session_of(first).with_user(self.operator).live_chat_close_by_operator()
        self.env.invalidate_all()
        self.assertEqual(self.session_of(waiting).live_chat_operator_id, self.operator)

    def test_bot_forward_waits_in_line_when_operators_are_busy(self):
        script = self.env["live_chat.chatbot.script"].create({
            "name": "Busy Bot",
            "step_ids": [Command.create({"sequence": 1, "step_type": "text", "message": "Hi, I am the bot."}),
                         Command.create({"sequence": 2, "step_type": "forward_operator",
                                         "message": "Let me find someone."})],
        })
        self.start()  # the operator is now at their limit
        self.channel.rule_ids = [Command.clear(), Command.create({
            "sequence": 1, "action": "show", "chatbot_script_id": script.id})]
        started = self.start(body="I want a person")
        session = self.session_of(started)
        self.assertFalse(session.live_chat_operator_id)
        self.assertEqual(started["queue_position"], 1)
        self.assertFalse(started["chatbot"]["ended"], "the visitor can still write while waiting")


@tagged("post_install", "-at_install")
class TestVisitorNotices(QueueCase):
    """System notices name the visitor, the bot or nobody: never "Public user"."""

    def test_visitor_left_is_signed_by_the_visitor(self):
        started = self.start()
        self.close_as_visitor(started)
        session = self.session_of(started)
        notice = session.message_ids.filtered(lambda m: "o_live_chat_left" in (m.body or ""))
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.author_guest_id, session.live_chat_guest_id)
        self.assertFalse(notice.author_id)
        self.assertNotIn("Public user", notice.author_guest_id.name)

    def test_bot_restart_is_signed_by_the_bot(self):
        script = self.env["live_chat.chatbot.script"].create({
            "name": "Short Bot",
            "step_ids": [Command.create({"sequence": 1, "step_type": "text", "message": "That is all."})],
        })
        self.channel.rule_ids = [Command.clear(), Command.create({
            "sequence": 1, "action": "show", "chatbot_script_id": script.id})]
        started = self.start(body="hi bot")
        self.ok("/live_chat/chatbot/restart", self.own(started))
        notice = self.session_of(started).message_ids.filtered(
            lambda m: m.message_type == "notification" and "Restarting" in (m.body or ""))
        self.assertEqual(notice.author_id, script.bot_partner_id)
        public = self.env.ref("base.public_user").partner_id
        self.assertFalse(self.session_of(started).message_ids.filtered(lambda m: m.author_id == public))

    def test_queue_assignment_notice_names_nobody(self):
        first = self.start()
        second = self.start(body="second")
        self.close_as_visitor(first)
        notice = self.session_of(second).message_ids.filtered(
            lambda m: m.message_type == "notification" and "joined the conversation" in (m.body or ""))
        self.assertEqual(len(notice), 1)
        self.assertFalse(notice.author_id)
        self.assertFalse(notice.author_guest_id)
        self.assertEqual(notice.live_chat_visitor_text, "You are now talking with Oz")
