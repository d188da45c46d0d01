"""Issue 15, finding 3: floods of sessions, transcripts as a spam relay."""
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_session_api import LiveChatApiCase

TRANSCRIPT = "/live_chat/session/transcript"


@tagged("post_install", "-at_install")
class TestAbuseLimits(LiveChatApiCase):

    def own(self, started):
        return {"session_id": started["session_id"], "guest_token": started["guest_token"]}

    def converse(self, started):
        self.ok("/live_chat/session/post", {**self.own(started), "body": "Hello Your bank, verify at http://phish.test"})
        session = self.session_of(started)
        session._live_chat_post("Hi", author=session.live_chat_operator_id.partner_id)

    def sessions_from_here(self):
        return self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat"),
                                                        ("live_chat_ip", "=", "127.0.0.1")])

    @mute_logger("odoo.http")
    def test_sessions_per_address_are_limited(self):
        self.env["ir.config_parameter"].set_param("live_chat.session_rate_limit_address", 5)
        before = self.sessions_from_here()
        for _index in range(5 - before):
            self.start()
        guests = self.env["mail.guest"].search_count([])
        error = self.refused("/live_chat/session/start", {"channel_id": self.channel.id, "url": "http://s.test/"},
                             "rate_limited")
        self.assertEqual(error["code"], 429)
        self.assertEqual(self.sessions_from_here(), 5, "nothing created")
        self.assertEqual(self.env["mail.guest"].search_count([]), guests)

    @mute_logger("odoo.http")
    def test_transcript_needs_a_conversation(self):
        started = self.start()
        error = self.refused(TRANSCRIPT, {**self.own(started), "email": "victim@example.com"}, "no_conversation")
        self.assertEqual(error["code"], 409)
        self.ok("/live_chat/session/post", {**self.own(started), "body": "only me"})
        self.refused(TRANSCRIPT, {**self.own(started), "email": "victim@example.com"}, "no_conversation")
        self.assertFalse(self.env["mail.mail"].search([("email_to", "=", "victim@example.com")]))

    @mute_logger("odoo.http")
    def test_transcripts_per_recipient_and_per_address_a_day(self):
        sessions = [self.start() for _index in range(5)]
        for started in sessions:
            self.converse(started)
        for started in sessions[:3]:
            self.ok(TRANSCRIPT, {**self.own(started), "email": "victim@example.com"})
        error = self.refused(TRANSCRIPT, {**self.own(sessions[3]), "email": "Victim@Example.com"},
                             "too_many_transcripts")
        self.assertEqual(error["code"], 429)
        self.assertEqual(self.env["mail.mail"].search_count([("email_to", "ilike", "victim@example.com")]), 3)
        self.env["ir.config_parameter"].set_param("live_chat.transcripts_per_address_per_day", 4)
        self.ok(TRANSCRIPT, {**self.own(sessions[3]), "email": "other@example.com"})
        self.refused(TRANSCRIPT, {**self.own(sessions[4]), "email": "third@example.com"}, "too_many_transcripts")
