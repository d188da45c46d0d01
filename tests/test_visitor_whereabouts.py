"""Issue 20, "Seeing the visitor": the page the visitor is on (reported by
the widget's loader), the last pages, /history, and whether they are still
on the site (the guest's bus presence)."""
import json
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.bus.websocket import CloseCode

from .common import LiveChatCase, new_operator, set_presence
from .test_operator_ui import OperatorBusMixin
from .test_session_api import LiveChatApiCase


class BusMixin(OperatorBusMixin):

    def banner_updates(self, session):
        return [payload["Thread"]["liveChat"] for payload in self.bus_notifications(session, "mail.record/insert")
                if "liveChat" in payload.get("Thread", {})]


@tagged("post_install", "-at_install")
class TestVisitorPages(BusMixin, LiveChatApiCase):

    def page(self, started, url, **params):
        return self.call("/live_chat/session/page", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "url": url, **params})

    def banner(self, session):
        return session.with_user(session.live_chat_operator_id)._channel_info()[0]["liveChat"]

    def test_banner_shows_the_current_page_and_the_last_five(self):
        started = self.start()  # on http://site.test/page
        session = self.session_of(started)
        self.assertEqual([page["url"] for page in self.banner(session)["visitorPages"]], ["http://site.test/page"])
        urls = [f"http://site.test/shop/{number}" for number in range(1, 7)]
        for number, url in enumerate(urls, 1):
            answer = self.page(started, url, title=f"Product {number}")
            self.assertEqual(answer["result"], {"recorded": True})
        pages = self.banner(session)["visitorPages"]
        self.assertEqual([page["url"] for page in pages], urls[::-1][:5], "newest first, five of them")
        self.assertEqual(pages[0]["title"], "Product 6")
        self.assertTrue(all(page["date"] for page in pages))
        self.assertEqual(session.live_chat_current_url, "http://site.test/shop/6")

    def test_a_polling_widget_keeps_the_visitor_on_the_site(self):
        """A widget that cannot open its websocket (a proxy blocks it) polls
        session/messages: the visitor is on the site for the banner, and the
        operator's answer waits in the widget instead of going by email.
        Written at most every 50 s; a closed session is not tracked."""
        started = self.start()
        session = self.session_of(started)
        session.sudo().live_chat_visitor_email = "poll@example.com"
        auth = {"session_id": started["session_id"], "guest_token": started["guest_token"]}
        Presence = self.env["bus.presence"].sudo()
        self.assertFalse(Presence.search([("guest_id", "=", session.live_chat_guest_id.id)]))
        self.assertTrue(session._live_chat_visitor_gone(), "a widget never heard of is gone")
        self.assertNotIn("error", self.call("/live_chat/session/messages", {**auth, "after_id": 0}))
        presence = Presence.search([("guest_id", "=", session.live_chat_guest_id.id)])
        self.assertEqual(presence.status, "online")
        self.assertFalse(session._live_chat_visitor_gone())
        self.assertEqual(self.banner(session)["visitorPresence"], "online")
        # The next polls, seconds later, write nothing.
        earlier = fields.Datetime.now() - timedelta(seconds=20)
        presence.write({"last_poll": earlier, "last_presence": earlier})
        self.call("/live_chat/session/messages", {**auth, "after_id": 0})
        presence.invalidate_recordset()
        self.assertEqual(presence.last_poll, earlier)
        # A minute later, the poll says it again.
        earlier = fields.Datetime.now() - timedelta(seconds=60)
        presence.write({"last_poll": earlier, "last_presence": earlier})
        self.call("/live_chat/session/messages", {**auth, "after_id": 0})
        presence.invalidate_recordset()
        self.assertGreater(presence.last_poll, earlier)
        # Closed: the polls of a closed conversation say nothing.
        session.sudo()._live_chat_close("visitor", "Visitor left the conversation")
        presence.write({"status": "offline"})
        self.call("/live_chat/session/messages", {**auth, "after_id": 0})
        presence.invalidate_recordset()
        self.assertEqual(presence.status, "offline")

    def test_landing_page_is_the_oldest_and_a_reload_is_no_new_page(self):
        started = self.start()
        session = self.session_of(started)
        self.assertEqual(self.page(started, "http://site.test/page")["result"], {"recorded": False})
        self.page(started, "http://site.test/pricing", title="Pricing")
        self.assertEqual(self.page(started, "http://site.test/pricing")["result"], {"recorded": False})
        pages = self.banner(session)["visitorPages"]
        self.assertEqual([(page["url"], page["title"]) for page in pages],
                         [("http://site.test/pricing", "Pricing"), ("http://site.test/page", "")])
        self.assertEqual(len(session.sudo().live_chat_page_ids), 1)

    def test_each_page_is_pushed_to_the_operators_banner(self):
        started = self.start()
        session = self.session_of(started)
        self.env["bus.bus"].sudo().search([]).unlink()
        self.page(started, "http://site.test/cart", title="Cart")
        updates = self.banner_updates(session)
        self.assertEqual(len(updates), 1)
        self.assertEqual(updates[0]["visitorPages"][0]["url"], "http://site.test/cart")
        # Never to the visitor: their guest gets no banner (it is mail's
        # session channel, which visitors do not listen to).
        guest = session.live_chat_guest_id
        self.assertFalse([p for p in self.bus_notifications(guest, "mail.record/insert") if "Thread" in p])

    def test_bad_pages_are_refused_and_nothing_is_recorded(self):
        started = self.start()
        session = self.session_of(started)
        for url, code in (
            (None, "bad_request"),
            (42, "bad_request"),
            ("javascript:alert(1)", "bad_request"),
            ("data:text/html,<script>alert(1)</script>", "bad_request"),
            ("/relative/page", "bad_request"),
            ("http://site.test/" + "a" * 2100, "too_long"),
            ("http://site.test/\x00", "bad_request"),
        ):
            params = {"session_id": started["session_id"], "guest_token": started["guest_token"]}
            if url is not None:
                params["url"] = url
            self.refused("/live_chat/session/page", params, code)
        self.refused("/live_chat/session/page", {
            "session_id": started["session_id"], "guest_token": started["guest_token"],
            "url": "http://site.test/a", "title": "t" * 301}, "too_long")
        self.assertFalse(session.sudo().live_chat_page_ids)

    def test_only_the_sessions_visitor_reports_its_pages(self):
        started = self.start()
        other = self.start(body="Me too")
        session = self.session_of(started)
        for params in (
            {"session_id": started["session_id"], "guest_token": other["guest_token"]},  # another visitor
            {"session_id": started["session_id"]},  # no token
            {"session_id": started["session_id"], "guest_token": started["guest_token"] + "x"},
            {"session_id": 999999, "guest_token": started["guest_token"]},
        ):
            self.refused("/live_chat/session/page", {**params, "url": "http://site.test/spy"}, "unknown_session")
        self.assertFalse(session.sudo().live_chat_page_ids)
        self.assertFalse(self.session_of(other).sudo().live_chat_page_ids)

    def test_closed_session_takes_no_page(self):
        started = self.start()
        session = self.session_of(started)
        session.with_user(session.live_chat_operator_id).live_chat_close_by_operator()
        self.refused("/live_chat/session/page", {
            "session_id": started["session_id"], "guest_token": started["guest_token"],
            "url": "http://site.test/after"}, "session_closed")
        self.assertFalse(session.sudo().live_chat_page_ids)

    def test_pages_are_rate_limited_per_session(self):
        self.env["ir.config_parameter"].sudo().set_param("live_chat.rate_limit_pages", 3)
        started = self.start()
        session = self.session_of(started)
        for number in range(3):
            self.assertNotIn("error", self.page(started, f"http://site.test/p{number}"))
        error = self.refused("/live_chat/session/page", {
            "session_id": started["session_id"], "guest_token": started["guest_token"],
            "url": "http://site.test/p3"}, "rate_limited")
        self.assertEqual(error["code"], 429)
        self.assertEqual(session.sudo().live_chat_page_ids.mapped("url"),
                         ["http://site.test/p2", "http://site.test/p1", "http://site.test/p0"])
        # A minute later, the visitor moves on again.
        session.sudo().live_chat_page_ids.write({"date": fields.Datetime.now() - timedelta(seconds=61)})
        self.assertNotIn("error", self.page(started, "http://site.test/p3"))


@tagged("post_install", "-at_install")
class TestVisitorHistory(BusMixin, LiveChatCase):

    def setUp(self):
        super().setUp()
        self.guest = self.env["mail.guest"].create({"name": "Vera"})
        self.session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=self.guest, visitor_name="Vera", url="https://shop.test/")
        for url in ("https://shop.test/a", "https://shop.test/b"):
            self.session._live_chat_visitor_viewed(url, "Page <b>" + url[-1] + "</b>")
        self.env["bus.bus"].sudo().search([]).unlink()

    def test_history_command_lists_the_pages_to_the_operator_only(self):
        messages_before = self.session.message_ids
        self.session.with_user(self.operator).execute_command_history(body="/history")
        [notice] = self.bus_notifications(self.operator.partner_id, "discuss.channel/transient_message")
        self.assertEqual(notice["res_id"], self.session.id)
        body = notice["body"]
        self.assertLess(body.index("https://shop.test/b"), body.index("https://shop.test/a"), "newest first")
        self.assertIn("https://shop.test/", body)
        self.assertIn("Page &lt;b&gt;b&lt;/b&gt;", body, "the visitor's titles are text, never HTML")
        self.assertEqual(self.session.message_ids, messages_before, "nothing is posted in the thread")
        self.assertFalse(self.bus_notifications(self.guest, "discuss.channel/transient_message"))
        self.assertFalse(self.bus_notifications(self.operator_2.partner_id, "discuss.channel/transient_message"))

    def test_history_needs_access_to_the_session(self):
        stranger = new_operator(self.env, "lc_stranger", "Stan Stranger")
        with self.assertRaises(AccessError):
            self.session.with_user(stranger).execute_command_history(body="/history")
        self.assertFalse(self.bus_notifications(stranger.partner_id, "discuss.channel/transient_message"))
        self.assertFalse(self.env["live_chat.visitor.page"].with_user(stranger).search([]))
        self.assertEqual(len(self.env["live_chat.visitor.page"].with_user(self.operator_2).search([])), 2,
                         "an operator of the session's channel reads them")

    def test_erasing_the_visitor_erases_their_pages(self):
        pages = self.session.live_chat_page_ids
        self.assertEqual(len(pages), 2)
        self.session.with_user(self.manager).action_live_chat_erase_visitor_data()
        self.assertFalse(pages.exists())


@tagged("post_install", "-at_install")
class TestVisitorPresence(BusMixin, LiveChatCase):

    def setUp(self):
        super().setUp()
        self.guest = self.env["mail.guest"].create({"name": "Vera"})
        self.session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=self.guest, visitor_name="Vera", url="https://shop.test/")
        self.env["bus.bus"].sudo().search([]).unlink()
        self.Session = self.env["discuss.channel"]

    def banner(self):
        self.session.invalidate_recordset()
        return self.session.with_user(self.operator)._channel_info()[0]["liveChat"]

    def test_online_then_left_at_a_time(self):
        self.assertFalse(self.banner()["visitorPresence"], "nothing is known before the widget connects")
        self.Session._live_chat_track_visitors(self.guest, online=True)
        self.assertEqual(self.banner()["visitorPresence"], "online")
        self.Session._live_chat_track_visitors(self.guest, online=False)
        banner = self.banner()
        self.assertEqual(banner["visitorPresence"], "offline")
        left = fields.Datetime.from_string(banner["visitorSeenAt"])
        self.assertLess(abs((fields.Datetime.now() - left).total_seconds()), 5)
        presence = self.env["bus.presence"].search([("guest_id", "=", self.guest.id)])
        self.assertEqual(presence.status, "offline", "the guest's bus presence, as mail reads it")
        self.assertEqual(self.guest.im_status, "offline")

    def test_changes_are_pushed_to_the_banner_once(self):
        self.Session._live_chat_track_visitors(self.guest, online=True)
        self.Session._live_chat_track_visitors(self.guest, online=True)  # the next "still here"
        updates = self.banner_updates(self.session)
        self.assertEqual([update["visitorPresence"] for update in updates], ["online"])
        self.Session._live_chat_track_visitors(self.guest, online=False)
        self.assertEqual([update["visitorPresence"] for update in self.banner_updates(self.session)],
                         ["online", "offline"])

    def test_a_silent_presence_counts_as_gone(self):
        """A server that died never closed the visitor's websocket: with no
        sign for over two minutes, they left then."""
        moment = fields.Datetime.now() - timedelta(minutes=3)
        self.env["bus.presence"].create({"guest_id": self.guest.id, "status": "online",
                                         "last_poll": moment, "last_presence": moment})
        banner = self.banner()
        self.assertEqual(banner["visitorPresence"], "offline")
        self.assertEqual(banner["visitorSeenAt"], fields.Datetime.to_string(moment))

    def test_logged_in_visitor_presence_is_their_users(self):
        portal = self.env["res.users"].create({
            "name": "Paula Portal", "login": "lc_portal_presence",
            "groups_id": [Command.set(self.env.ref("base.group_portal").ids)]})
        session = self.Session._live_chat_create_session(self.channel, self.operator, partner=portal.partner_id)
        set_presence(portal, minutes_ago=0)
        session.invalidate_recordset()
        info = session.with_user(self.operator)._channel_info()[0]["liveChat"]
        self.assertEqual(info["visitorPresence"], "online")

    def test_a_presence_made_meanwhile_by_another_request(self):
        """The visitor's websocket on one server and their widget's poll on
        another (or two tabs) say they are there at the same moment: both
        find no presence, the first creates it, and the second's INSERT hits
        mail's unique index. The second gives way, logs no error, and its
        request goes on (the two-server test saw "bad query" and a failed
        websocket request)."""
        self.env["bus.presence"].create({"guest_id": self.guest.id, "status": "online"})
        Presence = type(self.env["bus.presence"])
        real_search = Presence.search

        def search_before_the_other_committed(records, domain, *args, **kwargs):
            if domain == [("guest_id", "=", self.guest.id)]:
                return records.browse()
            return real_search(records, domain, *args, **kwargs)

        with patch.object(Presence, "search", search_before_the_other_committed), \
                self.assertNoLogs("odoo.sql_db", "ERROR"):
            self.Session._live_chat_track_visitors(self.guest, online=True)
        self.assertEqual(self.env["bus.presence"].search_count([("guest_id", "=", self.guest.id)]), 1)
        self.assertEqual(self.banner()["visitorPresence"], "online", "the other request's row; the cursor works")

    def test_guests_without_an_open_session_are_not_tracked(self):
        self.session.with_user(self.operator).live_chat_close_by_operator()
        self.Session._live_chat_track_visitors(self.guest, online=True)
        self.assertFalse(self.env["bus.presence"].search([("guest_id", "=", self.guest.id)]))


@tagged("post_install", "-at_install")
class TestVisitorPresenceWebsocket(BusMixin, WebsocketCase):
    """The widget's own websocket keeps the guest's presence, with no cookie
    (a widget on another site): subscribed as its guest, it says it is there;
    closed, the visitor left."""

    def test_widget_websocket_sets_then_ends_the_presence(self):
        operator = new_operator(self.env, "lc_ws_operator", "Wes Operator")
        channel = self.env["live_chat.channel"].create({"name": "WS Support",
                                                        "user_ids": [Command.set(operator.ids)]})
        guest = self.env["mail.guest"].create({"name": "Vera"})
        session = self.env["discuss.channel"]._live_chat_create_session(channel, operator, guest=guest)
        token = guest.sudo()._format_auth_cookie()
        websocket = self.websocket_connect()  # no guest cookie
        last = self.env["bus.bus"]._bus_last_id()
        self.subscribe(websocket, [f"mail.guest_{token}"], last)
        websocket.send(json.dumps({"event_name": "update_presence",
                                   "data": {"inactivity_period": 0, "im_status_ids_by_model": {}}}))
        # Messages of one websocket are served in order: once this second
        # subscription is dispatched, the presence was recorded.
        self.subscribe(websocket, [f"mail.guest_{token}"], last)
        presence = self.env["bus.presence"].search([("guest_id", "=", guest.id)])
        self.assertEqual(presence.status, "online")
        session.invalidate_recordset()
        self.assertEqual(session.with_user(operator)._channel_info()[0]["liveChat"]["visitorPresence"], "online")
        websocket.close(CloseCode.CLEAN)
        self.wait_remaining_websocket_connections()
        presence.invalidate_recordset()
        self.assertEqual(presence.status, "offline")
        session.invalidate_recordset()
        self.assertEqual(session.with_user(operator)._channel_info()[0]["liveChat"]["visitorPresence"], "offline")
        self.assertEqual([update["visitorPresence"] for update in self.banner_updates(session)],
                         ["online", "offline"])

    def test_a_wrong_token_tracks_nobody(self):
        operator = new_operator(self.env, "lc_ws_operator2", "Wes Operator")
        channel = self.env["live_chat.channel"].create({"name": "WS Support 2",
                                                        "user_ids": [Command.set(operator.ids)]})
        guest = self.env["mail.guest"].create({"name": "Vera"})
        self.env["discuss.channel"]._live_chat_create_session(channel, operator, guest=guest)
        websocket = self.websocket_connect()
        last = self.env["bus.bus"]._bus_last_id()
        self.subscribe(websocket, [f"mail.guest_{guest.id}|wrong-secret"], last)
        websocket.send(json.dumps({"event_name": "update_presence",
                                   "data": {"inactivity_period": 0, "im_status_ids_by_model": {}}}))
        self.subscribe(websocket, [], last)
        self.assertFalse(self.env["bus.presence"].search([("guest_id", "=", guest.id)]))
