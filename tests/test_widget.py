import http.server
import json
import socket
import threading
import time

import requests

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import RealTimeBusMixin, new_operator, set_presence

# Helpers evaluated in the browser: the widget lives in a shadow root, which
# tour triggers cannot see, so the tests query it themselves.
JS_HELPERS = """
const widget = () => document.querySelector('.o_live_chat_widget');
const shadow = () => widget() && widget().shadowRoot;
const q = (selector) => shadow() && shadow().querySelector(selector);
const qa = (selector) => (shadow() ? [...shadow().querySelectorAll(selector)] : []);
function waitFor(check, what, ms = 15000) {
    return new Promise((resolve, reject) => {
        const start = Date.now();
        (function loop() {
            let value;
            try { value = check(); } catch (e) { value = null; }
            if (value) { return resolve(value); }
            if (Date.now() - start > ms) { return reject(new Error('timed out waiting for ' + what)); }
            setTimeout(loop, 100);
        })();
    });
}
const bodies = () => qa('.msg .body').map((node) => node.textContent);
// The visitor's messages the server acknowledged (a pending one has no data-id).
const sentBodies = () => qa('.msg.me[data-id] .body').map((node) => node.textContent);
// Before the visitor writes there is no session: only init's welcome (".pre").
function assertNoSessionYet() {
    if (qa('.msg[data-id]').length) throw new Error('a message of a session before the visitor wrote');
    const stored = Object.keys(localStorage).filter((key) => /^live_chat:.*:[0-9]+$/.test(key) && localStorage[key] !== 'null');
    if (stored.length) throw new Error('a session is stored before the visitor wrote: ' + stored);
}
async function typeAndSend(text) {
    const input = await waitFor(() => q('.compose textarea'), 'the chat input');
    input.value = text;
    input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
    await waitFor(() => sentBodies().includes(text), 'my message ' + text + ' acknowledged by the server');
}
// On an Odoo website page, let Odoo's own front end finish starting (it
// fetches its translations after the page loaded) before the test ends and
// the browser goes: a fetch cut short by the browser's end is logged as an
// error that has nothing to do with the widget.
async function settle() {
    const odooPage = document.querySelector('script[src*="assets_frontend"], script[data-src*="assets_frontend"]');
    const deadline = Date.now() + 15000;
    while (odooPage && Date.now() < deadline) {
        const root = window.odoo && odoo.loader && odoo.loader.modules.get('@web/legacy/js/public/public_root_instance');
        if (root) {
            try { await root.default; } catch (e) { /* reported by Odoo itself */ }
            break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Nor any image of the page still loading (a request the server would
    // serve during the next test, on the test's cursor).
    const images = () => [...document.images, ...qa('img')].filter((img) => img.loading !== 'lazy' && img.src);
    while (Date.now() < deadline && !images().every((img) => img.complete)) {
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
}
function run(steps) {
    steps().then(settle).then(() => console.log('test successful'), (error) => console.error('widget test failed: ' + error.message));
}
"""


class WidgetCase(RealTimeBusMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_operator(cls.env, "widget_op", "Wendy Operator", live_chat_name="Wendy")
        cls.channel = cls.env["live_chat.channel"].create({
            "name": "Widget Support",
            "button_text": "Talk to Wendy",
            "welcome_message": "Hello from Wendy!",
            "input_placeholder": "Type here",
            "header_background_color": "#123456",
            "user_ids": [Command.set(cls.operator.ids)],
            "rule_ids": [
                Command.create({"sequence": 1, "action": "show_with_notification", "url_regex": "mode=notify"}),
                Command.create({"sequence": 2, "action": "auto_open", "auto_open_seconds": 2,
                                "url_regex": "mode=auto"}),
                Command.create({"sequence": 3, "action": "hide", "url_regex": "mode=hide"}),
                Command.create({"sequence": 4, "action": "show"}),
            ],
        })
        cls.env.ref("website.default_website").live_chat_channel_id = cls.channel

    def setUp(self):
        super().setUp()
        set_presence(self.operator, minutes_ago=1)
        self.guest_ids = self.env["mail.guest"].search([]).ids

    def run_js(self, url, code, **kwargs):
        # A function scope: the helpers must not clash with the page's globals.
        self.browser_js(url, "(() => {" + JS_HELPERS + code + "})();",
                        ready="document.readyState === 'complete'", **kwargs)

    def sessions(self):
        return self.env["discuss.channel"].search(
            [("channel_type", "=", "live_chat"), ("live_chat_channel_id", "=", self.channel.id)])


class OperatorThread(threading.Thread):
    """The operator, in another thread, over HTTP like a second browser: waits
    for the visitor's message `expect` and answers `reply`."""

    def __init__(self, case, expect, reply):
        super().__init__(daemon=True)
        self.base = case.base_url()
        self.db = case.env.cr.dbname
        self.expect, self.reply = expect, reply
        self.done = threading.Event()
        self.error = None

    def rpc(self, http_session, path, params):
        response = http_session.post(self.base + path, json={"jsonrpc": "2.0", "method": "call", "params": params},
                                     timeout=30)
        answer = response.json()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"]

    def run(self):
        try:
            # Let the test's browser start first: the test's cursor is not
            # shared safely with the server's threads while it flushes.
            time.sleep(2)
            http_session = requests.Session()
            self.rpc(http_session, "/web/session/authenticate",
                     {"db": self.db, "login": "widget_op", "password": "widget_op"})
            deadline = time.time() + 40
            while time.time() < deadline and not self.done.is_set():
                messages = self.rpc(http_session, "/web/dataset/call_kw", {
                    "model": "mail.message", "method": "search_read", "args": [], "kwargs": {
                        "domain": [("model", "=", "discuss.channel"), ("body", "ilike", self.expect)],
                        "fields": ["res_id"], "limit": 1}})
                if messages:
                    self.rpc(http_session, "/mail/message/post", {
                        "thread_model": "discuss.channel", "thread_id": messages[0]["res_id"],
                        "post_data": {"body": self.reply, "message_type": "comment",
                                      "subtype_xmlid": "mail.mt_comment"}})
                    return
                time.sleep(0.5)
            self.error = "the visitor's message never arrived"
        except Exception as error:  # noqa: BLE001 -- any failure of the thread is reported by the test
            self.error = repr(error)


@tagged("post_install", "-at_install")
class TestWidgetDisplay(WidgetCase):

    def test_show_draws_the_button_with_channel_colours(self):
        self.run_js("/contactus", """run(async () => {
            const button = await waitFor(() => q('button.btn'), 'the button');
            if (button.textContent !== 'Talk to Wendy') throw new Error('button text: ' + button.textContent);
            if (widget().dataset.action !== 'show') throw new Error('action ' + widget().dataset.action);
            if (q('.bubble')) throw new Error('no bubble expected');
            const rect = button.getBoundingClientRect();
            if (rect.right < innerWidth - 60 || rect.bottom < innerHeight - 80) throw new Error('not bottom right');
        });""")

    def test_show_with_notification_bubble_can_be_dismissed(self):
        self.run_js("/contactus?mode=notify", """run(async () => {
            const bubble = await waitFor(() => q('.bubble'), 'the bubble');
            if (!bubble.textContent.includes('Talk to Wendy')) throw new Error('bubble text');
            bubble.querySelector('button').click();
            await waitFor(() => !q('.bubble'), 'the bubble to go');
            if (!q('button.btn')) throw new Error('the button stays');
        });""")

    def test_auto_open_after_the_timer(self):
        self.run_js("/contactus?mode=auto", """run(async () => {
            const t0 = Date.now();
            await waitFor(() => q('button.btn'), 'the button');
            if (q('.win')) throw new Error('opened too early');
            await waitFor(() => q('.win'), 'the window to open by itself');
            if (Date.now() - t0 < 1500) throw new Error('opened before the 2 s timer');
            await waitFor(() => bodies().includes('Hello from Wendy!'), 'the welcome message');
            if (widget().dataset.state !== 'open') throw new Error('state ' + widget().dataset.state);
            assertNoSessionYet();
            // Give a (wrong) session/start after opening the time to land.
            await new Promise((resolve) => setTimeout(resolve, 1500));
            assertNoSessionYet();
        });""")
        # Opening by itself creates nothing: the visitor has not written.
        self.assertEqual(len(self.sessions()), 0)
        self.assertFalse(self.env["mail.guest"].search([("id", "not in", self.guest_ids)]), "no guest either")

    def test_hide_draws_nothing(self):
        self.run_js("/contactus?mode=hide", """run(async () => {
            await waitFor(() => widget() && widget().dataset.state === 'hidden', 'the hide decision');
            if (q('button')) throw new Error('a button is drawn');
        });""")

    def test_no_operator_no_button(self):
        # The rule's choice when nobody can answer: hide the button (issue 17).
        self.channel.rule_ids.no_operator_action = "hide"
        set_presence(self.operator, minutes_ago=31)
        self.run_js("/contactus", """run(async () => {
            await waitFor(() => widget() && widget().dataset.state === 'hidden', 'the hide decision');
            if (q('button')) throw new Error('a button is drawn');
        });""")

    def test_website_without_channel_has_no_widget(self):
        self.env.ref("website.default_website").live_chat_channel_id = False
        response = self.url_open("/contactus")
        self.assertNotIn("/live_chat/embed/", response.text)
        self.env.ref("website.default_website").live_chat_channel_id = self.channel
        self.assertIn(f"/live_chat/embed/{self.channel.id}.js", self.url_open("/contactus").text)


@tagged("post_install", "-at_install")
class TestWidgetChat(WidgetCase):

    def test_visitor_chats_in_real_time_and_reload_keeps_history(self):
        operator = OperatorThread(self, expect="Is my order shipped?", reply="Yes, it left today.")
        operator.start()
        self.run_js("/contactus", """run(async () => {
            (await waitFor(() => q('button.btn'), 'the button')).click();
            await waitFor(() => bodies().includes('Hello from Wendy!'), 'the welcome message');
            if (!q('.msg.pre')) throw new Error('the welcome is not the pre-session one');
            if (q('.head').style.background.replace(/ /g, '') !== 'rgb(18,52,86)') throw new Error('header colour');
            if (q('.compose textarea').placeholder !== 'Type here') throw new Error('placeholder');
            if (q('.list').getAttribute('aria-live') !== 'polite') throw new Error('live region');
            assertNoSessionYet();
            // The first message starts the session: the operator is assigned
            // then (header), the welcome is posted first, the websocket opens.
            await typeAndSend('Is my order shipped?');
            await waitFor(() => q('.head .title').textContent === 'Wendy', 'the operator in the header');
            if (q('.msg.pre')) throw new Error('the pre-session welcome stayed');
            await waitFor(() => widget().dataset.transport === 'websocket', 'the websocket');
            await waitFor(() => bodies().includes('Yes, it left today.'), 'the operator reply in real time');
            if (widget().dataset.transport !== 'websocket') throw new Error('the reply came by polling');
            // Another page of the same site (same browser storage): the
            // conversation reopens there with its history, in order.
            const frame = document.createElement('iframe');
            frame.style.cssText = 'width: 900px; height: 700px';
            frame.src = '/';
            document.body.appendChild(frame);
            const otherBodies = () => {
                const host = frame.contentDocument && frame.contentDocument.querySelector('.o_live_chat_widget');
                return host && host.shadowRoot
                    ? [...host.shadowRoot.querySelectorAll('.msg .body')].map((node) => node.textContent) : [];
            };
            await waitFor(() => otherBodies().includes('Yes, it left today.'), 'the history on another page', 30000);
            const all = otherBodies();
            if (all.indexOf('Hello from Wendy!') > all.indexOf('Is my order shipped?')) throw new Error('order');
        });""", timeout=120)
        operator.join(5)
        self.assertIsNone(operator.error)
        session = self.sessions()
        self.assertEqual(len(session), 1, "one session, made by the first message, none by the other page")
        self.assertEqual(session.live_chat_operator_id, self.operator)
        bodies = [str(m.body) for m in self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", session.id), ("message_type", "=", "comment")],
            order="id")]
        self.assertEqual(len(bodies), 3, bodies)
        self.assertIn("Hello from Wendy!", bodies[0])
        self.assertIn("Is my order shipped?", bodies[1])
        self.assertIn("Yes, it left today.", bodies[2])

    def test_html_is_shown_as_text(self):
        attack = "<img src=x onerror=alert(1)><b>bold</b>"
        self.run_js("/contactus", """run(async () => {
            (await waitFor(() => q('button.btn'), 'the button')).click();
            await waitFor(() => bodies().includes('Hello from Wendy!'), 'the welcome');
            window.alert = () => { throw new Error('alert ran'); };
            // The first message (session/start), then one more (session/post).
            await typeAndSend(%s);
            await typeAndSend(%s + ' again');
            // The widget's own images (avatars) aside, nothing of the text became HTML.
            if (qa('.msg .body img, .msg .body b, .list [onerror]').length) throw new Error('HTML was rendered');
            if (qa('.msg.me .body').some((body) => body.children.length)) throw new Error('markup in my messages');
        });""" % (json.dumps(attack), json.dumps(attack)))
        session = self.sessions()
        self.assertEqual(len(session), 1)
        messages = self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", session.id), ("author_guest_id", "!=", False)],
            order="id")
        self.assertEqual(len(messages), 2)
        for message in messages:
            self.assertIn("&lt;img", str(message.body))
            self.assertNotIn("<b>", str(message.body))

    def test_shift_enter_makes_a_new_line_and_close_ends_the_session(self):
        self.run_js("/contactus", """run(async () => {
            (await waitFor(() => q('button.btn'), 'the button')).click();
            const input = await waitFor(() => q('.compose textarea'), 'the input');
            await waitFor(() => bodies().includes('Hello from Wendy!'), 'the welcome');
            if (!q('.head .endc').hidden) throw new Error('End shown before there is a conversation');
            input.value = 'line one';
            input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', shiftKey: true, bubbles: true}));
            if (bodies().includes('line one')) throw new Error('Shift+Enter sent the message');
            input.value = 'line one\\nline two';
            input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
            await waitFor(() => sentBodies().includes('line one\\nline two'), 'the two-line message');
            // End is asked in the widget (window.confirm is not used any more).
            window.confirm = () => { throw new Error('window.confirm used'); };
            (await waitFor(() => !q('.head .endc').hidden && q('.head .endc'), 'the End button')).click();
            (await waitFor(() => !q('.confirm').hidden && q('.confirm .no'), 'the confirmation')).click();
            if (!q('.confirm').hidden || widget().dataset.state !== 'open') throw new Error('Cancel did not cancel');
            q('.head .endc').click();
            (await waitFor(() => !q('.confirm').hidden && q('.confirm .yes'), 'the confirmation')).click();
            await waitFor(() => widget().dataset.state === 'ended', 'the ended state');
            if (!q('.compose textarea').disabled) throw new Error('input still enabled');
        });""")
        session = self.sessions()
        self.assertEqual(len(session), 1)
        self.assertTrue(session.live_chat_closed)
        message = self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", session.id), ("author_guest_id", "!=", False),
             ("message_type", "=", "comment")])  # not the visitor's "left" notice, also theirs
        self.assertEqual(len(message), 1, "Shift+Enter sent nothing")
        self.assertIn("line one", str(message.body))
        self.assertIn("line two", str(message.body))

    def test_api_error_shows_and_keeps_the_text(self):
        self.env["ir.config_parameter"].sudo().set_param("live_chat.rate_limit_session", "1")
        self.run_js("/contactus", """run(async () => {
            (await waitFor(() => q('button.btn'), 'the button')).click();
            await waitFor(() => bodies().includes('Hello from Wendy!'), 'the welcome');
            await typeAndSend('first');
            const input = q('.compose textarea');
            input.value = 'second';
            input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
            await waitFor(() => q('.err').textContent.includes('Too many messages'), 'the rate limit error');
            if (input.value !== 'second') throw new Error('the unsent text was lost');
            if (sentBodies().includes('second') || q('.pending')) throw new Error('the refused message shows as sent');
        });""")
        self.assertEqual(len(self.sessions()), 1)

    def test_direct_link_opens_the_chat_at_once(self):
        self.run_js(f"/live_chat/chat/{self.channel.id}", """run(async () => {
            await waitFor(() => bodies().includes('Hello from Wendy!'), 'the welcome message');
            // The chat fills the page under the company's name (at most
            // 760 px wide, centred, on a wide screen).
            const brand = document.querySelector('.o_live_chat_brand');
            if (!brand || !brand.textContent.includes(%s)) throw new Error('no company name above the chat');
            const win = q('.win').getBoundingClientRect();
            if (win.width < Math.min(innerWidth, 760) - 2) throw new Error('not full page: ' + win.width + ' in ' + innerWidth);
            if (win.top < brand.getBoundingClientRect().bottom - 1 || win.bottom < innerHeight - 20) {
                throw new Error('not the page under the company name: ' + win.top + '-' + win.bottom + ' in ' + innerHeight);
            }
            if (widget().dataset.state !== 'open' || q('button.btn')) throw new Error('not open at once');
            if (!q('.compose textarea')) throw new Error('no input to write');
            assertNoSessionYet();
        });""" % json.dumps(self.env.ref("website.default_website").company_id.name))
        # Open at once, but no session until the visitor writes.
        self.assertEqual(len(self.sessions()), 0)

    def test_direct_link_of_unknown_channel(self):
        self.assertEqual(self.url_open("/live_chat/chat/999999").status_code, 404)

    def test_scripts_are_small_cacheable_and_gzipped(self):
        response = self.url_open(f"/live_chat/embed/{self.channel.id}.js", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Encoding"], "gzip")
        self.assertIn("max-age", response.headers["Cache-Control"])
        etag = response.headers["ETag"]
        again = self.url_open(f"/live_chat/embed/{self.channel.id}.js", headers={"If-None-Match": etag})
        self.assertEqual(again.status_code, 304)
        self.assertIn("LIVE_CHAT_CHANNEL = %s" % self.channel.id, response.text)
        self.assertLess(int(response.headers["Content-Length"]), 4000)


@tagged("post_install", "-at_install")
class TestWidgetExternalSite(WidgetCase):

    def test_snippet_on_another_origin(self):
        snippet = self.channel.script_snippet.replace(
            self.channel.web_base_url, self.base_url())
        page = f"<!DOCTYPE html><html><head>{snippet}</head><body><h1>Partner shop</h1></body></html>".encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        operator = OperatorThread(self, expect="Hello from afar", reply="Welcome, external visitor")
        operator.start()
        self.run_js(f"http://127.0.0.1:{port}/", """run(async () => {
            if (location.port === '%s') throw new Error('not another origin');
            (await waitFor(() => q('button.btn'), 'the button')).click();
            await waitFor(() => bodies().includes('Hello from Wendy!'), 'the welcome');
            await typeAndSend('Hello from afar');
            await waitFor(() => bodies().includes('Welcome, external visitor'), 'the reply');
            const stored = Object.keys(localStorage).filter((key) => key.startsWith('live_chat:'));
            if (!stored.length) throw new Error('no token in localStorage');
        });""" % self.base_url().rsplit(":", 1)[1], timeout=90)
        operator.join(5)
        self.assertIsNone(operator.error)
        self.assertEqual(self.sessions().live_chat_url, f"http://127.0.0.1:{port}/")


@tagged("post_install", "-at_install")
class TestWidgetMobile(WidgetCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_full_screen_window_on_a_phone(self):
        self.run_js("/contactus", """run(async () => {
            if (innerWidth > 400) throw new Error('not a phone viewport: ' + innerWidth);
            (await waitFor(() => q('button.btn'), 'the button')).click();
            const win = await waitFor(() => q('.win'), 'the window');
            await waitFor(() => bodies().includes('Hello from Wendy!'), 'the welcome');
            const rect = win.getBoundingClientRect();
            if (Math.round(rect.width) !== innerWidth || Math.round(rect.height) !== innerHeight) {
                throw new Error('window ' + rect.width + 'x' + rect.height + ' in ' + innerWidth + 'x' + innerHeight);
            }
        });""")


@tagged("post_install", "-at_install")
class TestWidgetChatbot(RealTimeBusMixin, HttpCase):
    """The demo "Welcome bot" on the demo page, as a visitor goes through it."""

    def test_visitor_goes_through_the_demo_bot_to_an_operator(self):
        # Whatever the time of the run: the demo channel's opening hours apart.
        self.env.ref("live_chat.live_chat_channel_demo").hours_ids = [Command.clear()]
        demo_operator = self.env.ref("live_chat.user_demo_operator")
        admin = self.env.ref("base.user_admin")
        set_presence(demo_operator, minutes_ago=0)
        set_presence(admin, minutes_ago=45)
        self.assertEqual(self.env.ref("website.default_website").live_chat_channel_id,
                         self.env.ref("live_chat.live_chat_channel_demo"))
        self.browser_js("/live-chat-demo", "(() => {" + JS_HELPERS + """run(async () => {
            (await waitFor(() => q('button.btn'), 'the button')).click();
            await waitFor(() => bodies().includes("Hello! I'm the Welcome Bot."), 'the bot greeting');
            await waitFor(() => bodies().includes('What can I do for you?'), 'the question');
            // Before a session: init's opening steps, the bot's name and avatar.
            if (qa('.msg.pre .who').some((who) => who.textContent !== 'Welcome Bot')) throw new Error('bot name on its messages');
            if (q('.head .avatar').hidden) throw new Error('no bot avatar');
            assertNoSessionYet();
            const choices = await waitFor(() => qa('.answers button').length === 2 && qa('.answers button'), 'the answers');
            // The first answer starts the session.
            choices.find((b) => b.textContent === 'Talk to a person').click();
            await waitFor(() => bodies().some((b) => b.startsWith('Sure! What is your email address')), 'the email question');
            await waitFor(() => q('.head .title').textContent === 'Welcome Bot', 'the bot name in the header');
            if (!qa('.msg.bot[data-id]').length) throw new Error('the bot messages are not the session ones');
            const input = q('.compose textarea');
            input.value = 'not an email';
            input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
            await waitFor(() => q('.err') && q('.err').textContent.length > 0, 'the email error');
            if (bodies().includes('not an email')) throw new Error('a bad email was sent');
            if (input.value !== 'not an email') throw new Error('the text was lost');
            await typeAndSend('vera@example.com');
            await waitFor(() => bodies().includes("I'm connecting you with one of our operators."), 'the forward');
            await waitFor(() => q('.head .title').textContent === 'Marc', 'the operator (online chat name) in the header');
        });})();""", ready="document.readyState === 'complete'", timeout=90)
        session = self.env["discuss.channel"].search(
            [("channel_type", "=", "live_chat"), ("live_chat_chatbot_script_id", "!=", False)], order="id desc", limit=1)
        self.assertEqual(session.live_chat_chatbot_script_id, self.env.ref("live_chat.chatbot_welcome_bot"))
        self.assertEqual(session.live_chat_operator_id, demo_operator)
        self.assertIn(demo_operator.partner_id, session.channel_member_ids.partner_id)
        answers = self.env["live_chat.chatbot.visitor.answer"].search([("session_id", "=", session.id)])
        self.assertEqual(answers.filtered("answer_id").answer_id, self.env.ref("live_chat.chatbot_welcome_answer_operator"))
        self.assertEqual(answers.filtered(lambda a: a.step_type == "ask_email").value, "vera@example.com")
