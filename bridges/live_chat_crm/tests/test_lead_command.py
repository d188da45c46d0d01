from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.live_chat.tests.common import LiveChatCase
from odoo.addons.live_chat.tests.test_operator_ui import OperatorBusMixin

SALES_OPERATOR_GROUPS = "base.group_user,live_chat.group_live_chat_user,sales_team.group_sale_salesman"


class LeadCase(OperatorBusMixin, LiveChatCase):
    """A session of Vera (a guest) with Oscar, an operator who sells in the
    team "Chat Sales"; Vera gave her email and phone, the chat started on
    the pricing page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator.groups_id = [Command.link(cls.env.ref("sales_team.group_sale_salesman").id)]
        cls.team = cls.env["crm.team"].create({
            "name": "Chat Sales", "sequence": 1, "member_ids": [Command.link(cls.operator.id)]})

    def setUp(self):
        super().setUp()
        self.guest = self.env["mail.guest"].create({"name": "Vera Visitor"})
        self.session = self.new_session(self.guest)

    def new_session(self, guest, operator=None):
        session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, operator or self.operator, guest=guest, visitor_name=guest.name,
            country=self.belgium, url="https://shop.example.com/pricing")
        session.write({"live_chat_visitor_email": "vera@example.com", "live_chat_visitor_phone": "+32 470 12 34 56"})
        session._live_chat_post("We need 40 licences before June.", guest=guest)
        session._live_chat_post("Happy to help, let me note that.", author=(operator or self.operator).partner_id)
        return session

    def leads(self):
        return self.env["crm.lead"].with_context(active_test=False).search(
            [("live_chat_session_ids", "in", self.session.ids)])

    def lead_command(self, user, body, session=None):
        return (session or self.session).with_user(user).execute_command_lead(body=body)


@tagged("post_install", "-at_install")
class TestLeadCommand(LeadCase):

    def test_lead_gets_the_visitor_details_and_the_operators_team(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.guest.lang = "fr_BE"
        self.lead_command(self.operator, "/lead 40 licences for Vera's company")
        lead = self.leads()
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.name, "40 licences for Vera's company")
        self.assertEqual(lead.contact_name, "Vera Visitor")
        self.assertEqual(lead.email_from, "vera@example.com")
        self.assertEqual(lead.phone, "+32 470 12 34 56")
        self.assertEqual(lead.country_id, self.belgium)
        self.assertEqual(lead.lang_id.code, "fr_BE")
        self.assertIn("https://shop.example.com/pricing", lead.description)
        self.assertIn("Test Support", lead.description)
        self.assertEqual(lead.team_id, self.team)
        self.assertFalse(lead.user_id, "the team assigns the salesperson")
        self.assertFalse(lead.partner_id, "a guest has no contact")
        self.assertEqual(lead.source_id, self.env.ref("live_chat_crm.utm_source_live_chat"))
        self.assertEqual(lead.medium_id, self.env.ref("utm.utm_medium_website"))
        self.assertEqual(lead.create_uid, self.operator)
        self.assertEqual(self.session.live_chat_lead_ids, lead)

    def test_the_transcript_is_a_note_in_the_leads_chatter(self):
        self.lead_command(self.operator, "/lead Licences")
        self.session._live_chat_post("And 5 more for the interns.", guest=self.guest)
        self.lead_command(self.operator, "/lead Interns")
        for title, has_interns in (("Licences", False), ("Interns", True)):
            lead = self.leads().filtered(lambda lead, title=title: lead.name == title)
            notes = lead.message_ids.filtered(lambda m: "Live chat transcript" in (m.body or ""))
            self.assertEqual(len(notes), 1)
            note = notes
            self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"), "an internal note, never emailed")
            self.assertEqual(note.author_id, self.operator.partner_id)
            self.assertIn("We need 40 licences before June.", note.body)
            self.assertIn("Happy to help, let me note that.", note.body)
            self.assertIn("Vera Visitor", note.body)
            self.assertEqual("And 5 more for the interns." in note.body, has_interns)
            self.assertNotIn("created the lead", note.body, "the links to leads are not part of the transcript")

    def test_the_thread_gets_a_link_the_visitor_never_receives(self):
        self.env.cr.precommit.run()
        self.env["bus.bus"].sudo().search([]).unlink()
        self.lead_command(self.operator, "/lead Licences")
        lead = self.leads()
        note = self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", self.session.id)], order="id desc", limit=1)
        self.assertIn(f"/web#model=crm.lead&amp;id={lead.id}", note.body)
        self.assertIn(f'data-oe-id="{lead.id}"', note.body)
        self.assertIn("Oscar Operator created the lead", note.body)
        self.assertTrue(note.is_internal)
        # The operator's thread receives it (mail's channel notification) ...
        self.assertTrue([payload for payload in self.bus_notifications(self.session, "discuss.channel/new_message")
                         if payload["message"]["id"] == note.id])
        # ... the visitor does not: not on the bus, not in the history, not
        # in the transcript they may have emailed.
        self.assertFalse(self.bus_notifications(self.guest, "live_chat/message"))
        history = self.session._live_chat_messages()
        self.assertNotIn(note.id, [message["id"] for message in history])
        self.assertEqual(history[-1]["body"], "Happy to help, let me note that.")
        self.assertFalse([line for line in self.session._live_chat_transcript_lines() if "Licences" in line["text"]])
        self.assertEqual(self.session._live_chat_messages(after_id=history[-1]["id"]), [])

    def test_the_title_is_text_never_markup(self):
        self.lead_command(self.operator, '/lead <img src=x onerror="alert(1)">Deal')
        lead = self.leads()
        self.assertEqual(lead.name, '<img src=x onerror="alert(1)">Deal')
        note = self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", self.session.id)], order="id desc", limit=1)
        self.assertIn("&lt;img", note.body)
        self.assertNotIn("<img", note.body)

    def test_bare_command_explains_itself_and_creates_nothing(self):
        self.env.cr.precommit.run()
        self.env["bus.bus"].sudo().search([]).unlink()
        self.lead_command(self.operator, "/lead   ")
        self.assertFalse(self.leads())
        transient = self.bus_notifications(self.operator.partner_id, "discuss.channel/transient_message")
        self.assertEqual(len(transient), 1)
        self.assertIn("/lead &lt;title&gt;", transient[0]["body"])

    def test_refused_outside_a_live_chat_session(self):
        channel = self.env["discuss.channel"].with_user(self.operator).create(
            {"name": "Sales", "channel_type": "channel"})
        if self.env["ir.module.module"].search_count([("name", "=", "crm_livechat"), ("state", "=", "installed")]):
            # Odoo's own crm_livechat serves /lead outside our sessions.
            channel.execute_command_lead(body="/lead Something")
            self.assertFalse(self.env["crm.lead"].search([("name", "=", "Something")]).live_chat_session_ids)
            return
        with self.assertRaisesRegex(UserError, "live chat"):
            channel.execute_command_lead(body="/lead Something")
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Something")]))

    def test_refused_for_who_is_not_an_operator_of_the_session(self):
        employee_salesman = new_test_user(self.env, login="lc_salesman", name="Sam Sales",
                                          groups="base.group_user,sales_team.group_sale_salesman")
        # Olga operates the channel but is not in this session.
        self.operator_2.groups_id = [Command.link(self.env.ref("sales_team.group_sale_salesman").id)]
        # Sam cannot even see the session; Olga can, and is told.
        with self.assertRaises(AccessError):
            self.lead_command(employee_salesman, "/lead Not mine")
        with self.assertRaisesRegex(UserError, "Only the operators of this live chat session"):
            self.lead_command(self.operator_2, "/lead Not mine")
        self.assertFalse(self.leads())

    def test_refused_for_the_logged_in_visitor_of_the_session(self):
        portal = new_test_user(self.env, login="lc_portal", name="Paula Portal", groups="base.group_portal",
                               email="paula@example.com")
        session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, partner=portal.partner_id)
        with self.assertRaises(AccessError):
            session.with_user(portal).execute_command_lead(body="/lead Free licences")
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Free licences")]))

    def test_operator_without_crm_rights_is_told_what_to_ask(self):
        self.operator.groups_id = [Command.unlink(self.env.ref("sales_team.group_sale_salesman").id)]
        with self.assertRaisesRegex(UserError, "access to the CRM"):
            self.lead_command(self.operator, "/lead Licences")
        self.assertFalse(self.leads())

    def test_live_chat_administrator_may_create_it_without_being_a_member(self):
        self.manager.groups_id = [Command.link(self.env.ref("sales_team.group_sale_salesman").id)]
        self.lead_command(self.manager, "/lead Licences")
        self.assertEqual(self.leads().create_uid, self.manager)

    def test_logged_in_visitor_is_the_leads_contact(self):
        portal = new_test_user(self.env, login="lc_portal2", name="Paula Portal", groups="base.group_portal",
                               email="paula@example.com")
        session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, partner=portal.partner_id, url="https://shop.example.com/")
        session.live_chat_visitor_email = "other@example.com"
        self.lead_command(self.operator, "/lead Paula's order", session=session)
        lead = session.live_chat_lead_ids
        self.assertEqual(lead.partner_id, portal.partner_id)
        self.assertEqual(lead.contact_name, "Paula Portal")
        self.assertEqual(lead.email_from, "paula@example.com")
        self.assertEqual(portal.partner_id.email, "paula@example.com", "the chat never changes a customer's email")

    def test_lead_or_opportunity_as_the_crm_is_set_up(self):
        self.lead_command(self.operator, "/lead Without leads")
        self.assertEqual(self.leads().type, "opportunity", "the CRM's default: no lead stage")
        self.env.ref("base.group_user").implied_ids = [Command.link(self.env.ref("crm.group_use_lead").id)]
        self.team.use_leads = True
        session = self.new_session(self.env["mail.guest"].create({"name": "Walt"}))
        self.lead_command(self.operator, "/lead With leads", session=session)
        self.assertEqual(session.live_chat_lead_ids.type, "lead")


@tagged("post_install", "-at_install")
class TestLeadSessionLinks(LeadCase):

    def test_lead_form_button_opens_its_session(self):
        self.lead_command(self.operator, "/lead Licences")
        lead = self.leads().with_user(self.operator)
        self.assertEqual(lead.live_chat_session_count, 1)
        action = lead.action_view_live_chat_sessions()
        self.assertEqual(action["res_model"], "discuss.channel")
        self.assertEqual(action["res_id"], self.session.id)
        self.assertEqual(action["views"], [(self.env.ref("live_chat.discuss_channel_live_chat_view_form").id, "form")])

    def test_lead_of_several_sessions_lists_them_after_a_merge(self):
        self.lead_command(self.operator, "/lead First chat")
        other = self.new_session(self.env["mail.guest"].create({"name": "Vera again"}))
        self.lead_command(self.operator, "/lead Second chat", session=other)
        leads = self.leads() | other.live_chat_lead_ids
        self.assertEqual(len(leads), 2)
        merged = leads.with_user(self.operator).merge_opportunity()
        self.assertEqual(merged.live_chat_session_ids, self.session | other)
        action = merged.with_user(self.operator).action_view_live_chat_sessions()
        self.assertEqual(self.env["discuss.channel"].search(action["domain"]), self.session | other)
        self.assertFalse(action.get("res_id"), "the list of both")

    def test_session_form_button_opens_its_leads(self):
        self.lead_command(self.operator, "/lead Licences")
        session = self.session.with_user(self.operator)
        self.assertEqual(session.live_chat_lead_count, 1)
        action = session.action_live_chat_view_leads()
        self.assertEqual(action["res_model"], "crm.lead")
        self.assertEqual(action["res_id"], self.leads().id)

    def test_smart_button_shows_only_the_sessions_the_user_may_read(self):
        self.lead_command(self.operator, "/lead Licences")
        salesman = new_test_user(self.env, login="lc_salesman2", name="Sid Sales",
                                 groups="base.group_user,sales_team.group_sale_salesman,live_chat.group_live_chat_user")
        # Sid operates no channel of this session.
        self.assertEqual(self.leads().with_user(salesman).live_chat_session_count, 0)
