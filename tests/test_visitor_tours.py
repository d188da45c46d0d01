"""Chromium tours of the visitor's widget (issue 14), with the operator
played over HTTP in a thread (as a second browser would) and the server's
state checked afterwards. The tours are in static/tests/tours/live_chat_visitor_tour.js."""
import base64
import json
import threading
import time

import requests

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import RealTimeBusMixin, new_operator, set_presence

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


class Operator(threading.Thread):
    """The operator, logged in over HTTP in another thread: runs
    `script(self)`, which waits for the visitor's messages and answers with
    mail's own routes, the ones Discuss uses."""

    def __init__(self, case, script):
        super().__init__(daemon=True)
        self.base = case.base_url()
        self.db = case.env.cr.dbname
        self.login = case.operator.login
        self.script = script
        self.error = None
        self.http = requests.Session()

    def rpc(self, path, params):
        response = self.http.post(self.base + path, json={"jsonrpc": "2.0", "method": "call", "params": params},
                                  timeout=30)
        answer = response.json()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer.get("result")

    def call(self, model, method, *args, **kwargs):
        return self.rpc("/web/dataset/call_kw", {"model": model, "method": method, "args": list(args),
                                                 "kwargs": kwargs})

    def wait_message(self, text, timeout=40):
        """The visitor's message containing `text`: {id, res_id}."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.call("mail.message", "search_read",
                              [("model", "=", "discuss.channel"), ("body", "ilike", text)],
                              fields=["res_id"], limit=1)
            if found:
                return found[0]
            time.sleep(0.4)
        raise RuntimeError(f"the visitor's message {text!r} never arrived")

    def post(self, session_id, body, attachment_ids=()):
        return self.rpc("/mail/message/post", {
            "thread_model": "discuss.channel", "thread_id": session_id,
            "post_data": {"body": body, "message_type": "comment", "subtype_xmlid": "mail.mt_comment",
                          "attachment_ids": list(attachment_ids)}})

    def run(self):
        try:
            # Let the test's browser start first: the test's cursor is not
            # shared safely with the server's threads while it flushes.
            time.sleep(2)
            self.rpc("/web/session/authenticate", {"db": self.db, "login": self.login, "password": self.login})
            self.script(self)
        except Exception as error:  # noqa: BLE001 -- reported by the test
            self.error = repr(error)


class VisitorTourCase(RealTimeBusMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_operator(cls.env, "visitor_tour_op", "Victoria Operator", live_chat_name="Vicky")
        cls.channel = cls.env["live_chat.channel"].create({
            "name": "Visitor Tour Support",
            "welcome_message": "Hello from Vicky!",
            "user_ids": [Command.set(cls.operator.ids)],
            "rule_ids": [Command.create({"sequence": 1, "action": "show"})],
        })
        cls.env.ref("website.default_website").live_chat_channel_id = cls.channel

    def setUp(self):
        super().setUp()
        set_presence(self.operator, minutes_ago=0)

    # -- helpers --------------------------------------------------------

    def visitor_tour(self, name, operator_script=None, url="/contactus", timeout=120):
        operator = Operator(self, operator_script) if operator_script else None
        if operator:
            operator.start()
        try:
            self.start_tour(url, name, timeout=timeout)
        finally:
            if operator:
                operator.join(10)
        if operator:
            self.assertIsNone(operator.error, "the operator's side failed")
        self.env.invalidate_all()

    def sessions(self):
        return self.env["discuss.channel"].search(
            [("channel_type", "=", "live_chat"), ("live_chat_channel_id", "=", self.channel.id)], order="id")

    def bus_payloads(self, target, kind=None):
        self.env.cr.precommit.run()
        channel = json_dump(channel_with_db(self.env.cr.dbname, target))
        found = self.env["bus.bus"].sudo().search([("channel", "=", channel)], order="id")
        messages = [json.loads(record.message) for record in found]
        return [m["payload"] for m in messages if kind is None or m["type"] == kind]

    def operator_member(self, session):
        return session.channel_member_ids.filtered(lambda m: m.partner_id == self.operator.partner_id)

    def visitor_member(self, session):
        return session.channel_member_ids.filtered(lambda m: m.guest_id)

    def session_messages(self, session):
        return self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", session.id)], order="id")


@tagged("post_install", "-at_install")
class TestVisitorTours(VisitorTourCase):

    # -- 1. a session starts with the first message ----------------------

    def test_01_opening_creates_nothing_first_message_reaches_the_operator(self):
        guests = self.env["mail.guest"].search_count([])
        operator_bus = len(self.bus_payloads(self.operator.partner_id))
        self.visitor_tour("live_chat_visitor_open_creates_nothing")
        self.assertFalse(self.sessions(), "opening the window created a session")
        self.assertEqual(self.env["mail.guest"].search_count([]), guests, "opening the window created a guest")
        self.assertEqual(len(self.bus_payloads(self.operator.partner_id)), operator_bus,
                         "opening the window notified the operator")

        self.visitor_tour("live_chat_visitor_first_message")
        session = self.sessions()
        self.assertEqual(len(session), 1)
        self.assertEqual(session.live_chat_operator_id, self.operator)
        messages = self.session_messages(session)
        self.assertEqual([str(m.body) for m in messages][-1:], ["<p>My very first message</p>"])
        self.assertIn("Hello from Vicky!", str(messages[0].body), "the welcome is posted first")
        joined = self.bus_payloads(self.operator.partner_id, "discuss.channel/joined")
        self.assertEqual([p["channel"]["id"] for p in joined], session.ids, "the operator was told of the session")
        # The operator's web client shows it in Discuss.
        self.start_tour("/web#action=mail.action_discuss", "live_chat_visitor_operator_sees_first_message",
                        login=self.operator.login)

    # -- 2. fold, operator reply, badge ---------------------------------

    def test_02_fold_operator_reply_badge_then_unfold(self):
        def script(op):
            found = op.wait_message("Please answer while I fold")
            time.sleep(3)  # the visitor folds meanwhile
            op.post(found["res_id"], "Here is my answer")

        self.visitor_tour("live_chat_visitor_fold_badge", script)
        session = self.sessions()
        self.assertEqual(len(session), 1)
        self.assertFalse(session.live_chat_closed, "folding does not end the conversation")
        reply = self.session_messages(session)[-1]
        self.assertIn("Here is my answer", str(reply.body))
        # Unfolding read it: the visitor's member saw the reply.
        self.assertEqual(self.visitor_member(session).seen_message_id, reply)

    # -- 3. end, then a new chat ----------------------------------------

    def test_03_end_then_the_button_starts_a_new_chat(self):
        self.visitor_tour("live_chat_visitor_end_then_new")
        first, second = self.sessions()
        self.assertTrue(first.live_chat_closed)
        self.assertFalse(second.live_chat_closed)
        self.assertIn("A second conversation", str(self.session_messages(second)[-1].body))
        self.assertNotIn("A second conversation", " ".join(str(m.body) for m in self.session_messages(first)))

    # -- 4. links --------------------------------------------------------

    def test_04_https_link_clickable_javascript_not(self):
        def script(op):
            found = op.wait_message("Where is the documentation?")
            op.post(found["res_id"], "Read https://example.com/docs but not javascript:alert(1) please")

        self.visitor_tour("live_chat_visitor_links", script)

    # -- 5. visitor image upload ----------------------------------------

    def test_05_visitor_image_upload_seen_by_the_operator(self):
        self.visitor_tour("live_chat_visitor_image_upload")
        session = self.sessions()
        message = self.session_messages(session).filtered("attachment_ids")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_guest_id, session.live_chat_guest_id)
        self.assertEqual(message.attachment_ids.mimetype, "image/png")
        self.assertEqual(message.attachment_ids.res_model, "discuss.channel")
        self.assertEqual(message.attachment_ids.res_id, session.id)
        self.start_tour("/web#action=mail.action_discuss", "live_chat_visitor_operator_sees_image",
                        login=self.operator.login)

    # -- 6. operator PDF downloaded by the visitor ----------------------

    def test_06_operator_pdf_downloaded_by_the_visitor(self):
        def script(op):
            found = op.wait_message("Send me the guide please")
            attachment_id = op.call("ir.attachment", "create", {
                "name": "guide.pdf", "datas": base64.b64encode(PDF).decode(), "mimetype": "application/pdf",
                "res_model": "mail.compose.message", "res_id": 0})
            op.post(found["res_id"], "Here is the guide", [attachment_id])

        self.visitor_tour("live_chat_visitor_operator_pdf", script)
        attachment = self.session_messages(self.sessions()).attachment_ids
        self.assertEqual(attachment.mapped("name"), ["guide.pdf"])

    # -- 7. typing ------------------------------------------------------

    def test_07_typing_both_ways(self):
        def script(op):
            found = op.wait_message("Are you typing?")
            op.rpc("/discuss/channel/notify_typing", {"channel_id": found["res_id"], "is_typing": True})

        self.visitor_tour("live_chat_visitor_typing", script)
        session = self.sessions()
        visitor = self.visitor_member(session)
        # What the operator's thread gets: mail's member typing notification
        # on the session's bus channel, for the visitor's member.
        typing = [p for p in self.bus_payloads(session, "discuss.channel.member/typing_status")
                  if p.get("id") == visitor.id]
        self.assertTrue(typing, "the visitor's typing did not reach the operator's thread")
        self.assertTrue(typing[0]["isTyping"])

    # -- 8. seen --------------------------------------------------------

    def test_08_seen_both_ways(self):
        def script(op):
            found = op.wait_message("Did you read this?")
            time.sleep(2)  # the visitor checks there is no "Seen" yet
            op.rpc("/discuss/channel/set_last_seen_message",
                   {"channel_id": found["res_id"], "last_message_id": found["id"]})
            time.sleep(2)  # the visitor sees "Seen"
            op.post(found["res_id"], "Yes I read it")

        self.visitor_tour("live_chat_visitor_seen", script)
        session = self.sessions()
        reply = self.session_messages(session)[-1]
        self.assertIn("Yes I read it", str(reply.body))
        visitor = self.visitor_member(session)
        self.assertEqual(visitor.seen_message_id, reply, "the visitor's read reached the server")
        # What the operator's thread gets: mail's seen info of the visitor's
        # member on the session's bus channel (Odoo's seen indicator).
        seen = [p["ChannelMember"] for p in self.bus_payloads(session, "mail.record/insert")
                if (p.get("ChannelMember") or {}).get("id") == visitor.id
                and (p["ChannelMember"].get("lastSeenMessage") or {}).get("id") == reply.id]
        self.assertTrue(seen, "the operator's thread was not told the visitor saw the reply")


@tagged("post_install", "-at_install")
class TestVisitorToursMobile(VisitorTourCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_09_round_button_and_full_screen_on_a_phone(self):
        self.visitor_tour("live_chat_visitor_mobile")
        self.assertEqual(len(self.sessions()), 1)


class Visitor(threading.Thread):
    """The visitor over the widget's routes, in another thread: types until
    the operator's reply arrives, then reads it."""

    def __init__(self, case, session_id, guest_token, expect):
        super().__init__(daemon=True)
        self.base = case.base_url()
        self.auth = {"session_id": session_id, "guest_token": guest_token}
        self.expect = expect
        self.error = None
        self.seen_id = None

    def call(self, route, params):
        response = requests.post(self.base + route, data=json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {**self.auth, **params}}),
            headers={"Content-Type": "text/plain"}, timeout=30)
        answer = response.json()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer.get("result")

    def run(self):
        try:
            time.sleep(3)
            deadline = time.time() + 50
            while time.time() < deadline:
                self.call("/live_chat/session/typing", {"typing": True})
                messages = self.call("/live_chat/session/messages", {})["messages"]
                reply = [m for m in messages if self.expect in m["body"]]
                if reply:
                    self.call("/live_chat/session/typing", {"typing": False})
                    time.sleep(1.5)  # the operator's tour checks it is not seen yet
                    self.call("/live_chat/session/seen", {"message_id": reply[0]["id"]})
                    self.seen_id = reply[0]["id"]
                    return
                time.sleep(2.1)
            self.error = "the operator's reply never arrived"
        except Exception as error:  # noqa: BLE001 -- reported by the test
            self.error = repr(error)


@tagged("post_install", "-at_install")
class TestVisitorToursOperatorSide(VisitorTourCase):

    def test_10_operator_sees_the_visitor_typing_and_reading(self):
        response = self.url_open("/live_chat/session/start", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                "channel_id": self.channel.id, "url": "https://example.com/", "visitor_name": "Tina Typer",
                "body": "Hi, I am Tina"}}), headers={"Content-Type": "text/plain"})
        start = response.json()["result"]
        visitor = Visitor(self, start["session_id"], start["guest_token"], "Operator reply for seen")
        visitor.start()
        try:
            self.start_tour("/web#action=mail.action_discuss", "live_chat_visitor_operator_sees_typing_and_seen",
                            login=self.operator.login, timeout=120)
        finally:
            visitor.join(10)
        self.assertIsNone(visitor.error)
        self.env.invalidate_all()
        session = self.sessions()
        self.assertEqual(self.visitor_member(session).seen_message_id.id, visitor.seen_id)
