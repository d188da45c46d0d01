"""Issue 15: what a visitor can do with its guest cookie (`dgid`, the same
token the widget holds) or its logged-in session against mail's generic
routes, as an attacker would, over HTTP."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_session_api import LiveChatApiCase


class _Recorder(BaseHTTPRequestHandler):
    hits = None

    def do_GET(self):
        self.hits.append(self.path)
        body = b"<html><head><title>INTERNAL SECRET</title></head><body>secret</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


class VisitorAttackCase(LiveChatApiCase):

    def setUp(self):
        super().setUp()
        self.operator.email = self.operator_2.email = "oscar.real@example.com"
        self.operator_2.live_chat_name = "Oz"
        self.started = self.start(visitor_name="Mallory")
        self.chat = self.session_of(self.started)
        self.own = {"session_id": self.started["session_id"], "guest_token": self.started["guest_token"]}
        self.guest = self.chat.live_chat_guest_id
        self.chat_operator = self.chat.live_chat_operator_id

    def post(self, body):
        return self.ok("/live_chat/session/post", {**self.own, "body": body})

    def mail_call(self, route, params, cookie=True, headers=None):
        """A JSON-RPC call to one of mail's routes with the visitor's guest
        cookie, as a page would make it."""
        all_headers = {"Content-Type": "application/json"}
        if cookie:
            all_headers["Cookie"] = f"dgid={self.started['guest_token']}"
        all_headers.update(headers or {})
        response = self.url_open(route, data=json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": 3, "params": params}), headers=all_headers)
        return response

    def assert_refused(self, response):
        self.assertIn(response.status_code, (200, 400, 403, 404), response.text[:300])
        if response.status_code == 200:
            answer = response.json()
            self.assertIn("error", answer, answer)
            self.assertIsNone(answer.get("result"))
        self.assertNotIn("oscar.real@example.com", response.text)
        self.assertNotIn("Oscar Operator", response.text)
        self.assertNotIn("Olga Operator", response.text)

    def session_messages(self):
        return self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", self.chat.id)])


@tagged("post_install", "-at_install")
class TestLinkPreviewSsrf(VisitorAttackCase):
    """Finding 1: no server-side fetch is ever triggered by a visitor."""

    def setUp(self):
        super().setUp()
        self.hits = []
        handler = type("Recorder", (_Recorder,), {"hits": self.hits})
        self.server = HTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.internal_url = f"http://127.0.0.1:{self.server.server_address[1]}/admin/secret"

    @mute_logger("odoo.http")
    def test_link_preview_of_a_visitor_message_fetches_nothing(self):
        posted = self.post(f"look at {self.internal_url}")
        response = self.mail_call("/mail/link_preview", {"message_id": posted["message_id"]})
        self.assertNotIn("INTERNAL SECRET", response.text)
        self.assertEqual(self.hits, [], "the server fetched a URL a visitor typed")
        self.assertFalse(self.env["mail.link.preview"].search([("message_id", "=", posted["message_id"])]))
        messages = self.mail_call("/discuss/channel/messages", {"channel_id": self.chat.id})
        self.assertNotIn("INTERNAL SECRET", messages.text)
        state = self.ok("/live_chat/session/messages", self.own)
        self.assertNotIn("INTERNAL SECRET", json.dumps(state))

    def test_no_link_preview_in_live_chat_at_all(self):
        """Not for the operator's messages either: the model refuses."""
        message = self.chat._live_chat_post(f"see {self.internal_url}", author=self.chat_operator.partner_id)
        self.env["mail.link.preview"].sudo()._create_from_message_and_notify(message)
        self.assertEqual(self.hits, [])
        self.assertFalse(message.link_preview_ids)


@tagged("post_install", "-at_install")
class TestMailRoutesRefused(VisitorAttackCase):
    """Finding 2 (and 8): mail's routes are no way around the addon's rules,
    and give a visitor no operator data."""

    @mute_logger("odoo.http")
    def test_mail_message_post_is_refused(self):
        before = self.session_messages()
        for post_data in (
            {"body": '<img src="http://tracker.test/pixel.gif"/>hi', "message_type": "comment",
             "subtype_xmlid": "mail.mt_comment"},
            {"body": "x" * 200000, "message_type": "comment"},
            {"body": "Rating: 😊 Satisfied", "message_type": "notification"},
            {"body": "internal", "message_type": "comment", "subtype_xmlid": "mail.mt_note"},
        ):
            with self.subTest(post_data=post_data["body"][:30]):
                response = self.mail_call("/mail/message/post", {
                    "thread_model": "discuss.channel", "thread_id": self.chat.id, "post_data": post_data})
                self.assert_refused(response)
        # Nor with a context that claims to be trusted.
        response = self.mail_call("/mail/message/post", {
            "thread_model": "discuss.channel", "thread_id": self.chat.id,
            "post_data": {"body": "forged", "message_type": "comment"},
            "context": {"live_chat_trusted_route": True}})
        self.assert_refused(response)
        self.assertEqual(self.session_messages(), before)

    @mute_logger("odoo.http")
    def test_update_content_is_refused(self):
        posted = self.post("my message")
        response = self.mail_call("/mail/message/update_content", {
            "message_id": posted["message_id"], "body": "<b>rewritten</b>", "attachment_ids": []})
        self.assert_refused(response)
        message = self.env["mail.message"].browse(posted["message_id"])
        self.assertIn("my message", str(message.body))
        self.ok("/live_chat/session/close", self.own)
        response = self.mail_call("/mail/message/update_content", {
            "message_id": posted["message_id"], "body": "", "attachment_ids": []})
        self.assert_refused(response)
        self.assertIn("my message", str(message.body))

    @mute_logger("odoo.http")
    def test_attachment_upload_and_delete_are_refused(self):
        response = self.url_open("/mail/attachment/upload", data={
            "thread_id": str(self.chat.id), "thread_model": "discuss.channel",
            "csrf_token": "x"}, files={"ufile": ("evil.html", b"<script>alert(1)</script>", "text/html")},
            headers={"Cookie": f"dgid={self.started['guest_token']}"})
        self.assertNotIn('"id"', response.text if response.status_code == 200 else "")
        self.assertFalse(self.env["ir.attachment"].search([
            ("res_model", "=", "discuss.channel"), ("res_id", "=", self.chat.id)]))
        # An operator's attachment cannot be deleted by the visitor.
        attachment = self.env["ir.attachment"].create({
            "name": "quote.pdf", "raw": b"%PDF-1.4", "res_model": "discuss.channel", "res_id": self.chat.id})
        response = self.mail_call("/mail/attachment/delete", {"attachment_id": attachment.id})
        self.assertTrue(attachment.exists())

    @mute_logger("odoo.http")
    def test_guest_rename_holds_the_widget_limits(self):
        response = self.mail_call("/mail/guest/update_name", {"guest_id": self.guest.id, "name": "n" * 334})
        self.assert_refused(response)
        self.assertEqual(self.guest.name, "Mallory")
        response = self.mail_call("/mail/guest/update_name", {"guest_id": self.guest.id, "name": "Bad\x00name"})
        self.assert_refused(response)
        response = self.mail_call("/mail/guest/update_name", {
            "guest_id": self.guest.id, "name": "  Ada \u202egpj.exe  "})
        self.assertNotIn("error", response.json())
        self.assertEqual(self.guest.name, "Ada gpj.exe")

    @mute_logger("odoo.http")
    def test_discuss_routes_give_a_visitor_nothing(self):
        posted = self.post("hello")
        self.chat._live_chat_post("Hi, I am here", author=self.chat_operator.partner_id)
        for route, params in (
            ("/discuss/channel/messages", {"channel_id": self.chat.id}),
            ("/discuss/channel/info", {"channel_id": self.chat.id}),
            ("/discuss/channel/members", {"channel_id": self.chat.id, "known_member_ids": []}),
            ("/discuss/channel/pinned_messages", {"channel_id": self.chat.id}),
            ("/discuss/channel/attachments", {"channel_id": self.chat.id}),
            ("/discuss/channel/set_last_seen_message", {"channel_id": self.chat.id,
                                                       "last_message_id": posted["message_id"]}),
            ("/discuss/channel/notify_typing", {"channel_id": self.chat.id, "is_typing": True}),
            ("/mail/message/reaction", {"message_id": posted["message_id"], "content": "👍", "action": "add"}),
            ("/mail/rtc/channel/join_call", {"channel_id": self.chat.id}),
        ):
            with self.subTest(route=route):
                response = self.mail_call(route, params)
                if route == "/discuss/channel/info":
                    self.assertFalse(response.json().get("result"), response.text[:300])
                else:
                    self.assert_refused(response)
        self.assertFalse(self.env["mail.message.reaction"].search([("message_id", "=", posted["message_id"])]))
        response = self.mail_call("/mail/init_messaging", {})
        self.assertNotIn("oscar.real@example.com", response.text)
        self.assertNotIn("Oscar Operator", response.text)
        self.assertNotIn("Olga Operator", response.text)

    def test_addon_routes_still_work(self):
        posted = self.post("still here")
        self.assertTrue(posted["message_id"])
        state = self.ok("/live_chat/session/messages", self.own)
        self.assertEqual(state["messages"][-1]["body"], "still here")
        # The operator still reads and answers the session in Discuss.
        session = self.chat.with_user(self.chat_operator)
        session.message_post(body="answer", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertTrue(session._channel_info())

    @mute_logger("odoo.http")
    def test_logged_in_visitor_cannot_use_mail_routes(self):
        portal = new_test_user(self.env, login="lc_portal_visitor", groups="base.group_portal",
                               name="Paula Portal")
        self.authenticate(portal.login, portal.login)
        started = self.start()
        session = self.session_of(started)
        self.assertEqual(session.live_chat_visitor_partner_id, portal.partner_id)
        before = self.env["mail.message"].search_count([("res_id", "=", session.id),
                                                        ("model", "=", "discuss.channel")])
        response = self.mail_call("/mail/message/post", {
            "thread_model": "discuss.channel", "thread_id": session.id,
            "post_data": {"body": "<img src=x>", "message_type": "comment"}}, cookie=False)
        self.assert_refused(response)
        response = self.mail_call("/mail/thread/messages", {
            "thread_model": "discuss.channel", "thread_id": session.id}, cookie=False)
        self.assertNotIn("oscar.real@example.com", response.text)
        self.assertEqual(self.env["mail.message"].search_count([("res_id", "=", session.id),
                                                                ("model", "=", "discuss.channel")]), before)
        # Its own route still works.
        self.ok("/live_chat/session/post", {"session_id": session.id, "body": "hello"})


@tagged("post_install", "-at_install")
class TestVisitorSeesNoOperatorData(VisitorAttackCase):
    """Finding 8: the chat name only, never the operator's email, real name or ids."""

    def test_messages_carry_the_chat_name_only(self):
        self.post("hello")
        self.chat._live_chat_post("Hi, Oz here", author=self.chat_operator.partner_id)
        state = self.ok("/live_chat/session/messages", self.own)
        text = json.dumps(state)
        self.assertEqual(state["operator_name"], "Oz")
        self.assertEqual(state["messages"][-1]["author_name"], "Oz")
        for secret in ("oscar.real@example.com", "Oscar Operator", "Olga Operator", "email_from"):
            with self.subTest(secret=secret):
                self.assertNotIn(secret, text)
        for message in state["messages"]:
            self.assertFalse({"email_from", "author_id", "partner_id", "author"} & set(message))
