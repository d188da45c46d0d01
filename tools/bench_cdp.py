"""A minimal Chrome DevTools Protocol client for tools/bench.py.

It starts a headless Chromium on a loopback port, loads pages with a cold
cache and no cookies, and reports every HTTP request the page made (URL,
status, body) and when the live chat button became visible. Not imported by
Odoo.
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import websocket

VISIBLE_MARK = "__lcbench_visible__"

# Injected before any page script: records every shadow root (open or
# closed) and polls every 10 ms for a visible element matching the selector.
POLLER_JS = """
(() => {
  const selector = %(selector)s;
  const roots = [];
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    roots.push(root);
    return root;
  };
  if (!selector) { return; }
  const find = () => {
    for (const root of [document, ...roots]) {
      const found = root.querySelector && root.querySelector(selector);
      if (found) { return found; }
    }
    return null;
  };
  const timer = setInterval(() => {
    if (!document.documentElement) { return; }
    const el = find();
    if (!el || !el.isConnected) { return; }
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width > 0 && box.height > 0 && style.visibility !== "hidden"
        && style.display !== "none" && Number(style.opacity) > 0) {
      clearInterval(timer);
      console.debug("%(mark)s", performance.now());
    }
  }, 10);
  setTimeout(() => clearInterval(timer), 30000);
})();
"""


class CdpError(Exception):
    pass


class Chromium:
    """One headless Chromium with one page, driven over the DevTools websocket."""

    def __init__(self, binary, port):
        self.profile = tempfile.mkdtemp(prefix="lcbench-chromium-")
        self.proc = subprocess.Popen([
            binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps",
            "--remote-allow-origins=*", "--remote-debugging-address=127.0.0.1",
            f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}",
            "--window-size=1280,800", "about:blank",
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.events = []
        self.next_id = 0
        self.ws = None
        self.script_id = None
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as answer:
                    pages = [t for t in json.load(answer) if t.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise CdpError("Chromium did not start")
            time.sleep(0.2)
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        for method in ("Page.enable", "Network.enable", "Runtime.enable"):
            self.send(method)
        self.send("Network.setCacheDisabled", cacheDisabled=True)

    def close(self):
        if self.ws:
            try:
                self.ws.close()
            except Exception:  # noqa: BLE001 - closing a dead socket
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method, **params):
        self.next_id += 1
        wanted = self.next_id
        self.ws.settimeout(30)
        self.ws.send(json.dumps({"id": wanted, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == wanted:
                if "error" in message:
                    raise CdpError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def _next_event(self, timeout):
        if self.events:
            return self.events.pop(0)
        self.ws.settimeout(timeout)
        try:
            message = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        return message if "method" in message else None

    def load(self, url, selector=None, timeout=25.0, quiet=1.0):
        """Load `url` as a first-time visitor. Returns {requests, visible_ms,
        load_ms}: every HTTP request until the network has been quiet for
        `quiet` seconds after the load event (and after the button showed,
        when a selector is given). visible_ms is from navigation start."""
        self.send("Network.clearBrowserCookies")
        if self.script_id:
            self.send("Page.removeScriptToEvaluateOnNewDocument", identifier=self.script_id)
        self.script_id = self.send(
            "Page.addScriptToEvaluateOnNewDocument",
            source=POLLER_JS % {"selector": json.dumps(selector), "mark": VISIBLE_MARK})["identifier"]
        self.send("Page.navigate", url="about:blank")
        time.sleep(0.2)
        self.events.clear()
        requests, done = {}, []
        visible_ms = load_ms = None
        loaded = False
        started = last_activity = time.monotonic()
        self.send("Page.navigate", url=url)
        while time.monotonic() - started < timeout:
            event = self._next_event(0.05)
            now = time.monotonic()
            if event:
                method, params = event["method"], event.get("params", {})
                if method == "Network.requestWillBeSent":
                    last_activity = now
                    rid = params["requestId"]
                    if rid in requests:  # a redirect: the previous hop is over
                        hop = requests.pop(rid)
                        hop.update(finished=True, status=params.get("redirectResponse", {}).get("status"))
                        done.append(hop)
                    if not params["request"]["url"].startswith(("data:", "blob:")):
                        requests[rid] = {"id": rid, "url": params["request"]["url"],
                                         "method": params["request"]["method"], "finished": False,
                                         "status": None, "wire": 0, "body": b"",
                                         "visible_before": visible_ms is None}
                elif method == "Network.responseReceived" and params["requestId"] in requests:
                    requests[params["requestId"]]["status"] = params["response"]["status"]
                elif method in ("Network.loadingFinished", "Network.loadingFailed") \
                        and params["requestId"] in requests:
                    last_activity = now
                    entry = requests[params["requestId"]]
                    entry["finished"] = True
                    entry["failed"] = method == "Network.loadingFailed"
                    entry["wire"] = params.get("encodedDataLength", 0)
                elif method == "Page.loadEventFired":
                    loaded = True
                    load_ms = (now - started) * 1000
                    last_activity = max(last_activity, now)
                elif method == "Runtime.consoleAPICalled":
                    args = params.get("args", [])
                    if args and args[0].get("value") == VISIBLE_MARK and visible_ms is None:
                        visible_ms = float(args[1]["value"])
                        last_activity = now
            pending = any(not r["finished"] for r in requests.values())
            if loaded and not pending and (visible_ms is not None or not selector) \
                    and now - last_activity >= quiet:
                break
        for entry in requests.values():
            if entry["finished"] and not entry.get("failed"):
                try:
                    answer = self.send("Network.getResponseBody", requestId=entry["id"])
                except CdpError:
                    continue
                body = answer.get("body", "")
                entry["body"] = base64.b64decode(body) if answer.get("base64Encoded") else body.encode()
            done.append(entry)
        return {"requests": done, "visible_ms": visible_ms, "load_ms": load_ms}
