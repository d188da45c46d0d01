"""Benchmark live_chat against Odoo's own live chat, on this machine, in one run.

Run through tools/bench (which installs Odoo and checks PostgreSQL first).
Everything happens on 127.0.0.1: throw-away databases, Odoo servers on free
ports, a headless Chromium, an HTTP server for the "external site" page. Every
loop is bounded in count and in time; servers, browser and databases are
removed on exit, also on Ctrl+C. Not imported by Odoo.

What is measured, for each product, the same way (phases, see --only/--skip):
  pages       page weight of the button (website page vs. the same page without
              live chat; external page with the channel's snippet), time to
              visible button;
  latency     the first message (a session starts with the visitor's first
              message: live_chat's one session/start call with its body, Odoo's
              get_session (persisted) followed by its message/post), a visitor
              message and its delivery to the operator's bus websocket, init,
              and the SQL queries of each (Odoo's request log); install time
              and peak memory come with the install;
  throughput  messages per second of 10 and 50 concurrent visitors, threaded
              server and --workers=2;
  overload    100 (and 500) visitors on the plain threaded server: live_chat
              answers 503 + Retry-After, sent again as the widget does;
  production  100 and 500 visitors against tools/run --production's set-up
              (nginx, prefork workers, gevent), started by tools/production.sh;
  capacity    1,000 visitors with open websockets, a message every 10 s on
              average for 60 s, on the production set-up (tools/bench_load.py):
              delivery both ways, errors, CPU and memory.
"""
import argparse
import gzip
import http.client
import http.server
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import xmlrpc.client

import websocket

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_cdp
from harness import ADDONS_PATH, HOST, ODOO_BIN, drop_database, free_port, kill_group, odoo_command, pg_admin, sql

BASE_MODULES = "website,mail,bus,rating"  # what both products need anyway
ADMIN = ("admin", "admin")
RATE_LIMIT_ADDRESS = 1_000_000  # every bench visitor comes from 127.0.0.1
FIRST_MESSAGE = "Hello"  # the visitor's first message, which starts the session
# With the first message, 16 a session: under live_chat.rate_limit_session (20 per 10 s).
MESSAGES_PER_SESSION_WINDOW = 15
ARRIVING_AT_ONCE = 10  # throughput: visitors starting their session together
BUSY_ATTEMPTS = 60  # a call answered 503 + Retry-After is sent again at most this often
CHROMIUM = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(b)), None)

PROFILES = {
    "full": {"starts": 40, "posts": 60, "inits": 20, "loads": 5, "visitors": (10, 50), "messages": 15,
             "load_seconds": 90, "overload_visitors": (100, 500), "production_visitors": (100, 500),
             "capacity_visitors": 1000, "capacity_seconds": 60, "capacity_interval": 10,
             "deadline_minutes": 75},
    "quick": {"starts": 15, "posts": 20, "inits": 10, "loads": 3, "visitors": (10, 50), "messages": 5,
              "load_seconds": 45, "overload_visitors": (100,), "production_visitors": (100, 500),
              "capacity_visitors": 300, "capacity_seconds": 30, "capacity_interval": 10,
              "deadline_minutes": 35},
}
PHASES = ("pages", "latency", "throughput", "overload", "production", "capacity")
# Capacity: the operator answers one visitor message out of this many.
REPLY_EVERY = 10


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values):
    return statistics.median(values) if values else None


def p95(values):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


# ----------------------------------------------------------------------
# What we start, and stop on exit
# ----------------------------------------------------------------------

class Cleanup:
    """Servers, browsers and databases to remove on exit, whatever happens."""

    def __init__(self):
        self.processes = []
        self.databases = []
        self.callbacks = []
        self.keep = False

    def run(self):
        for callback in reversed(self.callbacks):
            try:
                callback()
            except Exception as error:  # noqa: BLE001 - clean up the rest anyway
                log(f"cleanup: {error}")
        self.callbacks.clear()
        for proc in self.processes:
            kill_group(proc)
        self.processes.clear()
        if self.keep:
            log(f"kept databases: {', '.join(self.databases)}")
            return
        for name in self.databases:
            try:
                drop_database(name)
            except Exception as error:  # noqa: BLE001
                log(f"could not drop database {name}: {error}")
        self.databases.clear()


CLEANUP = Cleanup()


def copy_database(source, target, data_dir):
    pg_admin(("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (source,)),
             (f'CREATE DATABASE "{target}" TEMPLATE "{source}"', None))
    store = os.path.join(data_dir, "filestore")
    if os.path.isdir(os.path.join(store, source)):
        shutil.copytree(os.path.join(store, source), os.path.join(store, target))


def run_install(db, modules, data_dir, logfile, limit=900):
    """Install `modules` in `db` with odoo-bin; returns (seconds, peak RSS in MB)."""
    command = odoo_command(db, data_dir, "-i", modules, "--without-demo=all", "--stop-after-init",
                           "--max-cron-threads=0", "--log-level=warn", "--http-port", str(free_port()))
    with open(logfile, "ab") as out:
        started = time.monotonic()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        CLEANUP.processes.append(proc)
        timer = threading.Timer(limit, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
    CLEANUP.processes.remove(proc)
    if proc.returncode != 0:
        raise SystemExit(f"installing {modules} in {db} failed (exit {proc.returncode}); see {logfile}")
    installed = sql(db, "SELECT count(*) FROM ir_module_module WHERE name = ANY(%s) AND state = 'installed'",
                    (modules.split(","),))[0][0]
    if installed != len(modules.split(",")):
        raise SystemExit(f"{modules} is not installed in {db}; see {logfile}")
    return elapsed, usage.ru_maxrss / 1024


class Server:
    """One Odoo server on loopback ports, its own log file."""

    def __init__(self, db, data_dir, logdir, workers=0):
        self.db, self.data_dir, self.workers = db, data_dir, workers
        self.port, self.gevent_port = free_port(), free_port()
        self.logfile = os.path.join(logdir, f"{db}-{'workers' if workers else 'threaded'}-{self.port}.log")
        self.proc = None

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    @property
    def websocket_url(self):
        return f"ws://{HOST}:{self.gevent_port if self.workers else self.port}/websocket"

    def start(self):
        # -d without --db-filter (as tools/run and --production serve it): no
        # database list on each request without a session.
        args = ["--http-interface", HOST, "--http-port", str(self.port), "--gevent-port", str(self.gevent_port),
                "--max-cron-threads=0", f"--logfile={self.logfile}",
                # debug_sql lists every query of every request (for profiling)
                "--log-level=" + os.environ.get("LIVE_CHAT_BENCH_LOG_LEVEL", "info")]
        if self.workers:
            args.append(f"--workers={self.workers}")
        self.proc = subprocess.Popen(odoo_command(self.db, self.data_dir, *args), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        CLEANUP.processes.append(self.proc)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"Odoo server on {self.db} stopped; see {self.logfile}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/web/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"Odoo server on {self.db} did not answer within 120 s; see {self.logfile}")

    def stop(self):
        if self.proc:
            kill_group(self.proc)
            if self.proc in CLEANUP.processes:
                CLEANUP.processes.remove(self.proc)
            self.proc = None

    def log_size(self):
        return os.path.getsize(self.logfile) if os.path.exists(self.logfile) else 0

    def query_counts(self, path, since=0):
        """SQL query counts of the requests to `path` logged since byte `since`
        (Odoo's werkzeug line ends with: queries, query time, other time)."""
        pattern = re.compile(r'"POST ' + re.escape(path) + r'(?:\?\S*)? HTTP/[\d.]+" (\d+) - (\d+) [\d.]+ [\d.]+')
        with open(self.logfile, "rb") as handle:
            handle.seek(since)
            text = handle.read().decode(errors="replace")
        return [int(m.group(2)) for m in pattern.finditer(text) if m.group(1) == "200"]


class ProductionServer(Server):
    """One product served as `tools/run --production` serves it (README,
    "Deploying"): prefork workers sized to the cores, the gevent websocket
    process, db_maxconn sized for them, nginx in front on one port (its
    configuration in the logs folder). Started through tools/production.sh
    itself, so that the bench measures that very set-up."""

    def __init__(self, db, data_dir, logdir):
        super().__init__(db, data_dir, logdir, workers=-1)
        self.port = free_port_block()
        self.logfile = os.path.join(logdir, f"{db}-production-{self.port}.log")
        self.prefix = os.path.join(logdir, f"nginx-{db}")

    @property
    def websocket_url(self):
        return f"ws://{HOST}:{self.port}/websocket"

    def start(self):
        script = ('source "$LIVE_CHAT_ROOT/tools/lib.sh"; source "$LIVE_CHAT_ROOT/tools/production.sh"; '
                  'serve_production "$@"')
        env = {**os.environ, "LIVE_CHAT_ROOT": ROOT, "LIVE_CHAT_NGINX_PREFIX": self.prefix,
               "LIVE_CHAT_PORT": str(self.port)}
        command = ["bash", "-c", script, "serve_production", self.db, str(self.port), "",
                   f"--data-dir={self.data_dir}", f"--logfile={self.logfile}",
                   "--log-level=" + os.environ.get("LIVE_CHAT_BENCH_LOG_LEVEL", "info")]
        self.setup_log = open(os.path.join(os.path.dirname(self.logfile), f"{self.db}-production-setup.log"), "ab")
        self.proc = subprocess.Popen(command, stdout=self.setup_log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        CLEANUP.processes.append(self.proc)
        deadline = time.monotonic() + 300  # may install nginx first
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the production set-up of {self.db} stopped; see {self.setup_log.name}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/web/health")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"the production set-up of {self.db} did not answer within 300 s; see {self.setup_log.name}")

    def processes(self):
        """The pids of the set-up: Odoo's main process, workers, gevent
        process and nginx (one session)."""
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                    if int(fields[3]) == self.proc.pid:  # session id
                        pids.append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        return pids


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port_block():
    """A port P with P+1 and P+3 free too (nginx, the workers, gevent)."""
    for _try in range(50):
        port = free_port()
        if port + 3 < 65535 and all(port_free(port + offset) for offset in (1, 3)):
            return port
    raise SystemExit("no free block of loopback ports")


def port_free(port):
    import socket
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def cpu_seconds(pids):
    """CPU seconds (user + system) the processes `pids` used so far."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return total


def memory_mb(pids):
    """Memory of the processes `pids`: the sum of their PSS (shared pages
    counted once across Odoo's forked workers), RSS where PSS is unknown."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            try:
                with open(f"/proc/{pid}/statm") as handle:
                    total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            except (OSError, ValueError, IndexError):
                pass
    return total / 1024


def postgres_pids(db):
    return [row[0] for row in sql("postgres", "SELECT pid FROM pg_stat_activity WHERE datname = %s", (db,))]


# ----------------------------------------------------------------------
# HTTP and JSON-RPC clients
# ----------------------------------------------------------------------

class CallError(Exception):
    pass


class BusyError(CallError):
    """Answered 503 + Retry-After BUSY_ATTEMPTS times: the bench gave up
    (the widget would go on); not an error of the kind 500 or reset."""


class Client:
    """A visitor's keep-alive HTTP connection speaking JSON-RPC."""

    def __init__(self, port, timeout=60):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.busy = 0  # 503 answers sent again after Retry-After

    def close(self):
        self.conn.close()

    def call(self, path, params, headers=None):
        try:
            return self._call(path, params, headers)
        except Exception:
            # A connection that timed out or broke cannot carry the next call.
            self.conn.close()
            raise

    def _call(self, path, params, headers=None):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
        headers = {"Content-Type": "application/json", **(headers or {})}
        for _busy in range(BUSY_ATTEMPTS):
            for attempt in (1, 2):
                try:
                    self.conn.request("POST", path, body, headers)
                    response = self.conn.getresponse()
                    data = response.read()
                    break
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    # An idle keep-alive connection the server closed: open a new one.
                    self.conn.close()
                    if attempt == 2:
                        raise
            if response.status == 503 and response.getheader("Retry-After"):
                # Overloaded: sent again after the delay, as the widget does.
                self.busy += 1
                time.sleep(float(response.getheader("Retry-After")) + random.random() * 0.5)
                continue
            break
        if response.status == 503 and response.getheader("Retry-After"):
            raise BusyError(f"still 503 on {path} after {BUSY_ATTEMPTS} tries")
        if response.status != 200:
            raise CallError(f"HTTP {response.status} on {path}")
        payload = json.loads(data)
        if payload.get("error"):
            error = payload["error"]
            name = error.get("data", {}).get("name", "")
            raise CallError(f"{path}: {error.get('code')} {error.get('message')} {name}")
        return payload["result"]


def rpc(server, model, method, *args, **kwargs):
    proxy = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)
    uid = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common").authenticate(server.db, *ADMIN, {})
    return proxy.execute_kw(server.db, uid, ADMIN[1], model, method, list(args), kwargs)


def operator_session_cookie(server):
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    conn.request("POST", "/web/session/authenticate", json.dumps({
        "jsonrpc": "2.0", "method": "call", "id": 1,
        "params": {"db": server.db, "login": ADMIN[0], "password": ADMIN[1]}}),
        {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    match = re.search(r"session_id=([^;]+)", response.getheader("Set-Cookie") or "")
    if not match:
        raise SystemExit(f"could not log in as {ADMIN[0]} on {server.db}")
    return match.group(1)


class OperatorSocket:
    """The operator's bus websocket, logged in as admin: records when each
    bench marker first shows up in a notification."""

    MARKER = re.compile(r"lcbench-[0-9a-f]{12}")

    def __init__(self, server):
        cookie = operator_session_cookie(server)
        self.ws = websocket.create_connection(
            server.websocket_url, header=[f"Cookie: session_id={cookie}"], origin=server.url, timeout=10)
        self.seen = {}
        self.lock = threading.Condition()
        self.running = True
        self.ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        self.ws.settimeout(0.5)
        while self.running:
            try:
                text = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except Exception:  # noqa: BLE001 - socket closed: stop reading
                break
            now = time.monotonic()
            with self.lock:
                for marker in self.MARKER.findall(text if isinstance(text, str) else text.decode()):
                    self.seen.setdefault(marker, now)
                self.lock.notify_all()

    def wait_for(self, marker, timeout=10):
        deadline = time.monotonic() + timeout
        with self.lock:
            while marker not in self.seen and time.monotonic() < deadline:
                self.lock.wait(max(0.0, deadline - time.monotonic()))
            return self.seen.get(marker)

    def close(self):
        self.running = False
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001
            pass
        self.thread.join(2)


# ----------------------------------------------------------------------
# The two products: same channel, rule, operator; their own visitor routes
# ----------------------------------------------------------------------

BUTTON_TEXT = "Have a question? Chat with us."
WELCOME = "Hello, how may I help you?"


def mark_operator_online(db, user_id):
    """Both products count an operator as available through bus.presence:
    both by status 'online' (live_chat also by the operator's Live Chat status)."""
    sql(db, "DELETE FROM bus_presence WHERE user_id = %s", (user_id,))
    sql(db, """INSERT INTO bus_presence (user_id, last_poll, last_presence, status)
               VALUES (%s, now() at time zone 'utc', now() at time zone 'utc', 'online')""", (user_id,))


class Product:
    key = label = module = ""
    start_path = post_path = ""
    start_paths = ()  # every request a session start makes (for its SQL query count)
    button_selector = ""
    channel_model = rule_model = welcome_field = rule_action = website_field = snippet_field = ""

    def __init__(self, db):
        self.db = db
        self.channel_id = None
        self.admin_id = None

    def setup(self, server):
        self.admin_id = rpc(server, "res.users", "search", [("login", "=", ADMIN[0])])[0]
        rpc(server, "ir.config_parameter", "set_param", "web.base.url", server.url)
        rpc(server, "ir.config_parameter", "set_param", "web.base.url.freeze", "True")
        self._setup(server)
        mark_operator_online(self.db, self.admin_id)

    def _setup(self, server):
        """The same channel on both sides: name, texts, one operator (admin)
        and one rule showing the button on every page of the website."""
        channel = rpc(server, self.channel_model, "search", [], limit=1)[0]
        rpc(server, self.channel_model, "write", [channel], {
            "name": "Bench", "user_ids": [(6, 0, [self.admin_id])],
            "button_text": BUTTON_TEXT, self.welcome_field: WELCOME})
        rules = rpc(server, self.rule_model, "search", [("channel_id", "=", channel)])
        rpc(server, self.rule_model, "unlink", rules)
        rpc(server, self.rule_model, "create", {"channel_id": channel, "action": self.rule_action})
        websites = rpc(server, "website", "search", [])
        rpc(server, "website", "write", websites, {self.website_field: channel})
        self.channel_id = channel

    def snippet(self, server):
        """What the channel's form tells to paste in an external site."""
        return rpc(server, self.channel_model, "read", [self.channel_id], [self.snippet_field])[0][self.snippet_field]

    def refresh(self, server):
        """Before each phase: a fresh presence and the server's own URL."""
        rpc(server, "ir.config_parameter", "set_param", "web.base.url", server.url)
        mark_operator_online(self.db, self.admin_id)


class LiveChat(Product):
    key, label, module = "live_chat", "live_chat", "live_chat"
    start_path, post_path = "/live_chat/session/start", "/live_chat/session/post"
    init_path = "/live_chat/init"
    start_paths = (start_path,)
    button_selector = "[data-live-chat-button], .o_live_chat_button, .live-chat-button"
    channel_model, rule_model = "live_chat.channel", "live_chat.channel.rule"
    welcome_field, rule_action, website_field = "welcome_message", "show", "live_chat_channel_id"
    snippet_field = "script_snippet"

    def _setup(self, server):
        super()._setup(server)
        for key in ("live_chat.rate_limit_address", "live_chat.session_rate_limit_address"):
            rpc(server, "ir.config_parameter", "set_param", key, str(RATE_LIMIT_ADDRESS))

    def start_session(self, client, server):
        # One call: session, operator, welcome message and the visitor's
        # first message (a start without a body is refused, bad_request).
        result = client.call(self.start_path, {"channel_id": self.channel_id, "url": f"{server.url}/",
                                               "body": FIRST_MESSAGE})
        if not result.get("message_id"):
            raise CallError(f"{self.start_path}: no first message in the answer")
        return {"id": result["session_id"], "guest_token": result["guest_token"]}

    def post(self, client, session, body):
        client.call(self.post_path, {"session_id": session["id"], "guest_token": session["guest_token"],
                                     "body": body})

    def init(self, client, server):
        client.call(self.init_path, {"channel_id": self.channel_id, "url": f"{server.url}/"})


class OdooLivechat(Product):
    key, label, module = "odoo", "Odoo", "website_livechat"
    start_path, post_path = "/im_livechat/cors/get_session", "/im_livechat/cors/message/post"
    init_path = "/im_livechat/init"  # what its embed asks when a page loads
    start_paths = (start_path, post_path)
    button_selector = ".o-livechat-LivechatButton"
    channel_model, rule_model = "im_livechat.channel", "im_livechat.channel.rule"
    welcome_field, rule_action, website_field = "default_message", "display_button", "channel_id"
    snippet_field = "script_external"

    def start_session(self, client, server):
        # What Odoo 17's embed sends when the visitor's first message makes
        # the conversation real (persisted), then that first message: the
        # same work as live_chat's session/start with its body. It also makes
        # a non-persisted call when the window opens, which is not counted here.
        result = client.call(self.start_path, {
            "channel_id": self.channel_id, "anonymous_name": "Visitor", "previous_operator_id": None,
            "persisted": True})
        session = {"id": result["id"], "guest_token": result["guest_token"]}
        self.post(client, session, FIRST_MESSAGE)
        return session

    def post(self, client, session, body):
        client.call(self.post_path, {
            "guest_token": session["guest_token"], "thread_model": "discuss.channel", "thread_id": session["id"],
            "post_data": {"body": body, "message_type": "comment", "subtype_xmlid": "mail.mt_comment",
                          "attachment_ids": [], "partner_ids": []}})

    def init(self, client, server):
        client.call(self.init_path, {"channel_id": self.channel_id})


# ----------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------

def warm_up(product, server):
    """First requests compile assets and fill caches: not measured."""
    client = Client(server.port)
    for _round in range(3):
        session = product.start_session(client, server)
        product.post(client, session, "warm-up")
    client.close()
    conn = http.client.HTTPConnection(HOST, server.port, timeout=120)
    conn.request("GET", "/")
    conn.getresponse().read()
    conn.close()


def start_query_counts(product, server, since):
    """SQL queries of each session start since byte `since` of the log: the
    sum over the requests one start makes (Odoo: get_session + the first
    message/post, the n-th of each belonging to the n-th start)."""
    per_path = [server.query_counts(path, since) for path in product.start_paths]
    return [sum(counts) for counts in zip(*per_path, strict=False)]


def measure_latency(products, servers, profile, results):
    """First messages (session starts), inits, then visitor messages with
    their delivery to the operator's websocket; one visitor at a time, the
    two products taking turns call by call, so that whatever else the
    machine does weighs on both alike."""
    state = {}
    for product in products:
        server = servers[product.key]
        product.refresh(server)
        state[product.key] = {"client": Client(server.port), "since": server.log_size(),
                              "starts": [], "inits": [], "posts": [], "deliveries": [], "lost": 0}

    def each(action):
        for product in products:
            action(product, servers[product.key], state[product.key])

    def timed(target, call):
        began = time.monotonic()
        call()
        target.append((time.monotonic() - began) * 1000)

    for _index in range(profile["starts"]):
        each(lambda product, server, st: timed(st["starts"], lambda: product.start_session(st["client"], server)))

    def after_starts(product, server, st):
        st["start_queries"] = start_query_counts(product, server, st["since"])
        st["since"] = server.log_size()
    each(after_starts)
    for _index in range(profile["inits"]):
        each(lambda product, server, st: timed(st["inits"], lambda: product.init(st["client"], server)))

    count = profile["posts"]

    def before_posts(product, server, st):
        st["init_queries"] = server.query_counts(product.init_path, st["since"])
        st["sessions"] = [product.start_session(st["client"], server)
                          for _index in range(math.ceil(count / MESSAGES_PER_SESSION_WINDOW))]
        st["operator"] = OperatorSocket(server)
    each(before_posts)
    time.sleep(1.0)  # let the subscriptions settle
    each(lambda product, server, st: st.update(since=server.log_size()))
    for index in range(count):
        def post(product, server, st, index=index):
            marker = f"lcbench-{uuid.uuid4().hex[:12]}"
            began = time.monotonic()
            product.post(st["client"], st["sessions"][index % len(st["sessions"])], f"Hello from {marker}")
            st["posts"].append((time.monotonic() - began) * 1000)
            arrived = st["operator"].wait_for(marker, timeout=10)
            if arrived is None:
                st["lost"] += 1
            else:
                st["deliveries"].append((arrived - began) * 1000)
        each(post)

    for product in products:
        server, st = servers[product.key], state[product.key]
        st["operator"].close()
        st["client"].close()
        post_queries = server.query_counts(product.post_path, st["since"])
        result = results[product.key]
        result.update({
            "start_median_ms": median(st["starts"]), "start_p95_ms": p95(st["starts"]),
            "post_median_ms": median(st["posts"]), "post_p95_ms": p95(st["posts"]),
            "delivery_median_ms": median(st["deliveries"]), "delivery_p95_ms": p95(st["deliveries"]),
            "delivery_lost": st["lost"],
            "start_queries": median(st["start_queries"]), "post_queries": median(post_queries),
            "init_median_ms": median(st["inits"]), "init_queries": median(st["init_queries"]),
        })
        log(f"{product.label}: start {result['start_median_ms']:.1f} ms, post {result['post_median_ms']:.1f} ms, "
            f"init {result['init_median_ms']:.1f} ms, delivery {result['delivery_median_ms'] or float('nan'):.1f} ms "
            f"(lost {st['lost']}), queries start {result['start_queries']} post {result['post_queries']} "
            f"init {result['init_queries']}")


def measure_throughput(product, server, visitors, messages, limit_seconds):
    """`visitors` concurrent visitors each start a session (ARRIVING_AT_ONCE
    at a time, as visitors arrive over time: not measured), then all send
    `messages` messages together, each as fast as answers come; bounded by
    `limit_seconds`. At most MESSAGES_PER_SESSION_WINDOW per visitor, so
    that live_chat's per-session rate limit is never what stops them."""
    assert messages <= MESSAGES_PER_SESSION_WINDOW
    ready = threading.Semaphore(0)
    arriving = threading.Semaphore(ARRIVING_AT_ONCE)
    go = threading.Event()
    lock = threading.Lock()
    stats = {"sent": 0, "errors": 0, "start_errors": 0, "first_error": None, "busy": 0, "gave_up": 0}

    def visitor():
        client = Client(server.port)
        session = None
        try:
            with arriving:
                session = product.start_session(client, server)
        except Exception as error:  # noqa: BLE001 - counted
            with lock:
                stats["start_errors"] += 1
                stats["first_error"] = stats["first_error"] or repr(error)
        ready.release()
        go.wait(limit_seconds + 120)
        if session:
            for index in range(messages):
                if time.monotonic() > stop_at:
                    break
                try:
                    product.post(client, session, f"Load message {index}")
                    with lock:
                        stats["sent"] += 1
                except BusyError:
                    with lock:
                        stats["gave_up"] += 1
                except Exception as error:  # noqa: BLE001 - counted
                    with lock:
                        stats["errors"] += 1
                        stats["first_error"] = stats["first_error"] or repr(error)
        with lock:
            stats["busy"] += client.busy
        client.close()

    stop_at = time.monotonic() + limit_seconds + 120
    threads = [threading.Thread(target=visitor, daemon=True) for _index in range(visitors)]
    for thread in threads:
        thread.start()
    setup_deadline = time.monotonic() + 120
    for _thread in threads:
        ready.acquire(timeout=max(0.1, setup_deadline - time.monotonic()))
    began = time.monotonic()
    stop_at = began + limit_seconds
    go.set()
    for thread in threads:
        thread.join(max(0.1, stop_at + 60 - time.monotonic()))
    elapsed = time.monotonic() - began
    rate = stats["sent"] / elapsed if elapsed > 0 else 0.0
    return {"rate": rate, "sent": stats["sent"], "errors": stats["errors"] + stats["start_errors"],
            "start_errors": stats["start_errors"], "busy": stats["busy"], "gave_up": stats["gave_up"],
            "seconds": elapsed, "first_error": stats["first_error"]}


def measure_capacity(product, server, profile, results, logdir):
    """`capacity_visitors` visitors, each with its websocket open, one
    message every `capacity_interval` s on average for `capacity_seconds`;
    the operator answers one message in REPLY_EVERY. Run by
    tools/bench_load.py (gevent) in a process of its own; the server's CPU
    (Odoo's processes and nginx, and PostgreSQL's backends of the database)
    and memory are read from /proc meanwhile."""
    config = {
        "host": HOST, "port": server.port, "db": server.db, "product": product.key,
        "websocket_url": server.websocket_url, "channel_id": product.channel_id,
        "visitors": profile["capacity_visitors"], "seconds": profile["capacity_seconds"],
        "interval": profile["capacity_interval"], "reply_every": REPLY_EVERY, "arriving_at_once": 2 * ARRIVING_AT_ONCE,
        "arrival_limit_seconds": 600,
    }
    stderr = open(os.path.join(logdir, f"capacity-{product.key}.log"), "wb")
    load = subprocess.Popen([sys.executable, os.path.join(ROOT, "tools", "bench_load.py")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=stderr, start_new_session=True)
    CLEANUP.processes.append(load)
    load.stdin.write(json.dumps(config).encode())
    load.stdin.close()
    # Read its output while it runs: the results (one figure per delivery)
    # outgrow the pipe's 64 KB buffer, and a child blocked on a full pipe
    # never exits.
    output_chunks = []
    reader = threading.Thread(target=lambda: output_chunks.append(load.stdout.read()), daemon=True)
    reader.start()
    samples, peak = [], 0.0
    server_pids = server.processes()
    start_cpu = cpu_seconds(server_pids)
    pg_start = {pid: cpu_seconds([pid]) for pid in postgres_pids(server.db)}
    began = time.monotonic()
    while load.poll() is None and time.monotonic() - began < 1200:
        pids = server.processes()
        peak = max(peak, memory_mb(pids))
        samples.append(memory_mb(pids))
        time.sleep(1)
    if load.poll() is None:
        kill_group(load)
    elapsed = time.monotonic() - began
    server_cpu = cpu_seconds(server.processes()) - start_cpu
    pg_cpu = sum(cpu_seconds([pid]) - pg_start.get(pid, 0.0) for pid in postgres_pids(server.db))
    CLEANUP.processes.remove(load)
    reader.join(10)
    output = b"".join(output_chunks).decode()
    try:
        outcome = json.loads(output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        log(f"{product.label}: the capacity load generator failed; see {stderr.name}")
        return
    results.update({
        "cap_visitors": outcome["visitors"], "cap_sent": outcome["sent"], "cap_replies": outcome["replies"],
        "cap_errors": outcome["errors"] + outcome["lost_to_operator"] + outcome["lost_to_visitor"],
        "cap_busy": outcome["busy"],
        "cap_operator_p50_ms": median(outcome["to_operator_ms"]), "cap_operator_p95_ms": p95(outcome["to_operator_ms"]),
        "cap_visitor_p50_ms": median(outcome["to_visitor_ms"]), "cap_visitor_p95_ms": p95(outcome["to_visitor_ms"]),
        "cap_cpu_percent": 100 * server_cpu / elapsed, "cap_pg_cpu_percent": 100 * pg_cpu / elapsed,
        "cap_memory_mb": peak,
    })
    log(f"{product.label} capacity: {outcome['visitors']} visitors (arrived in {outcome['arrival_seconds']:.0f} s), "
        f"{outcome['sent']} messages, {outcome['replies']} replies, {outcome['errors']} errors "
        f"{outcome['first_errors'][:2]}, lost {outcome['lost_to_operator']}/{outcome['lost_to_visitor']}, "
        f"503 {outcome['busy']}; to operator p50 {results['cap_operator_p50_ms']} "
        f"p95 {results['cap_operator_p95_ms']}, "
        f"to visitor p50 {results['cap_visitor_p50_ms']} p95 {results['cap_visitor_p95_ms']}; "
        f"CPU {results['cap_cpu_percent']:.0f} % (PostgreSQL {results['cap_pg_cpu_percent']:.0f} %), "
        f"memory {peak:.0f} MB")


def measure_pages(products, servers, base_server, profile, results, logdir):
    """Page weight and time to a visible button, in a headless Chromium."""
    if not CHROMIUM:
        log("Chromium not found: page weight skipped")
        return
    pages = {}
    for product in products:
        pages[f"/{product.key}.html"] = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>An external site</title>"
            f"{product.snippet(servers[product.key])}</head><body><h1>An external site</h1>"
            "<p>A page of another site that embeds the channel's snippet.</p></body></html>").encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    site = http.server.ThreadingHTTPServer((HOST, free_port()), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    CLEANUP.callbacks.append(site.shutdown)
    site_url = f"http://{HOST}:{site.server_address[1]}"
    browser = bench_cdp.Chromium(CHROMIUM, free_port())
    CLEANUP.callbacks.append(browser.close)

    def weigh(load, origin=None):
        wanted = [r for r in load["requests"] if origin is None or r["url"].startswith(origin)]
        raw = sum(len(r["body"]) for r in wanted)
        gz = sum(min(len(r["body"]), len(gzip.compress(r["body"], 6))) for r in wanted if r["body"])
        return {"requests": len(wanted), "raw": raw, "gzip": gz,
                "urls": [f"{r['status']} {len(r['body'])} {r['url'][:120]}" for r in wanted]}

    def series(url, selector, origin=None):
        warm = browser.load(url, selector)  # bundles compiled, caches filled: not measured
        # A button that never shows costs the load's whole timeout: once is enough.
        count = profile["loads"] if warm["visible_ms"] is not None or not selector else 1
        loads = [browser.load(url, selector) for _index in range(count)]
        weight = weigh(loads[-1], origin)
        visible = [load["visible_ms"] for load in loads if load["visible_ms"] is not None]
        weight["visible_ms"] = median(visible)
        weight["visible_misses"] = len(loads) - len(visible)
        return weight

    base = series(f"{base_server.url}/", None)
    details = {"website page without live chat": base}
    for product in products:
        server = servers[product.key]
        product.refresh(server)
        website = series(f"{server.url}/", product.button_selector)
        external = series(f"{site_url}/{product.key}.html", product.button_selector, origin=server.url)
        details[f"{product.label} website page"] = website
        details[f"{product.label} external page"] = external
        # A page whose button never showed has no "weight to show the button".
        if website["visible_ms"] is not None:
            results[product.key].update({
                "web_requests": website["requests"] - base["requests"],
                "web_raw": website["raw"] - base["raw"], "web_gzip": website["gzip"] - base["gzip"],
                "web_visible_ms": website["visible_ms"]})
        if external["visible_ms"] is not None:
            results[product.key].update({
                "ext_requests": external["requests"], "ext_raw": external["raw"], "ext_gzip": external["gzip"],
                "ext_visible_ms": external["visible_ms"]})
        log(f"{product.label}: website +{website['gzip'] - base['gzip']} B gzip "
            f"(+{website['requests'] - base['requests']} requests), external {external['gzip']} B gzip "
            f"({external['requests']} requests), visible {website['visible_ms']} / {external['visible_ms']} ms")
    with open(os.path.join(logdir, "pages.json"), "w") as handle:
        json.dump(details, handle, indent=1)
    browser.close()
    CLEANUP.callbacks.remove(browser.close)
    site.shutdown()
    CLEANUP.callbacks.remove(site.shutdown)


# ----------------------------------------------------------------------
# The table
# ----------------------------------------------------------------------

def kb(value):
    return None if value is None else value / 1024


ROWS = [
    # (label, key, unit, transform, goal)  goal(ours, odoo) -> (met, text) or None
    ("Button on a website page: requests beyond the page", "web_requests", "", None, None),
    ("Button on a website page: bytes raw", "web_raw", "KB", kb, None),
    ("Button on a website page: bytes gzip", "web_gzip", "KB", kb, "fiftieth"),
    ("Button on a website page: visible after (median)", "web_visible_ms", "ms", None, None),
    ("Button on an external page: requests", "ext_requests", "", None, None),
    ("Button on an external page: bytes raw", "ext_raw", "KB", kb, None),
    ("Button on an external page: bytes gzip", "ext_gzip", "KB", kb, "fiftieth"),
    ("Button on an external page: visible after (median)", "ext_visible_ms", "ms", None, None),
    ("First message (session start): median", "start_median_ms", "ms", None, "ratio0.6"),
    ("First message (session start): p95", "start_p95_ms", "ms", None, None),
    ("Visitor message: median", "post_median_ms", "ms", None, "half"),
    ("Visitor message: p95", "post_p95_ms", "ms", None, None),
    ("Delivery to the operator's websocket: median", "delivery_median_ms", "ms", None, "half"),
    ("Delivery to the operator's websocket: p95", "delivery_p95_ms", "ms", None, None),
    ("init: median", "init_median_ms", "ms", None, None),
    ("SQL queries per first message (session start)", "start_queries", "", None, "max25"),
    ("SQL queries per visitor message", "post_queries", "", None, "max12"),
    ("SQL queries per init", "init_queries", "", None, "max4"),
    ("Install: time", "install_seconds", "s", None, None),
    ("Install: peak memory (RSS)", "install_peak_mb", "MB", None, None),
]


def goal_met(goal, key, ours, odoo, results):
    if goal is None or ours is None:
        return None
    if goal.startswith("max"):
        return ours <= int(goal[3:])
    if odoo is None:
        return None
    if goal == "fiftieth":
        return ours <= odoo / 50
    if goal == "half":
        return ours <= odoo / 2
    if goal == "ratio0.6":
        return ours <= odoo * 0.6
    if goal == "p95_start":
        return ours <= results["odoo"]["start_median_ms"]
    if goal == "p95_post":
        return ours <= results["odoo"]["post_median_ms"]
    if goal == "not_slower":
        return ours <= odoo
    if goal == "double":
        return ours >= 2 * odoo
    return None


def fmt(value, unit):
    if value is None:
        return "n/a"
    if isinstance(value, float) and not value.is_integer() or unit in ("ms", "KB", "s", "MB", "msg/s", "%"):
        return f"{value:,.1f} {unit}".strip()
    return f"{int(value):,} {unit}".strip()


def table(results, profile):
    rows = [("Figure", "live_chat", "Odoo 17", "live_chat / Odoo", "goal")]
    all_rows = list(ROWS)
    for mode in ("threaded", "workers2"):
        for visitors in profile["visitors"]:
            name = "threaded" if mode == "threaded" else "--workers=2"
            all_rows.append((f"Throughput, {visitors} visitors, {name}", f"tp_{mode}_{visitors}", "msg/s",
                             None, "double"))
            all_rows.append((f"Errors, {visitors} visitors, {name}", f"tp_{mode}_{visitors}_errors", "",
                             None, "zero"))
    for visitors in profile["overload_visitors"]:
        all_rows.append((f"Overload, {visitors} visitors, threaded: errors (not 503)", f"ov_{visitors}_errors", "",
                         None, "zero"))
        all_rows.append((f"Overload, {visitors} visitors, threaded: 503 sent again", f"ov_{visitors}_busy", "",
                         None, None))
        all_rows.append((f"Overload, {visitors} visitors, threaded: given up after {BUSY_ATTEMPTS} 503s",
                         f"ov_{visitors}_gave_up", "", None, None))
        all_rows.append((f"Overload, {visitors} visitors, threaded: throughput", f"ov_{visitors}", "msg/s",
                         None, None))
    for visitors in profile["production_visitors"]:
        all_rows.append((f"Throughput, {visitors} visitors, production set-up", f"prod_{visitors}", "msg/s",
                         None, None))
        all_rows.append((f"Errors, {visitors} visitors, production set-up", f"prod_{visitors}_errors", "",
                         None, "zero"))
    all_rows += [
        (f"Capacity: visitors with an open websocket (of {profile['capacity_visitors']})", "cap_visitors", "",
         None, None),
        ("Capacity: messages sent by visitors", "cap_sent", "", None, None),
        ("Capacity: delivery to the operator p50", "cap_operator_p50_ms", "ms", None, None),
        ("Capacity: delivery to the operator p95", "cap_operator_p95_ms", "ms", None, None),
        ("Capacity: delivery to the visitor p50", "cap_visitor_p50_ms", "ms", None, None),
        ("Capacity: delivery to the visitor p95", "cap_visitor_p95_ms", "ms", None, None),
        ("Capacity: errors and lost deliveries", "cap_errors", "", None, "zero"),
        ("Capacity: server CPU (Odoo + nginx, % of a core)", "cap_cpu_percent", "%", None, None),
        ("Capacity: PostgreSQL CPU (% of a core)", "cap_pg_cpu_percent", "%", None, None),
        ("Capacity: server memory peak (PSS)", "cap_memory_mb", "MB", None, None),
    ]
    verdicts = []
    for label, key, unit, transform, goal in all_rows:
        ours, odoo = results["live_chat"].get(key), results["odoo"].get(key)
        if transform:
            ours, odoo = transform(ours), transform(odoo)
        ratio = f"{ours / odoo:.2f}" if ours is not None and odoo else "n/a"
        if goal == "zero":
            met = None if ours is None else ours == 0
        else:
            met = goal_met(goal, key, results["live_chat"].get(key), results["odoo"].get(key), results)
        mark = "" if goal is None else {True: "met", False: "MISSED", None: "n/a"}[met]
        if goal:
            verdicts.append((label, met))
        rows.append((label, fmt(ours, unit), fmt(odoo, unit), ratio, mark))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines), verdicts


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    pg_version = sql("postgres", "SHOW server_version")[0][0]
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip() \
        if CHROMIUM else "no Chromium"
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.1f} GB RAM; {platform.platform()}; "
            f"Python {platform.python_version()}; PostgreSQL {pg_version}; {chromium}; "
            f"load average at start {os.getloadavg()[0]:.2f}")


# ----------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer samples and messages (about half the time)")
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs (for debugging)")
    parser.add_argument("--reuse", metavar="PREFIX",
                        help="reuse the databases a --keep run left (PREFIX_base, _live_chat, _odoo): "
                             "no install figures")
    parser.add_argument("--skip", default="", help="comma-separated phases to skip: " + ",".join(PHASES))
    parser.add_argument("--only", default="", help="comma-separated phases to run (the others are skipped)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    options = parser.parse_args()
    if not ODOO_BIN or not ADDONS_PATH:
        raise SystemExit("run this through tools/bench")
    profile = PROFILES["quick" if options.quick else "full"]
    skip = set(filter(None, options.skip.split(",")))
    if options.only:
        skip |= set(PHASES) - set(options.only.split(","))
    unknown = (skip | set(filter(None, options.only.split(",")))) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))} (phases: {', '.join(PHASES)})")
    deadline = time.monotonic() + profile["deadline_minutes"] * 60

    def on_signal(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def watchdog():
        while time.monotonic() < deadline:
            time.sleep(5)
        log(f"time limit of {profile['deadline_minutes']} minutes reached: stopping")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watchdog, daemon=True).start()

    workdir = tempfile.mkdtemp(prefix="lcbench-")
    data_dir = os.path.join(workdir, "data") if not options.reuse else os.path.join(
        tempfile.gettempdir(), f"{options.reuse}-data")
    logdir = os.path.join(workdir, "logs")
    os.makedirs(logdir)
    CLEANUP.keep = options.keep or bool(options.reuse)
    if not CLEANUP.keep:
        CLEANUP.callbacks.append(lambda: shutil.rmtree(workdir, ignore_errors=True))
    about = machine()
    log(f"machine: {about}")
    log(f"logs in {logdir}")
    products = [LiveChat(""), OdooLivechat("")]
    results = {"live_chat": {}, "odoo": {}}
    try:
        if options.reuse:
            prefix = options.reuse
        else:
            prefix = f"lcbench_{os.getpid()}"
            if options.keep:
                data_dir = os.path.join(tempfile.gettempdir(), f"{prefix}-data")
            base_db = f"{prefix}_base"
            CLEANUP.databases.append(base_db)
            log(f"creating {base_db} with {BASE_MODULES} (the common base, also the page without live chat)")
            seconds, _peak = run_install(base_db, BASE_MODULES, data_dir, os.path.join(logdir, "install.log"))
            log(f"base installed in {seconds:.0f} s")
            for product in products:
                db = f"{prefix}_{product.key}"
                CLEANUP.databases.append(db)
                copy_database(base_db, db, data_dir)
                log(f"installing {product.module} in {db}")
                seconds, peak = run_install(db, product.module, data_dir, os.path.join(logdir, "install.log"))
                results[product.key].update(install_seconds=seconds, install_peak_mb=peak)
                log(f"{product.module}: {seconds:.1f} s, peak {peak:.0f} MB")
        for product in products:
            product.db = f"{prefix}_{product.key}"

        servers = {p.key: Server(p.db, data_dir, logdir).start() for p in products}
        for product in products:
            product.setup(servers[product.key])
            warm_up(product, servers[product.key])
        log("servers up (threaded): " + ", ".join(f"{k} {s.url}" for k, s in servers.items())
            + f"; live_chat.rate_limit_address raised to {RATE_LIMIT_ADDRESS} (all visitors are 127.0.0.1)")

        if "pages" not in skip:
            base_server = Server(f"{prefix}_base", data_dir, logdir).start()
            measure_pages(products, servers, base_server, profile, results, logdir)
            base_server.stop()
        if "latency" not in skip:
            measure_latency(products, servers, profile, results)
        for server in servers.values():
            server.stop()

        def load_phase(kind, make_server, visitor_counts, key):
            for product in products:
                # One product's server at a time: the machine is theirs alone.
                server = make_server(product).start()
                product.refresh(server)
                warm_up(product, server)
                for visitors in visitor_counts:
                    outcome = measure_throughput(product, server, visitors, profile["messages"],
                                                 profile["load_seconds"])
                    results[product.key][key(visitors)] = outcome["rate"]
                    results[product.key][key(visitors) + "_errors"] = outcome["errors"]
                    results[product.key][key(visitors) + "_busy"] = outcome["busy"]
                    results[product.key][key(visitors) + "_gave_up"] = outcome["gave_up"]
                    log(f"{product.label} {kind} {visitors} visitors: {outcome['rate']:.1f} msg/s, "
                        f"{outcome['sent']} sent in {outcome['seconds']:.1f} s, {outcome['errors']} errors "
                        f"({outcome['start_errors']} at session start), {outcome['busy']} answered 503 and sent again, "
                        f"{outcome['gave_up']} given up after {BUSY_ATTEMPTS} 503s"
                        + (f" (first: {outcome['first_error']})" if outcome["first_error"] else ""))
                server.stop()

        if "throughput" not in skip:
            for mode, workers in (("threaded", 0), ("workers2", 2)):
                load_phase(mode, lambda product, workers=workers: Server(product.db, data_dir, logdir, workers=workers),
                           profile["visitors"], lambda visitors, mode=mode: f"tp_{mode}_{visitors}")
        if "overload" not in skip:
            # Plain tools/run (threaded) past what its connection pool serves.
            load_phase("overload threaded", lambda product: Server(product.db, data_dir, logdir),
                       profile["overload_visitors"], lambda visitors: f"ov_{visitors}")
        if "production" not in skip:
            load_phase("production set-up", lambda product: ProductionServer(product.db, data_dir, logdir),
                       profile["production_visitors"], lambda visitors: f"prod_{visitors}")
        if "capacity" not in skip:
            for product in products:
                server = ProductionServer(product.db, data_dir, logdir).start()
                product.refresh(server)
                warm_up(product, server)
                measure_capacity(product, server, profile, results[product.key], logdir)
                server.stop()
    finally:
        CLEANUP.run()

    text, verdicts = table(results, profile)
    print(f"\nlive_chat vs Odoo 17 live chat ({'quick' if options.quick else 'full'} run, "
          f"{time.strftime('%Y-%m-%d')})\nMachine: {about}\n"
          f"Bench settings: {profile['starts']} session starts, {profile['posts']} messages (latency); "
          f"{profile['messages']} messages per visitor (throughput); {profile['loads']} page loads; "
          f"live_chat.rate_limit_address raised to {RATE_LIMIT_ADDRESS} in the throw-away database.\n")
    print(text)
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}. Page weight: n/a where the button never "
          f"showed within 25 s. Overload (plain threaded server past its db_maxconn=64 connections): "
          f"live_chat's API answers 503 with Retry-After, which the bench (like the widget) sends again; "
          f"Odoo answers 500. Production set-up: tools/run --production (nginx, prefork workers, gevent).")
    missed = [label for label, met in verdicts if met is False]
    print(f"\nGoals: {sum(1 for _l, met in verdicts if met)} met, {len(missed)} missed, "
          f"{sum(1 for _l, met in verdicts if met is None)} not measured")
    for label in missed:
        print(f"  missed: {label}")
    if options.json:
        with open(options.json, "w") as handle:
            json.dump({"machine": about, "profile": profile, "results": results}, handle, indent=1)


if __name__ == "__main__":
    main()
