from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import LiveChatCase


@tagged("post_install", "-at_install")
class TestChannel(LiveChatCase):

    def test_install_creates_default_channel_with_installer_as_operator(self):
        channel = self.env.ref("live_chat.live_chat_channel_default")
        self.assertEqual(channel.name, "YourWebsite.com")
        self.assertIn(self.env.ref("base.user_admin"), channel.user_ids)
        self.assertTrue(channel.rule_ids, "the default channel shows its button everywhere")
        self.assertEqual(channel.rule_ids[0].action, "show")

    def test_creator_is_operator_by_default(self):
        channel = self.env["live_chat.channel"].with_user(self.manager).create({"name": "Sales"})
        self.assertEqual(channel.user_ids, self.manager)

    def test_options_have_defaults(self):
        channel = self.env["live_chat.channel"].create({"name": "Defaults"})
        self.assertTrue(channel.button_text)
        self.assertTrue(channel.welcome_message)
        self.assertTrue(channel.input_placeholder)
        self.assertRegex(channel.button_background_color, r"^#[0-9A-Fa-f]{6}$")
        self.assertRegex(channel.header_background_color, r"^#[0-9A-Fa-f]{6}$")

    def test_join_adds_current_user(self):
        channel = self.channel.with_user(self.manager)
        self.assertFalse(channel.is_member)
        channel.action_join()
        self.assertIn(self.manager, self.channel.user_ids)
        channel.invalidate_recordset()
        self.assertTrue(channel.is_member)

    def test_operator_can_join_and_leave_without_edit_rights(self):
        other = self.env["live_chat.channel"].create({"name": "Other", "user_ids": [Command.clear()]})
        channel = other.with_user(self.operator)
        channel.action_join()
        self.assertEqual(other.user_ids, self.operator)
        self.assertEqual(
            self.env["live_chat.channel"].with_user(self.operator).search([("is_member", "=", True)]),
            self.channel | other,
        )
        channel.action_leave()
        self.assertFalse(other.user_ids)
        self.assertNotIn(other, self.env["live_chat.channel"].with_user(self.operator).search(
            [("is_member", "=", True)]))

    def test_leave_removes_only_current_user(self):
        self.channel.with_user(self.operator).action_leave()
        self.assertEqual(self.channel.user_ids, self.operator_2)

    def test_join_refused_to_users_without_live_chat_group(self):
        with self.assertRaisesRegex(AccessError, "Only Live Chat users"):
            self.channel.with_user(self.employee).action_join()
        with self.assertRaises(AccessError):
            self.channel.with_user(self.employee).action_leave()
        self.assertNotIn(self.employee, self.channel.user_ids)

    def test_chat_name_falls_back_to_user_name(self):
        self.assertEqual(self.operator._get_live_chat_name(), "Oscar Operator")
        self.operator.live_chat_name = "Oz"
        self.assertEqual(self.operator._get_live_chat_name(), "Oz")
        self.operator.live_chat_name = "   "
        self.assertEqual(self.operator._get_live_chat_name(), "Oscar Operator")

    def test_user_edits_own_chat_name_in_preferences(self):
        self.operator.with_user(self.operator).write({"live_chat_name": "Ossie"})
        self.assertEqual(self.operator.live_chat_name, "Ossie")
        self.assertIn("live_chat_name", self.env["res.users"].SELF_WRITEABLE_FIELDS)
        with self.assertRaises(AccessError):
            self.operator_2.with_user(self.operator).write({"live_chat_name": "Not mine"})

    def test_widget_uses_web_base_url(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://chat.example.com/")
        self.channel.invalidate_recordset(["script_snippet", "direct_link"])
        self.assertEqual(
            self.channel.script_snippet,
            f'<script defer src="https://chat.example.com/live_chat/embed/{self.channel.id}.js"></script>',
        )
        self.assertEqual(self.channel.direct_link,
                         f"https://chat.example.com/live_chat/chat/{self.channel.id}")


@tagged("post_install", "-at_install")
class TestRules(LiveChatCase):

    def test_invalid_regex_refused_with_clear_message(self):
        with self.assertRaisesRegex(ValidationError, "not a valid regular expression"):
            self.env["live_chat.channel.rule"].create({
                "channel_id": self.channel.id, "url_regex": "/shop(",
            })
        rule = self.env["live_chat.channel.rule"].create({"channel_id": self.channel.id, "url_regex": "/shop"})
        with self.assertRaises(ValidationError):
            rule.url_regex = "[a-"
        self.assertEqual(rule.url_regex, "/shop")

    def test_negative_timer_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.env["live_chat.channel.rule"].create({
                "channel_id": self.channel.id, "action": "auto_open", "auto_open_seconds": -1,
            })

    def test_first_matching_rule_by_sequence_wins(self):
        Rule = self.env["live_chat.channel.rule"]
        everyone = Rule.create({"channel_id": self.channel.id, "sequence": 30, "action": "show"})
        shop = Rule.create({"channel_id": self.channel.id, "sequence": 10, "action": "auto_open",
                            "auto_open_seconds": 3, "url_regex": r"/shop\b"})
        belgians = Rule.create({"channel_id": self.channel.id, "sequence": 20, "action": "hide",
                                "country_ids": [Command.set(self.belgium.ids)]})
        france = self.france
        self.assertEqual(Rule._match_rule(self.channel, "https://x.com/shop/cart", france), shop)
        self.assertEqual(Rule._match_rule(self.channel, "https://x.com/about", self.belgium), belgians)
        self.assertEqual(Rule._match_rule(self.channel, "https://x.com/about", france), everyone)
        # Unknown country (no GeoIP): country rules do not match, others do.
        self.assertEqual(Rule._match_rule(self.channel, "https://x.com/about", self.env["res.country"]), everyone)
        shop.sequence = 40
        self.assertEqual(Rule._match_rule(self.channel, "https://x.com/shop", self.belgium), belgians)

    def test_no_rule_matches(self):
        Rule = self.env["live_chat.channel.rule"]
        Rule.create({"channel_id": self.channel.id, "url_regex": "/shop"})
        self.assertFalse(Rule._match_rule(self.channel, "https://x.com/blog", self.france))

    def test_timer_reset_when_not_auto_open(self):
        rule = self.env["live_chat.channel.rule"].new({"action": "auto_open", "auto_open_seconds": 5})
        rule.action = "show"
        rule._onchange_action()
        self.assertEqual(rule.auto_open_seconds, 0)


@tagged("post_install", "-at_install")
class TestAvailability(LiveChatCase):

    def test_operator_active_recently_is_available(self):
        self.set_presence(self.operator, minutes_ago=5)
        self.set_presence(self.operator_2, minutes_ago=31)
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.available_operator_ids, self.operator)
        self.assertEqual(self.channel.available_operator_count, 1)

    def test_operator_without_presence_is_not_available(self):
        self.env["bus.presence"].sudo().search([("user_id", "in", self.channel.user_ids.ids)]).unlink()
        self.assertFalse(self.channel.available_operator_ids)

    def test_inactive_operator_available_again_when_active(self):
        self.set_presence(self.operator, minutes_ago=45)
        self.assertFalse(self.channel.available_operator_ids)
        self.set_presence(self.operator, minutes_ago=0)
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.available_operator_ids, self.operator)

    def test_logged_out_operator_is_not_available(self):
        # The bus marks the presence offline when the user logs out or closes
        # every Odoo tab: away at once, not 30 minutes later.
        self.set_presence(self.operator, minutes_ago=0, status="offline")
        self.set_presence(self.operator_2, minutes_ago=0)
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.available_operator_ids, self.operator_2)

    def test_non_operator_presence_does_not_count(self):
        self.set_presence(self.employee, minutes_ago=1)
        self.assertNotIn(self.employee, self.channel.available_operator_ids)

    def test_inactive_operators_keep_their_channels(self):
        # The scheduled action no longer removes anybody: away and offline
        # operators keep their membership (JOIN / LEAVE are theirs) and only
        # stop getting new sessions.
        self.set_presence(self.operator, minutes_ago=31)
        self.set_presence(self.operator_2, minutes_ago=0, status="offline")
        self.env.ref("live_chat.ir_cron_live_chat_queue").method_direct_trigger()
        self.assertEqual(self.channel.user_ids, self.operator | self.operator_2)
        self.channel.invalidate_recordset()
        self.assertFalse(self.channel.available_operator_ids)
        # Back in Odoo: available again, without joining again.
        self.set_presence(self.operator, minutes_ago=0)
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.available_operator_ids, self.operator)


@tagged("post_install", "-at_install")
class TestWebsiteSetting(LiveChatCase):

    def test_settings_pick_the_channel_of_the_current_website(self):
        website = self.env["website"].create({"name": "Second site"})
        settings = self.env["res.config.settings"].create({
            "website_id": website.id,
            "website_live_chat_enabled": True,
            "website_live_chat_channel_id": self.channel.id,
        })
        settings.execute()
        self.assertEqual(website.live_chat_channel_id, self.channel)
        self.assertNotEqual(self.env.ref("website.default_website").live_chat_channel_id, self.channel,
                            "each website keeps its own channel")
        settings = self.env["res.config.settings"].create({"website_id": website.id})
        self.assertTrue(settings.website_live_chat_enabled)
        self.assertEqual(settings.website_live_chat_channel_id, self.channel)
        settings.website_live_chat_enabled = False
        settings.execute()
        self.assertFalse(website.live_chat_channel_id)
