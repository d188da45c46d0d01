"""The bus's wake-up without a new PostgreSQL connection each time (issue 18).

After each commit that sent bus notifications, Odoo's bus sends `NOTIFY
imbus` to wake the websockets up, through a cursor on the `postgres`
database; and Odoo's connection pool never keeps connections to `postgres`:
every such transaction (each chat message) opened a new PostgreSQL
connection, that is a new server process and an authentication, which was
half of what a request spent outside its route (see BENCHMARKS.md). Here
each Odoo process keeps one connection to `postgres` for these NOTIFYs: the
same payloads, at the same moment (after the commit), to the same listeners.
"""
import logging
import os
import threading

import psycopg2
from psycopg2 import sql

from odoo import models
from odoo.sql_db import connection_info_for
from odoo.tools.misc import OrderedSet

from odoo.addons.bus.models.bus import ODOO_NOTIFY_FUNCTION, get_notify_payloads

_logger = logging.getLogger(__name__)


class BusNotifier:
    """One connection to `postgres` per process (made again after a fork or
    when it broke), used by one thread at a time."""

    def __init__(self):
        self.lock = threading.Lock()
        self.connection = None
        self.pid = None

    def send(self, channels):
        """NOTIFY imbus with `channels` (bus channels as the bus keys them)."""
        payloads = get_notify_payloads(list(channels))
        query = sql.SQL("SELECT {}('imbus', %s)").format(sql.Identifier(ODOO_NOTIFY_FUNCTION))
        with self.lock:
            for attempt in (1, 2):
                try:
                    with self._connection().cursor() as cr:
                        for payload in payloads:
                            cr.execute(query, (payload,))
                    return
                except psycopg2.Error:
                    self._drop()
                    if attempt == 2:
                        raise

    def _connection(self):
        if self.pid != os.getpid():
            # A forked worker must not use (nor close) its parent's socket.
            self.connection, self.pid = None, os.getpid()
        if self.connection is None or self.connection.closed:
            _name, info = connection_info_for("postgres")
            self.connection = psycopg2.connect(**info)
            self.connection.autocommit = True
        return self.connection

    def _drop(self):
        try:
            if self.connection is not None and self.pid == os.getpid():
                self.connection.close()
        except psycopg2.Error as error:
            _logger.debug("live chat: closing the bus connection failed: %s", error)
        self.connection = None


NOTIFIER = BusNotifier()


class BusBus(models.Model):
    _inherit = "bus.bus"

    def _ensure_hooks(self):
        # Registered before the bus's own: finding the channels' key, it only
        # adds its pre-commit hook (the bus.bus rows).
        postcommit = self.env.cr.postcommit
        if "bus.bus.channels" not in postcommit.data:
            postcommit.data["bus.bus.channels"] = OrderedSet()

            @postcommit.add
            def notify():
                NOTIFIER.send(postcommit.data.pop("bus.bus.channels"))

        return super()._ensure_hooks()
