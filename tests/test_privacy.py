"""Visitors' data kept no longer than needed: retention, anonymized
addresses, erasure on request, consent text."""
import base64
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import config

from .common import LiveChatCase
from .test_feedback import RATE, TRANSCRIPT, FeedbackCase
from .test_session_api import LiveChatApiCase


def set_param(env, key, value):
    env["ir.config_parameter"].sudo().set_param(key, value)


@tagged("post_install", "-at_install")
class TestRetention(LiveChatCase):
    """The daily clean-up deletes closed sessions past the retention period
    with everything of theirs, and nothing else."""

    def setUp(self):
        super().setUp()
        set_param(self.env, "live_chat.retention_enabled", "True")
        set_param(self.env, "live_chat.retention_days", "30")
        self.script = self.env["live_chat.chatbot.script"].create({"name": "Bot", "bot_name": "Robbie"})
        self.ask_email = self.env["live_chat.chatbot.step"].create({
            "script_id": self.script.id, "sequence": 10, "step_type": "ask_email", "message": "Email?"})

    def guest(self, name):
        return self.env["mail.guest"].create({"name": name})

    def session(self, guest, closed_days_ago=None):
        """A session of `guest` with a message, an attachment, a rating and
        a bot answer; closed `closed_days_ago` days ago (None: still open)."""
        session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=guest, visitor_name=guest.name)
        message = session._live_chat_post(f"Hello from {guest.name}", guest=guest)
        attachment = self.env["ir.attachment"].create({
            "name": "photo.png", "raw": b"png bytes", "res_model": "discuss.channel", "res_id": session.id})
        message.attachment_ids = [Command.link(attachment.id)]
        session._live_chat_rate("satisfied", "fine", guest=guest)
        self.env["live_chat.chatbot.visitor.answer"].create({
            "session_id": session.id, "step_id": self.ask_email.id, "value": f"{guest.name}@example.com"})
        if closed_days_ago is not None:
            session._live_chat_close("visitor", "Visitor left the conversation")
            end = fields.Datetime.now() - timedelta(days=closed_days_ago)
            session.write({"live_chat_start": end - timedelta(minutes=5), "live_chat_end": end})
        return session

    def traces(self, sessions):
        """What is left of `sessions` in the database, by kind."""
        thread = [("model", "=", "discuss.channel"), ("res_id", "in", sessions.ids)]
        return {
            "sessions": self.env["discuss.channel"].search([("id", "in", sessions.ids)]),
            "messages": self.env["mail.message"].search(thread),
            "attachments": self.env["ir.attachment"].search(
                [("res_model", "=", "discuss.channel"), ("res_id", "in", sessions.ids)]),
            "ratings": self.env["rating.rating"].search(
                [("res_model", "=", "discuss.channel"), ("res_id", "in", sessions.ids)]),
            "answers": self.env["live_chat.chatbot.visitor.answer"].search([("session_id", "in", sessions.ids)]),
            "members": self.env["discuss.channel.member"].search([("channel_id", "in", sessions.ids)]),
        }

    def test_old_closed_sessions_go_with_their_messages_attachments_ratings_answers_and_guests(self):
        alone, shared, recent_guest, open_guest = (self.guest(n) for n in ("Ann", "Bob", "Cid", "Dan"))
        old = self.session(alone, closed_days_ago=40)
        old_shared = self.session(shared, closed_days_ago=31)
        recent_shared = self.session(shared, closed_days_ago=2)
        recent = self.session(recent_guest, closed_days_ago=29)
        still_open = self.session(open_guest)
        still_open.write({"live_chat_start": fields.Datetime.now() - timedelta(days=90)})
        gone = old | old_shared
        kept = recent_shared | recent | still_open
        self.assertTrue(all(self.traces(gone).values()))

        deleted = self.env["discuss.channel"]._live_chat_delete_expired_sessions(batch_size=1)

        self.assertEqual(deleted, 2)
        self.assertEqual({kind: len(records) for kind, records in self.traces(gone).items()},
                         dict.fromkeys(self.traces(gone), 0))
        self.assertFalse(alone.exists(), "a guest left with no session goes")
        self.assertTrue(shared.exists(), "a guest that still has a session stays")
        self.assertTrue(recent_guest.exists() and open_guest.exists())
        kept_traces = self.traces(kept)
        self.assertEqual(len(kept_traces["sessions"]), 3)
        for kind in ("ratings", "answers", "attachments"):
            self.assertEqual(len(kept_traces[kind]), 3, kind)
        self.assertEqual(recent_shared.live_chat_guest_id, shared)

    def test_abandoned_open_sessions_go_after_their_last_message(self):
        abandoned = self.session(self.guest("Gus"))
        talking = self.session(self.guest("Hal"))
        (abandoned | talking).write({"live_chat_start": fields.Datetime.now() - timedelta(days=90)})
        old = fields.Datetime.now() - timedelta(days=60)
        self.env["mail.message"].search([("model", "=", "discuss.channel"), ("res_id", "=", abandoned.id)]).write(
            {"date": old})
        messages = self.env["mail.message"].search([("model", "=", "discuss.channel"), ("res_id", "=", talking.id)])
        messages.write({"date": old})
        messages[:1].write({"date": fields.Datetime.now() - timedelta(days=1)})
        self.assertEqual(self.env["discuss.channel"]._live_chat_delete_expired_sessions(), 1)
        self.assertFalse(abandoned.exists())
        self.assertTrue(talking.exists())

    def test_off_or_zero_days_deletes_nothing(self):
        session = self.session(self.guest("Eve"), closed_days_ago=4000)
        set_param(self.env, "live_chat.retention_enabled", False)
        self.assertEqual(self.env["discuss.channel"]._live_chat_delete_expired_sessions(), 0)
        set_param(self.env, "live_chat.retention_enabled", "True")
        set_param(self.env, "live_chat.retention_days", "0")
        self.assertEqual(self.env["discuss.channel"]._live_chat_delete_expired_sessions(), 0)
        self.assertTrue(session.exists())

    def test_other_discuss_channels_are_never_deleted(self):
        general = self.env["discuss.channel"].create({"name": "old talk", "channel_type": "channel"})
        self.env.cr.execute("UPDATE discuss_channel SET create_date = now() - interval '5 years' WHERE id = %s",
                            [general.id])
        self.env["discuss.channel"]._live_chat_delete_expired_sessions()
        self.assertTrue(general.exists())

    def test_the_daily_cron_runs_the_clean_up(self):
        session = self.session(self.guest("Fay"), closed_days_ago=60)
        cron = self.env.ref("live_chat.ir_cron_delete_expired_sessions")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        cron.method_direct_trigger()
        self.assertFalse(session.exists())

@tagged("post_install", "-at_install")
class TestPrivacySettings(LiveChatCase):

    def test_settings_default_off_with_365_days_suggested(self):
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.live_chat_retention_enabled)
        self.assertEqual(settings.live_chat_retention_days, 365)
        settings.write({"live_chat_retention_enabled": True, "live_chat_retention_days": 90,
                        "live_chat_visitor_address": "anonymize"})
        settings.execute()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("live_chat.retention_days"), "90")
        self.assertTrue(params.get_param("live_chat.retention_enabled"))
        self.assertEqual(params.get_param("live_chat.visitor_address"), "anonymize")


@tagged("post_install", "-at_install")
class TestVisitorAddress(LiveChatApiCase):
    """The address stored on sessions follows the setting, and the
    per-address rate limit counts on the stored form."""

    def setUp(self):
        super().setUp()
        self.patch(config, "options", {**config.options, "proxy_mode": True})
        self.Session = self.env["discuss.channel"]

    def test_forms_of_an_address(self):
        address = self.Session._live_chat_visitor_address
        self.assertEqual(address("81.2.69.7"), "81.2.69.7", "stored as given by default")
        set_param(self.env, "live_chat.visitor_address", "anonymize")
        self.assertEqual(address("81.2.69.7"), "81.2.69.0")
        self.assertEqual(address("2001:db8:85a3:8d3:1319:8a2e:370:7348"), "2001:db8:85a3::")
        self.assertEqual(address("::ffff:81.2.69.7"), "81.2.69.0")
        self.assertIsNone(address("not an address"))
        self.assertIsNone(address(None))
        set_param(self.env, "live_chat.visitor_address", "none")
        self.assertIsNone(address("81.2.69.7"))

    def test_anonymized_address_counts_for_the_sessions_limit(self):
        set_param(self.env, "live_chat.visitor_address", "anonymize")
        set_param(self.env, "live_chat.session_rate_limit_address", "2")
        self.forwarded_for = "81.2.69.7"
        self.start(body="Hello")
        self.forwarded_for = "81.2.69.200"  # same network: the same visitor for the limit
        self.start(body="Hello")
        answer = self.call("/live_chat/session/start",
                           {"channel_id": self.channel.id, "url": "http://s.test/", "body": "Hello"})
        self.assertEqual(answer.get("error", {}).get("data", {}).get("code"), "rate_limited", answer)

    def test_anonymized_address_is_stored_and_counted_for_the_rate_limit(self):
        set_param(self.env, "live_chat.visitor_address", "anonymize")
        set_param(self.env, "live_chat.rate_limit_address", "4")
        self.forwarded_for = "81.2.69.7"
        first = self.start(body="Hello")
        self.assertEqual(self.session_of(first).sudo().live_chat_ip, "81.2.69.0")
        self.forwarded_for = "81.2.69.200"  # same network: the same visitor for the limit
        second = self.start(body="Hello")
        self.assertEqual(self.session_of(second).sudo().live_chat_ip, "81.2.69.0")
        own_first = {"session_id": first["session_id"], "guest_token": first["guest_token"]}
        own_second = {"session_id": second["session_id"], "guest_token": second["guest_token"]}
        self.forwarded_for = "81.2.69.7"
        self.ok("/live_chat/session/post", {**own_first, "body": "one"})
        self.ok("/live_chat/session/post", {**own_first, "body": "two"})
        self.forwarded_for = "81.2.69.200"
        for index in range(5):
            answer = self.call("/live_chat/session/post", {**own_second, "body": f"m{index}"})
            if "error" in answer:
                break
        self.assertEqual(answer["error"]["data"]["code"], "rate_limited")
        guests = (self.session_of(first) | self.session_of(second)).live_chat_guest_id
        counted = self.env["mail.message"].search_count([
            ("author_guest_id", "in", guests.ids), ("message_type", "=", "comment")])
        self.assertEqual(counted, 4, "both sessions' messages counted together on the anonymized address")
        self.forwarded_for = "81.2.70.7"  # another network is not limited
        other = self.start(body="Hello")
        self.ok("/live_chat/session/post", {
            "session_id": other["session_id"], "guest_token": other["guest_token"], "body": "fine"})

    def test_address_not_stored(self):
        set_param(self.env, "live_chat.visitor_address", "none")
        set_param(self.env, "live_chat.rate_limit_address", "1")
        self.forwarded_for = "81.2.69.7"
        started = self.start(body="Hello")
        self.assertFalse(self.session_of(started).sudo().live_chat_ip)
        own = {"session_id": started["session_id"], "guest_token": started["guest_token"]}
        for index in range(3):  # no address, no per-address limit; the per-session one stays
            self.ok("/live_chat/session/post", {**own, "body": f"m{index}"})


@tagged("post_install", "-at_install")
class TestErasure(FeedbackCase):
    """"Erase the visitor's data" on a session."""

    def setUp(self):
        super().setUp()
        self.manager = self.env["res.users"].create({
            "name": "Mia Manager", "login": "erase_manager",
            "groups_id": [Command.set([self.env.ref("base.group_user").id,
                                       self.env.ref("live_chat.group_live_chat_manager").id])]})

    def test_erase_keeps_figures_and_removes_the_visitor(self):
        session = self.chat
        visitor_message_id = self.post("I am Vera, call me on +32 470 00 00 00")["message_id"]
        visitor_message = self.env["mail.message"].browse(visitor_message_id)
        photo = self.env["ir.attachment"].create({
            "name": "id-card.png", "datas": base64.b64encode(b"png"), "res_model": "discuss.channel",
            "res_id": session.id})
        visitor_message.attachment_ids = [Command.link(photo.id)]
        operator_message = session._live_chat_post("Hi Vera, I call you back", author=self.operator.partner_id)
        session.write({"live_chat_visitor_email": "vera@example.com", "live_chat_visitor_phone": "+32 470",
                       "live_chat_ip": "81.2.69.7"})
        self.ok("/live_chat/session/close", self.own)
        self.ok(RATE, {**self.own, "rating": "satisfied", "comment": "Vera was happy"})
        self.ok(TRANSCRIPT, {**self.own, "email": "vera@example.com"})
        guest = session.live_chat_guest_id
        duration = session.live_chat_duration
        start, end = session.live_chat_start, session.live_chat_end

        session.with_user(self.manager).action_live_chat_erase_visitor_data()

        self.assertFalse(visitor_message.exists())
        self.assertFalse(photo.exists())
        self.assertFalse(self.transcripts())
        self.assertFalse(guest.exists())
        self.assertTrue(operator_message.exists(), "the operator's messages stay")
        self.assertFalse(session.live_chat_guest_id)
        self.assertEqual(session.live_chat_visitor_name, "Erased visitor")
        self.assertNotIn("Vera", session.name)
        self.assertFalse(session.live_chat_visitor_email or session.live_chat_visitor_phone or session.live_chat_ip)
        self.assertFalse(session.channel_member_ids.guest_id)
        self.assertTrue(session.live_chat_erased)
        self.assertTrue(session.live_chat_closed)
        # The figures stay for the reports, anonymous.
        self.assertEqual((session.live_chat_start, session.live_chat_end, session.live_chat_duration),
                         (start, end, duration))
        self.assertEqual(session.rating_last_value, 5)
        rating = self.ratings()
        self.assertEqual(len(rating), 1)
        self.assertFalse(rating.feedback)
        self.assertNotIn("Vera", rating.res_name)
        self.assertNotIn("Vera", str(session.live_chat_conversation).replace("Hi Vera", ""))
        # The visitor's token no longer opens anything.
        self.refused("/live_chat/session/messages", self.own, "unknown_session")

    def test_erasing_an_open_session_ends_it(self):
        self.assertFalse(self.chat.live_chat_closed)
        self.chat.with_user(self.manager).action_live_chat_erase_visitor_data()
        self.assertTrue(self.chat.live_chat_closed)
        self.assertTrue(self.chat.live_chat_end)

    def test_a_guest_with_another_session_stays_for_that_session(self):
        other = self.start(guest_token=self.started["guest_token"], body="Hello again")
        guest = self.chat.live_chat_guest_id
        self.assertEqual(self.session_of(other).live_chat_guest_id, guest)
        self.chat.with_user(self.manager).action_live_chat_erase_visitor_data()
        self.assertTrue(guest.exists())
        self.assertFalse(self.chat.live_chat_guest_id)
        self.assertEqual(self.session_of(other).live_chat_guest_id, guest)

    def test_only_administrators_erase(self):
        with self.assertRaises(AccessError):
            self.chat.with_user(self.operator).action_live_chat_erase_visitor_data()
        self.assertTrue(self.chat.live_chat_guest_id)


@tagged("post_install", "-at_install")
class TestConsentText(LiveChatApiCase):

    def test_consent_text_in_init_options(self):
        init = {"channel_id": self.channel.id, "url": "http://s.test/"}
        self.assertEqual(self.ok("/live_chat/init", init)["options"]["consent_text"], "")
        self.env["res.lang"]._activate_lang("es_ES")
        self.channel.with_context(lang="en_US").consent_text = "We keep chats for a year."
        self.channel.with_context(lang="es_ES").consent_text = "Guardamos los chats un año."
        self.assertEqual(self.ok("/live_chat/init", init)["options"]["consent_text"], "We keep chats for a year.")
        self.assertEqual(self.ok("/live_chat/init", {**init, "lang": "es_ES"})["options"]["consent_text"],
                         "Guardamos los chats un año.")
