"""Issue 15, findings 4 and 7: what the visitors gave the bot, and the
sessions' ratings, are read as the session and not rewritten by employees."""
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LiveChatCase, new_operator


@tagged("post_install", "-at_install")
class TestSessionDataRules(LiveChatCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_operator = new_operator(cls.env, "lc_other_op", "Yann Other")
        cls.other_channel = cls.env["live_chat.channel"].create({
            "name": "Other Support", "user_ids": [Command.set(cls.other_operator.ids)]})
        guest = cls.env["mail.guest"].create({"name": "Val"})
        cls.session = cls.env["discuss.channel"]._live_chat_create_session(
            cls.channel, cls.operator, guest=guest, visitor_name="Val")
        script = cls.env["live_chat.chatbot.script"].create({"name": "Bot"})
        step = cls.env["live_chat.chatbot.step"].create({
            "script_id": script.id, "step_type": "ask_email", "message": "Your email?"})
        cls.answer = cls.env["live_chat.chatbot.visitor.answer"].create({
            "session_id": cls.session.id, "step_id": step.id, "value": "val.secret@example.com"})
        cls.rating = cls.session._live_chat_rate("dissatisfied", "meh", guest=guest)

    def test_chatbot_answers_of_another_channel_are_hidden(self):
        Answers = self.env["live_chat.chatbot.visitor.answer"]
        self.assertFalse(Answers.with_user(self.other_operator).search([]))
        with self.assertRaises(AccessError):
            self.answer.with_user(self.other_operator).read(["value"])
        self.assertEqual(Answers.with_user(self.operator_2).search([]), self.answer,
                         "an operator of the session's channel reads them")
        self.assertEqual(Answers.with_user(self.manager).search([]), self.answer)

    def test_session_ratings_read_as_the_session(self):
        Ratings = self.env["rating.rating"]
        domain = [("res_model", "=", "discuss.channel"), ("res_id", "=", self.session.id)]
        for user in (self.employee, self.other_operator):
            with self.subTest(user=user.login):
                self.assertFalse(Ratings.with_user(user).search(domain))
                with self.assertRaises(AccessError):
                    self.rating.with_user(user).read(["rating"])
        self.assertEqual(Ratings.with_user(self.operator_2).search(domain), self.rating)

    def test_only_administrators_write_session_ratings(self):
        for user in (self.employee, self.operator, self.other_operator):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.rating.with_user(user).write({"rating": 5})
                with self.assertRaises(AccessError):
                    self.env["rating.rating"].with_user(user).create({
                        "res_model_id": self.env["ir.model"]._get_id("discuss.channel"),
                        "res_id": self.session.id, "rating": 5, "consumed": True})
        self.assertEqual(self.rating.rating, 1)
        self.rating.with_user(self.manager).write({"feedback": "moderated"})
        # Ratings of other documents keep Odoo's rules.
        partner = self.env["res.partner"].create({"name": "Rated"})
        other = self.env["rating.rating"].with_user(self.employee).create({
            "res_model_id": self.env["ir.model"]._get_id("res.partner"), "res_id": partner.id, "rating": 3})
        other.with_user(self.employee).write({"rating": 5})
