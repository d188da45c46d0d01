"""The capacity phase of tools/bench, in a process of its own (gevent).

N visitors each start a session (a few at a time, as visitors arrive), open
the bus websocket the way their product's widget does, then for `seconds`
each sends a message at random intervals (exponential, `interval` seconds on
average). An operator (admin, logged in) listens on its own websocket and
answers one visitor message out of `reply_every` with mail's
/mail/message/post. Measured: delivery of the visitors' messages to the
operator's websocket and of the operator's answers to the visitor's
websocket (from the start of the sending call to the arrival), errors.

Reads its settings as JSON on stdin, prints its results as JSON on stdout.
Every loop is bounded in count and time. Not imported by Odoo.
"""
# ruff: noqa: E402
from gevent import monkey

monkey.patch_all()

import http.client
import json
import random
import re
import sys
import time
import uuid

import gevent
import gevent.pool
import websocket

MARKER = re.compile(r"lcload-[0-9a-f]{12}")


class Stats:
    def __init__(self):
        self.errors = []
        self.busy = 0
        self.sent = 0
        self.replies = 0
        self.to_operator = {}  # marker -> sent at
        self.to_visitor = {}
        self.operator_seen = {}
        self.visitor_seen = {}

    def error(self, what):
        self.errors.append(what)


def call(host, port, path, params, stats, cookie=None, timeout=60, attempts=20):
    """JSON-RPC over a new HTTP connection; a 503 with Retry-After is sent
    again after that delay (as the widget does), counted as busy."""
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
    headers = {"Content-Type": "application/json"}
    if cookie:
        headers["Cookie"] = cookie
    for _attempt in range(attempts):
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        if response.status == 503 and response.getheader("Retry-After"):
            stats.busy += 1
            gevent.sleep(float(response.getheader("Retry-After")) + random.random() * 0.5)
            continue
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} on {path}")
        payload = json.loads(data)
        if payload.get("error"):
            raise RuntimeError(f"{path}: {payload['error'].get('message')}")
        return payload["result"]
    raise RuntimeError(f"{path}: still busy after {attempts} tries")


def odoo_post(session, body):
    """The params of Odoo's visitor post (its embed's)."""
    return {"guest_token": session["token"], "thread_model": "discuss.channel", "thread_id": session["id"],
            "post_data": {"body": body, "message_type": "comment", "subtype_xmlid": "mail.mt_comment",
                          "attachment_ids": [], "partner_ids": []}}


def listen(ws, seen, running):
    ws.settimeout(1)
    while running[0]:
        try:
            text = ws.recv()
        except websocket.WebSocketTimeoutException:
            continue
        except Exception:  # noqa: BLE001 - closed
            return
        now = time.monotonic()
        for marker in MARKER.findall(text if isinstance(text, str) else text.decode()):
            seen.setdefault(marker, now)


def main():
    cfg = json.load(sys.stdin)
    host, port, product = cfg["host"], cfg["port"], cfg["product"]
    ws_url = cfg["websocket_url"]
    stats = Stats()
    running = [True]
    random.seed(18)

    # The operator: logged in, its websocket subscribed.
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("POST", "/web/session/authenticate", json.dumps({
        "jsonrpc": "2.0", "method": "call", "id": 1,
        "params": {"db": cfg["db"], "login": "admin", "password": "admin"}}), {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    cookie = "session_id=" + re.search(r"session_id=([^;]+)", response.getheader("Set-Cookie")).group(1)
    conn.close()
    operator_ws = websocket.create_connection(ws_url, header=[f"Cookie: {cookie}"], origin=f"http://{host}:{port}",
                                              timeout=30)
    operator_ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))
    gevent.spawn(listen, operator_ws, stats.operator_seen, running)

    # The visitors arrive, a few at a time.
    visitors = []
    arriving = gevent.pool.Pool(cfg["arriving_at_once"])
    started_at = time.monotonic()

    def arrive(index):
        try:
            if product == "live_chat":
                result = call(host, port, "/live_chat/session/start", {
                    "channel_id": cfg["channel_id"], "url": f"http://{host}:{port}/", "body": "Hello"}, stats)
                session = {"id": result["session_id"], "token": result["guest_token"]}
                ws = websocket.create_connection(ws_url, origin="http://external.example.com", timeout=30)
                ws.send(json.dumps({"event_name": "subscribe",
                                    "data": {"channels": [f"mail.guest_{session['token']}"], "last": 0}}))
            else:
                result = call(host, port, "/im_livechat/cors/get_session", {
                    "channel_id": cfg["channel_id"], "anonymous_name": f"Visitor {index}",
                    "previous_operator_id": None, "persisted": True}, stats)
                session = {"id": result["id"], "token": result["guest_token"]}
                call(host, port, "/im_livechat/cors/message/post", odoo_post(session, "Hello"), stats)
                ws = websocket.create_connection(ws_url, header=[f"Cookie: dgid={session['token']}"],
                                                 origin=f"http://{host}:{port}", timeout=30)
                ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))
            session["seen"] = stats.visitor_seen
            gevent.spawn(listen, ws, stats.visitor_seen, running)
            session["ws"] = ws
            visitors.append(session)
        except Exception as error:  # noqa: BLE001 - counted
            stats.error(f"start: {error!r}"[:200])

    for index in range(cfg["visitors"]):
        arriving.spawn(arrive, index)
    arriving.join(timeout=cfg["arrival_limit_seconds"])
    arrival_seconds = time.monotonic() - started_at
    # The operator's web client subscribes again when it joins a channel:
    # the bus listens to the channels of the member at subscription time.
    operator_ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))
    gevent.sleep(2)  # subscriptions settle

    replies = gevent.pool.Pool(20)

    def reply(session):
        marker = f"lcload-{uuid.uuid4().hex[:12]}"
        began = time.monotonic()
        try:
            call(host, port, "/mail/message/post", {
                "thread_model": "discuss.channel", "thread_id": session["id"],
                "post_data": {"body": f"Answer {marker}", "message_type": "comment",
                              "subtype_xmlid": "mail.mt_comment", "attachment_ids": [], "partner_ids": []}},
                stats, cookie=cookie)
            stats.to_visitor[marker] = began
            stats.replies += 1
        except Exception as error:  # noqa: BLE001 - counted
            stats.error(f"reply: {error!r}"[:200])

    stop_at = time.monotonic() + cfg["seconds"]
    counter = [0]

    def talk(session):
        gevent.sleep(random.expovariate(1 / cfg["interval"]))
        while time.monotonic() < stop_at:
            marker = f"lcload-{uuid.uuid4().hex[:12]}"
            began = time.monotonic()
            try:
                if product == "live_chat":
                    call(host, port, "/live_chat/session/post", {
                        "session_id": session["id"], "guest_token": session["token"], "body": f"Hi {marker}"}, stats)
                else:
                    call(host, port, "/im_livechat/cors/message/post", odoo_post(session, f"Hi {marker}"), stats)
                stats.to_operator[marker] = began
                stats.sent += 1
                counter[0] += 1
                if counter[0] % cfg["reply_every"] == 0:
                    replies.spawn(reply, session)
            except Exception as error:  # noqa: BLE001 - counted
                stats.error(f"post: {error!r}"[:200])
            gevent.sleep(random.expovariate(1 / cfg["interval"]))

    talkers = [gevent.spawn(talk, session) for session in visitors]
    gevent.joinall(talkers, timeout=cfg["seconds"] + 120)
    replies.join(timeout=60)
    gevent.sleep(5)  # the last deliveries
    running[0] = False

    def deliveries(sent, seen):
        return [round((seen[m] - t) * 1000, 1) for m, t in sent.items() if m in seen]

    to_operator = deliveries(stats.to_operator, stats.operator_seen)
    to_visitor = deliveries(stats.to_visitor, stats.visitor_seen)
    print(json.dumps({
        "visitors": len(visitors), "arrival_seconds": arrival_seconds, "sent": stats.sent, "replies": stats.replies,
        "busy": stats.busy, "errors": len(stats.errors), "first_errors": stats.errors[:5],
        "to_operator_ms": to_operator, "to_visitor_ms": to_visitor,
        "lost_to_operator": len(stats.to_operator) - len(to_operator),
        "lost_to_visitor": len(stats.to_visitor) - len(to_visitor),
    }))
    sys.stdout.flush()
    # Close the websockets together, each waiting at most 1 s for the
    # server's close frame (one after the other, 1,000 could take minutes).
    closing = [gevent.spawn(session["ws"].close, timeout=1) for session in visitors]
    gevent.joinall(closing, timeout=15)


if __name__ == "__main__":
    main()
