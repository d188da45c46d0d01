import json
import os
import tempfile
from datetime import timedelta
from unittest.mock import patch

import odoo.http
from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config, mute_logger

from .common import new_operator, set_presence
from .mmdb_writer import write_country_db

BELGIAN_IP = "81.2.69.7"
FRENCH_IP = "2.2.2.9"


class LiveChatApiCase(HttpCase):
    """Calls the public routes over HTTP, as a visitor's browser would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_operator(cls.env, "api_op1", "Oscar Operator", live_chat_name="Oz")
        cls.operator_2 = new_operator(cls.env, "api_op2", "Olga Operator")
        cls.channel = cls.env["live_chat.channel"].create({
            "name": "API Support",
            "welcome_message": "Welcome! How can we help?",
            "user_ids": [Command.set([cls.operator.id, cls.operator_2.id])],
            "rule_ids": [Command.create({"sequence": 10, "action": "show"})],
        })
        cls.belgium = cls.env.ref("base.be")
        cls.france = cls.env.ref("base.fr")

    def setUp(self):
        super().setUp()
        self.set_presence(self.operator, minutes_ago=1)
        self.set_presence(self.operator_2, minutes_ago=1)
        self.forwarded_for = None

    def set_presence(self, user, minutes_ago, status=None):
        set_presence(user, minutes_ago, status)

    def use_geoip(self):
        """A real MaxMind database (built here) and proxy mode, so that the
        X-Forwarded-For address decides the visitor's country."""
        folder = tempfile.mkdtemp()
        path = write_country_db(os.path.join(folder, "country.mmdb"),
                                {"81.2.69.0/24": "BE", "2.2.2.0/24": "FR"})
        self.addCleanup(odoo.http.root.__dict__.pop, "geoip_country_db", None)
        odoo.http.root.__dict__.pop("geoip_country_db", None)
        self.patch(config, "options", {**config.options, "geoip_country_db": path,
                                       "geoip_city_db": os.path.join(folder, "missing.mmdb"),
                                       "proxy_mode": True})

    def call(self, route, params=None, raw=None, envelope=True, headers=None):
        body = raw if raw is not None else json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": 7, "params": params or {}} if envelope else params or {})
        all_headers = {"Content-Type": "text/plain"}
        if self.forwarded_for:
            all_headers.update({"X-Forwarded-For": self.forwarded_for, "X-Forwarded-Host": "localhost"})
        all_headers.update(headers or {})
        response = self.url_open(route, data=body, headers=all_headers)
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertNotIn("Traceback", response.text)
        return response.json()

    def ok(self, route, params):
        answer = self.call(route, params)
        self.assertNotIn("error", answer, answer)
        return answer["result"]

    def refused(self, route, params, code, **kwargs):
        answer = self.call(route, params, **kwargs)
        self.assertIn("error", answer, answer)
        self.assertEqual(answer["error"]["data"]["code"], code, answer)
        self.assertTrue(answer["error"]["message"])
        return answer["error"]

    def start(self, **params):
        """Start a session as the widget does: with the visitor's first
        message ("Hello" unless `body` or `answer_id` is given)."""
        if "body" not in params and "answer_id" not in params:
            params["body"] = "Hello"
        return self.ok("/live_chat/session/start", {
            "channel_id": self.channel.id, "url": "http://site.test/page", **params})

    def session_of(self, started):
        return self.env["discuss.channel"].browse(started["session_id"])


@tagged("post_install", "-at_install")
class TestInit(LiveChatApiCase):

    def test_init_answers_rule_and_options(self):
        self.channel.rule_ids = [Command.clear(), Command.create({
            "action": "auto_open", "auto_open_seconds": 4, "url_regex": "/shop"})]
        result = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://site.test/shop/1"})
        self.assertEqual(result["action"], "auto_open")
        self.assertEqual(result["auto_open_seconds"], 4)
        self.assertTrue(result["operator_available"])
        self.assertIsNone(result["chatbot"])
        self.assertEqual(result["options"]["welcome_message"], "Welcome! How can we help?")
        for key in ("button_text", "button_background_color", "button_text_color",
                    "header_background_color", "title_color", "input_placeholder"):
            self.assertIn(key, result["options"])

    def test_options_in_the_visitor_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.channel.with_context(lang="es_ES").button_text = "¿Hablamos?"
        self.channel.with_context(lang="en_US").button_text = "Shall we talk?"
        init = {"channel_id": self.channel.id, "url": "http://s.test/"}
        self.assertEqual(self.ok("/live_chat/init", {**init, "lang": "es"})["options"]["button_text"], "¿Hablamos?")
        answer = self.call("/live_chat/init", init, headers={"Accept-Language": "es-ES,es;q=0.9"})
        self.assertEqual(answer["result"]["options"]["button_text"], "¿Hablamos?")
        answer = self.call("/live_chat/init", init, headers={"Accept-Language": "de-DE"})
        self.assertEqual(answer["result"]["options"]["button_text"], "Shall we talk?")

    def test_spanish_ships_with_the_addon(self):
        """The widget's texts and the API's errors in Spanish, from i18n/es.po."""
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(["live_chat"], ["es_ES"], overwrite=True)
        init = {"channel_id": self.channel.id, "url": "http://s.test/", "lang": "es_ES"}
        strings = self.ok("/live_chat/init", init)["strings"]
        self.assertEqual(strings["send"], "Enviar")
        self.assertEqual(strings["end_confirm"], "¿Terminar esta conversación?")
        self.assertEqual(self.ok("/live_chat/init", {**init, "lang": "en_US"})["strings"]["send"], "Send")
        error = self.refused("/live_chat/init", {**init, "channel_id": 999999}, "unknown_channel")
        self.assertEqual(error["message"], "Este canal de chat en vivo no existe o está cerrado.")
        started = self.start(lang="es_ES")
        error = self.refused("/live_chat/session/post", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "body": " ",
            "lang": "es_ES"}, "empty_message")
        self.assertEqual(error["message"], "El mensaje está vacío.")

    def test_init_without_matching_rule_hides(self):
        self.channel.rule_ids = [Command.clear(), Command.create({"action": "show", "url_regex": "/shop"})]
        result = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://site.test/blog"})
        self.assertEqual(result["action"], "hide")

    def test_init_rules_by_sequence(self):
        self.channel.rule_ids = [
            Command.clear(),
            Command.create({"sequence": 20, "action": "show"}),
            Command.create({"sequence": 10, "action": "show_with_notification", "url_regex": "/contact"}),
        ]
        init = {"channel_id": self.channel.id}
        self.assertEqual(self.ok("/live_chat/init", {**init, "url": "http://s.test/contactus"})["action"],
                         "show_with_notification")
        self.assertEqual(self.ok("/live_chat/init", {**init, "url": "http://s.test/"})["action"], "show")

    def test_init_reports_no_available_operator(self):
        self.set_presence(self.operator, minutes_ago=31)
        self.set_presence(self.operator_2, minutes_ago=45)
        result = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})
        self.assertFalse(result["operator_available"])

    def test_rules_follow_the_visitor_country(self):
        self.use_geoip()
        self.channel.rule_ids = [
            Command.clear(),
            Command.create({"sequence": 10, "action": "hide", "country_ids": [Command.set(self.belgium.ids)]}),
            Command.create({"sequence": 20, "action": "auto_open", "auto_open_seconds": 2,
                            "country_ids": [Command.set(self.france.ids)]}),
            Command.create({"sequence": 30, "action": "show"}),
        ]
        init = {"channel_id": self.channel.id, "url": "http://s.test/"}
        self.forwarded_for = BELGIAN_IP
        self.assertEqual(self.ok("/live_chat/init", init)["action"], "hide")
        self.forwarded_for = FRENCH_IP
        self.assertEqual(self.ok("/live_chat/init", init)["action"], "auto_open")
        self.forwarded_for = "8.8.8.8"  # not in the database
        self.assertEqual(self.ok("/live_chat/init", init)["action"], "show")

    def test_without_geoip_database_country_rules_never_match(self):
        self.patch(config, "options", {**config.options, "geoip_country_db": "/nonexistent/c.mmdb",
                                       "geoip_city_db": "/nonexistent/city.mmdb"})
        odoo.http.root.__dict__.pop("geoip_country_db", None)
        odoo.http.root.__dict__.pop("geoip_city_db", None)
        self.channel.rule_ids = [
            Command.clear(),
            Command.create({"sequence": 10, "action": "hide", "country_ids": [Command.set(self.belgium.ids)]}),
            Command.create({"sequence": 20, "action": "show_with_notification"}),
        ]
        result = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})
        self.assertEqual(result["action"], "show_with_notification")

    def test_session_records_the_country(self):
        self.use_geoip()
        self.forwarded_for = FRENCH_IP
        started = self.start()
        self.assertEqual(self.session_of(started).live_chat_country_id, self.france)
        self.assertEqual(self.session_of(started).sudo().live_chat_ip, FRENCH_IP)

    def test_cors_preflight_and_header(self):
        response = self.opener.options(
            f"{self.base_url()}/live_chat/session/post",
            headers={"Origin": "http://other.test", "Access-Control-Request-Method": "POST"},
            timeout=10)
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response.headers.get("Access-Control-Allow-Origin"), "*")
        response = self.url_open("/live_chat/init", data=json.dumps({"channel_id": self.channel.id}),
                                 headers={"Content-Type": "application/json", "Origin": "http://other.test"})
        self.assertEqual(response.headers.get("Access-Control-Allow-Origin"), "*")
        self.assertIn("action", response.json()["result"], "a bare params object works too")


@tagged("post_install", "-at_install")
class TestSessionStart(LiveChatApiCase):

    def test_start_creates_session_with_members_and_welcome(self):
        started = self.start(visitor_name="Alice")
        session = self.session_of(started)
        self.assertEqual(session.channel_type, "live_chat")
        self.assertEqual(session.live_chat_channel_id, self.channel)
        self.assertIn(session.live_chat_operator_id, self.operator | self.operator_2)
        operator = session.live_chat_operator_id
        self.assertEqual(session.name, f"Alice, {operator._get_live_chat_name()}")
        self.assertEqual(session.live_chat_url, "http://site.test/page")
        self.assertTrue(session.live_chat_start)
        self.assertFalse(session.live_chat_closed)
        guest = session.live_chat_guest_id
        self.assertEqual(guest.name, "Alice")
        self.assertEqual(started["guest_token"], f"{guest.id}|{guest.sudo().access_token}")
        self.assertEqual(session.channel_member_ids.partner_id, operator.partner_id)
        self.assertEqual(session.channel_member_ids.guest_id, guest)
        self.assertEqual(started["operator_name"], operator._get_live_chat_name())
        self.assertEqual([m["body"] for m in started["messages"]], ["Welcome! How can we help?", "Hello"])
        welcome = self.env["mail.message"].browse(started["messages"][0]["id"])
        self.assertEqual(welcome.author_id, operator.partner_id, "the welcome is sent as the operator")
        self.assertEqual([m["is_visitor"] for m in started["messages"]], [False, True])
        self.assertEqual(started["message_id"], started["messages"][1]["id"])
        self.assertEqual(started["message"], started["messages"][1])
        self.assertTrue(session.live_chat_visitor_wrote)

    def test_visitor_without_name_is_numbered(self):
        started = self.start()
        guest = self.session_of(started).live_chat_guest_id
        self.assertEqual(guest.name, f"Visitor #{guest.id}")

    def test_operator_shows_online_chat_name(self):
        self.set_presence(self.operator_2, minutes_ago=40)
        started = self.start(visitor_name="Bob")
        self.assertEqual(started["operator_name"], "Oz")
        self.assertEqual(self.session_of(started).name, "Bob, Oz")

    def test_inactive_operator_gets_nothing(self):
        self.set_presence(self.operator, minutes_ago=31)
        for _i in range(3):
            started = self.start()
            self.assertEqual(self.session_of(started).live_chat_operator_id, self.operator_2)

    def test_least_busy_operator_gets_the_session(self):
        for _i in range(2):
            self.env["discuss.channel"].create({
                "name": "busy", "channel_type": "live_chat", "live_chat_channel_id": self.channel.id,
                "live_chat_operator_id": self.operator.id, "live_chat_start": fields.Datetime.now(),
            })
        self.assertEqual(self.session_of(self.start()).live_chat_operator_id, self.operator_2)
        self.assertEqual(self.session_of(self.start()).live_chat_operator_id, self.operator_2)
        # 2 open sessions each now: either may get the next one, then the other.
        third = self.session_of(self.start()).live_chat_operator_id
        fourth = self.session_of(self.start()).live_chat_operator_id
        self.assertEqual(third | fourth, self.operator | self.operator_2)

    def test_closed_or_old_sessions_do_not_count_as_busy(self):
        self.env["discuss.channel"].create({
            "name": "old", "channel_type": "live_chat", "live_chat_channel_id": self.channel.id,
            "live_chat_operator_id": self.operator.id,
            "live_chat_start": fields.Datetime.now() - timedelta(hours=2),
        })
        self.env["discuss.channel"].create({
            "name": "closed", "channel_type": "live_chat", "live_chat_channel_id": self.channel.id,
            "live_chat_operator_id": self.operator.id, "live_chat_closed": True,
            "live_chat_start": fields.Datetime.now(),
        })
        self.env["discuss.channel"].create({
            "name": "open", "channel_type": "live_chat", "live_chat_channel_id": self.channel.id,
            "live_chat_operator_id": self.operator_2.id, "live_chat_start": fields.Datetime.now(),
        })
        self.assertEqual(self.session_of(self.start()).live_chat_operator_id, self.operator)

    def test_no_operator_available_creates_nothing(self):
        self.set_presence(self.operator, minutes_ago=31)
        self.set_presence(self.operator_2, minutes_ago=31)
        sessions = self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")])
        guests = self.env["mail.guest"].search_count([])
        error = self.refused("/live_chat/session/start",
                             {"channel_id": self.channel.id, "url": "http://s.test/", "body": "Hi?"}, "no_operator")
        self.assertIn("No operator available", error["message"])
        self.assertEqual(self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")]), sessions)
        self.assertEqual(self.env["mail.guest"].search_count([]), guests)

    def test_same_guest_token_reuses_the_visitor(self):
        first = self.start(visitor_name="Carol")
        second = self.start(guest_token=first["guest_token"])
        self.assertEqual(self.session_of(first).live_chat_guest_id, self.session_of(second).live_chat_guest_id)
        self.assertEqual(second["guest_token"], first["guest_token"])

    def test_logged_in_user_chats_as_their_partner(self):
        portal = new_test_user(self.env, login="api_portal", name="Paula Portal", groups="base.group_portal")
        self.authenticate("api_portal", "api_portal")
        started = self.start()
        session = self.session_of(started)
        self.assertIsNone(started["guest_token"])
        self.assertEqual(session.live_chat_visitor_partner_id, portal.partner_id)
        self.assertFalse(session.live_chat_guest_id)
        self.assertIn(portal.partner_id, session.channel_member_ids.partner_id)
        posted = self.ok("/live_chat/session/post", {"session_id": session.id, "body": "Hi, it's Paula"})
        self.assertEqual(self.env["mail.message"].browse(posted["message_id"]).author_id, portal.partner_id)
        self.assertTrue(posted["message"]["is_visitor"])
        # Someone else, logged out, cannot reach it.
        self.authenticate(None, None)
        self.refused("/live_chat/session/messages", {"session_id": session.id}, "unknown_session")


@tagged("post_install", "-at_install")
class TestMessages(LiveChatApiCase):

    def test_visitor_posts_and_operator_is_notified_on_the_bus(self):
        started = self.start(visitor_name="Dan")
        session = self.session_of(started)
        self.env["bus.bus"].sudo().search([]).unlink()
        posted = self.ok("/live_chat/session/post", {
            "session_id": session.id, "guest_token": started["guest_token"], "body": "Where is my order?"})
        message = self.env["mail.message"].browse(posted["message_id"])
        self.assertEqual(message.author_guest_id, session.live_chat_guest_id)
        self.assertEqual(message.model, "discuss.channel")
        self.assertEqual(message.res_id, session.id)
        notifications = self.env["bus.bus"].sudo().search([])
        new_message = [
            json.loads(n.message) for n in notifications
            if json.loads(n.channel) == [self.env.cr.dbname, "discuss.channel", session.id]
            and json.loads(n.message)["type"] == "discuss.channel/new_message"
        ]
        self.assertEqual([n["payload"]["message"]["id"] for n in new_message], [message.id],
                         "the operator, a member, receives the message on the session's bus channel")

    def test_operator_reply_reaches_the_visitor(self):
        started = self.start()
        session = self.session_of(started)
        operator = session.live_chat_operator_id
        reply = session.with_user(operator).message_post(
            body="On its way!", message_type="comment", subtype_xmlid="mail.mt_comment")
        result = self.ok("/live_chat/session/messages", {
            "session_id": session.id, "guest_token": started["guest_token"],
            "after_id": started["messages"][-1]["id"]})
        self.assertEqual([(m["id"], m["body"], m["is_visitor"]) for m in result["messages"]],
                         [(reply.id, "On its way!", False)])
        self.assertEqual(result["messages"][0]["author_name"], operator._get_live_chat_name())
        self.assertFalse(result["closed"])

    def test_history_after_reload(self):
        started = self.start()
        token, session_id = started["guest_token"], started["session_id"]
        for text in ("one", "two"):
            self.ok("/live_chat/session/post", {"session_id": session_id, "guest_token": token, "body": text})
        result = self.ok("/live_chat/session/messages", {"session_id": session_id, "guest_token": token})
        self.assertEqual([m["body"] for m in result["messages"]],
                         ["Welcome! How can we help?", "Hello", "one", "two"])
        self.assertEqual([m["is_visitor"] for m in result["messages"]], [False, True, True, True])

    def test_html_from_visitor_is_stored_and_returned_as_text(self):
        started = self.start(visitor_name="<b>Eve</b>")
        attack = '<img src=x onerror=alert(1)> & <script>alert("x")</script>'
        posted = self.ok("/live_chat/session/post", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "body": attack})
        message = self.env["mail.message"].browse(posted["message_id"])
        self.assertNotIn("<img", str(message.body))
        self.assertNotIn("<script", str(message.body))
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", str(message.body))
        self.assertEqual(posted["message"]["body"], attack)
        history = self.ok("/live_chat/session/messages", {
            "session_id": started["session_id"], "guest_token": started["guest_token"]})
        self.assertEqual(history["messages"][-1]["body"], attack)
        self.assertEqual(self.session_of(started).live_chat_guest_id.name, "<b>Eve</b>")

    def test_multiline_message_keeps_its_lines(self):
        started = self.start()
        posted = self.ok("/live_chat/session/post", {
            "session_id": started["session_id"], "guest_token": started["guest_token"], "body": "a\nb"})
        self.assertEqual(posted["message"]["body"], "a\nb")

    def test_close_tells_operator_and_refuses_posts(self):
        started = self.start()
        session = self.session_of(started)
        params = {"session_id": session.id, "guest_token": started["guest_token"]}
        self.assertEqual(self.ok("/live_chat/session/close", params), {"closed": True})
        self.assertTrue(session.live_chat_closed)
        self.assertEqual(session.live_chat_closed_by, "visitor")
        self.assertTrue(session.live_chat_end)
        last = self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", session.id)], order="id desc", limit=1)
        self.assertIn("Visitor left the conversation", str(last.body))
        count = self.env["mail.message"].search_count([("model", "=", "discuss.channel"), ("res_id", "=", session.id)])
        self.refused("/live_chat/session/post", {**params, "body": "hello?"}, "session_closed")
        self.assertEqual(
            self.env["mail.message"].search_count([("model", "=", "discuss.channel"), ("res_id", "=", session.id)]),
            count)
        self.assertTrue(self.ok("/live_chat/session/messages", params)["closed"])

    def test_operator_closes_session(self):
        started = self.start()
        session = self.session_of(started)
        session.with_user(session.live_chat_operator_id).live_chat_close_by_operator()
        self.assertTrue(session.live_chat_closed)
        self.assertEqual(session.live_chat_closed_by, "operator")
        result = self.ok("/live_chat/session/messages", {
            "session_id": session.id, "guest_token": started["guest_token"]})
        self.assertTrue(result["closed"])
        self.assertIn("left the conversation", result["messages"][-1]["body"])


@tagged("post_install", "-at_install")
class TestBadInput(LiveChatApiCase):

    def setUp(self):
        super().setUp()
        self.started = self.start(visitor_name="Victor")
        self.own = {"session_id": self.started["session_id"], "guest_token": self.started["guest_token"]}

    def message_count(self):
        return self.env["mail.message"].search_count([
            ("model", "=", "discuss.channel"), ("res_id", "=", self.started["session_id"])])

    def test_unknown_or_archived_channel(self):
        for route in ("/live_chat/init", "/live_chat/session/start"):
            self.refused(route, {"channel_id": 999999, "url": "http://s.test/"}, "unknown_channel")
        self.channel.active = False
        for route in ("/live_chat/init", "/live_chat/session/start"):
            self.refused(route, {"channel_id": self.channel.id, "url": "http://s.test/"}, "unknown_channel")

    def test_wrong_types(self):
        self.refused("/live_chat/init", {"channel_id": "abc"}, "bad_request")
        self.refused("/live_chat/init", {"channel_id": None}, "bad_request")
        self.refused("/live_chat/init", {"channel_id": [1]}, "bad_request")
        self.refused("/live_chat/init", {"channel_id": self.channel.id, "url": 12}, "bad_request")
        self.refused("/live_chat/session/start", {"channel_id": self.channel.id, "visitor_name": {"a": 1}},
                     "bad_request")
        self.refused("/live_chat/session/post", {**self.own, "body": 123}, "bad_request")
        self.refused("/live_chat/session/post", {**self.own, "session_id": "x", "body": "hi"}, "bad_request")
        self.refused("/live_chat/session/messages", {**self.own, "after_id": "last"}, "bad_request")
        self.refused("/live_chat/init", None, "bad_request", raw="{not json")
        self.refused("/live_chat/init", None, "bad_request", raw="[1, 2]")
        self.assertEqual(self.message_count(), 2)

    def test_oversized_input(self):
        count = self.message_count()
        self.refused("/live_chat/session/post", {**self.own, "body": "x" * 4001}, "too_long")
        self.ok("/live_chat/session/post", {**self.own, "body": "x" * 4000})
        self.refused("/live_chat/session/start", {"channel_id": self.channel.id, "visitor_name": "n" * 101},
                     "too_long")
        self.refused("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/" + "u" * 2048},
                     "too_long")
        self.refused("/live_chat/session/start", {"channel_id": self.channel.id, "url": "http://s/" + "u" * 2048},
                     "too_long")
        self.refused("/live_chat/session/post", None, "too_long",
                     raw=json.dumps({"params": {**self.own, "body": "y" * 20000}}))
        self.assertEqual(self.message_count(), count + 1)

    def test_empty_body(self):
        for body in ("", "   \n "):
            self.refused("/live_chat/session/post", {**self.own, "body": body}, "empty_message")
        self.refused("/live_chat/session/post", self.own, "bad_request")
        self.assertEqual(self.message_count(), 2)

    def test_unknown_session_and_wrong_token(self):
        other = self.start(visitor_name="Mallory")
        cases = [
            {"session_id": 999999, "guest_token": self.own["guest_token"]},
            {"session_id": self.own["session_id"]},
            {"session_id": self.own["session_id"], "guest_token": ""},
            {"session_id": self.own["session_id"], "guest_token": "garbage"},
            {"session_id": self.own["session_id"], "guest_token": "abc|" + self.own["guest_token"].split("|")[1]},
            {"session_id": self.own["session_id"], "guest_token": self.own["guest_token"].split("|")[0] + "|"},
            {"session_id": self.own["session_id"], "guest_token": other["guest_token"]},
            {"session_id": self.own["session_id"],
             "guest_token": self.own["guest_token"].split("|")[0] + "|wrong"},
        ]
        for params in cases:
            for route, extra in (("/live_chat/session/post", {"body": "intrusion"}),
                                 ("/live_chat/session/messages", {}),
                                 ("/live_chat/session/close", {})):
                error = self.refused(route, {**params, **extra}, "unknown_session")
                self.assertNotIn("Victor", json.dumps(error))
        self.assertEqual(self.message_count(), 2)
        self.assertFalse(self.session_of(self.started).live_chat_closed)

    def test_not_a_live_chat_session(self):
        channel = self.env["discuss.channel"].create({"name": "internal", "channel_type": "channel"})
        self.refused("/live_chat/session/messages",
                     {"session_id": channel.id, "guest_token": self.own["guest_token"]}, "unknown_session")

    def test_visitor_reads_only_their_own_session(self):
        other = self.start(visitor_name="Mallory")
        self.ok("/live_chat/session/post", {
            "session_id": other["session_id"], "guest_token": other["guest_token"], "body": "secret of Mallory"})
        mine = self.ok("/live_chat/session/messages", self.own)
        self.assertNotIn("secret of Mallory", json.dumps(mine))

    def test_burst_over_rate_limit_is_refused_and_earlier_messages_stay(self):
        accepted = [self.started["message_id"]]  # the first message counts
        for index in range(19):
            accepted.append(self.ok("/live_chat/session/post", {**self.own, "body": f"m{index}"})["message_id"])
        error = self.refused("/live_chat/session/post", {**self.own, "body": "one too many"}, "rate_limited")
        self.assertEqual(error["code"], 429)
        self.assertIn("Too many messages", error["message"])
        history = self.ok("/live_chat/session/messages", self.own)["messages"]
        self.assertEqual([m["body"] for m in history[1:]], ["Hello"] + [f"m{i}" for i in range(19)])
        self.assertEqual([m["id"] for m in history[1:]], accepted)

    def test_rate_limit_per_client_address(self):
        # 7: both first messages, then 3 + 2 more; the 8th is refused.
        self.env["ir.config_parameter"].sudo().set_param("live_chat.rate_limit_address", "7")
        second = self.start()
        for index in range(3):
            self.ok("/live_chat/session/post", {**self.own, "body": f"a{index}"})
        for index in range(2):
            self.ok("/live_chat/session/post", {
                "session_id": second["session_id"], "guest_token": second["guest_token"], "body": f"b{index}"})
        self.refused("/live_chat/session/post", {
            "session_id": second["session_id"], "guest_token": second["guest_token"], "body": "b2"},
            "rate_limited")

    def test_rate_limit_window_passes(self):
        self.env["ir.config_parameter"].sudo().set_param("live_chat.rate_limit_session", "3")
        self.ok("/live_chat/session/post", {**self.own, "body": "1"})
        self.ok("/live_chat/session/post", {**self.own, "body": "2"})
        self.refused("/live_chat/session/post", {**self.own, "body": "3"}, "rate_limited")
        later = fields.Datetime.now() + timedelta(seconds=11)
        with patch.object(fields.Datetime, "now", return_value=later):
            self.ok("/live_chat/session/post", {**self.own, "body": "3"})

    @mute_logger("odoo.addons.live_chat.controllers.widget")
    def test_unexpected_failure_answers_without_traceback(self):
        def explode(*args, **kwargs):
            raise RuntimeError("boom in the model")
        self.patch(type(self.env["discuss.channel"]), "_live_chat_messages", explode)
        error = self.refused("/live_chat/session/messages", self.own, "internal_error")
        self.assertNotIn("boom", json.dumps(error))
