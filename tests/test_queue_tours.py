"""Chromium tours of the operator's desk (issue 20): the queue position in
the visitor's widget, transfer from the thread's actions, the Live Chat
status. The tours are in static/tests/tours/live_chat_queue_tour.js; the
other side (visitors, a colleague) is played over HTTP in a thread."""
import json
import threading
import time

import requests

from odoo import Command, api
from odoo.tests import HttpCase, new_test_user, tagged

from .common import RealTimeBusMixin, new_operator, set_presence
from .test_visitor_tours import VisitorTourCase


def visitor_call(base, route, params):
    """A visitor's call, without any cookie."""
    response = requests.post(base + route, data=json.dumps(
        {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
        headers={"Content-Type": "text/plain"}, timeout=30)
    answer = response.json()
    if "error" in answer:
        raise RuntimeError(answer["error"])
    return answer["result"]


@tagged("post_install", "-at_install")
class TestQueueTour(VisitorTourCase):

    def test_queue_position_shows_and_updates_in_the_widget(self):
        self.channel.max_sessions_per_operator = 1
        busy = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.operator, guest=self.env["mail.guest"].create({"name": "Busy Visitor"}),
            visitor_wrote=True)
        ahead_guest = self.env["mail.guest"].create({"name": "Ahead Visitor"})
        ahead = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, guest=ahead_guest, visitor_wrote=True)
        self.assertEqual(ahead._live_chat_queue_position(), 1)
        ahead_auth = {"session_id": ahead.id, "guest_token": ahead_guest.sudo()._format_auth_cookie()}
        busy_id = busy.id

        def script(op):
            found = op.wait_message("Am I in line?")
            time.sleep(2)  # the widget shows "number 2"
            visitor_call(op.base, "/live_chat/session/close", ahead_auth)  # the visitor ahead gives up
            time.sleep(3)  # the widget shows "number 1"
            op.call("discuss.channel", "live_chat_close_by_operator", [busy_id])  # a place is free
            deadline = time.time() + 20
            while time.time() < deadline:
                session = op.call("discuss.channel", "read", [found["res_id"]], ["live_chat_operator_id"])[0]
                if session["live_chat_operator_id"]:
                    break
                time.sleep(0.5)
            op.post(found["res_id"], "Thanks for waiting")

        self.visitor_tour("live_chat_queue_visitor_tour", script)
        session = self.sessions().filtered(lambda s: s not in busy | ahead)
        self.assertEqual(len(session), 1)
        self.assertEqual(session.live_chat_operator_id, self.operator)
        self.assertTrue(ahead.live_chat_closed)
        self.assertTrue(session.live_chat_queued_at)


class Colleague(threading.Thread):
    """Oscar, over HTTP: transfers the session to Ana once her Odoo is up,
    with the call the thread's Transfer action makes."""

    def __init__(self, case, session_id, to_user_id):
        super().__init__(daemon=True)
        self.base = case.base_url()
        self.db = case.env.cr.dbname
        self.session_id = session_id
        self.to_user_id = to_user_id
        self.error = None
        self.http = requests.Session()

    def rpc(self, path, params):
        answer = self.http.post(self.base + path, json={"jsonrpc": "2.0", "method": "call", "params": params},
                                timeout=30).json()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer.get("result")

    def run(self):
        try:
            time.sleep(2)
            self.rpc("/web/session/authenticate", {"db": self.db, "login": "transfer_oscar",
                                                   "password": "transfer_oscar"})
            time.sleep(6)  # Ana's web client is up, in another app
            self.rpc("/web/dataset/call_kw", {"model": "discuss.channel", "method": "live_chat_transfer",
                                              "args": [[self.session_id]], "kwargs": {"user_id": self.to_user_id}})
        except Exception as error:  # noqa: BLE001 -- reported by the test
            self.error = repr(error)


@tagged("post_install", "-at_install")
class TestTransferTours(RealTimeBusMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.oscar = new_operator(cls.env, "transfer_oscar", "Oscar Transfer")
        cls.ana = new_operator(cls.env, "transfer_ana", "Ana Colleague", live_chat_name="Ana")
        cls.channel = cls.env["live_chat.channel"].create({
            "name": "Transfer Support", "user_ids": [Command.set((cls.oscar | cls.ana).ids)]})
        cls.env["live_chat.channel"].create({
            "name": "Billing", "user_ids": [Command.set(new_operator(cls.env, "transfer_bill", "Bill").ids)]})

    def setUp(self):
        super().setUp()
        for user in (self.oscar, self.ana):
            set_presence(user, minutes_ago=0)
        guest = self.env["mail.guest"].create({"name": "Tom Transfer"})
        self.live_session = self.env["discuss.channel"]._live_chat_create_session(
            self.channel, self.oscar, guest=guest, visitor_name="Tom Transfer", visitor_wrote=True)
        self.live_session._live_chat_post("Can someone from billing help?", guest=guest)

    def test_transfer_from_the_thread_actions_opens_the_window_for_the_colleague(self):
        self.start_tour("/web#action=mail.action_discuss", "live_chat_transfer_tour", login="transfer_oscar")
        self.env.invalidate_all()
        self.assertEqual(self.live_session.live_chat_operator_id, self.ana)
        self.assertFalse(self.live_session.live_chat_closed)
        self.assertNotIn(self.oscar.partner_id, self.live_session.channel_member_ids.partner_id)
        self.assertEqual(self.live_session.live_chat_transfer_ids.to_user_id, self.ana)
        # Ana's Odoo: the window is open with the history, and the session is new.
        self.start_tour("/web#action=live_chat.live_chat_channel_action", "live_chat_transfer_colleague_tour",
                        login="transfer_ana")

    def test_the_colleagues_window_opens_in_real_time(self):
        colleague = Colleague(self, self.live_session.id, self.ana.id)
        colleague.start()
        try:
            self.start_tour("/web#action=live_chat.live_chat_channel_action", "live_chat_transfer_realtime_tour",
                            login="transfer_ana", timeout=90)
        finally:
            colleague.join(20)
        self.assertIsNone(colleague.error)
        self.env.invalidate_all()
        self.assertEqual(self.live_session.live_chat_operator_id, self.ana)


@tagged("post_install", "-at_install")
class TestStatusTour(HttpCase):

    def test_the_status_toggle_in_the_systray(self):
        operator = new_operator(self.env, "status_tour_op", "Stella Status")
        set_presence(operator, minutes_ago=0)
        channel = self.env["live_chat.channel"].create({
            "name": "Status Tour", "user_ids": [Command.set(operator.ids)]})
        seen = []
        original = type(operator).live_chat_set_status

        @api.model
        def spy(users, status):
            seen.append(status)
            return original(users, status)

        self.patch(type(operator), "live_chat_set_status", spy)
        self.start_tour("/web", "live_chat_status_tour", login="status_tour_op")
        self.assertEqual(seen, ["away", "available"])
        self.assertEqual(operator.live_chat_status, "available")
        self.assertEqual(channel.available_operator_ids, operator)

    def test_the_status_is_in_the_session_info_of_operators_only(self):
        new_operator(self.env, "status_info_op", "Otto Info")
        new_test_user(self.env, login="status_info_emp", name="Emma Employee", groups="base.group_user")

        def session_info(login):
            self.authenticate(login, login)
            response = self.url_open("/web/session/get_session_info", data=json.dumps(
                {"jsonrpc": "2.0", "method": "call", "params": {}}), headers={"Content-Type": "application/json"})
            return response.json()["result"]

        self.assertEqual(session_info("status_info_op").get("live_chat_status"), "available")
        self.assertNotIn("live_chat_status", session_info("status_info_emp"))

    def test_logging_out_counts_as_away_at_once(self):
        operator = new_operator(self.env, "status_logout_op", "Lou Logout")
        set_presence(operator, minutes_ago=0)
        channel = self.env["live_chat.channel"].create({
            "name": "Logout", "user_ids": [Command.set(operator.ids)]})
        self.assertEqual(channel.available_operator_ids, operator)
        self.authenticate("status_logout_op", "status_logout_op")
        self.url_open("/web/session/logout")
        channel.invalidate_recordset()
        self.assertFalse(channel.available_operator_ids)
        self.assertIn(operator, channel.user_ids, "still an operator of the channel")
        self.assertEqual(operator.live_chat_status, "available", "their own choice is kept for next time")
