"""Bad configuration degrades a feature, never the chat: a broken GeoIP
database, an unreachable mail server."""
import os
import socket
import tempfile
from unittest.mock import patch

import odoo.http
from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import config, mute_logger

from .mmdb_writer import write_country_db
from .test_feedback import TRANSCRIPT, FeedbackCase
from .test_session_api import BELGIAN_IP, LiveChatApiCase

GEOIP_LOGGER = "odoo.addons.live_chat.models.discuss_channel_location"


@tagged("post_install", "-at_install")
class TestGeoipFailures(LiveChatApiCase):
    """Whatever is wrong with the GeoIP files, the button shows where rules
    without countries say so, and the log says it once."""

    def setUp(self):
        super().setUp()
        self.folder = tempfile.mkdtemp()
        self.channel.rule_ids = [
            Command.clear(),
            Command.create({"sequence": 10, "action": "hide", "country_ids": [Command.set(self.belgium.ids)]}),
            Command.create({"sequence": 20, "action": "show_with_notification"}),
        ]
        self.forwarded_for = BELGIAN_IP

    def use_files(self, country_path, city_path):
        for name in ("geoip_country_db", "geoip_city_db"):
            odoo.http.root.__dict__.pop(name, None)
            self.addCleanup(odoo.http.root.__dict__.pop, name, None)
        self.patch(config, "options", {**config.options, "geoip_country_db": country_path,
                                       "geoip_city_db": city_path, "proxy_mode": True})

    def path(self, name):
        return os.path.join(self.folder, name)

    def assert_country_unknown_with_one_warning(self, fragment):
        init = {"channel_id": self.channel.id, "url": "http://s.test/"}
        with self.assertLogs(GEOIP_LOGGER, "WARNING") as logs:
            for _attempt in range(3):
                self.assertEqual(self.ok("/live_chat/init", init)["action"], "show_with_notification")
            started = self.start(body="Hello")
        self.assertFalse(self.session_of(started).live_chat_country_id)
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn(fragment, logs.output[0])

    def test_city_database_given_as_the_country_database(self):
        city = write_country_db(self.path("city.mmdb"), {"81.2.69.0/24": "BE"}, database_type="GeoLite2-City")
        self.use_files(city, self.path("missing-city.mmdb"))
        self.assert_country_unknown_with_one_warning("is a GeoLite2-City database")

    def test_website_pages_render_with_a_city_database_given_as_the_country_database(self):
        """Odoo's website reads the visitor's country on every page (session
        info, visitors): the pages carrying the chat button must not fail."""
        city = write_country_db(self.path("city.mmdb"), {"81.2.69.0/24": "BE"}, database_type="GeoLite2-City")
        self.use_files(city, self.path("missing-city.mmdb"))
        self.env["website"].get_current_website().live_chat_channel_id = self.channel
        # A logged-in visitor with a time zone: the website then skips its
        # city lookup and reads the country file first.
        new_test_user(self.env, login="geo_portal", groups="base.group_portal", tz="Europe/Brussels")
        self.authenticate("geo_portal", "geo_portal")
        with self.assertLogs(GEOIP_LOGGER, "WARNING"):
            response = self.url_open("/contactus", headers={"X-Forwarded-For": BELGIAN_IP})
            self.assertEqual(response.status_code, 200)
        self.assertIn("/live_chat/embed/", response.text)

    def test_corrupt_database(self):
        with open(self.path("corrupt.mmdb"), "wb") as corrupt:
            corrupt.write(b"this is not a MaxMind database\n" * 64)
        self.use_files(self.path("corrupt.mmdb"), self.path("corrupt.mmdb"))
        self.assert_country_unknown_with_one_warning("cannot be read")

    def test_missing_databases(self):
        self.use_files(self.path("nowhere-country.mmdb"), self.path("nowhere-city.mmdb"))
        self.assert_country_unknown_with_one_warning("no country database at")

    def test_lookup_failure_the_check_did_not_foresee(self):
        country = write_country_db(self.path("country.mmdb"), {"81.2.69.0/24": "BE"})
        self.use_files(country, self.path("missing-city.mmdb"))

        def broken(_geoip):
            raise ValueError("unexpected data in the database")
        with patch.object(odoo.http.GeoIP, "country_code", property(broken)):
            self.assert_country_unknown_with_one_warning("the GeoIP lookup failed")

    def test_a_working_database_logs_nothing(self):
        country = write_country_db(self.path("country.mmdb"), {"81.2.69.0/24": "BE"})
        self.use_files(country, self.path("missing-city.mmdb"))
        with self.assertNoLogs(GEOIP_LOGGER, "WARNING"):
            result = self.ok("/live_chat/init", {"channel_id": self.channel.id, "url": "http://s.test/"})
        self.assertEqual(result["action"], "hide")


def closed_port():
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@tagged("post_install", "-at_install")
class TestMailServerDown(FeedbackCase):
    """A transcript asked while the mail server is down: the visitor is
    told it is on its way, and the mail waits in Odoo's queue."""

    def test_transcript_is_queued_when_the_mail_server_is_unreachable(self):
        self.env["ir.mail_server"].create({
            "name": "Down", "smtp_host": "127.0.0.1", "smtp_port": closed_port(), "sequence": 1})
        self.converse()  # a transcript needs both sides to have written
        result = self.ok(TRANSCRIPT, {**self.own, "email": "vera@example.com"})
        self.assertEqual(result, {"queued": True, "email": "vera@example.com"})
        mail = self.transcripts()
        self.assertEqual(mail.state, "outgoing")
        # The queue runner (a cron) meets the dead server: the mail is kept,
        # marked for a retry, and the session goes on.
        mail_server = type(self.env["ir.mail_server"])
        with patch.object(mail_server, "_is_test_mode", lambda self: False), \
                mute_logger("odoo.addons.mail.models.mail_mail", "odoo.addons.base.models.ir_mail_server"):
            self.env["mail.mail"].browse(mail.ids).send(raise_exception=False)
        self.assertTrue(mail.exists())
        self.assertEqual(mail.state, "exception")
        self.assertTrue(mail.failure_reason)
        self.assertTrue(self.post("Still there?")["message_id"])

    def test_transcript_is_queued_when_the_mail_server_is_misconfigured(self):
        self.env["ir.mail_server"].create({
            "name": "Broken", "smtp_host": "no-such-host.invalid", "smtp_port": 25,
            "smtp_authentication": "login", "smtp_user": "nobody", "smtp_pass": "wrong", "sequence": 1})
        self.converse()
        result = self.ok(TRANSCRIPT, {**self.own, "email": "vera@example.com"})
        self.assertTrue(result["queued"])
        self.assertEqual(self.transcripts().state, "outgoing")
