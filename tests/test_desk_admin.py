"""Issue 20: the Sessions form, operators' access, channel rules that can
never apply, and a chatbot's Test page."""
import ast
import re
import time
from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.misc import hmac

from .common import LiveChatCase, new_operator
from .test_session_api import LiveChatApiCase


@tagged("post_install", "-at_install")
class TestSessionForm(LiveChatCase):

    def setUp(self):
        super().setUp()
        self.guest = self.env["mail.guest"].create({"name": "Vera"})
        self.session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=self.guest, visitor_name="Vera", visitor_wrote=True)

    def form_arch(self):
        view = self.env.ref("live_chat.discuss_channel_live_chat_view_form")
        return etree.fromstring(self.env["discuss.channel"].get_views([(view.id, "form")])["views"]["form"]["arch"])

    def test_open_the_conversation_in_discuss(self):
        action = self.session.with_user(self.operator_2).action_live_chat_open_conversation()
        self.assertEqual(action["type"], "ir.actions.client")
        self.assertEqual(action["tag"], "mail.action_discuss")
        self.assertEqual(action["params"]["active_id"], f"discuss.channel_{self.session.id}")
        [button] = self.form_arch().xpath("//button[@name='action_live_chat_open_conversation']")
        self.assertEqual(button.get("string"), "Open the conversation")

    def test_leave_is_offered_to_members_only(self):
        [button] = self.form_arch().xpath("//button[@name='live_chat_close_by_operator']")
        self.assertIn("not is_member", button.get("invisible"))
        self.assertTrue(self.session.with_user(self.operator).is_member)
        self.assertFalse(self.session.with_user(self.operator_2).is_member, "an operator of the channel reads it")
        self.assertFalse(self.session.with_user(self.manager).is_member)

    def test_form_shows_what_the_bot_collected(self):
        script = self.env["live_chat.chatbot.script"].create({"name": "Bot", "step_ids": [
            Command.create({"sequence": 1, "step_type": "ask_email", "message": "Your email?"}),
            Command.create({"sequence": 2, "step_type": "ask_phone", "message": "Your phone?"}),
        ]})
        session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, script=script, guest=self.env["mail.guest"].create({"name": "Bob"}))
        session._chatbot_process_input("bob@example.com")
        session._chatbot_process_input("+32 470 12 34 56")
        record = session.with_user(self.operator)
        self.assertEqual(record.live_chat_visitor_email, "bob@example.com")
        self.assertEqual(record.live_chat_visitor_phone, "+32 470 12 34 56")
        self.assertEqual(record.live_chat_chatbot_answer_ids.mapped("value"), ["bob@example.com", "+32 470 12 34 56"])
        arch = self.form_arch()
        for name in ("live_chat_visitor_email", "live_chat_visitor_phone", "live_chat_chatbot_answer_ids"):
            self.assertTrue(arch.xpath(f"//field[@name='{name}']"), name)

    def test_duration_is_blank_while_open_everywhere(self):
        """One figure: minutes from start to end once closed, blank while
        open, in the list, the form and the reports."""
        tree = self.env.ref("live_chat.discuss_channel_live_chat_view_tree")
        views = self.env["discuss.channel"].get_views([(tree.id, "tree")])
        tree_arch = etree.fromstring(views["views"]["tree"]["arch"])
        for arch in (tree_arch, self.form_arch()):
            [field] = arch.xpath("//field[@name='live_chat_duration']")
            self.assertEqual(field.get("invisible"), "not live_chat_closed")
        self.session.live_chat_start = fields.Datetime.now() - timedelta(minutes=4, seconds=30)
        self.env.flush_all()
        report = self.env["live_chat.report.session"].search([("session_id", "=", self.session.id)])
        self.env.cr.execute("SELECT duration FROM live_chat_report_session WHERE id = %s", [report.id])
        self.assertIsNone(self.env.cr.fetchone()[0])
        self.session.with_user(self.operator).live_chat_close_by_operator()
        self.env.flush_all()
        report.invalidate_recordset()
        self.assertAlmostEqual(self.session.live_chat_duration, 4.5, delta=0.1)
        self.assertEqual(report.duration, self.session.live_chat_duration)


@tagged("post_install", "-at_install")
class TestOperatorAccess(LiveChatCase):

    def test_adding_a_user_as_operator_gives_the_live_chat_access(self):
        group = self.env.ref("live_chat.group_live_chat_user")
        self.assertNotIn(group, self.employee.groups_id)
        self.channel.with_user(self.manager).write({"user_ids": [Command.link(self.employee.id)]})
        self.assertIn(group, self.employee.groups_id)
        # ... who can then act as one: JOIN / LEAVE, see the channel's sessions.
        self.channel.with_user(self.employee).action_leave()
        self.assertNotIn(self.employee, self.channel.user_ids)

    def test_a_new_channel_gives_its_operators_the_access(self):
        other = self.env["res.users"].create({
            "name": "Ivan Internal", "login": "lc_ivan",
            "groups_id": [Command.set(self.env.ref("base.group_user").ids)]})
        self.env["live_chat.channel"].with_user(self.manager).create({
            "name": "New Support", "user_ids": [Command.set([other.id])]})
        self.assertTrue(other.has_group("live_chat.group_live_chat_user"))

    def test_never_makes_an_outsider_an_internal_user(self):
        portal = self.env["res.users"].create({
            "name": "Paula Portal", "login": "lc_portal_op",
            "groups_id": [Command.set(self.env.ref("base.group_portal").ids)]})
        self.channel.sudo().write({"user_ids": [Command.link(portal.id)]})
        self.assertFalse(portal.has_group("live_chat.group_live_chat_user"))
        self.assertFalse(portal._is_internal())


@tagged("post_install", "-at_install")
class TestRuleOrder(LiveChatCase):

    def rules(self, *specs):
        Rule = self.env["live_chat.channel.rule"]
        return [Rule.create({"channel_id": self.channel.id, **spec}) for spec in specs]

    def test_rules_below_a_catch_all_are_flagged(self):
        shop, everyone, blog, belgians = self.rules(
            {"sequence": 1, "url_regex": "/shop"},
            {"sequence": 2, "url_regex": "^.*$"},
            {"sequence": 3, "url_regex": "/blog"},
            {"sequence": 4, "country_ids": [Command.set(self.belgium.ids)]},
        )
        self.assertEqual([rule.never_applies for rule in (shop, everyone, blog, belgians)],
                         [False, False, True, True])
        self.assertEqual(blog.warning, "Never applies: a rule above matches every page and every country.")
        self.assertFalse(shop.warning)
        # The flag follows the rule's place and the catch-all's conditions.
        blog.sequence = 0
        self.assertFalse(blog.never_applies)
        everyone.country_ids = self.france
        self.assertFalse(belgians.never_applies)
        self.assertFalse(self.env["live_chat.channel.rule"].search(
            [("channel_id", "=", self.channel.id)]).filtered("never_applies"))

    def test_country_rule_is_no_catch_all_and_neither_is_an_empty_url_match(self):
        rule, regex_only = self.rules({"country_ids": [Command.set(self.belgium.ids)]}, {"url_regex": "^$"})
        self.assertFalse(rule.is_catch_all)
        self.assertFalse(regex_only.is_catch_all)
        self.assertTrue(self.rules({"url_regex": "  "})[0].is_catch_all)

    def test_a_new_rule_goes_above_the_catch_all(self):
        shop, everyone = self.rules({"sequence": 10, "url_regex": "/shop"}, {"sequence": 20, "action": "show"})
        [contact] = self.rules({"url_regex": "/contactus", "action": "auto_open"})
        ordered = self.channel.rule_ids._in_order()
        self.assertEqual(list(ordered), [shop, contact, everyone])
        self.assertFalse(contact.never_applies)
        Rule = self.env["live_chat.channel.rule"]
        self.assertEqual(Rule._match_rule(self.channel, "https://x.com/contactus", self.france), contact)
        self.assertEqual(Rule._match_rule(self.channel, "https://x.com/", self.france), everyone)

    def test_a_new_rule_goes_last_without_a_catch_all(self):
        shop, blog = self.rules({"sequence": 10, "url_regex": "/shop"}, {"sequence": 20, "url_regex": "/blog"})
        [contact] = self.rules({"url_regex": "/contactus"})
        self.assertEqual(list(self.channel.rule_ids._in_order()), [shop, blog, contact])

    def test_a_rule_placed_explicitly_stays_there(self):
        """Drag and drop gives every rule its sequence: it is kept, and the
        rule is flagged instead."""
        self.rules({"sequence": 10})
        [late] = self.rules({"sequence": 20, "url_regex": "/late"})
        self.assertEqual(late.sequence, 20)
        self.assertTrue(late.never_applies)

    def test_form_flags_and_places_rules(self):
        view = self.env.ref("live_chat.live_chat_channel_view_form")
        arch = etree.fromstring(self.env["live_chat.channel"].get_views([(view.id, "form")])["views"]["form"]["arch"])
        [field] = arch.xpath("//field[@name='rule_ids']")
        self.assertEqual(field.get("widget"), "live_chat_rules")
        [tree] = field.xpath("./tree")
        self.assertEqual(tree.get("decoration-warning"), "never_applies")
        self.assertTrue(tree.xpath("./field[@name='warning']"))
        self.assertTrue(tree.xpath("./field[@name='sequence'][@widget='handle']"), "drag and drop stays")
        self.assertTrue(arch.xpath("//widget[@name='live_chat_preview']"), "the Options tab's live preview")


@tagged("post_install", "-at_install")
class TestChatbotTest(LiveChatApiCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_operator(cls.env, "lc_bot_manager", "Mia Manager")
        cls.manager.groups_id = [Command.link(cls.env.ref("live_chat.group_live_chat_manager").id)]
        cls.script = cls.env["live_chat.chatbot.script"].create({"name": "Draft bot", "bot_name": "Dotty", "step_ids": [
            Command.create({"sequence": 1, "step_type": "text", "message": "Hello, I am Dotty."}),
            Command.create({"sequence": 2, "step_type": "question", "message": "Shall I call a person?",
                            "answer_ids": [Command.create({"name": "Yes"})]}),
            Command.create({"sequence": 3, "step_type": "forward_operator", "message": "Calling someone."}),
            Command.create({"sequence": 4, "step_type": "end", "message": "Bye."}),
        ]})

    def open_test_page(self):
        self.authenticate("lc_bot_manager", "lc_bot_manager")
        response = self.url_open(f"/live_chat/chatbot/{self.script.id}/test")
        self.assertEqual(response.status_code, 200)
        token = re.search(r'data-live-chat-test="([^"]+)"', response.text).group(1)
        self.assertIn("Testing the chatbot", response.text)
        self.assertIn(f"/live_chat/embed/{self.script._live_chat_test_channel().id}.js", response.text)
        self.authenticate(None, None)
        return token

    def test_test_action_opens_the_test_page(self):
        action = self.script.with_user(self.manager).action_live_chat_test()
        self.assertEqual(action, {"type": "ir.actions.act_url", "url": f"/live_chat/chatbot/{self.script.id}/test",
                                  "target": "new"})
        self.assertTrue(self.script._live_chat_test_channel().active, "no rule uses it: an active channel")
        other = self.env["live_chat.channel"].create({"name": "Bot channel", "rule_ids": [
            Command.create({"action": "show", "chatbot_script_id": self.script.id})]})
        self.assertEqual(self.script._live_chat_test_channel(), other, "a channel whose rule uses it")

    def test_test_page_is_for_live_chat_administrators(self):
        self.authenticate("api_op1", "api_op1x")
        self.assertEqual(self.url_open(f"/live_chat/chatbot/{self.script.id}/test").status_code, 404)
        self.authenticate(None, None)
        response = self.url_open(f"/live_chat/chatbot/{self.script.id}/test", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_test_conversation_counts_in_no_report(self):
        token = self.open_test_page()
        init = self.ok("/live_chat/init",
                       {"channel_id": self.channel.id, "url": "http://x.test/", "chatbot_test": token})
        self.assertEqual(init["chatbot"]["id"], self.script.id, "the tested bot, whatever the rules say")
        started = self.start(answer_id=init["chatbot"]["step"]["answers"][0]["id"], chatbot_test=token)
        session = self.session_of(started)
        self.assertTrue(session.live_chat_test)
        self.assertEqual(session.live_chat_chatbot_script_id, self.script)
        bodies = [message["body"] for message in started["messages"]]
        self.assertIn("Hello, I am Dotty.", bodies)
        self.assertIn("Sorry, no operator is available right now.", bodies, "a test calls no operator")
        self.assertFalse(session.live_chat_operator_id)
        self.env.flush_all()
        self.assertFalse(self.env["live_chat.report.session"].search([("session_id", "=", session.id)]))
        action = self.env["ir.actions.act_window"]._for_xml_id("live_chat.discuss_channel_live_chat_action")
        self.assertFalse(self.env["discuss.channel"].search(
            [*ast.literal_eval(action["domain"]), ("id", "=", session.id)]))
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.recent_session_count, 0)
        self.assertFalse(session._live_chat_operator_info()["visitorWrote"], "not in the operators' Live Chat category")
        # The same visitor without the token: a real session, counted.
        real = self.session_of(self.start())
        self.assertFalse(real.live_chat_test)
        self.env.flush_all()
        self.assertTrue(self.env["live_chat.report.session"].search([("session_id", "=", real.id)]))

    def test_forged_or_expired_tokens_are_refused(self):
        token = self.open_test_page()
        script_id, expires, signature = token.split(".")
        forged = f"{script_id}.{int(expires) + 3600}.{signature}"
        other_bot = f"{int(script_id) + 1}.{expires}.{signature}"
        count = self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")])
        for bad in (forged, other_bot, "garbage", "", 42):
            error = self.refused("/live_chat/session/start", {
                "channel_id": self.channel.id, "url": "http://x.test/", "body": "Hi", "chatbot_test": bad},
                "chatbot_test_expired")
            self.assertEqual(error["code"], 403)
        past = f"{script_id}.{int(time.time()) - 1}"
        expired = f"{past}.{hmac(self.env(su=True), 'live_chat.chatbot_test', past)}"
        self.refused("/live_chat/init", {"channel_id": self.channel.id, "chatbot_test": expired},
                     "chatbot_test_expired")
        self.assertTrue(self.ok("/live_chat/init", {"channel_id": self.channel.id, "chatbot_test": token}))
        self.assertEqual(self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")]), count)

    def test_no_channel_no_test(self):
        self.env["live_chat.channel"].search([]).active = False
        with self.assertRaises(UserError):
            self.script.with_user(self.manager).action_live_chat_test()
