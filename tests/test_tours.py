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
