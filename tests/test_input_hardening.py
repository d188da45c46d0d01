"""Issue 15, finding 9: the lesser ones."""
import json

from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_session_api import LiveChatApiCase


@tagged("post_install", "-at_install")
class TestInputHardening(LiveChatApiCase):

    def setUp(self):
        super().setUp()
        self.started = self.start(visitor_name="Nina")
        self.own = {"session_id": self.started["session_id"], "guest_token": self.started["guest_token"]}

    def test_javascript_url_is_not_kept_as_the_page(self):
        started = self.start(url="javascript:alert(document.cookie)")
        self.assertFalse(self.session_of(started).live_chat_url)
        started = self.start(url="https://shop.test/cart")
        self.assertEqual(self.session_of(started).live_chat_url, "https://shop.test/cart")

    def test_deep_json_and_huge_ids_are_clear_400s(self):
        deep = '{"jsonrpc": "2.0", "id": 1, "params": {"session_id": ' + "[" * 5000 + "]" * 5000 + "}}"
        answer = self.call("/live_chat/session/messages", raw=deep)
        self.assertEqual(answer["error"]["code"], 400, answer)
        for after_id in (2**31, 2**40, "99999999999"):
            with self.subTest(after_id=after_id):
                error = self.refused("/live_chat/session/messages", {**self.own, "after_id": after_id},
                                     "bad_request")
                self.assertEqual(error["code"], 400)
        self.refused("/live_chat/session/messages", {"session_id": 2**31, "guest_token": "x"}, "bad_request")

    def test_nul_bytes_and_lone_surrogates_are_refused(self):
        for params in ({"visitor_name": "Ni\x00na"}, {"url": "https://s.test/\x00"},
                       {"visitor_name": "\ud800"}, {"url": "https://s.test/\udfff"}):
            with self.subTest(params=repr(params)):
                error = self.refused("/live_chat/session/start",
                                     {"channel_id": self.channel.id, **params}, "bad_request")
                self.assertEqual(error["code"], 400)
        before = self.session_of(self.started).message_ids
        for body in ("\ud83d", "a\x00b"):
            self.refused("/live_chat/session/post", {**self.own, "body": body}, "bad_request")
        for body in ("\u200b\u200b\u200b", "\u200b \ufeff\u2060", "\u202e"):
            self.refused("/live_chat/session/post", {**self.own, "body": body}, "empty_message")
        self.assertEqual(self.session_of(self.started).message_ids, before, "no empty message stored")

    def test_bidi_overrides_are_stripped_from_names(self):
        started = self.start(visitor_name="Ada\u202e\u2066gpj.exe")
        session = self.session_of(started)
        self.assertEqual(session.live_chat_guest_id.name, "Adagpj.exe")
        self.assertEqual(session.live_chat_visitor_name, "Adagpj.exe")
        self.assertNotIn("\u202e", session.name)

    def test_chunked_oversized_body_is_refused(self):
        def chunks():
            for _index in range(64):  # 4 MB, no Content-Length
                yield b" " * 65536
        response = self.url_open("/live_chat/init", data=chunks(), headers={"Content-Type": "text/plain"})
        self.assertEqual(response.json()["error"]["data"]["code"], "too_long")

    @mute_logger("odoo.http")
    def test_mail_errors_carry_no_traceback_to_visitors(self):
        response = self.url_open("/mail/message/post", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                "thread_model": "discuss.channel", "thread_id": self.started["session_id"],
                "post_data": {"body": "x"}}}),
            headers={"Content-Type": "application/json", "Cookie": f"dgid={self.started['guest_token']}"})
        error = response.json()["error"]
        self.assertFalse(error["data"].get("debug"), error)
        self.assertNotIn("Traceback", response.text)
