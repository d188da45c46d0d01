from odoo import Command
from odoo.tests import tagged

from odoo.addons.live_chat.tests.test_operator_ui import OperatorBusMixin
from odoo.addons.live_chat.tests.test_session_api import LiveChatApiCase


@tagged("post_install", "-at_install")
class TestChatbotLead(OperatorBusMixin, LiveChatApiCase):
    """The bot's "Create a lead" step, played through the visitor's routes
    as the widget does: no operator is involved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["crm.team"].create({"name": "Bot Leads"})
        cls.script = cls.env["live_chat.chatbot.script"].create({"name": "Sales bot", "bot_name": "Sally"})
        Step = cls.env["live_chat.chatbot.step"]

        def step(sequence, kind, message=False, **values):
            return Step.create({"script_id": cls.script.id, "sequence": sequence, "step_type": kind,
                                "message": message, **values})

        cls.question = step(10, "question", "What brings you here?")
        cls.faq = step(20, "end", "We ship in 2 days.")
        cls.email = step(30, "ask_email", "Your email?")
        cls.phone = step(40, "ask_phone", "Your phone?")
        cls.need = step(50, "free_input_multi", "What do you need?")
        cls.lead_step = step(60, "create_lead", "Thanks, our sales team will call you.", crm_team_id=cls.team.id)
        cls.bye = step(70, "end", "Bye!")
        cls.answer_sales = cls.env["live_chat.chatbot.answer"].create(
            {"step_id": cls.question.id, "name": "Talk to sales", "next_step_id": cls.email.id})
        cls.env["live_chat.chatbot.answer"].create(
            {"step_id": cls.question.id, "name": "Shipping", "next_step_id": cls.faq.id})
        cls.channel.rule_ids = [Command.clear(), Command.create({
            "action": "show", "chatbot_script_id": cls.script.id})]

    def post(self, started, body):
        return self.ok("/live_chat/session/post", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "body": body})

    def talk_to_sales(self, **start):
        started = self.start(answer_id=self.answer_sales.id, visitor_name="Val Visitor", **start)
        self.post(started, "val@example.com")
        self.post(started, "+32 470 12 34 56")
        return started, self.post(started, "A quote for 40 licences")

    def test_the_step_makes_a_lead_of_the_conversation(self):
        started, _answer = self.talk_to_sales(url="https://shop.example.com/pricing")
        session = self.session_of(started)
        lead = session.live_chat_lead_ids
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.contact_name, "Val Visitor")
        self.assertEqual(lead.email_from, "val@example.com")
        self.assertEqual(lead.phone, "+32 470 12 34 56")
        self.assertEqual(lead.team_id, self.team)
        self.assertFalse(lead.user_id, "no salesperson, and never the public user")
        self.assertEqual(lead.name, "Live chat with Val Visitor")
        self.assertIn("https://shop.example.com/pricing", lead.description)
        self.assertEqual(lead.create_uid, self.env.ref("base.user_root"), "OdooBot, not the public user")
        self.assertNotIn(self.env.ref("base.public_partner"), lead.message_partner_ids)
        transcript = lead.message_ids.filtered(lambda m: "Live chat transcript" in (m.body or ""))
        self.assertEqual(transcript.author_id, self.script.bot_partner_id)
        for said in ("Talk to sales", "val@example.com", "A quote for 40 licences",
                     "Thanks, our sales team will call you."):
            self.assertIn(said, transcript.body)
        # The script went on to its end.
        self.assertTrue(session.live_chat_chatbot_ended)

    def test_the_visitor_sees_the_bot_talk_but_no_link_to_the_lead(self):
        started, answer = self.talk_to_sales()
        session = self.session_of(started)
        lead = session.live_chat_lead_ids
        history = self.ok("/live_chat/session/messages", {
            "session_id": started["session_id"], "guest_token": started["guest_token"]})
        bodies = [message["body"] for message in history["messages"]]
        self.assertEqual(bodies[-3:], ["A quote for 40 licences", "Thanks, our sales team will call you.", "Bye!"])
        self.assertFalse([body for body in bodies if "lead" in body.lower() and "call you" not in body])
        self.assertNotIn(str(lead.id), " ".join(m.get("body", "") for m in answer.get("messages", [])))
        # The operators' thread has the link, said by the bot.
        note = self.env["mail.message"].search([
            ("model", "=", "discuss.channel"), ("res_id", "=", session.id), ("is_internal", "=", True)])
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.script.bot_partner_id)
        self.assertIn(f'data-oe-id="{lead.id}"', note.body)
        self.assertIn("Sally created the lead", note.body)
        sent = self.bus_notifications(session.live_chat_guest_id, "live_chat/message")
        self.assertIn("Bye!", [payload["message"]["body"] for payload in sent])
        self.assertNotIn(note.id, [payload["message"]["id"] for payload in sent])

    def test_no_team_on_the_step_means_the_crms_default_team(self):
        self.lead_step.crm_team_id = False
        started, _answer = self.talk_to_sales()
        lead = self.session_of(started).live_chat_lead_ids
        self.assertEqual(lead.team_id, self.env["crm.team"].search([], limit=1))

    def test_other_paths_make_no_lead(self):
        started = self.start(body="Shipping")
        session = self.session_of(started)
        self.assertTrue(session.live_chat_chatbot_ended)
        self.assertFalse(session.live_chat_lead_ids)

    def test_step_form_shows_the_team_for_lead_steps_only(self):
        arch = self.env["live_chat.chatbot.step"].get_view(
            self.env.ref("live_chat.live_chat_chatbot_step_view_form").id)["arch"]
        self.assertIn('name="crm_team_id"', arch)
        self.assertIn("step_type != 'create_lead'", arch)
        labels = dict(self.env["live_chat.chatbot.step"]._fields["step_type"].selection)
        self.assertEqual(labels["create_lead"], "Create a lead")
