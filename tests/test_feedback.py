from datetime import timezone
from zoneinfo import ZoneInfo

from odoo.tests import new_test_user, tagged

from .test_session_api import LiveChatApiCase

RATE = "/live_chat/session/rate"
TRANSCRIPT = "/live_chat/session/transcript"


class FeedbackCase(LiveChatApiCase):

    def setUp(self):
        super().setUp()
        self.started = self.start(visitor_name="Vera")
        self.chat = self.session_of(self.started)
        self.own = {"session_id": self.started["session_id"], "guest_token": self.started["guest_token"]}

    def converse(self, started=None):
        """The visitor writes and the operator answers: a real conversation."""
        started = started or self.started
        self.post("Hello?", started)
        session = self.session_of(started)
        session._live_chat_post("Hi!", author=session.live_chat_operator_id.partner_id)

    def post(self, body, started=None):
        started = started or self.started
        return self.ok("/live_chat/session/post", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "body": body})

    def ratings(self, session=None):
        session = session or self.chat
        return self.env["rating.rating"].search([("res_model", "=", "discuss.channel"),
                                                 ("res_id", "=", session.id)])

    def transcripts(self, session=None):
        session = session or self.chat
        return self.env["mail.mail"].search([("model", "=", "discuss.channel"), ("res_id", "=", session.id)])


@tagged("post_install", "-at_install")
class TestRate(FeedbackCase):

    def test_rating_is_on_the_session_and_in_the_thread(self):
        self.post("Where is my parcel?")
        self.ok("/live_chat/session/close", self.own)
        result = self.ok(RATE, {**self.own, "rating": "satisfied", "comment": "  Quick and kind  "})
        self.assertEqual(result, {"rating": "satisfied"})
        rating = self.ratings()
        self.assertEqual(len(rating), 1)
        self.assertEqual(rating.rating, 5)
        self.assertEqual(rating.rating_text, "top")
        self.assertEqual(rating.feedback, "Quick and kind")
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rated_partner_id, self.chat.live_chat_operator_id.partner_id)
        self.assertEqual(self.chat.live_chat_rating, "satisfied")
        self.assertEqual(self.chat.rating_last_value, 5)
        # The operator reads it in the thread, and the visitor's history shows it too.
        message = rating.message_id
        self.assertEqual(message.res_id, self.chat.id)
        self.assertEqual(message.message_type, "notification")
        self.assertEqual(message.author_guest_id, self.chat.live_chat_guest_id)
        history = self.ok("/live_chat/session/messages", self.own)["messages"]
        self.assertEqual(history[-1]["body"], "Rating: 😊 Satisfied — Quick and kind")
        self.assertEqual(history[-1]["id"], message.id)

    def test_three_choices_map_to_the_rating_scale(self):
        for choice, value, label in (("satisfied", 5, "😊 Satisfied"), ("okay", 3, "😐 Okay"),
                                     ("dissatisfied", 1, "🙁 Dissatisfied")):
            with self.subTest(choice=choice):
                started = self.start()
                session = self.session_of(started)
                self.ok(RATE, {"session_id": session.id, "guest_token": started["guest_token"],
                               "rating": choice})
                self.assertEqual(self.ratings(session).rating, value)
                self.assertEqual(session.live_chat_rating, choice)
                self.assertEqual(self.ratings(session).message_id.preview, f"Rating: {label}")

    def test_operator_closed_session_can_be_rated(self):
        self.chat.with_user(self.chat.live_chat_operator_id).live_chat_close_by_operator()
        self.ok(RATE, {**self.own, "rating": "okay"})
        self.assertEqual(self.chat.live_chat_rating, "okay")

    def test_comment_is_kept_as_text(self):
        self.ok(RATE, {**self.own, "rating": "dissatisfied", "comment": "<b>rude</b> & slow"})
        rating = self.ratings()
        self.assertEqual(rating.feedback, "<b>rude</b> & slow")
        self.assertIn("&lt;b&gt;rude&lt;/b&gt; &amp; slow", str(rating.message_id.body))
        self.assertNotIn("<b>", str(rating.message_id.body))

    def test_logged_in_visitor_rates_as_their_partner(self):
        portal = new_test_user(self.env, login="rate_portal", name="Paula Portal", groups="base.group_portal")
        self.authenticate("rate_portal", "rate_portal")
        started = self.start()
        self.ok(RATE, {"session_id": started["session_id"], "rating": "satisfied"})
        rating = self.ratings(self.session_of(started))
        self.assertEqual(rating.partner_id, portal.partner_id)
        self.assertEqual(rating.message_id.author_id, portal.partner_id)

    def test_second_rating_is_refused_and_the_first_stays(self):
        self.ok(RATE, {**self.own, "rating": "satisfied", "comment": "Great"})
        message_count = len(self.chat.message_ids)
        error = self.refused(RATE, {**self.own, "rating": "dissatisfied", "comment": "Changed my mind"},
                             "already_rated")
        self.assertEqual(error["code"], 409)
        rating = self.ratings()
        self.assertEqual(len(rating), 1)
        self.assertEqual((rating.rating, rating.feedback), (5, "Great"))
        self.assertEqual(self.chat.live_chat_rating, "satisfied")
        self.assertEqual(len(self.chat.message_ids), message_count)

    def test_bad_ratings_change_nothing(self):
        for value in ("great", "Satisfied", "", 5, 1, None, True, ["satisfied"], {"rating": "okay"}):
            with self.subTest(value=value):
                error = self.refused(RATE, {**self.own, "rating": value}, "bad_rating")
                self.assertEqual(error["code"], 400)
        self.refused(RATE, self.own, "bad_rating")
        self.assertFalse(self.ratings())
        self.assertFalse(self.chat.live_chat_rating)

    def test_comment_over_1000_characters_is_refused(self):
        error = self.refused(RATE, {**self.own, "rating": "okay", "comment": "x" * 1001}, "too_long")
        self.assertEqual(error["code"], 413)
        self.refused(RATE, {**self.own, "rating": "okay", "comment": 42}, "bad_request")
        self.assertFalse(self.ratings())
        self.ok(RATE, {**self.own, "rating": "okay", "comment": "x" * 1000})
        self.assertEqual(len(self.ratings().feedback), 1000)

    def test_only_the_sessions_visitor_can_rate(self):
        other = self.start(visitor_name="Mallory")
        for params in (
            {"session_id": self.chat.id, "guest_token": other["guest_token"]},
            {"session_id": self.chat.id, "guest_token": "garbage"},
            {"session_id": self.chat.id},
            {"session_id": 999999, "guest_token": self.own["guest_token"]},
        ):
            with self.subTest(params=params):
                error = self.refused(RATE, {**params, "rating": "dissatisfied"}, "unknown_session")
                self.assertEqual(error["code"], 404)
        self.assertFalse(self.ratings())
        # Each visitor rates their own session only.
        self.ok(RATE, {"session_id": other["session_id"], "guest_token": other["guest_token"], "rating": "okay"})
        self.assertFalse(self.ratings())
        self.assertEqual(self.session_of(other).live_chat_rating, "okay")


@tagged("post_install", "-at_install")
class TestTranscript(FeedbackCase):

    def test_transcript_is_queued_to_the_address_as_text(self):
        self.post("Hello, <b>bold</b> & <script>alert(1)</script>\nsecond line")
        self.chat._live_chat_post("Hi Vera, how can I help?", author=self.operator.partner_id)
        self.ok("/live_chat/session/close", self.own)
        result = self.ok(TRANSCRIPT, {**self.own, "email": "  vera@example.com "})
        self.assertEqual(result, {"queued": True, "email": "vera@example.com"})
        mail = self.transcripts()
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_to, "vera@example.com")
        self.assertEqual(mail.state, "outgoing", "left to Odoo's mail queue")
        self.assertFalse(mail.recipient_ids)
        self.assertIn("API Support", mail.subject)
        body = str(mail.body_html)
        for text in ("Vera", "Oz", "Welcome! How can we help?", "Hi Vera, how can I help?",
                     "Hello, &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;\nsecond line",
                     "Visitor left the conversation"):
            self.assertIn(text, body)
        self.assertNotIn("<b>bold</b>", body)
        self.assertNotIn("<script>", body)
        self.assertEqual(self.chat.live_chat_transcript_count, 1)

    def test_transcript_shows_times_in_the_visitors_time_zone(self):
        self.chat.live_chat_guest_id.timezone = "Asia/Tokyo"
        message = self.post("What time is it?")
        self.chat._live_chat_post("Noon", author=self.chat.live_chat_operator_id.partner_id)
        date = self.env["mail.message"].browse(message["message_id"]).date
        self.ok(TRANSCRIPT, {**self.own, "email": "vera@example.com"})
        body = str(self.transcripts().body_html)
        self.assertIn("Asia/Tokyo", body)
        utc = date.replace(tzinfo=timezone.utc)
        self.assertIn(utc.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%-I:%M"), body)
        self.assertNotIn(utc.strftime("%-I:%M"), body)

    def test_malformed_email_is_refused(self):
        for email in ("vera", "vera@", "@example.com", "vera@example", "vera@@example.com",
                      "vera@example.com, eve@example.com", "Vera <vera@example.com>",
                      "vera@example.com\nBcc: eve@example.com", "", "   "):
            with self.subTest(email=email):
                error = self.refused(TRANSCRIPT, {**self.own, "email": email}, "bad_email")
                self.assertEqual(error["code"], 400)
        self.refused(TRANSCRIPT, {**self.own, "email": ["vera@example.com"]}, "bad_request")
        self.refused(TRANSCRIPT, self.own, "bad_request")
        self.refused(TRANSCRIPT, {**self.own, "email": "v" * 250 + "@example.com"}, "too_long")
        self.assertFalse(self.transcripts())
        self.assertEqual(self.chat.live_chat_transcript_count, 0)

    def test_at_most_three_transcripts_per_session(self):
        self.converse()
        for index in range(3):
            self.ok(TRANSCRIPT, {**self.own, "email": f"vera{index}@example.com"})
        error = self.refused(TRANSCRIPT, {**self.own, "email": "vera3@example.com"}, "too_many_transcripts")
        self.assertEqual(error["code"], 429)
        self.assertEqual(sorted(self.transcripts().mapped("email_to")),
                         ["vera0@example.com", "vera1@example.com", "vera2@example.com"])
        # Another session has its own allowance.
        other = self.start()
        self.converse(other)
        self.ok(TRANSCRIPT, {"session_id": other["session_id"], "guest_token": other["guest_token"],
                             "email": "other@example.com"})

    def test_only_the_sessions_visitor_gets_the_transcript(self):
        self.post("my secret order number is 4242")
        other = self.start(visitor_name="Mallory")
        for params in (
            {"session_id": self.chat.id, "guest_token": other["guest_token"]},
            {"session_id": self.chat.id, "guest_token": self.own["guest_token"].split("|")[0] + "|wrong"},
            {"session_id": self.chat.id},
        ):
            with self.subTest(params=params):
                self.refused(TRANSCRIPT, {**params, "email": "mallory@example.com"}, "unknown_session")
        self.assertFalse(self.transcripts())
        # Mallory's own transcript holds her conversation only.
        self.converse(other)
        self.ok(TRANSCRIPT, {"session_id": other["session_id"], "guest_token": other["guest_token"],
                             "email": "mallory@example.com"})
        self.assertNotIn("4242", str(self.transcripts(self.session_of(other)).body_html))


@tagged("post_install", "-at_install")
class TestRatingTour(LiveChatApiCase):

    def test_visitor_rates_then_operator_sees_it(self):
        # The visitor's half, through the routes the widget's end screen calls.
        started = self.start(visitor_name="Rita Rater")
        own = {"session_id": started["session_id"], "guest_token": started["guest_token"]}
        session = self.session_of(started)
        operator = session.live_chat_operator_id
        self.ok("/live_chat/session/post", {**own, "body": "My order is late"})
        session._live_chat_post("Let me check: it leaves today.", author=operator.partner_id)
        self.ok("/live_chat/session/close", own)
        self.ok(RATE, {**own, "rating": "satisfied", "comment": "Quick and friendly"})
        self.ok(TRANSCRIPT, {**own, "email": "rita@example.com"})
        mail = self.env["mail.mail"].search([("model", "=", "discuss.channel"), ("res_id", "=", session.id)])
        self.assertEqual(mail.email_to, "rita@example.com")
        self.assertIn("Let me check: it leaves today.", str(mail.body_html))
        # The operator's half, in the browser (start_tour logs in with the login as password).
        operator.password = operator.login
        self.start_tour("/web#action=live_chat.live_chat_channel_action", "live_chat_rating_operator_tour",
                        login=operator.login)
