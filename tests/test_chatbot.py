from odoo import Command
from odoo.tests import tagged

from .test_session_api import LiveChatApiCase


@tagged("post_install", "-at_install")
class TestChatbot(LiveChatApiCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Step = cls.env["live_chat.chatbot.step"]
        cls.script = cls.env["live_chat.chatbot.script"].create({"name": "Support bot", "bot_name": "Robbie"})
        step = lambda seq, kind, message=False: Step.create({  # noqa: E731
            "script_id": cls.script.id, "sequence": seq, "step_type": kind, "message": message})
        cls.hello = step(10, "text", "Hi, I'm Robbie.")
        cls.question = step(20, "question", "What do you need?")
        cls.faq = step(30, "text", "We ship in 2 days.")
        cls.faq_end = step(40, "end", "Bye!")
        cls.email = step(50, "ask_email", "Your email?")
        cls.phone = step(60, "ask_phone", "Your phone?")
        cls.details = step(70, "free_input_multi", "Tell us more.")
        cls.forward = step(80, "forward_operator", "Connecting you to a person.")
        cls.offline = step(90, "end", "We will email you.")
        cls.answer_faq = cls.env["live_chat.chatbot.answer"].create(
            {"step_id": cls.question.id, "sequence": 1, "name": "Shipping", "next_step_id": cls.faq.id})
        cls.answer_human = cls.env["live_chat.chatbot.answer"].create(
            {"step_id": cls.question.id, "sequence": 2, "name": "A human", "next_step_id": cls.email.id})
        cls.answer_nothing = cls.env["live_chat.chatbot.answer"].create(
            {"step_id": cls.question.id, "sequence": 3, "name": "Nothing", "end_script": True})
        cls.channel.rule_ids = [Command.clear(), Command.create({
            "action": "show", "chatbot_script_id": cls.script.id})]

    def bodies(self, result):
        return [m["body"] for m in result["messages"]]

    def answer(self, started, answer):
        return self.ok("/live_chat/chatbot/answer", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "answer_id": answer.id})

    def post(self, started, body):
        return self.ok("/live_chat/session/post", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "body": body})

    def history(self, started):
        return self.ok("/live_chat/session/messages", {
            "session_id": started["session_id"], "guest_token": started["guest_token"]})

    def test_init_announces_the_chatbot(self):
        result = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})
        self.assertEqual(result["chatbot"]["name"], "Robbie")
        self.assertEqual(result["chatbot"]["id"], self.script.id)
        response = self.url_open(result["chatbot"]["avatar_url"])
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("image/"))

    def test_bot_talks_first_and_waits_on_the_question(self):
        started = self.start(visitor_name="Val")
        session = self.session_of(started)
        self.assertFalse(session.live_chat_operator_id, "the bot, not an operator, answers first")
        self.assertEqual(session.name, "Val, Robbie")
        # The visitor's first message ("Hello") is no answer: the bot asks again.
        self.assertEqual(self.bodies(started),
                         ["Hi, I'm Robbie.", "What do you need?", "Hello", "Please pick one of the answers."])
        self.assertEqual([m["is_bot"] and m["author_name"] == "Robbie" for m in started["messages"]],
                         [True, True, False, True])
        self.assertEqual(started["chatbot"]["step"]["type"], "question")
        self.assertEqual([a["name"] for a in started["chatbot"]["step"]["answers"]],
                         ["Shipping", "A human", "Nothing"])

    def test_answer_jumps_to_its_step_and_end_stops(self):
        started = self.start()
        result = self.answer(started, self.answer_faq)
        self.assertEqual(self.bodies(result)[-3:], ["Shipping", "We ship in 2 days.", "Bye!"])
        self.assertTrue(result["chatbot"]["ended"])
        self.assertIsNone(result["chatbot"]["step"])
        self.assertNotIn("Your email?", self.bodies(result), "the end step stops the script")
        session = self.session_of(started)
        self.assertEqual(session.live_chat_chatbot_answer_ids.answer_id, self.answer_faq)

    def test_answer_that_ends_the_conversation(self):
        started = self.start()
        result = self.answer(started, self.answer_nothing)
        self.assertTrue(result["chatbot"]["ended"])
        self.assertEqual(self.bodies(result)[-1], "Nothing")

    def test_typed_answer_matches_a_choice_or_asks_again(self):
        started = self.start()
        result = self.post(started, "something else")
        self.assertEqual(result["chatbot"]["step"]["id"], self.question.id)
        self.assertEqual(self.bodies(self.history(started))[-1], "Please pick one of the answers.")
        self.post(started, "  shipping ")
        self.assertEqual(self.bodies(self.history(started))[-2:], ["We ship in 2 days.", "Bye!"])

    def test_email_phone_and_free_input_are_validated_and_stored(self):
        started = self.start()
        self.answer(started, self.answer_human)
        result = self.post(started, "not-an-email")
        self.assertEqual(result["chatbot"]["step"]["type"], "ask_email", "the step repeats")
        self.assertIn("does not look like an email address", self.bodies(self.history(started))[-1])
        result = self.post(started, "val@example.com")
        self.assertEqual(result["chatbot"]["step"]["type"], "ask_phone")
        self.post(started, "call me maybe")
        self.assertIn("does not look like a phone number", self.bodies(self.history(started))[-1])
        result = self.post(started, "+32 470 12 34 56")
        self.assertEqual(result["chatbot"]["step"]["type"], "free_input_multi")
        self.post(started, "My parcel\nnever arrived")
        session = self.session_of(started)
        self.assertEqual(session.live_chat_visitor_email, "val@example.com")
        self.assertEqual(session.live_chat_visitor_phone, "+32 470 12 34 56")
        self.assertEqual(session.live_chat_chatbot_answer_ids.mapped("value"),
                         ["A human", "val@example.com", "+32 470 12 34 56", "My parcel\nnever arrived"])

    def test_forward_to_available_operator(self):
        self.set_presence(self.operator_2, minutes_ago=50)
        started = self.start(visitor_name="Wes")
        self.answer(started, self.answer_human)
        self.post(started, "wes@example.com")
        self.post(started, "+1 555 123 4567")
        result = self.post(started, "Where is my parcel?")
        session = self.session_of(started)
        self.assertEqual(session.live_chat_operator_id, self.operator)
        self.assertEqual(session.name, "Wes, Oz")
        self.assertIn(self.operator.partner_id, session.channel_member_ids.partner_id)
        self.assertTrue(result["chatbot"]["forwarded"])
        self.assertIsNone(result["chatbot"]["step"])
        history = self.history(started)
        self.assertEqual(history["operator_name"], "Oz")
        self.assertEqual(self.bodies(history)[-1], "Connecting you to a person.")
        # The operator sees the whole bot conversation in the thread.
        bodies = self.env["mail.message"].with_user(self.operator).search(
            [("model", "=", "discuss.channel"), ("res_id", "=", session.id)]).mapped("body")
        self.assertTrue(any("wes@example.com" in str(body) for body in bodies))
        self.assertTrue(any("Hi, I&#39;m Robbie." in str(body) or "Hi, I'm Robbie." in str(body) for body in bodies))
        # From now on, the bot is quiet: the operator answers.
        count = len(self.bodies(self.history(started)))
        self.post(started, "hello?")
        self.assertEqual(len(self.bodies(self.history(started))), count + 1)

    def test_forward_without_operator_says_so_and_goes_on(self):
        self.set_presence(self.operator, minutes_ago=50)
        self.set_presence(self.operator_2, minutes_ago=50)
        started = self.start()
        self.answer(started, self.answer_human)
        self.post(started, "a@example.com")
        self.post(started, "+1 555 123 4567")
        result = self.post(started, "details")
        self.assertEqual(self.bodies(self.history(started))[-3:], [
            "Connecting you to a person.", "Sorry, no operator is available right now.", "We will email you."])
        self.assertFalse(self.session_of(started).live_chat_operator_id)
        self.assertTrue(result["chatbot"]["ended"])

    def test_bot_ended_on_an_offline_message_says_so(self):
        """The hand-over found nobody after the visitor gave an email: the
        session is an offline message, and `chatbot.offline` tells the
        widget that the team answers by email."""
        self.set_presence(self.operator, minutes_ago=50)
        self.set_presence(self.operator_2, minutes_ago=50)
        started = self.start()
        self.assertFalse(started["chatbot"]["offline"])
        self.answer(started, self.answer_human)
        self.post(started, "a@example.com")
        self.post(started, "+1 555 123 4567")
        result = self.post(started, "details")
        self.assertTrue(self.session_of(started).live_chat_offline)
        self.assertTrue(result["chatbot"]["ended"])
        self.assertTrue(result["chatbot"]["offline"])
        self.assertTrue(self.history(started)["chatbot"]["offline"])
        strings = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})["strings"]
        self.assertIn("answer you by email", strings["bot_ended_offline"])
        # A bot that just ended (no hand-over) is no offline message.
        other = self.start()
        ended = self.answer(other, self.answer_faq)
        self.assertTrue(ended["chatbot"]["ended"])
        self.assertFalse(ended["chatbot"]["offline"])

    def test_only_if_no_operator(self):
        self.channel.rule_ids.only_if_no_operator = True
        init = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})
        self.assertIsNone(init["chatbot"])
        started = self.start()
        self.assertTrue(self.session_of(started).live_chat_operator_id, "operators are there: a normal session")
        self.assertIsNone(started["chatbot"])
        self.set_presence(self.operator, minutes_ago=50)
        self.set_presence(self.operator_2, minutes_ago=50)
        init = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})
        self.assertEqual(init["chatbot"]["name"], "Robbie")
        started = self.start()
        self.assertEqual(self.session_of(started).live_chat_chatbot_script_id, self.script)

    def test_restart_when_ended(self):
        started = self.start()
        params = {"session_id": started["session_id"], "guest_token": started["guest_token"]}
        self.refused("/live_chat/chatbot/restart", params, "chatbot_running")
        self.answer(started, self.answer_nothing)
        result = self.ok("/live_chat/chatbot/restart", params)
        self.assertEqual(result["chatbot"]["step"]["id"], self.question.id)
        self.assertFalse(result["chatbot"]["ended"])
        self.assertEqual(self.bodies(result)[-2:], ["Hi, I'm Robbie.", "What do you need?"])

    def test_bad_answers_are_refused(self):
        started = self.start()
        other = self.env["live_chat.chatbot.answer"].create({"step_id": self.faq.id, "name": "stray"})
        for answer_id in (other.id, 999999):
            self.refused("/live_chat/chatbot/answer", {
                "session_id": started["session_id"], "guest_token": started["guest_token"],
                "answer_id": answer_id}, "bad_answer")
        other_visitor = self.start()
        self.refused("/live_chat/chatbot/answer", {
            "session_id": started["session_id"], "guest_token": other_visitor["guest_token"],
            "answer_id": self.answer_faq.id}, "unknown_session")
        self.assertFalse(self.session_of(started).live_chat_chatbot_answer_ids)

    def test_answer_can_only_jump_forward(self):
        with self.assertRaisesRegex(Exception, "later step"):
            self.env["live_chat.chatbot.answer"].create({
                "step_id": self.faq.id, "name": "back", "next_step_id": self.hello.id})
