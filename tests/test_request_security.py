"""Issue 15, findings 5 and 6: cross-site requests against logged-in
visitors, and the Host header in the cacheable widget script."""
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_session_api import LiveChatApiCase


@tagged("post_install", "-at_install")
class TestCrossSiteRequests(LiveChatApiCase):
    """Finding 5: a page on another site makes the logged-in visitor's
    browser post to the routes (a <form enctype="text/plain">)."""

    def setUp(self):
        super().setUp()
        self.portal = new_test_user(self.env, login="lc_csrf_portal", groups="base.group_portal",
                                    name="Paula Portal")
        self.authenticate(self.portal.login, self.portal.login)
        self.started = self.start()
        self.chat = self.session_of(self.started)
        self.own = {"session_id": self.chat.id}

    def form_post(self, route, params, origin):
        """What the attacker's form sends: text/plain, the session cookie, its Origin."""
        return self.call(route, params, headers={"Origin": origin})

    @mute_logger("odoo.http")
    def test_foreign_origin_is_refused_on_every_route(self):
        self.ok("/live_chat/session/post", {**self.own, "body": "hello"})
        for route, params in (
            ("/live_chat/session/transcript", {**self.own, "email": "attacker@evil.test"}),
            ("/live_chat/session/post", {**self.own, "body": "sent by evil.test"}),
            ("/live_chat/session/rate", {**self.own, "rating": "dissatisfied"}),
            ("/live_chat/session/close", self.own),
            ("/live_chat/session/messages", self.own),
            ("/live_chat/session/start", {"channel_id": self.channel.id}),
        ):
            for origin in ("http://evil.test", "null", "http://localhost.evil.test"):
                with self.subTest(route=route, origin=origin):
                    answer = self.form_post(route, params, origin)
                    self.assertEqual(answer.get("error", {}).get("data", {}).get("code"), "foreign_origin", answer)
        self.assertFalse(self.env["mail.mail"].search([("email_to", "=", "attacker@evil.test")]))
        self.assertFalse(self.chat.live_chat_closed)
        self.assertFalse(self.chat.rating_ids)
        # A Referer from another site, without Origin, is refused too.
        answer = self.call("/live_chat/session/close", self.own, headers={"Referer": "http://evil.test/page"})
        self.assertEqual(answer["error"]["data"]["code"], "foreign_origin")

    def test_own_origin_is_accepted(self):
        answer = self.form_post("/live_chat/session/post", {**self.own, "body": "from the site"}, self.base_url())
        self.assertNotIn("error", answer)
        self.env["website"].search([], limit=1).domain = "https://shop.example.com"
        answer = self.form_post("/live_chat/session/post", {**self.own, "body": "from the shop"},
                                "https://shop.example.com")
        self.assertNotIn("error", answer)

    def test_guests_are_not_concerned(self):
        """A guest is identified by its token, which another site cannot know."""
        self.logout()
        started = self.start()
        answer = self.form_post("/live_chat/session/post", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "body": "hi"},
            "http://customer-site.test")
        self.assertNotIn("error", answer)


@tagged("post_install", "-at_install")
class TestEmbedHostHeader(LiveChatApiCase):
    """Finding 6: the Host header must not reach the cacheable script."""

    def test_forged_host_is_not_written_into_the_script(self):
        forged = 'a"+alert(document.domain)+"'
        response = self.url_open(f"/live_chat/embed/{self.channel.id}.js", headers={"Host": forged})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("alert(document.domain)", response.text)
        self.assertIn(f'var LIVE_CHAT_BASE = "{self.base_url()}"', response.text)
        self.assertIn("Host", response.headers.get("Vary", ""))

    def test_base_url_is_the_website_domain_encoded_as_json(self):
        website = self.env["website"].get_current_website()
        website.domain = 'https://shop.example.com/"+x+"'
        response = self.url_open(f"/live_chat/embed/{self.channel.id}.js")
        self.assertNotIn('"+x+"', response.text)
        self.assertIn('var LIVE_CHAT_BASE = "https://shop.example.com/\\"+x+\\""', response.text)
