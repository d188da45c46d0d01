"""Chromium tours of issue 17: a visitor with no operator online leaves a
message in the widget (and on the direct link page), the operator sees it in
Discuss and answers, and the answer is queued by email to the visitor."""
import json
from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import RealTimeBusMixin, new_operator, set_presence
from .test_widget import JS_HELPERS


@tagged("post_install", "-at_install")
class TestOfflineTours(RealTimeBusMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_operator(cls.env, "offline_tour_op", "Otto Operator", live_chat_name="Otto",
                                    email="otto@company.example.com")
        cls.channel = cls.env["live_chat.channel"].create({
            "name": "Offline Tour Support",
            "welcome_message": "Hello from Otto!",
            "offline_back_text": "We are back tomorrow at 9.",
            "user_ids": [Command.set(cls.operator.ids)],
            "rule_ids": [Command.create({"sequence": 1, "action": "show"})],
        })
        cls.env.ref("website.default_website").live_chat_channel_id = cls.channel

    def setUp(self):
        super().setUp()
        set_presence(self.operator, minutes_ago=45)  # nobody online

    def run_js(self, url, code):
        self.browser_js(url, "(() => {" + JS_HELPERS + code + "})();",
                        ready="document.readyState === 'complete'", timeout=90)

    def offline_sessions(self):
        self.env.invalidate_all()
        return self.env["discuss.channel"].search(
            [("live_chat_channel_id", "=", self.channel.id), ("live_chat_offline", "=", True)])

    def test_01_visitor_leaves_a_message_and_the_operator_sees_it(self):
        self.run_js("/contactus", """run(async () => {
            const button = await waitFor(() => q('button.btn'), 'the button');
            if (!button.textContent.includes('Leave us a message')) throw new Error('button: ' + button.textContent);
            button.click();
            const form = await waitFor(() => q('form.off'), 'the offline form');
            const compose = q('form.compose');
            if (compose && !compose.hidden) throw new Error('a chat composer is shown while nobody can answer');
            const [name, email] = form.querySelectorAll('input');
            const text = form.querySelector('textarea');
            name.value = 'Nina Night';
            email.value = 'not an email';
            text.value = 'Do you ship to Norway?';
            form.querySelector('button').click();
            await waitFor(() => q('.err').textContent.length > 0, 'the email error, in the browser');
            await new Promise((resolve) => setTimeout(resolve, 500));
            if (widget().dataset.offline !== 'form') throw new Error('sent with a bad email');
            email.value = 'nina@example.com';
            form.querySelector('button').click();
            await waitFor(() => widget().dataset.offline === 'sent', 'the thanks');
            const thanks = q('.off .thanks').textContent;
            if (!thanks.includes('nina@example.com')) throw new Error('thanks: ' + thanks);
            if (q('.off .back').textContent !== 'We are back tomorrow at 9.') throw new Error('back text');
            if (q('.err').textContent) throw new Error('an error stays: ' + q('.err').textContent);
        });""")
        session = self.offline_sessions()
        self.assertEqual(len(session), 1, "one message, the refused one made nothing")
        self.assertEqual(session.live_chat_visitor_email, "nina@example.com")
        self.assertEqual(session.live_chat_visitor_name, "Nina Night")
        self.assertEqual(self.env["mail.mail"].search([("mail_message_id", "in", session.message_ids.ids)])
                         .recipient_ids, self.operator.partner_id, "the operator is told by email")
        self.start_tour("/web#action=mail.action_discuss", "live_chat_offline_operator_sees_message",
                        login=self.operator.login)

    def test_02_operator_answers_and_the_email_to_the_visitor_is_queued(self):
        response = self.url_open("/live_chat/offline/message", data=json.dumps({
            "channel_id": self.channel.id, "name": "Nina Night", "email": "nina@example.com",
            "message": "Do you ship to Norway?"}), headers={"Content-Type": "text/plain"})
        self.assertTrue(response.json()["result"]["received"])
        self.start_tour("/web#action=mail.action_discuss", "live_chat_offline_operator_answers",
                        login=self.operator.login)
        session = self.offline_sessions()
        self.assertEqual(session.live_chat_operator_id, self.operator)
        email = self.env["mail.mail"].search([("email_to", "=", "nina@example.com")])
        self.assertEqual(len(email), 1)
        self.assertEqual(email.state, "outgoing")
        self.assertIn("Yes, we ship to Norway in 5 days.", email.body_html)
        self.assertEqual(email.mail_message_id.author_id, self.operator.partner_id)

    def test_03_direct_link_page_shows_the_form_when_closed(self):
        # The operator is online, but the channel opens tomorrow only, and
        # the rule would hide the button: the direct link page has the form.
        set_presence(self.operator, minutes_ago=1)
        tomorrow = (datetime.utcnow() + timedelta(days=1)).weekday()
        self.channel.write({"tz": "UTC", "hours_ids": [
            Command.create({"day_of_week": str(tomorrow), "hour_from": 0, "hour_to": 24})]})
        self.channel.rule_ids.no_operator_action = "hide"
        self.run_js(f"/live_chat/chat/{self.channel.id}", """run(async () => {
            const form = await waitFor(() => q('form.off'), 'the offline form on the direct link page');
            const compose = q('form.compose');
            if (compose && !compose.hidden) throw new Error('a chat composer is shown while nobody can answer');
            const opens = q('.off .opens').textContent;
            if (!/We open again on /.test(opens)) throw new Error('no next opening: ' + opens);
            const [name, email] = form.querySelectorAll('input');
            name.value = 'Pia Page';
            email.value = 'pia@example.com';
            form.querySelector('textarea').value = 'Call me tomorrow';
            form.querySelector('button').click();
            await waitFor(() => widget().dataset.offline === 'sent', 'the thanks');
        });""")
        session = self.offline_sessions()
        self.assertEqual(session.live_chat_visitor_name, "Pia Page")

    def test_04_the_chatting_widget_keeps_its_visitor_present(self):
        """The widget tells the server its visitor is there (bus presence of
        its guest, over its websocket): answers go by email only when not."""
        set_presence(self.operator, minutes_ago=1)
        self.run_js("/contactus", """run(async () => {
            (await waitFor(() => q('button.btn'), 'the button')).click();
            await typeAndSend('I am still here');
            await waitFor(() => widget().dataset.transport === 'websocket', 'the websocket');
            await new Promise((resolve) => setTimeout(resolve, 1500));
        });""")
        session = self.env["discuss.channel"].search([("live_chat_channel_id", "=", self.channel.id)])
        presence = self.env["bus.presence"].search([("guest_id", "=", session.live_chat_guest_id.id)])
        self.assertEqual(len(presence), 1, "the widget's update_presence reached the server")
        self.assertGreater(presence.last_poll, datetime.utcnow() - timedelta(seconds=60))

    def test_05_nobody_left_when_the_first_message_goes_the_form_keeps_it(self):
        """An operator was there when the window opened, gone when the
        visitor sends: the window turns into the form, the text kept."""
        set_presence(self.operator, minutes_ago=1)
        state = {"open": True}
        Channel = type(self.env["live_chat.channel"])
        Session = type(self.env["discuss.channel"])
        self.patch(Channel, "_live_chat_is_open", lambda channel, now=None: state["open"])

        def operator_left(sessions, channel, **_kwargs):
            state["open"] = False
            return self.env["res.users"]

        self.patch(Session, "_live_chat_pick_operator", operator_left)
        self.run_js("/contactus", """run(async () => {
            (await waitFor(() => q('button.btn'), 'the button')).click();
            const input = await waitFor(() => q('.compose textarea'), 'the chat input');
            input.value = 'Are you there?';
            input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
            const form = await waitFor(() => q('form.off'), 'the offline form');
            if (form.querySelector('textarea').value !== 'Are you there?') throw new Error('the text was lost');
            const [name, email] = form.querySelectorAll('input');
            name.value = 'Lea Late';
            email.value = 'lea@example.com';
            form.querySelector('button').click();
            await waitFor(() => widget().dataset.offline === 'sent', 'the thanks');
        });""")
        session = self.offline_sessions()
        self.assertEqual(session.live_chat_visitor_name, "Lea Late")
        self.assertIn("Are you there?", session.message_ids.mapped("body")[0])
        self.assertEqual(len(self.env["discuss.channel"].search(
            [("live_chat_channel_id", "=", self.channel.id)])), 1, "the refused chat made nothing")

    def test_06_bot_that_found_nobody_says_the_team_answers_by_email(self):
        """The bot's hand-over found no operator after the visitor gave an
        email: the session is an offline message, and the window says the
        team answers by email (not that nobody reads what is written)."""
        Step = self.env["live_chat.chatbot.step"]
        script = self.env["live_chat.chatbot.script"].create({"name": "Night bot", "bot_name": "Nox"})
        Step.create({"script_id": script.id, "sequence": 1, "step_type": "ask_email", "message": "Your email?"})
        Step.create({"script_id": script.id, "sequence": 2, "step_type": "forward_operator",
                     "message": "Let me find someone."})
        Step.create({"script_id": script.id, "sequence": 3, "step_type": "end", "message": "Bye for now."})
        self.channel.rule_ids.chatbot_script_id = script
        self.run_js("/contactus", """run(async () => {
            (await waitFor(() => q('button.btn'), 'the button')).click();
            await waitFor(() => bodies().includes('Your email?'), 'the bot asks for the email');
            await typeAndSend('nina@example.com');
            const end = await waitFor(() => q('.botend') && !q('.botend').hidden && q('.botend'), 'the bot end');
            const text = end.querySelector('span').textContent;
            if (!text.includes('will answer you by email')) throw new Error('bot end text: ' + text);
            if (text.includes('nobody reads')) throw new Error('says nobody reads: ' + text);
        });""")
        session = self.offline_sessions()
        self.assertEqual(session.live_chat_visitor_email, "nina@example.com")
        self.assertTrue(session.live_chat_chatbot_ended)
