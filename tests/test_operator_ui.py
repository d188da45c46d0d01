import json

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import LiveChatCase, RealTimeBusMixin, new_operator, set_presence


class OperatorBusMixin:

    def bus_notifications(self, target, kind):
        """The notifications of type `kind` queued for `target` (a record)."""
        self.env.cr.precommit.run()
        channel = json_dump(channel_with_db(self.env.cr.dbname, target))
        found = self.env["bus.bus"].sudo().search([("channel", "=", channel)], order="id")
        messages = [json.loads(record.message) for record in found]
        return [message["payload"] for message in messages if message["type"] == kind]


@tagged("post_install", "-at_install")
class TestOperatorInfo(OperatorBusMixin, LiveChatCase):

    def setUp(self):
        super().setUp()
        self.channel.welcome_message = "Welcome!"
        self.env["bus.bus"].sudo().search([]).unlink()
        self.session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=self.env["mail.guest"].create({"name": "Vera"}),
            visitor_name="Vera", country=self.belgium, url="https://example.com/pricing")

    def test_channel_info_tells_who_the_visitor_is(self):
        info = self.session.with_user(self.operator)._channel_info()[0]
        self.assertEqual(info["channel_type"], "live_chat")
        self.assertEqual(info["liveChat"], {
            "visitorName": "Vera",
            "countryName": "Belgium",
            "countryCode": "be",
            "url": "https://example.com/pricing",
            "channelName": "Test Support",
            "operatorPartnerId": self.operator.partner_id.id,
            "start": info["liveChat"]["start"],
            "closed": False,
            "closedBy": False,
            "visitorWrote": False,
            # Issue 17: how the operator's answers reach the visitor.
            "offline": False,
            "visitorEmail": False,
            "answersByEmail": False,
            # where the visitor is now (issue 20): the page where the chat
            # started, and no presence known yet
            "visitorPages": [{"url": "https://example.com/pricing", "title": "",
                              "date": info["liveChat"]["start"]}],
            "visitorPresence": False,
            "visitorSeenAt": False,
        })
        self.assertTrue(info["liveChat"]["start"])
        other = self.env["discuss.channel"].create({"name": "General", "channel_type": "channel"})
        self.assertNotIn("liveChat", other._channel_info()[0])

    def test_operator_is_told_at_once_of_a_new_session(self):
        joined = self.bus_notifications(self.operator.partner_id, "discuss.channel/joined")
        self.assertEqual(len(joined), 1)
        channel = joined[0]["channel"]
        self.assertEqual(channel["id"], self.session.id)
        self.assertEqual(channel["liveChat"]["operatorPartnerId"], self.operator.partner_id.id)
        # The other operator of the channel is not disturbed.
        self.assertFalse(self.bus_notifications(self.operator_2.partner_id, "discuss.channel/joined"))

    def test_session_members_are_the_operator_and_the_visitor_only(self):
        # Created here by an internal user (the test's), who must not become
        # a member as mail does for the creator of a channel.
        self.assertFalse(self.env.user._is_public())
        self.assertEqual(self.session.channel_member_ids.partner_id, self.operator.partner_id)
        self.assertEqual(self.session.channel_member_ids.guest_id.name, "Vera")
        self.assertEqual(len(self.session.channel_member_ids), 2)

    def test_new_session_is_unread_until_the_operator_reads_it(self):
        member = self.session.channel_member_ids.filtered(lambda m: m.partner_id == self.operator.partner_id)
        self.session._live_chat_post("Hello?", guest=self.session.live_chat_guest_id)
        member.invalidate_recordset()
        self.assertGreaterEqual(member.message_unread_counter, 1)
        self.assertEqual(self.session.message_ids[:1].author_guest_id, self.session.live_chat_guest_id)
        self.session.with_user(self.operator)._channel_seen(self.session.message_ids[:1].id)
        member.invalidate_recordset()
        self.assertEqual(member.message_unread_counter, 0)

    def test_closing_pushes_the_closed_state_to_the_thread(self):
        self.env["bus.bus"].sudo().search([]).unlink()
        self.session.with_user(self.operator).live_chat_close_by_operator()
        updates = [payload["Thread"] for payload in self.bus_notifications(self.session, "mail.record/insert")
                   if "liveChat" in payload.get("Thread", {})]
        self.assertEqual(len(updates), 1)
        self.assertEqual(updates[0]["id"], self.session.id)
        self.assertTrue(updates[0]["liveChat"]["closed"])
        self.assertEqual(updates[0]["liveChat"]["closedBy"], "operator")

    def test_sidebar_category_state_is_a_user_setting(self):
        settings = self.env["res.users.settings"]._find_or_create_for_user(self.operator)
        self.assertTrue(settings.is_discuss_sidebar_category_live_chat_open)
        settings.with_user(self.operator).set_res_users_settings(
            {"is_discuss_sidebar_category_live_chat_open": False})
        self.assertFalse(settings.is_discuss_sidebar_category_live_chat_open)


@tagged("post_install", "-at_install")
class TestOperatorTours(RealTimeBusMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_operator(cls.env, "tour_operator", "Tom Operator")
        cls.channel = cls.env["live_chat.channel"].create({
            "name": "Operator Tour Channel",
            "welcome_message": "Welcome from the operator tour",
            "user_ids": [Command.set([cls.operator.id])],
            "rule_ids": [Command.create({"sequence": 10, "action": "show"})],
        })

    def setUp(self):
        super().setUp()
        set_presence(self.operator, minutes_ago=0)

    def test_chat_window_opens_by_itself_and_the_visitor_gets_the_reply(self):
        self.start_tour("/web#action=live_chat.live_chat_channel_action",
                        "live_chat_operator_chat_window_tour", login="tour_operator")
        session = self.env["discuss.channel"].search(
            [("channel_type", "=", "live_chat"), ("live_chat_channel_id", "=", self.channel.id)])
        self.assertEqual(len(session), 1)
        self.assertEqual(session.live_chat_operator_id, self.operator)
        # The visitor's API, with the visitor's token, sees the answer.
        response = self.url_open("/live_chat/session/messages", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"session_id": session.id,
                       "guest_token": session.live_chat_guest_id.sudo()._format_auth_cookie()},
        }), headers={"Content-Type": "application/json"})
        bodies = [message["body"] for message in response.json()["result"]["messages"]]
        self.assertIn("Hi Vera, how can I help?", bodies)
        self.assertIn("Hello, is anybody there?", bodies)

    def test_discuss_lists_the_session_then_the_operator_leaves_it(self):
        guest = self.env["mail.guest"].create({"name": "Dora Discuss"})
        session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=guest, visitor_name="Dora Discuss",
            country=self.env.ref("base.be"), url="https://example.com/orders")
        session._live_chat_post("I need help with my order", guest=guest)
        self.start_tour("/web#action=mail.action_discuss", "live_chat_operator_discuss_tour",
                        login="tour_operator")
        self.assertTrue(session.live_chat_closed)
        self.assertEqual(session.live_chat_closed_by, "operator")
        messages = session._live_chat_messages()
        self.assertIn("Tom Operator left the conversation", messages[-1]["body"])
