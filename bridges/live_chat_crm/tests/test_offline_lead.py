from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.live_chat.tests.test_offline import OFFLINE, OfflineApiCase
from odoo.addons.live_chat.tests.test_operator_ui import OperatorBusMixin


class OfflineLeadCase(OperatorBusMixin, OfflineApiCase):
    """Nobody online on "API Support", whose offline messages make leads in
    the team "After Hours"; the operators have email addresses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator.email = "oscar@company.example.com"
        cls.operator_2.email = "olga@company.example.com"
        cls.team = cls.env["crm.team"].create({"name": "After Hours"})
        cls.channel.write({"offline_create_lead": True, "offline_lead_team_id": cls.team.id})

    def setUp(self):
        super().setUp()
        self.env["bus.bus"].sudo().search([]).unlink()

    def leads(self):
        return self.env["crm.lead"].with_context(active_test=False).search(
            [("live_chat_session_ids", "in", self.offline_sessions().ids)])

    def lead_notes(self, session):
        return self.env["mail.message"].search([
            ("model", "=", "discuss.channel"), ("res_id", "=", session.id), ("is_internal", "=", True)])


@tagged("post_install", "-at_install")
class TestOfflineLead(OfflineLeadCase):

    def test_offline_message_makes_a_lead_in_the_channels_team(self):
        self.use_geoip()
        self.forwarded_for = "81.2.69.5"  # Belgium
        self.leave(phone="+32 470 12 34 56", message="Do you ship to Norway? We would need 200 chairs by May, "
                                                     "delivered to Oslo.")
        session = self.offline_sessions()
        lead = self.leads()
        self.assertEqual(len(lead), 1)
        self.assertEqual(session.live_chat_lead_ids, lead)
        self.assertEqual(lead.name, "Nina Night: Do you ship to Norway? We would need 200 chairs by May…")
        self.assertEqual(lead.contact_name, "Nina Night")
        self.assertEqual(lead.email_from, "nina@example.com")
        self.assertEqual(lead.phone, "+32 470 12 34 56")
        self.assertEqual(lead.country_id, self.belgium)
        self.assertEqual(lead.team_id, self.team)
        self.assertFalse(lead.user_id, "the team assigns the salesperson")
        self.assertIn("http://site.test/contact", lead.description)
        self.assertIn("API Support", lead.description)
        self.assertEqual(lead.source_id, self.env.ref("live_chat_crm.utm_source_live_chat"))
        # Made by OdooBot: the visitor is a guest, nobody follows it.
        self.assertEqual(lead.create_uid, self.env.ref("base.user_root"))
        self.assertNotIn(self.env.ref("base.public_partner"), lead.message_partner_ids)
        self.assertFalse(lead.message_partner_ids & (self.operator | self.operator_2).partner_id)
        # The message is in its chatter, as an internal note.
        transcript = lead.message_ids.filtered(lambda m: "Live chat transcript" in (m.body or ""))
        self.assertEqual(len(transcript), 1)
        self.assertIn("We would need 200 chairs by May, delivered to Oslo.", transcript.body)
        self.assertEqual(transcript.subtype_id, self.env.ref("mail.mt_note"))

    def test_short_message_titles_the_lead_whole(self):
        self.leave(message="  Do you\nship to   Norway?  ")
        self.assertEqual(self.leads().name, "Nina Night: Do you ship to Norway?")

    def test_no_team_on_the_channel_means_the_crms_default_team(self):
        self.channel.offline_lead_team_id = False
        self.leave()
        self.assertEqual(self.leads().team_id, self.env["crm.team"].search([], limit=1))

    def test_the_link_to_the_lead_is_for_the_operators_only(self):
        before = self.env["mail.mail"].search([]).ids
        self.leave()
        session = self.offline_sessions()
        lead = self.leads()
        note = self.lead_notes(session)
        self.assertEqual(len(note), 1)
        self.assertIn(f'data-oe-id="{lead.id}"', note.body)
        self.assertIn("OdooBot created the lead", note.body)
        self.assertEqual(note.message_type, "notification")
        # The operators' thread shows it ...
        self.assertTrue([payload for payload in self.bus_notifications(session, "discuss.channel/new_message")
                         if payload["message"]["id"] == note.id])
        # ... the visitor never: not on the bus, not in the history, not in a transcript.
        guest = session.live_chat_guest_id
        self.assertNotIn(note.id, [p["message"]["id"] for p in self.bus_notifications(guest, "live_chat/message")])
        self.assertEqual([m["body"] for m in session._live_chat_messages()], ["Do you ship to Norway?"])
        self.assertFalse([line for line in session._live_chat_transcript_lines() if "lead" in line["text"]])
        # The operators' emails are about the visitor's message, without the link.
        emails = self.env["mail.mail"].search([("id", "not in", before)])
        self.assertEqual(sorted(emails.recipient_ids.ids), sorted((self.operator | self.operator_2).partner_id.ids))
        for email in emails:
            self.assertIn("Do you ship to Norway?", email.body_html)
            self.assertNotIn("crm.lead", email.body_html)
            self.assertNotIn("created the lead", email.body_html)
        self.assertFalse(self.env["mail.mail"].search([("email_to", "ilike", "nina@example.com")]))
        # The operator's answer is emailed to the visitor, the note never.
        answer = session.with_user(self.operator).message_post(
            body="Yes, in 5 days.", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.env.flush_all()
        to_visitor = self.env["mail.mail"].search([("email_to", "ilike", "nina@example.com")])
        self.assertEqual(to_visitor.mail_message_id, answer)
        self.assertNotIn("created the lead", to_visitor.body_html)
        self.assertNotIn("crm.lead", to_visitor.body_html)
        self.assertEqual(session.live_chat_operator_id, self.operator, "the note took nothing: the answer did")

    def test_option_off_makes_no_lead(self):
        self.channel.offline_create_lead = False
        self.leave()
        session = self.offline_sessions()
        self.assertEqual(len(session), 1)
        self.assertFalse(session.live_chat_lead_ids)
        self.assertFalse(self.lead_notes(session))

    def test_refused_message_makes_no_lead(self):
        leads_before = self.env["crm.lead"].search_count([])
        self.refused(OFFLINE, {"channel_id": self.channel.id, "name": "Nina", "email": "not an email",
                               "message": "Hello"}, "bad_email")
        self.refused(OFFLINE, {"channel_id": self.channel.id, "name": "Nina", "email": "nina@example.com",
                               "message": "x" * 4001}, "too_long")
        self.env["ir.config_parameter"].sudo().set_param("live_chat.offline_rate_limit", 1)
        self.leave(email="a@example.com")
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before + 1)
        self.refused(OFFLINE, {"channel_id": self.channel.id, "name": "Nina", "email": "b@example.com",
                               "message": "Again"}, "rate_limited")
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before + 1, "the refusal made no lead")

    def test_a_crm_error_loses_the_lead_never_the_message(self):
        Session = type(self.env["discuss.channel"])

        def broken(session, title=None, team=None):
            session.env["crm.lead"].create({"name": "half made"})
            raise ValueError("a required field the CRM's customization added")

        self.patch(Session, "_live_chat_create_lead", broken)
        before = self.env["mail.mail"].search([]).ids
        with mute_logger("odoo.addons.live_chat_crm.models.discuss_channel"):
            result = self.leave()
        self.assertTrue(result["received"])
        session = self.offline_sessions()
        self.assertEqual(len(session), 1)
        self.assertEqual([m["body"] for m in session._live_chat_messages()], ["Do you ship to Norway?"])
        self.assertEqual(len(self.env["mail.mail"].search([("id", "not in", before)])), 2, "operators told")
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "half made")]), "nothing half made")

    def test_channel_form_shows_the_option_and_its_team(self):
        arch = self.env["live_chat.channel"].get_view(
            self.env.ref("live_chat.live_chat_channel_view_form").id)["arch"]
        self.assertIn('name="offline_create_lead"', arch)
        self.assertIn('name="offline_lead_team_id"', arch)
        self.assertLess(arch.index('name="offline_back_text"'), arch.index('name="offline_create_lead"'))
        self.assertIn("not offline_create_lead", arch)
        self.assertEqual(self.env["live_chat.channel"]._fields["offline_create_lead"].string,
                         "Create a lead from offline messages")

    def test_demo_channel_makes_leads_of_its_offline_messages(self):
        demo = self.env.ref("live_chat.live_chat_channel_demo", raise_if_not_found=False)
        if not demo:
            self.skipTest("no demo data")
        self.assertTrue(demo.offline_create_lead)
        self.assertEqual(demo.offline_lead_team_id, self.env.ref("sales_team.team_sales_department"))


@tagged("post_install", "-at_install")
class TestBotHandOverLead(OfflineLeadCase):
    """The bot's hand-over finds no operator after the visitor gave an
    email: the session becomes an offline message, and a lead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.script = cls.env["live_chat.chatbot.script"].create({"name": "Night bot", "bot_name": "Nox"})
        Step = cls.env["live_chat.chatbot.step"]

        def step(sequence, kind, message=False, **values):
            return Step.create({"script_id": cls.script.id, "sequence": sequence, "step_type": kind,
                                "message": message, **values})

        cls.question = step(10, "question", "How can we help?")
        cls.email = step(20, "ask_email", "Your email?")
        cls.forward = step(30, "forward_operator", "Let me find someone.")
        cls.bye = step(40, "end", "We will email you.")
        cls.answer_person = cls.env["live_chat.chatbot.answer"].create(
            {"step_id": cls.question.id, "name": "Talk to a person", "next_step_id": cls.email.id})
        cls.channel.rule_ids = [Command.clear(), Command.create({"action": "show", "chatbot_script_id": cls.script.id})]

    def post(self, started, body):
        return self.ok("/live_chat/session/post", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "body": body})

    def test_hand_over_without_operator_makes_one_lead(self):
        started = self.start(answer_id=self.answer_person.id, visitor_name="Bob Late")
        session = self.session_of(started)
        self.assertFalse(session.live_chat_lead_ids, "no lead before the visitor is an offline message")
        answer = self.post(started, "bob@example.com")
        self.assertTrue(session.live_chat_offline)
        lead = session.live_chat_lead_ids
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.name, "Bob Late: offline message")
        self.assertEqual(lead.email_from, "bob@example.com")
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.create_uid, self.env.ref("base.user_root"))
        transcript = lead.message_ids.filtered(lambda m: "Live chat transcript" in (m.body or ""))
        for said in ("Talk to a person", "bob@example.com", "Sorry, no operator is available right now."):
            self.assertIn(said, transcript.body)
        note = self.lead_notes(session)
        self.assertEqual(len(note), 1)
        self.assertIn("Nox created the lead", note.body)
        # The widget: the bot ended on an offline message; the note is neither in the history nor on the bus.
        self.assertTrue(answer["chatbot"]["ended"])
        self.assertTrue(answer["chatbot"]["offline"])
        history = self.ok("/live_chat/session/messages", {
            "session_id": started["session_id"], "guest_token": started["guest_token"]})
        self.assertNotIn(note.id, [m["id"] for m in history["messages"]])
        self.assertEqual(history["messages"][-1]["body"], "We will email you.")
        self.assertNotIn(note.id, [p["message"]["id"] for p in self.bus_notifications(
            session.live_chat_guest_id, "live_chat/message")])
        # Once: the hand-over again (the visitor restarts the bot) makes no second lead.
        self.ok("/live_chat/chatbot/restart", {
            "session_id": started["session_id"], "guest_token": started["guest_token"]})
        self.ok("/live_chat/chatbot/answer", {"session_id": started["session_id"],
                                              "guest_token": started["guest_token"],
                                              "answer_id": self.answer_person.id})
        self.post(started, "bob@example.com")
        self.assertEqual(session.live_chat_lead_ids, lead)
        self.assertEqual(len(self.lead_notes(session)), 1)

    def test_bot_that_made_a_lead_before_the_hand_over_makes_no_second(self):
        self.env["live_chat.chatbot.step"].create({
            "script_id": self.script.id, "sequence": 25, "step_type": "create_lead", "crm_team_id": self.team.id})
        started = self.start(answer_id=self.answer_person.id, visitor_name="Bob Late")
        self.post(started, "bob@example.com")
        session = self.session_of(started)
        self.assertTrue(session.live_chat_offline)
        self.assertEqual(len(session.live_chat_lead_ids), 1)
        self.assertEqual(session.live_chat_lead_ids.name, "Live chat with Bob Late", "the bot's step's lead")

    def test_hand_over_with_the_option_off_makes_no_lead(self):
        self.channel.offline_create_lead = False
        started = self.start(answer_id=self.answer_person.id, visitor_name="Bob Late")
        self.post(started, "bob@example.com")
        session = self.session_of(started)
        self.assertTrue(session.live_chat_offline)
        self.assertFalse(session.live_chat_lead_ids)
