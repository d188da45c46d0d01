"""Issue 17: offline messages and chats whose visitor is gone are answered
by email (Odoo's mail queue), and the visitor's email reply comes back into
the same session through the mail gateway."""
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tools.safe_eval import safe_eval

from .common import LiveChatCase

RAW_REPLY = """Return-Path: <{sender}>
From: {name} <{sender}>
To: {to}
Subject: Re: Your conversation with Test Support
Message-ID: <{uid}@mail.example.net>
In-Reply-To: {parent}
References: {parent}
Date: Mon, 08 Jan 2024 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"

<div>{text}</div>
<blockquote>The answer you sent me earlier</blockquote>
"""


class OfflineEmailCase(LiveChatCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator.email = "oscar@company.example.com"
        cls.operator_2.email = "olga@company.example.com"
        cls.alias_domain = cls.env["mail.alias.domain"].create({
            "name": "lc-test.example.com", "catchall_alias": "catchall", "bounce_alias": "bounce",
            "default_from": "notifications"})
        cls.env.company.write({"alias_domain_id": cls.alias_domain.id, "email": "hello@lc-test.example.com"})
        cls.Session = cls.env["discuss.channel"]

    def offline_session(self, text="Do you ship to Norway?", email="nina@example.com"):
        guest = self.env["mail.guest"].create({"name": "Nina Night"})
        return self.Session._live_chat_create_offline_session(
            self.channel, text, visitor_name="Nina Night", email=email, guest=guest, ip="198.51.100.7")

    def new_emails(self, before):
        self.env.flush_all()
        return self.env["mail.mail"].search([("id", "not in", before)])

    def answer(self, session, text, operator=None):
        return session.with_user(operator or self.operator).message_post(
            body=text, message_type="comment", subtype_xmlid="mail.mt_comment")

    def reply_by_email(self, parent, text, sender="nina@example.com", name="Nina Night", uid="reply-1"):
        raw = RAW_REPLY.format(sender=sender, name=name, to="catchall@lc-test.example.com", uid=uid,
                               parent=parent.message_id, text=text)
        return self.env["mail.thread"].message_process(None, raw)

    def session_messages(self, session):
        return self.env["mail.message"].search([("model", "=", "discuss.channel"), ("res_id", "=", session.id)],
                                               order="id")


class TestOfflineEmails(OfflineEmailCase):

    def test_every_operator_gets_the_offline_message_by_email(self):
        before = self.env["mail.mail"].search([]).ids
        session = self.offline_session()
        emails = self.new_emails(before)
        self.assertEqual(len(emails), 2)
        self.assertEqual(sorted(emails.recipient_ids.ids), sorted((self.operator | self.operator_2).partner_id.ids))
        visitor_message = self.session_messages(session)
        for email in emails:
            self.assertEqual(email.state, "outgoing", "queued, never sent during the visitor's request")
            self.assertIn("Do you ship to Norway?", email.body_html)
            self.assertIn("nina@example.com", email.body_html)
            self.assertIn(f"active_id=discuss.channel_{session.id}", email.body_html)
            self.assertIn("Nina Night", email.subject)
            self.assertEqual(email.mail_message_id, visitor_message, "an operator's reply answers in the session")
            self.assertIn("catchall@lc-test.example.com", email.reply_to)
            self.assertTrue(email.is_notification, "sending it never deletes the visitor's message")

    def test_operator_answer_is_queued_to_the_visitor(self):
        session = self.offline_session()
        before = self.env["mail.mail"].search([]).ids
        with patch.object(type(self.env["ir.mail_server"]), "send_email") as send:
            answer = self.answer(session, "Yes, we ship to Norway in 5 days.")
        self.assertFalse(send.called, "nothing is sent during the operator's request")
        email = self.new_emails(before)
        self.assertEqual(len(email), 1)
        self.assertEqual(email.state, "outgoing")
        self.assertEqual(email.email_to, "nina@example.com")
        self.assertFalse(email.recipient_ids)
        self.assertEqual(email.mail_message_id, answer, "the email is the answer: its Message-Id threads replies")
        self.assertIn(answer.message_id, email.references)
        self.assertIn("catchall@lc-test.example.com", email.reply_to)
        self.assertIn("Yes, we ship to Norway in 5 days.", email.body_html)
        self.assertIn("Do you ship to Norway?", email.body_html, "the visitor's question is recalled")
        self.assertNotIn("oscar@company.example.com", email.email_from, "never the operator's own address")
        self.assertIn("hello@lc-test.example.com", email.email_from)
        # The first operator who answers takes the offline message.
        self.assertEqual(session.live_chat_operator_id, self.operator)
        # Sending it (the queue) keeps the answer in the session.
        self.assertTrue(answer.exists())

    def test_visitor_reply_lands_in_the_same_session(self):
        session = self.offline_session()
        answer = self.answer(session, "Which city?")
        before = self.env["mail.mail"].search([]).ids
        thread_id = self.reply_by_email(answer, "To Oslo, please.")
        self.assertEqual(thread_id, session.id)
        reply = self.session_messages(session)[-1]
        self.assertEqual(reply.author_guest_id, session.live_chat_guest_id, "the visitor's own message")
        self.assertEqual(reply.message_type, "comment")
        self.assertEqual(reply.body, "<p>To Oslo, please.</p>", "plain text, without the quoted email")
        self.assertEqual(reply.message_id, "<reply-1@mail.example.net>")
        # The operator of the session is told by email.
        told = self.new_emails(before)
        self.assertEqual(told.recipient_ids, self.operator.partner_id)
        self.assertIn("To Oslo, please.", told.body_html)
        # The same email twice is processed once.
        self.reply_by_email(answer, "To Oslo, please.")
        self.assertEqual(self.session_messages(session)[-1], reply)
        # And the visitor's widget shows it, as theirs.
        last = session._live_chat_messages()[-1]
        self.assertTrue(last["is_visitor"])
        self.assertEqual(last["body"], "To Oslo, please.")

    def test_reply_to_a_closed_session_opens_it_again(self):
        session = self.offline_session()
        answer = self.answer(session, "Anything else?")
        session.with_user(self.operator).live_chat_close_by_operator()
        self.assertTrue(session.live_chat_closed)
        self.reply_by_email(answer, "Yes, one more thing.")
        self.assertFalse(session.live_chat_closed)
        self.assertIn("one more thing", self.session_messages(session)[-1].body)

    def test_someone_else_replying_is_an_email_for_the_operators_only(self):
        session = self.offline_session()
        answer = self.answer(session, "Which city?")
        self.reply_by_email(answer, "I am not Nina", sender="eve@example.net", name="Eve", uid="eve-1")
        message = self.session_messages(session)[-1]
        self.assertEqual(message.message_type, "email")
        self.assertFalse(message.author_guest_id)
        self.assertFalse(message.subject, "no subject line in the chat")
        self.assertEqual(session._live_chat_messages()[-1]["body"], "Which city?", "not shown to the visitor")

    def test_operator_replying_to_the_notification_answers_the_visitor(self):
        session = self.offline_session()
        visitor_message = self.session_messages(session)
        before = self.env["mail.mail"].search([]).ids
        self.reply_by_email(visitor_message, "We do, in 5 days.", sender="olga@company.example.com",
                            name="Olga", uid="olga-1")
        answer = self.session_messages(session)[-1]
        self.assertEqual(answer.author_id, self.operator_2.partner_id)
        self.assertEqual(answer.body, "<p>We do, in 5 days.</p>")
        self.assertEqual(session.live_chat_operator_id, self.operator_2)
        email = self.new_emails(before)
        self.assertEqual(email.email_to, "nina@example.com")
        self.assertEqual(email.mail_message_id, answer)

    def test_visitor_files_by_email_follow_the_upload_rules(self):
        session = self.offline_session()
        attachments = session._live_chat_email_attachments([
            ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, {}),
            ("page.html", b"<html><script>alert(1)</script></html>", {}),
            ("note.txt", "plain text", {}),
        ])
        self.assertEqual(sorted(attachments.mapped("name")), ["note.txt", "photo.png"])
        self.channel.uploads = False
        self.assertFalse(session._live_chat_email_attachments([("photo.png", b"\x89PNG\r\n\x1a\n", {})]))

    def test_erasing_the_visitor_drops_the_queued_answers(self):
        session = self.offline_session()
        answer = self.answer(session, "Here is our price list")
        queued = self.env["mail.mail"].search([("mail_message_id", "=", answer.id)])
        self.assertEqual(queued.email_to, "nina@example.com")
        session.with_user(self.manager).action_live_chat_erase_visitor_data()
        self.assertFalse(queued.exists())
        self.assertTrue(answer.exists(), "the operator's answer stays")

    def test_bot_without_operator_turns_the_email_into_an_offline_message(self):
        Step = self.env["live_chat.chatbot.step"]
        script = self.env["live_chat.chatbot.script"].create({"name": "Night bot", "bot_name": "Nox"})
        Step.create({"script_id": script.id, "sequence": 1, "step_type": "ask_email", "message": "Your email?"})
        Step.create({"script_id": script.id, "sequence": 2, "step_type": "forward_operator", "message": "Wait..."})
        Step.create({"script_id": script.id, "sequence": 3, "step_type": "end", "message": "We will email you."})
        guest = self.env["mail.guest"].create({"name": "Bob"})
        session = self.Session._live_chat_create_session(self.channel, script=script, guest=guest,
                                                         visitor_name="Bob")
        before = self.env["mail.mail"].search([]).ids
        session._live_chat_visitor_says("bob@example.com", guest=guest)
        self.assertTrue(session.live_chat_offline, "nobody could take it: the operators are told")
        self.assertLessEqual((self.operator | self.operator_2).partner_id, session.channel_member_ids.partner_id)
        self.assertEqual(len(self.new_emails(before)), 2)
        # Without an email, the bot's end is all.
        other = self.Session._live_chat_create_session(self.channel, script=script, guest=guest, visitor_name="Bob")
        other._live_chat_visitor_says("not an email", guest=guest)
        self.assertFalse(other.live_chat_offline)

    def test_chatbot_test_session_never_becomes_an_offline_message(self):
        """An administrator trying a bot on its Test page (a test session)
        gives an email and the bot finds no operator: nobody is emailed about
        a test, and it never lands in the operators' offline messages."""
        Step = self.env["live_chat.chatbot.step"]
        script = self.env["live_chat.chatbot.script"].create({"name": "Night bot", "bot_name": "Nox"})
        Step.create({"script_id": script.id, "sequence": 1, "step_type": "ask_email", "message": "Your email?"})
        Step.create({"script_id": script.id, "sequence": 2, "step_type": "forward_operator", "message": "Wait..."})
        Step.create({"script_id": script.id, "sequence": 3, "step_type": "end", "message": "We will email you."})
        guest = self.env["mail.guest"].create({"name": "Admin trying the bot"})
        session = self.Session.with_context(live_chat_chatbot_test=True)._live_chat_create_session(
            self.channel, script=script, guest=guest, visitor_name="Admin")
        self.assertTrue(session.live_chat_test)
        before = self.env["mail.mail"].search([]).ids
        session._live_chat_visitor_says("admin@example.com", guest=guest)
        self.assertEqual(session.live_chat_visitor_email, "admin@example.com")
        self.assertFalse(session.live_chat_offline)
        self.assertFalse(self.new_emails(before), "no operator is emailed about a test")
        self.assertFalse((self.operator | self.operator_2).partner_id & session.channel_member_ids.partner_id)


class TestContinuityByEmail(OfflineEmailCase):
    """A chat whose visitor gave an email and left before the answer."""

    def setUp(self):
        super().setUp()
        self.guest = self.env["mail.guest"].create({"name": "Carl"})
        self.session = self.Session._live_chat_create_session(self.channel, self.operator, guest=self.guest,
                                                              visitor_name="Carl")
        self.session._live_chat_post("Can you check my order?", guest=self.guest)
        self.session.live_chat_visitor_email = "carl@example.com"

    def presence(self, seconds_ago, status="online"):
        moment = fields.Datetime.now() - timedelta(seconds=seconds_ago)
        values = {"guest_id": self.guest.id, "last_poll": moment, "last_presence": moment, "status": status}
        presence = self.env["bus.presence"].search([("guest_id", "=", self.guest.id)])
        if presence:
            presence.write(values)
        else:
            self.env["bus.presence"].create(values)

    def emails_to_visitor(self):
        self.env.flush_all()
        return self.env["mail.mail"].search([("email_to", "=", "carl@example.com")])

    def test_visitor_still_there_gets_no_email(self):
        self.presence(seconds_ago=10)
        self.answer(self.session, "Let me look")
        self.assertFalse(self.emails_to_visitor())

    def test_background_tab_is_still_there(self):
        """A visitor whose tab is in the background says it is there late
        (the browser slows its timers): 100 s after its last sign the
        operator's banner still shows it on the site, so the answer waits in
        the widget rather than going by email; past the banner's delay, it
        goes by email and the banner says the visitor left."""
        self.presence(seconds_ago=100)
        self.session.invalidate_recordset(["live_chat_visitor_presence"])
        self.assertEqual(self.session.live_chat_visitor_presence, "online")
        self.answer(self.session, "Let me look")
        self.assertFalse(self.emails_to_visitor())
        self.presence(seconds_ago=140)
        self.session.invalidate_recordset(["live_chat_visitor_presence"])
        self.assertEqual(self.session.live_chat_visitor_presence, "offline")
        answer = self.answer(self.session, "Found it")
        self.assertEqual(self.emails_to_visitor().mail_message_id, answer)

    def test_visitor_gone_gets_the_answer_by_email(self):
        self.presence(seconds_ago=600)
        answer = self.answer(self.session, "It left this morning")
        self.assertEqual(self.emails_to_visitor().mail_message_id, answer)

    def test_widget_closed_is_gone_at_once(self):
        self.presence(seconds_ago=5, status="offline")
        self.answer(self.session, "It left this morning")
        self.assertEqual(len(self.emails_to_visitor()), 1)

    def test_never_connected_is_gone(self):
        self.answer(self.session, "It left this morning")
        self.assertEqual(len(self.emails_to_visitor()), 1)

    def test_visitor_closed_the_session_answers_go_by_email(self):
        self.presence(seconds_ago=10)
        self.session._live_chat_close("visitor", "Visitor left the conversation")
        self.assertTrue(self.session._live_chat_answers_by_email())
        self.assertTrue(self.session._live_chat_operator_info()["answersByEmail"])
        self.answer(self.session, "Your order left this morning")
        self.assertEqual(len(self.emails_to_visitor()), 1)
        # The operator ends it: no more answers.
        self.session.with_user(self.operator).live_chat_close_by_operator()
        self.assertEqual(self.session.live_chat_closed_by, "operator")
        self.assertFalse(self.session._live_chat_answers_by_email())

    def test_no_email_no_continuity(self):
        self.session.live_chat_visitor_email = False
        self.answer(self.session, "Are you there?")
        self.env.flush_all()
        self.assertFalse(self.env["mail.mail"].search([("res_id", "=", self.session.id),
                                                       ("model", "=", "discuss.channel")]))

    def test_internal_notes_are_never_the_visitors(self):
        """A note or an internal message in the thread (e.g. a bridge's link
        to a CRM lead) is for the operators: never emailed to a visitor who
        is gone, never in the visitor's history, and it takes no offline
        message."""
        for values in ({"message_type": "comment", "subtype_xmlid": "mail.mt_note"},
                       {"message_type": "comment", "subtype_xmlid": "mail.mt_comment", "is_internal": True},
                       {"message_type": "notification", "subtype_xmlid": "mail.mt_note", "is_internal": True}):
            with self.subTest(values=values):
                note = self.session.with_user(self.operator).message_post(body="Internal: VIP customer", **values)
                self.assertFalse(self.emails_to_visitor())
                self.assertNotIn(note.id, [message["id"] for message in self.session._live_chat_messages()])
        offline = self.offline_session()
        offline.with_user(self.operator).message_post(
            body="Internal: who takes it?", message_type="comment", subtype_xmlid="mail.mt_note")
        self.assertFalse(offline.live_chat_operator_id)
        self.env.flush_all()
        self.assertFalse(self.env["mail.mail"].search([("email_to", "=", "nina@example.com")]))

    def test_visitor_messages_are_not_emailed(self):
        self.session._live_chat_post("Hello again", guest=self.guest)
        self.assertFalse(self.emails_to_visitor())


class TestVisitorPresence(OfflineEmailCase):
    """The widget keeps its guest's presence over its websocket."""

    def test_presence_decides_who_is_gone(self):
        guest = self.env["mail.guest"].create({"name": "Gil"})
        session = self.Session._live_chat_create_session(self.channel, self.operator, guest=guest,
                                                         visitor_name="Gil")
        self.assertTrue(session._live_chat_visitor_gone())
        self.env["bus.presence"].create({"guest_id": guest.id, "status": "online"})
        self.assertFalse(session._live_chat_visitor_gone())
        self.assertTrue(self.offline_session()._live_chat_visitor_gone(), "an offline message: always gone")


class TestOfflineSessionsForOperators(OfflineEmailCase):

    def test_operator_info_says_how_answers_go(self):
        session = self.offline_session()
        info = session._live_chat_operator_info()
        self.assertTrue(info["offline"])
        self.assertEqual(info["visitorEmail"], "nina@example.com")
        self.assertTrue(info["answersByEmail"])
        self.assertEqual(session.channel_member_ids.partner_id,
                         (self.operator | self.operator_2).partner_id)
        # Members read it as operators do (record rules).
        self.assertEqual(session.with_user(self.operator_2).live_chat_visitor_name, "Nina Night")

    def test_sessions_filter_and_reports_count_offline_messages(self):
        session = self.offline_session()
        self.env.flush_all()
        action = self.env.ref("live_chat.discuss_channel_live_chat_action")
        listed = self.env["discuss.channel"].with_user(self.operator).search(
            safe_eval(action.domain) + [("live_chat_offline", "=", True)])
        self.assertEqual(listed, session)
        groups = self.env["live_chat.report.session"]._read_group(
            [("channel_id", "=", self.channel.id)], ["is_offline"], ["offline_count:sum", "__count"])
        self.assertEqual(groups, [(True, 1, 1)])
