"""Issue 20 in a real Chromium: canned responses and /history in a live chat
thread, the banner following the visitor's pages, the Channel Rules and the
live preview, the loader reporting pages, a chatbot's Test page. The tours
are in static/tests/tours/live_chat_desk_tour.js."""
from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import RealTimeBusMixin, new_operator, set_presence
from .test_widget import WidgetCase


@tagged("post_install", "-at_install")
class TestDeskTours(RealTimeBusMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_operator(cls.env, "desk_tour_op", "Dana Desk")
        cls.channel = cls.env["live_chat.channel"].create({
            "name": "Desk Tour Channel",
            "welcome_message": "Welcome to the desk",
            "user_ids": [Command.set(cls.operator.ids)],
            "rule_ids": [Command.create({"sequence": 1, "action": "show"})],
        })
        Shortcode = cls.env["mail.shortcode"]
        cls.greetings = Shortcode.create({"source": "greetings",
                                          "substitution": "Good morning! How can I help you today?"})
        Shortcode.create({"source": "ciao", "substitution": "Bye for now."})
        cls.thanks = Shortcode.create({"source": "thanks", "substitution": "Thank you for your patience."})

    def setUp(self):
        super().setUp()
        set_presence(self.operator, minutes_ago=0)

    def test_canned_response_in_discuss(self):
        guest = self.env["mail.guest"].create({"name": "Carla Canned"})
        session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=guest, visitor_name="Carla Canned", url="https://example.com/")
        session._live_chat_post("Hello there", guest=guest)
        self.start_tour("/web#action=mail.action_discuss", "live_chat_canned_response_discuss_tour",
                        login=self.operator.login)
        last = session.message_ids[:1]
        self.assertIn("Good morning! How can I help you today?", str(last.body))
        self.assertEqual(last.author_id, self.operator.partner_id)
        self.assertTrue(self.greetings.last_used, "mail counted its use")
        self.assertTrue(self.env["mail.shortcode"].search([("source", "=", "grazie")]))

    def test_canned_response_pages_and_history_in_the_chat_window(self):
        self.start_tour("/web#action=live_chat.live_chat_channel_action",
                        "live_chat_canned_response_chat_window_tour", login=self.operator.login)
        session = self.env["discuss.channel"].search([("live_chat_channel_id", "=", self.channel.id)])
        self.assertEqual(len(session), 1)
        self.assertEqual(session.live_chat_page_ids.mapped("url"), ["https://example.com/shop/cart"])
        bodies = session.message_ids.mapped(lambda message: str(message.body))
        self.assertTrue([body for body in bodies if "Thank you for your patience." in body])
        self.assertFalse([body for body in bodies if "Pages opened" in body], "/history posts nothing")

    def test_rules_warning_new_rule_place_and_live_preview(self):
        channel = self.env["live_chat.channel"].create({
            "name": "Rules Tour Channel",
            "button_text": "Ask the preview",
            "rule_ids": [
                Command.create({"sequence": 1, "action": "auto_open", "url_regex": "/shop"}),
                Command.create({"sequence": 2, "action": "show"}),
                Command.create({"sequence": 3, "action": "hide", "url_regex": "/blog"}),
            ],
        })
        self.start_tour(f"/web#model=live_chat.channel&id={channel.id}&view_type=form",
                        "live_chat_channel_rules_preview_tour", login="admin")
        rules = channel.rule_ids._in_order()
        self.assertEqual(rules.mapped("url_regex"), ["/shop", "/contactus", False, "/blog"])
        Rule = self.env["live_chat.channel.rule"]
        self.assertEqual(Rule._match_rule(channel, "https://x.com/contactus", None).url_regex, "/contactus")
        self.assertEqual(rules.mapped("never_applies"), [False, False, False, True])
        self.assertEqual(channel.button_text, "Talk to us now")
        self.assertEqual(channel.welcome_message, "Welcome to the preview!")
        self.assertEqual(channel.button_background_color.lower(), "#112233")


@tagged("post_install", "-at_install")
class TestDeskWidget(WidgetCase):
    """The visitor's side of issue 20, with the real widget."""

    def test_loader_reports_the_page_the_visitor_opens(self):
        """A visitor with a conversation going opens another page of the
        site (here in a frame: the same site, the same browser storage):
        its loader tells the server, for the operator's banner."""
        self.run_js("/contactus", """run(async () => {
            (await waitFor(() => q('button.btn'), 'the button')).click();
            await typeAndSend('Where is my parcel?');
            const frame = document.createElement('iframe');
            frame.src = '/aboutus';
            document.body.appendChild(frame);
            await waitFor(() => {
                const host = frame.contentDocument && frame.contentDocument.querySelector('.o_live_chat_widget');
                return host && host.dataset.transport === 'websocket';
            }, 'the widget of the other page');
        });""")
        [session] = self.sessions()
        self.assertEqual(len(session.live_chat_page_ids), 1)
        self.assertIn("/aboutus", session.live_chat_page_ids.url)
        self.assertTrue(session.live_chat_page_ids.title, "the page's title comes along")
        self.assertTrue(session.live_chat_visitor_presence, "its websocket told the server where the visitor is")

    def test_chatbot_test_page_talks_like_a_visitor_sees_it(self):
        script = self.env["live_chat.chatbot.script"].create({"name": "Tested bot", "bot_name": "Testy", "step_ids": [
            Command.create({"sequence": 1, "step_type": "text", "message": "Hi, I am Testy."}),
            Command.create({"sequence": 2, "step_type": "question", "message": "Shipping or returns?",
                            "answer_ids": [Command.create({"name": "Shipping"}), Command.create({"name": "Returns"})]}),
            Command.create({"sequence": 3, "step_type": "end", "message": "We ship in two days."}),
        ]})
        self.run_js(f"/live_chat/chatbot/{script.id}/test", """run(async () => {
            if (!document.querySelector('.o_live_chat_test_notice')) throw new Error('no test notice');
            await waitFor(() => bodies().includes('Shipping or returns?'), 'the bot question');
            const answer = await waitFor(
                () => qa('.answers button').find((b) => b.textContent === 'Shipping'), 'the answers');
            answer.click();
            await waitFor(() => bodies().includes('We ship in two days.'), 'the bot answer');
        });""", login="admin")
        session = self.env["discuss.channel"].search([("live_chat_chatbot_script_id", "=", script.id)])
        self.assertEqual(len(session), 1)
        self.assertTrue(session.live_chat_test)
        self.env.flush_all()
        self.assertFalse(self.env["live_chat.report.session"].search([("session_id", "=", session.id)]))
