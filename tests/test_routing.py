"""Who gets a new session (issue 20): the visitor's language, then the
operator who last chatted with this visitor, then the least busy; only
available operators (Available status, online) under the channel's limit."""
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LiveChatCase
from .test_operator_ui import OperatorBusMixin


@tagged("post_install", "-at_install")
class TestRouting(LiveChatCase):

    def setUp(self):
        super().setUp()
        self.set_presence(self.operator, minutes_ago=0)
        self.set_presence(self.operator_2, minutes_ago=0)
        self.operator.lang = self.operator_2.lang = "en_US"
        self.guest = self.env["mail.guest"].create({"name": "Vera"})
        self.french = self.env["res.lang"].with_context(active_test=False).search([("code", "=", "fr_FR")])

    def busy(self, user, count=1, **values):
        """`count` open sessions of `user`, started now."""
        for _i in range(count):
            self.env["discuss.channel"].create({
                "name": "busy", "channel_type": "live_chat", "live_chat_channel_id": self.channel.id,
                "live_chat_operator_id": user.id, "live_chat_start": fields.Datetime.now(), **values})

    def route(self, **kwargs):
        self.channel.invalidate_recordset()
        return self.env["discuss.channel"]._live_chat_pick_operator(self.channel, **kwargs)

    def test_an_operator_who_speaks_the_visitors_language_first(self):
        self.operator_2.live_chat_lang_ids = [Command.set(self.french.ids)]
        self.busy(self.operator_2, 2)
        for _i in range(4):
            self.assertEqual(self.route(lang="fr_BE"), self.operator_2, "speaks French, though busier")
        # Everybody speaks English: the least busy.
        self.assertEqual(self.route(lang="en_GB"), self.operator)
        # Nobody speaks Japanese: the least busy.
        self.assertEqual(self.route(lang="ja_JP"), self.operator)

    def test_the_operators_own_language_counts(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.operator_2.lang = "es_ES"
        self.busy(self.operator_2)
        self.assertEqual(self.route(lang="es"), self.operator_2)

    def test_the_operator_who_last_chatted_with_the_visitor(self):
        self.busy(self.operator_2, 2)
        self.busy(self.operator_2, live_chat_guest_id=self.guest.id, live_chat_closed=True,
                  live_chat_start=fields.Datetime.now() - timedelta(days=3))
        for _i in range(4):
            self.assertEqual(self.route(guest=self.guest), self.operator_2, "chatted with Vera 3 days ago")
        self.assertEqual(self.route(), self.operator, "another visitor: the least busy")

    def test_the_previous_operator_only_within_7_days(self):
        self.busy(self.operator_2, 2)
        self.busy(self.operator_2, live_chat_guest_id=self.guest.id, live_chat_closed=True,
                  live_chat_start=fields.Datetime.now() - timedelta(days=8))
        self.assertEqual(self.route(guest=self.guest), self.operator)

    def test_the_most_recent_of_the_previous_operators(self):
        self.busy(self.operator_2, live_chat_guest_id=self.guest.id, live_chat_closed=True,
                  live_chat_start=fields.Datetime.now() - timedelta(days=4))
        self.busy(self.operator, live_chat_guest_id=self.guest.id, live_chat_closed=True,
                  live_chat_start=fields.Datetime.now() - timedelta(days=1))
        self.assertEqual(self.route(guest=self.guest), self.operator)

    def test_language_comes_before_the_previous_operator(self):
        self.operator.live_chat_lang_ids = [Command.set(self.french.ids)]
        self.busy(self.operator_2, live_chat_guest_id=self.guest.id, live_chat_closed=True,
                  live_chat_start=fields.Datetime.now() - timedelta(days=1))
        self.assertEqual(self.route(guest=self.guest, lang="fr_FR"), self.operator)
        self.assertEqual(self.route(guest=self.guest, lang="en_US"), self.operator_2)

    def test_only_operators_under_their_limit(self):
        self.channel.max_sessions_per_operator = 2
        self.operator_2.live_chat_lang_ids = [Command.set(self.french.ids)]
        self.busy(self.operator_2, 2)
        self.assertEqual(self.route(lang="fr_FR"), self.operator, "the French speaker is full")
        self.busy(self.operator, 2)
        self.assertFalse(self.route(lang="fr_FR"), "everybody is full: the visitor waits in line")

    def test_only_available_operators(self):
        self.operator_2.live_chat_lang_ids = [Command.set(self.french.ids)]
        self.operator_2.live_chat_status = "away"
        self.assertEqual(self.route(lang="fr_FR"), self.operator)

    def test_a_session_started_from_the_api_records_the_visitor_language(self):
        self.operator_2.live_chat_lang_ids = [Command.set(self.french.ids)]
        session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator_2, guest=self.guest, lang="fr_BE")
        self.assertEqual(session.live_chat_visitor_lang, "fr_BE")


@tagged("post_install", "-at_install")
class TestAwayStatus(OperatorBusMixin, LiveChatCase):

    def setUp(self):
        super().setUp()
        self.set_presence(self.operator, minutes_ago=0)
        self.set_presence(self.operator_2, minutes_ago=0)
        self.guest = self.env["mail.guest"].create({"name": "Vera"})

    def test_away_gets_no_new_session_but_open_ones_go_on(self):
        session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=self.guest, visitor_name="Vera")
        self.env["res.users"].with_user(self.operator).live_chat_set_status("away")
        self.assertEqual(self.operator.live_chat_status, "away")
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.available_operator_ids, self.operator_2)
        for _i in range(3):
            self.assertEqual(self.env["discuss.channel"]._live_chat_pick_operator(self.channel), self.operator_2)
        # The open session goes on: the operator still answers in it.
        message = session.with_user(self.operator).message_post(
            body="Still with you", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertEqual(message.author_id, self.operator.partner_id)
        self.assertFalse(session.live_chat_closed)
        self.assertIn(self.operator, self.channel.user_ids, "away keeps the channel membership")

    def test_status_change_reaches_the_operators_other_tabs(self):
        self.env["bus.bus"].sudo().search([]).unlink()
        self.env["res.users"].with_user(self.operator).live_chat_set_status("away")
        self.assertEqual(self.bus_notifications(self.operator.partner_id, "live_chat/status"), [{"status": "away"}])

    def test_back_to_available_serves_the_line(self):
        self.channel.max_sessions_per_operator = 1
        self.operator.live_chat_status = "away"
        self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator_2, guest=self.env["mail.guest"].create({"name": "First"}),
            visitor_wrote=True)
        waiting = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, guest=self.guest, visitor_name="Vera", visitor_wrote=True)
        self.assertEqual(waiting._live_chat_queue_position(), 1)
        self.env["res.users"].with_user(self.operator).live_chat_set_status("available")
        self.assertEqual(waiting.live_chat_operator_id, self.operator)

    def test_status_and_languages_are_the_users_own_preferences(self):
        french = self.env["res.lang"].with_context(active_test=False).search([("code", "=", "fr_FR")])
        self.operator.with_user(self.operator).write({
            "live_chat_status": "away", "live_chat_lang_ids": [Command.set(french.ids)]})
        self.assertEqual(self.operator.live_chat_status, "away")
        self.assertEqual(self.operator.live_chat_lang_ids, french)
        with self.assertRaises(UserError):
            self.env["res.users"].with_user(self.operator).live_chat_set_status("on holiday")
