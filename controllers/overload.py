"""Overload: the visitor API answers 503 with Retry-After, never a 500.

Odoo's threaded server (plain `odoo-bin`, `tools/run`) starts a thread per
connection, and each request borrows a database connection from a pool of
`db_maxconn`: past that, psycopg2's PoolError is raised where the request
opens its cursor, before any route runs, and Odoo answers 500 (with a
traceback in its log). For the visitor's JSON API (`/live_chat/...`) this
module answers instead, as a busy HTTP service should: 503 with
`Retry-After` and the API's JSON error, which the widget understands (it
keeps the message and sends it again after that delay).

Odoo has no hook before the cursor is opened, so `Request._serve_db` is
wrapped once, at import, for these paths only; every other request is
served by Odoo exactly as before.

When the pool is full only after the route's transaction committed (a
post-commit hook borrowing a connection), the work is done: the route's
answer is sent, not a 503 that would make the widget post the message
twice, and the bus's wake-up is sent again.
"""
import json
import logging
import time

from psycopg2.pool import PoolError

from odoo import http

_logger = logging.getLogger(__name__)

API_PREFIX = "/live_chat/"
RETRY_AFTER_SECONDS = 1
# How long the bus's wake-up is tried again after a committed request.
NOTIFY_RETRY_SECONDS = 2.0


def overloaded_response():
    """503, Retry-After and the API's JSON error (`overloaded`)."""
    message = "The chat is very busy: your message is kept and sent again in a moment."
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {
        "code": 503, "message": message,
        "data": {"name": "live_chat.overloaded", "code": "overloaded", "message": message},
    }})
    return http.Response(body, status=503, headers=[
        ("Content-Type", "application/json; charset=utf-8"),
        ("Retry-After", str(RETRY_AFTER_SECONDS)),
        ("Cache-Control", "no-store"),
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers", "Retry-After"),
    ])


def wake_up_bus(channels):
    """Send the bus's NOTIFY for `channels` (what the post-commit hook
    could not send), trying for NOTIFY_RETRY_SECONDS."""
    from odoo.addons.live_chat.models.bus_bus import NOTIFIER
    deadline = time.monotonic() + NOTIFY_RETRY_SECONDS
    while True:
        try:
            NOTIFIER.send(channels)
            return
        except Exception:  # noqa: BLE001 -- a full pool, a connection refused: tried again
            if time.monotonic() > deadline:
                _logger.warning("live chat: the bus could not be woken up; "
                                "the notifications are delivered with the next ones")
                return
            time.sleep(0.05)


def _serve_db(self):
    if not self.httprequest.path.startswith(API_PREFIX):
        return _serve_db.odoo_serve_db(self)
    try:
        return _serve_db.odoo_serve_db(self)
    except PoolError:
        committed = getattr(self, "live_chat_answer", None)
        if committed is not None:
            response, channels = committed
            if channels:
                wake_up_bus(channels)
            return response
        _logger.info("live chat: connection pool full, %s answered 503", self.httprequest.path)
        return overloaded_response()


if not hasattr(http.Request._serve_db, "odoo_serve_db"):
    _serve_db.odoo_serve_db = http.Request._serve_db
    http.Request._serve_db = _serve_db
