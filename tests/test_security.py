from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LiveChatCase


@tagged("post_install", "-at_install")
class TestAccess(LiveChatCase):

    def test_user_without_group_cannot_read_channels(self):
        with self.assertRaises(AccessError):
            self.env["live_chat.channel"].with_user(self.employee).search([])
        with self.assertRaises(AccessError):
            self.channel.with_user(self.employee).read(["name"])
        with self.assertRaises(AccessError):
            self.env["live_chat.channel.rule"].with_user(self.employee).search([])

    def test_operator_reads_but_cannot_edit_channel_options(self):
        channel = self.channel.with_user(self.operator)
        self.assertEqual(channel.read(["name"])[0]["name"], "Test Support")
        with self.assertRaises(AccessError):
            channel.write({"button_text": "Hacked"})
        with self.assertRaises(AccessError):
            channel.write({"user_ids": [(4, self.employee.id)]})
        with self.assertRaises(AccessError):
            self.env["live_chat.channel"].with_user(self.operator).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.env["live_chat.channel.rule"].with_user(self.operator).create({"channel_id": self.channel.id})
        with self.assertRaises(AccessError):
            channel.unlink()

    def test_manager_manages_channels_rules_and_operators(self):
        channel = self.channel.with_user(self.manager)
        channel.write({"button_text": "Talk to us", "user_ids": [(4, self.employee.id)]})
        self.assertIn(self.employee, self.channel.user_ids)
        rule = self.env["live_chat.channel.rule"].with_user(self.manager).create({"channel_id": channel.id})
        rule.unlink()
        self.env["live_chat.channel"].with_user(self.manager).create({"name": "New"}).unlink()

    def test_app_menu_only_for_live_chat_users(self):
        menu = self.env.ref("live_chat.menu_live_chat_root")
        visible = self.env["ir.ui.menu"].with_user(self.employee)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        visible = self.env["ir.ui.menu"].with_user(self.operator)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        config = self.env.ref("live_chat.menu_live_chat_configuration")
        self.assertNotIn(config.id, visible, "operators do not configure channels")
