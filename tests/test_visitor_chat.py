"""Issue 14 on the server: a session starts with the visitor's first
message, files both ways, typing, seen, and visitor-safe real time."""
import io
import json
from datetime import timedelta
from unittest.mock import patch

from markupsafe import Markup
from PIL import Image

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.website.tools import MockRequest

from .common import new_operator
from .test_session_api import LiveChatApiCase


def png_bytes(color="red"):
    data = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(data, "PNG")
    return data.getvalue()


class VisitorChatCase(LiveChatApiCase):

    def counts(self):
        self.env.cr.precommit.run()  # bus notifications are written on commit
        return (self.env["discuss.channel"].search_count([]),
                self.env["mail.guest"].sudo().search_count([]),
                self.env["bus.bus"].sudo().search_count([]))

    def own(self, started):
        return {"session_id": started["session_id"], "guest_token": started["guest_token"]}

    def notifications(self, target, kind=None):
        """The bus notifications sent to `target` (a record), oldest first;
        `kind` a type, or a prefix ending with "/"."""
        self.env.cr.precommit.run()  # bus notifications are written on commit
        self.env.flush_all()
        wanted = [self.env.cr.dbname, target._name, target.id]
        found = []
        for row in self.env["bus.bus"].sudo().search([], order="id"):
            if json.loads(row.channel) == wanted:
                message = json.loads(row.message)
                if kind is None or message["type"] == kind or (
                        kind.endswith("/") and message["type"].startswith(kind)):
                    found.append(message)
        return found

    def guest_of(self, started):
        return self.session_of(started).live_chat_guest_id

    def upload(self, started, name, content, mimetype="application/octet-stream", **fields_):
        response = self.url_open("/live_chat/session/upload", data={**self.own(started), **fields_},
                                 files={"file": (name, content, mimetype)})
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertNotIn("Traceback", response.text)
        return response.json()

    def operator_posts(self, session, body, **kwargs):
        operator = session.live_chat_operator_id
        return session.with_user(operator).message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_comment", **kwargs)


@tagged("post_install", "-at_install")
class TestVisitorInitAndStart(VisitorChatCase):

    def test_init_creates_nothing_and_shows_the_welcome(self):
        before = self.counts()
        result = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})
        self.assertEqual(self.counts(), before, "no session, no guest, no bus notification")
        self.assertEqual([m["body"] for m in result["welcome"]], ["Welcome! How can we help?"])
        welcome = result["welcome"][0]
        self.assertIsNone(welcome["id"])
        self.assertIsNone(welcome["date"])
        self.assertEqual(welcome["author_name"], "API Support")
        self.assertFalse(welcome["is_visitor"] or welcome["is_bot"] or welcome["is_notification"])
        options = result["options"]
        self.assertIs(options["sound"], True)
        self.assertIs(options["uploads"], True)
        self.assertEqual(options["max_file_bytes"], 10485760)
        self.assertIn("image/png", options["allowed_file_types"])
        self.assertIn("application/pdf", options["allowed_file_types"])
        self.assertNotIn("image/svg+xml", options["allowed_file_types"])
        self.assertEqual(options["company_name"], self.env.company.name)
        self.assertIn("company_logo_url", options)
        self.channel.write({"sound": False, "uploads": False})
        options = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})["options"]
        self.assertEqual((options["sound"], options["uploads"]), (False, False))

    def test_start_without_body_or_answer_is_refused_and_creates_nothing(self):
        before = self.counts()
        for params in ({}, {"body": ""}, {"body": "   \n"}, {"body": None}):
            error = self.refused("/live_chat/session/start",
                                 {"channel_id": self.channel.id, "url": "http://s.test/", **params}, "bad_request")
            self.assertEqual(error["code"], 400)
        self.assertEqual(self.counts(), before)

    def test_start_with_body_welcome_first_then_the_visitor(self):
        started = self.start(visitor_name="Alice", body="Where is my parcel?")
        session = self.session_of(started)
        self.assertTrue(session.live_chat_visitor_wrote)
        operator = session.live_chat_operator_id
        self.assertIn(operator, self.operator | self.operator_2, "the operator is assigned now")
        self.assertEqual([(m["body"], m["is_visitor"], m["is_operator"]) for m in started["messages"]],
                         [("Welcome! How can we help?", False, True), ("Where is my parcel?", True, False)])
        welcome, first = self.env["mail.message"].browse([m["id"] for m in started["messages"]])
        self.assertEqual(welcome.author_id, operator.partner_id)
        self.assertLess(welcome.id, first.id)
        self.assertEqual(first.author_guest_id, session.live_chat_guest_id)
        self.assertEqual(started["message_id"], first.id)
        self.assertEqual(started["message"]["body"], "Where is my parcel?")
        self.assertEqual(started["seen_message_id"], 0)
        self.assertEqual(started["operator_avatar_url"], f"/live_chat/avatar/operator/{operator.id}")
        self.assertEqual(started["messages"][0]["author_avatar_url"], f"/live_chat/avatar/operator/{operator.id}")
        self.assertIsNone(started["messages"][1]["author_avatar_url"])
        # Nothing for the visitor on the bus: everything is in the answer.
        self.assertFalse(self.notifications(session.live_chat_guest_id, "live_chat/"))

    def test_no_operator_creates_nothing(self):
        self.set_presence(self.operator, minutes_ago=31)
        self.set_presence(self.operator_2, minutes_ago=31)
        before = self.counts()
        error = self.refused("/live_chat/session/start", {
            "channel_id": self.channel.id, "url": "http://s.test/", "body": "Anyone?"}, "no_operator")
        self.assertEqual(error["code"], 503)
        self.assertEqual(self.counts(), before)

    def test_start_rate_limited_creates_nothing(self):
        self.env["ir.config_parameter"].sudo().set_param("live_chat.rate_limit_address", "1")
        self.start()
        before = self.counts()
        self.refused("/live_chat/session/start", {
            "channel_id": self.channel.id, "url": "http://s.test/", "body": "again"}, "rate_limited")
        self.assertEqual(self.counts(), before)

    def test_error_texts_never_name_a_field(self):
        error = self.refused("/live_chat/session/start", {
            "channel_id": self.channel.id, "body": "x" * 4001}, "too_long")
        self.assertEqual(error["message"], "Your message is too long: 4,000 characters at most.")
        started = self.start()
        error = self.refused("/live_chat/session/post", {**self.own(started), "body": "x" * 4001}, "too_long")
        self.assertEqual(error["message"], "Your message is too long: 4,000 characters at most.")
        cases = [
            ("/live_chat/init", {"channel_id": "abc"}),
            ("/live_chat/init", {"channel_id": self.channel.id, "url": 12}),
            ("/live_chat/session/start", {"channel_id": self.channel.id, "visitor_name": "n" * 101, "body": "hi"}),
            ("/live_chat/session/post", {**self.own(started), "body": 5}),
            ("/live_chat/session/post", {**self.own(started), "session_id": "x", "body": "hi"}),
            ("/live_chat/session/messages", {**self.own(started), "after_id": "last"}),
            ("/live_chat/session/seen", {**self.own(started), "message_id": "x"}),
            ("/live_chat/session/typing", {**self.own(started), "typing": "yes"}),
        ]
        for route, params in cases:
            answer = self.call(route, params)
            message = answer["error"]["message"]
            for name in ("channel_id", "url", "visitor_name", "body", "session_id", "after_id",
                         "message_id", "“", "”"):
                self.assertNotIn(name, message, (route, params, message))

    def test_error_texts_in_the_visitor_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        error = self.refused("/live_chat/session/start", {
            "channel_id": self.channel.id, "body": "x" * 4001, "lang": "es_ES"}, "too_long")
        self.assertIn("4.000", error["message"], "the number formatted in the visitor's language")


@tagged("post_install", "-at_install")
class TestVisitorChatbotStart(VisitorChatCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Step = cls.env["live_chat.chatbot.step"]
        cls.script = cls.env["live_chat.chatbot.script"].create({"name": "Start bot", "bot_name": "Robbie"})
        step = lambda seq, kind, message=False: Step.create({  # noqa: E731
            "script_id": cls.script.id, "sequence": seq, "step_type": kind, "message": message})
        step(10, "text", "Hi, I'm Robbie.")
        cls.question = step(20, "question", "What do you need?")
        cls.faq = step(30, "text", "We ship in 2 days.")
        step(40, "end", "Bye!")
        cls.answer_faq = cls.env["live_chat.chatbot.answer"].create(
            {"step_id": cls.question.id, "name": "Shipping", "next_step_id": cls.faq.id})
        cls.channel.rule_ids = [Command.clear(), Command.create({
            "action": "show", "chatbot_script_id": cls.script.id})]

    def test_init_gives_the_opening_and_the_first_question(self):
        before = self.counts()
        result = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})
        self.assertEqual(self.counts(), before)
        self.assertEqual([m["body"] for m in result["welcome"]], ["Hi, I'm Robbie.", "What do you need?"])
        self.assertTrue(all(m["is_bot"] and m["author_name"] == "Robbie" for m in result["welcome"]))
        self.assertEqual(result["welcome"][0]["author_avatar_url"], f"/live_chat/chatbot/{self.script.id}/avatar")
        self.assertEqual(result["chatbot"]["step"], {
            "id": self.question.id, "type": "question",
            "answers": [{"id": self.answer_faq.id, "name": "Shipping"}]})

    def test_start_with_answer(self):
        started = self.start(answer_id=self.answer_faq.id)
        self.assertEqual([(m["body"], m["is_bot"], m["is_visitor"]) for m in started["messages"]], [
            ("Hi, I'm Robbie.", True, False), ("What do you need?", True, False),
            ("Shipping", False, True), ("We ship in 2 days.", True, False), ("Bye!", True, False)])
        self.assertEqual(started["message"]["body"], "Shipping")
        self.assertTrue(started["chatbot"]["ended"])
        self.assertTrue(self.session_of(started).live_chat_visitor_wrote)

    def test_start_with_a_typed_answer(self):
        started = self.start(body="shipping")
        self.assertEqual([m["body"] for m in started["messages"]][2:], ["shipping", "We ship in 2 days.", "Bye!"])

    def test_start_with_a_wrong_answer_creates_nothing(self):
        other = self.env["live_chat.chatbot.answer"].create({"step_id": self.question.id, "name": "x"})
        other_step = self.env["live_chat.chatbot.step"].create(
            {"script_id": self.script.id, "sequence": 99, "step_type": "question", "message": "Later?"})
        late = self.env["live_chat.chatbot.answer"].create({"step_id": other_step.id, "name": "late"})
        self.assertTrue(other)
        before = self.counts()
        for answer_id in (late.id, 999999):
            self.refused("/live_chat/session/start", {
                "channel_id": self.channel.id, "url": "http://s.test/", "answer_id": answer_id}, "bad_answer")
        self.assertEqual(self.counts(), before)

    def test_bot_replies_to_a_post_reach_the_visitor_on_the_bus(self):
        started = self.start(body="hm")  # not an answer: the bot asks again
        guest = self.guest_of(started)
        self.assertEqual(started["messages"][-1]["body"], "Please pick one of the answers.")
        self.assertFalse(self.notifications(guest, "live_chat/"))
        posted = self.ok("/live_chat/session/post", {**self.own(started), "body": "Shipping"})
        sent = self.notifications(guest, "live_chat/message")
        self.assertEqual([n["payload"]["message"]["body"] for n in sent], ["We ship in 2 days.", "Bye!"])
        self.assertNotIn(posted["message_id"], [n["payload"]["message"]["id"] for n in sent],
                         "the visitor's own message is in the answer, not on the bus")


@tagged("post_install", "-at_install")
class TestVisitorRealTime(VisitorChatCase):

    def test_live_chat_sessions_are_not_in_the_guest_bus_channels(self):
        started = self.start()
        session, guest = self.session_of(started), self.guest_of(started)
        group = self.env["discuss.channel"].create({"name": "group", "channel_type": "group"})
        group.add_members(guest_ids=guest.ids)
        public = self.env(user=self.env.ref("base.public_user"))
        with MockRequest(public):
            channels = public["ir.websocket"]._build_bus_channel_list(
                [f"mail.guest_{started['guest_token']}", f"discuss.channel_{session.id}"])
        records = [c[0] if isinstance(c, tuple) else c for c in channels]
        self.assertIn(guest, records)
        self.assertIn(group, records, "other channels of the guest stay")
        self.assertNotIn(session.id, [r.id for r in records if getattr(r, "_name", "") == "discuss.channel"])

    def test_logged_in_visitor_does_not_listen_to_its_session_but_operator_does(self):
        portal = new_test_user(self.env, login="rt_portal", name="Paula Portal", groups="base.group_portal")
        self.authenticate("rt_portal", "rt_portal")
        started = self.start()
        session = self.session_of(started)
        env = self.env(user=portal)
        with MockRequest(env):
            channels = env["ir.websocket"]._build_bus_channel_list([])
        self.assertNotIn(session, [c[0] if isinstance(c, tuple) else c for c in channels])
        operator_env = self.env(user=session.live_chat_operator_id)
        with MockRequest(operator_env):
            channels = operator_env["ir.websocket"]._build_bus_channel_list([])
        self.assertIn(session, [c for c in channels if not isinstance(c, tuple)])

    def test_operator_reply_is_sent_to_the_visitor_without_private_data(self):
        started = self.start()
        session, guest = self.session_of(started), self.guest_of(started)
        operator = session.live_chat_operator_id
        operator.partner_id.email = "secret.operator@example.com"
        reply = self.operator_posts(session, "On its way!")
        sent = self.notifications(guest, "live_chat/")
        # mail marks the operator's own message as seen by them: the visitor
        # is told (the operator read everything before it), then gets it.
        self.assertEqual([n["type"] for n in sent], ["live_chat/seen", "live_chat/message"])
        self.assertEqual(sent[0]["payload"], {"session_id": session.id, "message_id": reply.id})
        sent = sent[1:]
        self.assertFalse([n for n in self.notifications(guest) if "live_chat/" not in n["type"]
                          and "Message" in n["payload"]], "none of mail's message notifications")
        payload = sent[0]["payload"]
        self.assertEqual(payload["session_id"], session.id)
        message = payload["message"]
        self.assertEqual(set(message), {"id", "author_name", "author_avatar_url", "body", "date", "is_visitor",
                                        "is_bot", "is_operator", "is_notification", "edited", "deleted",
                                        "attachments"})
        self.assertEqual((message["id"], message["body"], message["is_operator"]), (reply.id, "On its way!", True))
        self.assertEqual(message["author_name"], operator._get_live_chat_name())
        self.assertEqual(message["author_avatar_url"], f"/live_chat/avatar/operator/{operator.id}")
        self.assertTrue(message["date"].endswith("Z"))
        text = json.dumps(sent)
        self.assertNotIn("secret.operator", text)
        if operator.live_chat_name:
            self.assertNotIn(operator.name, text)
        self.assertNotIn("partner", text)

    def test_visitor_post_is_not_echoed_on_the_bus(self):
        started = self.start()
        self.ok("/live_chat/session/post", {**self.own(started), "body": "second"})
        self.assertFalse(self.notifications(self.guest_of(started), "live_chat/"))

    def test_edit_and_delete_reach_the_visitor(self):
        started = self.start()
        session, guest = self.session_of(started), self.guest_of(started)
        operator = session.live_chat_operator_id
        reply = self.operator_posts(session, "Tpyo")
        self.env.cr.precommit.run()
        self.env["bus.bus"].sudo().search([]).unlink()
        session.with_user(operator)._message_update_content(reply, Markup("<p>Typo</p>"), attachment_ids=None)
        session.with_user(operator)._message_update_content(reply, "", attachment_ids=[])
        sent = self.notifications(guest, "live_chat/message_update")
        self.assertEqual([(n["payload"]["message"]["body"], n["payload"]["message"]["edited"],
                           n["payload"]["message"]["deleted"]) for n in sent],
                         [("Typo", True, False), ("", False, True)])
        history = self.ok("/live_chat/session/messages", self.own(started))["messages"]
        self.assertTrue([m for m in history if m["id"] == reply.id][0]["deleted"])

    def test_edited_message_in_history(self):
        started = self.start()
        session = self.session_of(started)
        reply = self.operator_posts(session, "first")
        session.with_user(session.live_chat_operator_id)._message_update_content(reply, Markup("second"))
        history = self.ok("/live_chat/session/messages", self.own(started))["messages"]
        mine = [m for m in history if m["id"] == reply.id][0]
        self.assertEqual((mine["body"], mine["edited"], mine["deleted"]), ("second", True, False))

    def test_operator_typing_reaches_the_visitor(self):
        started = self.start()
        session, guest = self.session_of(started), self.guest_of(started)
        operator = session.live_chat_operator_id
        member = session.channel_member_ids.filtered(lambda m: m.partner_id == operator.partner_id)
        member.with_user(operator)._notify_typing(True)
        sent = self.notifications(guest, "live_chat/typing")
        self.assertEqual([n["payload"] for n in sent], [
            {"session_id": session.id, "typing": True, "author_name": operator._get_live_chat_name()}])
        self.assertTrue(self.ok("/live_chat/session/messages", self.own(started))["typing"])
        member.with_user(operator)._notify_typing(False)
        self.assertFalse(self.ok("/live_chat/session/messages", self.own(started))["typing"])
        self.assertEqual(len(self.notifications(guest, "live_chat/typing")), 2)

    def test_visitor_typing_is_throttled(self):
        started = self.start()
        session = self.session_of(started)
        params = self.own(started)

        def typing_notifications():
            return [n["payload"]["isTyping"]
                    for n in self.notifications(session, "discuss.channel.member/typing_status")]

        self.assertEqual(self.ok("/live_chat/session/typing", {**params, "typing": True}), {"ok": True})
        self.assertEqual(self.ok("/live_chat/session/typing", {**params, "typing": True}),
                         {"ok": True, "throttled": True})
        self.assertEqual(typing_notifications(), [True], "the operator's thread shows the visitor typing, once")
        self.assertEqual(self.ok("/live_chat/session/typing", {**params, "typing": False}), {"ok": True})
        self.assertEqual(self.ok("/live_chat/session/typing", {**params, "typing": False})["throttled"], True)
        self.assertEqual(self.ok("/live_chat/session/typing", {**params, "typing": True})["throttled"], True)
        later = fields.Datetime.now() + timedelta(seconds=3)
        with patch.object(fields.Datetime, "now", return_value=later):
            self.assertEqual(self.ok("/live_chat/session/typing", {**params, "typing": True}), {"ok": True})
        self.assertEqual(typing_notifications(), [True, False, True])
        guest_member = session.channel_member_ids.filtered("guest_id")
        payload = self.notifications(session, "discuss.channel.member/typing_status")[0]["payload"]
        self.assertEqual(payload["id"], guest_member.id)

    def test_visitor_seen_sets_the_member_and_tells_the_operator(self):
        started = self.start()
        session = self.session_of(started)
        reply = self.operator_posts(session, "Hello there")
        self.env.cr.precommit.run()
        self.env["bus.bus"].sudo().search([]).unlink()
        self.assertEqual(self.ok("/live_chat/session/seen", {**self.own(started), "message_id": reply.id}),
                         {"ok": True})
        guest_member = session.channel_member_ids.filtered("guest_id")
        self.assertEqual(guest_member.seen_message_id, reply)
        sent = [n["payload"]["ChannelMember"] for n in self.notifications(session, "mail.record/insert")
                if "ChannelMember" in n["payload"]]
        self.assertEqual([(m["id"], m["lastSeenMessage"]) for m in sent], [(guest_member.id, {"id": reply.id})],
                         "Odoo's seen indicator in the operator's thread")

    def test_operator_seen_reaches_the_visitor(self):
        started = self.start()
        session, guest = self.session_of(started), self.guest_of(started)
        operator = session.live_chat_operator_id
        session.with_user(operator)._channel_seen(started["message_id"])
        sent = self.notifications(guest, "live_chat/seen")
        self.assertEqual([n["payload"] for n in sent],
                         [{"session_id": session.id, "message_id": started["message_id"]}])
        session.with_user(operator)._channel_seen(started["message_id"])
        self.assertEqual(len(self.notifications(guest, "live_chat/seen")), 1, "seen again: nothing new")
        state = self.ok("/live_chat/session/messages", self.own(started))
        self.assertEqual(state["seen_message_id"], started["message_id"])

    def test_operator_close_reaches_the_visitor(self):
        started = self.start()
        session, guest = self.session_of(started), self.guest_of(started)
        session.with_user(session.live_chat_operator_id).live_chat_close_by_operator()
        kinds = [n["type"] for n in self.notifications(guest, "live_chat/")]
        self.assertEqual(kinds, ["live_chat/seen", "live_chat/message", "live_chat/closed"])
        self.assertEqual(self.notifications(guest, "live_chat/closed")[0]["payload"], {"session_id": session.id})


@tagged("post_install", "-at_install")
class TestVisitorFiles(VisitorChatCase):

    def test_visitor_uploads_an_image(self):
        started = self.start()
        session = self.session_of(started)
        answer = self.upload(started, "photo.jpg", png_bytes())
        self.assertNotIn("error", answer, answer)
        message = answer["result"]["message"]
        self.assertTrue(message["is_visitor"])
        self.assertFalse(message["deleted"])
        [attachment] = message["attachments"]
        self.assertEqual(attachment["mimetype"], "image/png", "sniffed from the content, not the name")
        self.assertTrue(attachment["is_image"])
        self.assertEqual(attachment["url"], f"/live_chat/session/{session.id}/attachment/{attachment['id']}")
        record = self.env["ir.attachment"].browse(attachment["id"])
        self.assertEqual((record.res_model, record.res_id), ("discuss.channel", session.id))
        self.assertEqual(self.env["mail.message"].browse(answer["result"]["message_id"]).attachment_ids, record)
        response = self.url_open(f"{attachment['url']}?guest_token={started['guest_token']}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, png_bytes())
        self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response.headers["Content-Security-Policy"], "sandbox")
        self.assertNotIn("attachment", response.headers.get("Content-Disposition", ""))

    def test_file_too_large(self):
        self.env["ir.config_parameter"].sudo().set_param("live_chat.upload_max_bytes", "100")
        started = self.start()
        before = self.env["ir.attachment"].search_count([])
        answer = self.upload(started, "big.txt", b"a" * 101)
        self.assertEqual(answer["error"]["data"]["code"], "file_too_large")
        self.assertEqual(answer["error"]["code"], 413)
        self.assertNotIn("upload_max_bytes", answer["error"]["message"])
        self.assertEqual(self.env["ir.attachment"].search_count([]), before)
        self.assertNotIn("error", self.upload(started, "ok.txt", b"a" * 100))

    def test_wrong_types_are_refused(self):
        started = self.start()
        before = self.env["ir.attachment"].search_count([])
        for name, content in [
            ("cat.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
            ("cat.png", b"<html><body onload=alert(1)>"),
            ("cat.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
            ("cat.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'),
            ("run.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
        ]:
            answer = self.upload(started, name, content, "image/png")
            self.assertEqual(answer.get("error", {}).get("data", {}).get("code"), "bad_file_type", (name, content))
            self.assertEqual(answer["error"]["code"], 415)
        self.assertEqual(self.env["ir.attachment"].search_count([]), before)
        for name, content, mimetype in [("notes.txt", "héllo\n".encode(), "text/plain"),
                                        ("data.csv", b"a,b\n1,2\n", "text/csv"),
                                        ("doc.pdf", b"%PDF-1.4\n%...", "application/pdf")]:
            answer = self.upload(started, name, content)
            self.assertEqual(answer["result"]["message"]["attachments"][0]["mimetype"], mimetype)
            self.assertFalse(answer["result"]["message"]["attachments"][0]["is_image"])

    def test_too_many_files(self):
        started = self.start()
        for index in range(5):
            self.assertNotIn("error", self.upload(started, f"{index}.png", png_bytes()))
        answer = self.upload(started, "6.png", png_bytes())
        self.assertEqual(answer["error"]["data"]["code"], "rate_limited")
        self.assertEqual(answer["error"]["code"], 429)
        later = fields.Datetime.now() + timedelta(seconds=61)
        with patch.object(fields.Datetime, "now", return_value=later):
            self.assertNotIn("error", self.upload(started, "6.png", png_bytes()))

    def test_uploads_disabled(self):
        self.channel.uploads = False
        started = self.start()
        answer = self.upload(started, "a.png", png_bytes())
        self.assertEqual(answer["error"]["data"]["code"], "uploads_disabled")
        self.assertEqual(answer["error"]["code"], 403)

    def test_upload_to_closed_or_foreign_session(self):
        started, other = self.start(), self.start()
        answer = self.upload(started, "a.png", png_bytes(), guest_token=other["guest_token"])
        self.assertEqual(answer["error"]["data"]["code"], "unknown_session")
        self.ok("/live_chat/session/close", self.own(started))
        answer = self.upload(started, "a.png", png_bytes())
        self.assertEqual(answer["error"]["data"]["code"], "session_closed")
        answer = self.upload(other, "", b"")
        self.assertEqual(answer["error"]["data"]["code"], "bad_request")

    def test_another_visitor_gets_404(self):
        mine, other = self.start(), self.start()
        attachment = self.upload(mine, "a.png", png_bytes())["result"]["message"]["attachments"][0]
        url = attachment["url"]
        self.assertEqual(self.url_open(f"{url}?guest_token={mine['guest_token']}").status_code, 200)
        for query in (f"?guest_token={other['guest_token']}", "", "?guest_token=garbage",
                      f"?guest_token={mine['guest_token'].split('|')[0]}|wrong"):
            self.assertEqual(self.url_open(url + query).status_code, 404, query)
        # The right token, through another session's URL, or an unknown file.
        other_url = f"/live_chat/session/{other['session_id']}/attachment/{attachment['id']}"
        self.assertEqual(self.url_open(f"{other_url}?guest_token={other['guest_token']}").status_code, 404)
        unknown = f"/live_chat/session/{mine['session_id']}/attachment/{attachment['id'] + 1000}"
        self.assertEqual(self.url_open(f"{unknown}?guest_token={mine['guest_token']}").status_code, 404)

    def test_operator_attachment_reaches_and_downloads_for_the_visitor(self):
        started = self.start()
        session, guest = self.session_of(started), self.guest_of(started)
        operator = session.live_chat_operator_id
        pdf = b"%PDF-1.4\n% operator's invoice\n"
        attachment = self.env["ir.attachment"].with_user(operator).create({
            "name": "invoice.pdf", "raw": pdf, "res_model": "discuss.channel", "res_id": session.id})
        # Uploaded in Discuss but not sent yet: not the visitor's.
        url = f"/live_chat/session/{session.id}/attachment/{attachment.id}?guest_token={started['guest_token']}"
        self.assertEqual(self.url_open(url).status_code, 404)
        self.operator_posts(session, "Here it is", attachment_ids=attachment.ids)
        [sent] = self.notifications(guest, "live_chat/message")
        self.assertEqual([(a["id"], a["name"], a["mimetype"], a["size"], a["is_image"])
                          for a in sent["payload"]["message"]["attachments"]],
                         [(attachment.id, "invoice.pdf", "application/pdf", len(pdf), False)])
        response = self.url_open(url + "&download=1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, pdf)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        history = self.ok("/live_chat/session/messages", self.own(started))["messages"]
        self.assertEqual(history[-1]["attachments"][0]["id"], attachment.id)


@tagged("post_install", "-at_install")
class TestVisitorAvatarsAndCounts(VisitorChatCase):

    def test_operator_avatar_route(self):
        response = self.url_open(f"/live_chat/avatar/operator/{self.operator.id}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("image/"))
        employee = new_test_user(self.env, login="av_employee", name="Eve Employee", groups="base.group_user")
        portal = new_test_user(self.env, login="av_portal", name="Paula Portal", groups="base.group_portal")
        for user_id in (employee.id, portal.id, 999999, self.env.ref("base.public_user").id):
            self.assertEqual(self.url_open(f"/live_chat/avatar/operator/{user_id}").status_code, 404, user_id)
        self.channel.active = False
        self.assertEqual(self.url_open(f"/live_chat/avatar/operator/{self.operator.id}").status_code, 404)

    def test_former_operator_keeps_an_avatar_on_past_sessions(self):
        former = new_operator(self.env, "av_former", "Fred Former")
        self.assertEqual(self.url_open(f"/live_chat/avatar/operator/{former.id}").status_code, 404)
        self.env["discuss.channel"].create({"name": "past", "channel_type": "live_chat",
                                            "live_chat_channel_id": self.channel.id,
                                            "live_chat_operator_id": former.id})
        self.assertEqual(self.url_open(f"/live_chat/avatar/operator/{former.id}").status_code, 200)

    def test_only_sessions_where_the_visitor_wrote_count(self):
        empty = self.env["discuss.channel"].create({
            "name": "empty", "channel_type": "live_chat", "live_chat_channel_id": self.channel.id,
            "live_chat_operator_id": self.operator.id, "live_chat_start": fields.Datetime.now()})
        started = self.start()
        report = self.env["live_chat.report.session"]
        self.env.flush_all()
        self.assertEqual(report.search([("channel_id", "=", self.channel.id)]).session_id,
                         self.session_of(started))
        self.channel.invalidate_recordset(["recent_session_count"])
        self.assertEqual(self.channel.recent_session_count, 1)
        action = self.env.ref("live_chat.discuss_channel_live_chat_action")
        from odoo.tools.safe_eval import safe_eval
        domain = safe_eval(action.domain)
        found = self.env["discuss.channel"].search(domain + [("live_chat_channel_id", "=", self.channel.id)])
        self.assertEqual(found, self.session_of(started))
        self.assertNotIn(empty, found)
        self.assertFalse(empty._live_chat_operator_info()["visitorWrote"])
        self.assertTrue(self.session_of(started)._live_chat_operator_info()["visitorWrote"])

    def test_demo_bot_has_a_real_avatar(self):
        bot = self.env.ref("live_chat.chatbot_welcome_bot", raise_if_not_found=False)
        if not bot:
            self.skipTest("no demo data")  # tools/test installs demo data: never skipped there
        self.assertTrue(bot.bot_partner_id.image_1920)
        self.assertEqual(bot.bot_image[:8], b"iVBORw0K", "a PNG")
