from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import new_operator


@tagged("post_install", "-at_install")
class TestChannelTours(HttpCase):

    def test_admin_creates_channel_with_rule_and_reads_widget(self):
        tina = new_operator(self.env, "tina_tour", "Tina Tour")
        new_operator(self.env, "theo_tour", "Theo Tour")
        self.start_tour("/web", "live_chat_channel_admin_tour", login="admin")
        channel = self.env["live_chat.channel"].search([("name", "=", "Tour Channel")])
        self.assertEqual(len(channel), 1)
        self.assertEqual(channel.user_ids, self.env.ref("base.user_admin") | tina)
        self.assertEqual(channel.button_text, "Talk to the tour")
        self.assertEqual(channel.rule_ids.mapped("url_regex"), ["/shop"])

    def test_operator_joins_then_leaves_from_kanban(self):
        operator = new_operator(self.env, "tour_operator", "Tour Operator")
        channel = self.env["live_chat.channel"].create({
            "name": "Tour Join Channel", "user_ids": [Command.clear()],
        })
        joined = []
        original_join = type(channel).action_join

        def spy_join(records):
            result = original_join(records)
            joined.append(records.sudo().user_ids.ids)
            return result

        self.patch(type(channel), "action_join", spy_join)
        self.start_tour("/web#action=live_chat.live_chat_channel_action",
                        "live_chat_channel_join_leave_tour", login="tour_operator")
        self.assertEqual(joined, [[operator.id]], "JOIN made the operator a member")
        self.assertFalse(channel.user_ids, "LEAVE removed them again")


@tagged("post_install", "-at_install")
class TestPrivacyTours(HttpCase):

    def test_admin_sets_retention_and_anonymized_addresses(self):
        self.start_tour("/web#action=live_chat.live_chat_config_settings_action",
                        "live_chat_privacy_settings_tour", login="admin")
        params = self.env["ir.config_parameter"].sudo()
        self.assertTrue(params.get_param("live_chat.retention_enabled"))
        self.assertEqual(params.get_param("live_chat.retention_days"), "90")
        self.assertEqual(params.get_param("live_chat.visitor_address"), "anonymize")

    def test_admin_erases_a_visitors_data(self):
        operator = new_operator(self.env, "erase_tour_op", "Erin Operator")
        channel = self.env["live_chat.channel"].create({"name": "Erase Tour", "user_ids": [Command.set(operator.ids)]})
        guest = self.env["mail.guest"].create({"name": "Vera Visitor"})
        session = self.env["discuss.channel"]._live_chat_create_session(
            channel, operator, guest=guest, visitor_name="Vera Visitor")
        session._live_chat_post("My phone is +32 470 00 00 00", guest=guest)
        action = self.env.ref("live_chat.discuss_channel_live_chat_action")
        self.start_tour(f"/web#action={action.id}&model=discuss.channel&id={session.id}&view_type=form",
                        "live_chat_erase_visitor_tour", login="admin")
        self.assertTrue(session.live_chat_erased)
        self.assertFalse(guest.exists())
        self.assertEqual(session.live_chat_visitor_name, "Erased visitor")
