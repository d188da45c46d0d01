from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.live_chat.tests.common import RealTimeBusMixin, new_operator, set_presence


@tagged("post_install", "-at_install")
class TestLeadTour(RealTimeBusMixin, HttpCase):
    """The operator types /lead in the session's thread in Discuss, follows
    the link to the lead, reads the transcript in its chatter and goes back
    to the session with the smart button (static/tests/tours/)."""

    def test_lead_command_from_the_thread(self):
        operator = new_operator(self.env, "lead_tour_op", "Lena Operator")
        operator.groups_id = [Command.link(self.env.ref("sales_team.group_sale_salesman").id)]
        team = self.env["crm.team"].create({"name": "Chat Sales", "sequence": 1,
                                            "member_ids": [Command.link(operator.id)]})
        channel = self.env["live_chat.channel"].create({
            "name": "Lead Tour Support", "user_ids": [Command.set(operator.ids)]})
        set_presence(operator, minutes_ago=0)
        guest = self.env["mail.guest"].create({"name": "Vera Visitor"})
        session = self.env["discuss.channel"]._live_chat_create_session(
            channel, operator, guest=guest, visitor_name="Vera Visitor", country=self.env.ref("base.be"),
            url="https://shop.example.com/pricing")
        session.write({"live_chat_visitor_email": "vera@example.com", "live_chat_visitor_phone": "+32 470 12 34 56"})
        session._live_chat_post("We need 40 licences before June.", guest=guest)
        session._live_chat_post("Happy to help, let me note that.", author=operator.partner_id)

        self.start_tour("/web#action=mail.action_discuss", "live_chat_crm_lead_tour", login=operator.login)

        lead = session.live_chat_lead_ids
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.name, "40 licences for Vera")
        self.assertEqual((lead.contact_name, lead.email_from, lead.phone, lead.country_id, lead.team_id),
                         ("Vera Visitor", "vera@example.com", "+32 470 12 34 56", self.env.ref("base.be"), team))
        transcript = lead.message_ids.filtered(lambda m: "Live chat transcript" in (m.body or ""))
        self.assertIn("We need 40 licences before June.", transcript.body)
        self.assertIn("Happy to help, let me note that.", transcript.body)
        # The visitor's history has no trace of it.
        self.assertNotIn("40 licences for Vera", " ".join(m["body"] for m in session._live_chat_messages()))
