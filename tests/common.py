import threading
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user

OPERATOR_GROUPS = "base.group_user,live_chat.group_live_chat_user"


def new_operator(env, login, name, **values):
    """An internal user in the Live Chat / User group (an operator);
    `values` are more fields of the user, e.g. live_chat_name."""
    return new_test_user(env, login=login, name=name, groups=OPERATOR_GROUPS, **values)


def set_presence(user, minutes_ago, status=None):
    """Record `user`'s last activity in Odoo `minutes_ago` minutes ago, as
    the bus does when their web client reports activity: "online", or
    "away" after 30 minutes without any (`status` "offline": logged out)."""
    moment = fields.Datetime.now() - timedelta(minutes=minutes_ago)
    presences = user.env["bus.presence"].sudo()
    presence = presences.search([("user_id", "=", user.id)])
    status = status or ("online" if minutes_ago < 30 else "away")
    values = {"last_presence": moment, "last_poll": moment, "status": status}
    if presence:
        presence.write(values)
    else:
        presences.create({"user_id": user.id, **values})


class LiveChatCase(TransactionCase):
    """Builds the world once: a channel with two operators and rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="lc_manager", name="Laura Manager",
            groups="base.group_user,live_chat.group_live_chat_manager",
        )
        cls.operator = new_operator(cls.env, "lc_operator", "Oscar Operator")
        cls.operator_2 = new_operator(cls.env, "lc_operator2", "Olga Operator")
        cls.employee = new_test_user(
            cls.env, login="lc_employee", name="Eve Employee", groups="base.group_user",
        )
        cls.channel = cls.env["live_chat.channel"].with_user(cls.manager).create({
            "name": "Test Support",
            "user_ids": [Command.set([cls.operator.id, cls.operator_2.id])],
        }).sudo()
        cls.belgium = cls.env.ref("base.be")
        cls.france = cls.env.ref("base.fr")

    def set_presence(self, user, minutes_ago, status=None):
        set_presence(user, minutes_ago, status)


class RealTimeBusMixin:
    """Lets the browsers of an HttpCase receive bus notifications in real
    time, as they do in production.

    During tests Odoo refuses websockets, and the test cursor never commits,
    so PostgreSQL's NOTIFY that wakes the websockets up is never sent. This
    allows websockets and, while a browser runs, wakes every open one up
    every 0.3 s, as the bus's dispatcher does on each commit (the test
    cursor is shared, so they read the notifications written by requests).
    """

    def setUp(self):
        super().setUp()
        from odoo.addons.bus.websocket import WebsocketConnectionHandler

        self.startPatcher(patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True))

    def browser_js(self, *args, **kwargs):
        from odoo.addons.bus.models.bus import dispatch

        # The test's own cursor is not shared safely with the server's
        # threads: write what is pending before anything runs beside it.
        self.cr.flush()
        stop = threading.Event()

        def wake_up_websockets():
            while not stop.wait(0.3):
                for websockets in list(dispatch._channels_to_ws.values()):
                    for websocket in list(websockets):
                        websocket.trigger_notification_dispatching()

        waker = threading.Thread(target=wake_up_websockets, name="live_chat_bus_waker", daemon=True)
        waker.start()
        try:
            return super().browser_js(*args, **kwargs)
        finally:
            stop.set()
            waker.join(timeout=5)
