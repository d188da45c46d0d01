/* live_chat visitor widget: the loader. Plain JavaScript, no framework.
 * The server prepends LIVE_CHAT_BASE, LIVE_CHAT_CHANNEL, LIVE_CHAT_WINDOW and LIVE_CHAT_BUS
 * and wraps the file in a function, so nothing leaks into the page.
 * It asks /live_chat/init what the channel's rule says for this page, draws
 * the button in a shadow root, and loads the chat window on demand (or at
 * once when this browser has a conversation going, folded or open). */
"use strict";
var script = document.currentScript;
var pageMode = !!(script && script.getAttribute("data-live-chat-mode") === "page");
// A chatbot's Test page: its own conversation, never the site's.
var test = script && script.getAttribute("data-live-chat-test");
var storeKey = "live_chat:" + LIVE_CHAT_BASE + ":" + LIVE_CHAT_CHANNEL + (test ? ":" + test : "");

function offline() {
    // The server could not be reached (or answered something that is not
    // ours, like a proxy's error page): the caller may retry.
    var error = new Error("network");
    error.network = true;
    throw error;
}

// JSON-RPC call; `params` may be a FormData (the file upload, multipart).
function api(route, params) {
    var form = params instanceof FormData;
    var lang = document.documentElement.lang || navigator.language;
    if (form) {
        params.append("lang", lang);
    } else {
        params.lang = lang;
        params.chatbot_test = test || undefined;
    }
    // text/plain and multipart keep the request "simple": no CORS preflight.
    return fetch(LIVE_CHAT_BASE + route, {
        method: "POST",
        headers: form ? {} : { "Content-Type": "text/plain" },
        body: form ? params : JSON.stringify({ jsonrpc: "2.0", method: "call", params: params }),
        credentials: LIVE_CHAT_BASE === location.origin ? "same-origin" : "omit",
    }).then(function (response) {
        if (response.status === 503 && response.headers.get("Retry-After")) {
            // Overloaded: nothing was done; the caller sends it again then.
            var busy = new Error("busy");
            busy.network = true;
            busy.retryAfter = parseInt(response.headers.get("Retry-After"), 10) || 1;
            throw busy;
        }
        return response.json().catch(offline);
    }, offline).then(function (answer) {
        if (answer.error) {
            var error = new Error(answer.error.message);
            error.code = answer.error.data && answer.error.data.code;
            throw error;
        }
        return answer.result;
    });
}

function load(suffix) {
    try {
        return JSON.parse(localStorage.getItem(storeKey + suffix) || "null");
    } catch (e) {
        return null;
    }
}

function save(suffix, value) {
    try {
        if (value === null) {
            localStorage.removeItem(storeKey + suffix);
        } else {
            localStorage.setItem(storeKey + suffix, JSON.stringify(value));
        }
    } catch (e) {
        // private mode or full storage: the chat works, it just is not remembered
    }
}

function icon(d) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "ic");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.appendChild(path);
    return svg;
}

function el(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) {
        node.textContent = text;
    }
    return node;
}

function start() {
    var host = el("div", "o_live_chat_widget");
    host.setAttribute("data-channel", LIVE_CHAT_CHANNEL);
    // The direct link page gives the chat its place under the company's name.
    var place = pageMode && document.getElementById("o_live_chat_page");
    if (place) {
        host.style.cssText = "display:block;position:relative;height:100%";
    }
    (place || document.body).appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    var ctx = {
        base: LIVE_CHAT_BASE, channel: LIVE_CHAT_CHANNEL, bus: LIVE_CHAT_BUS, api: api, load: load, save: save,
        icon: icon, root: root, host: host, pageMode: pageMode, embedded: !!place,
    };
    ctx.state = function (value) {
        host.setAttribute("data-state", value);
    };
    ctx.showButton = function (on) {
        if (ctx.button) {
            ctx.button.style.display = on ? "" : "none";
        }
        if (ctx.bubble) {
            ctx.bubble.remove();
        }
    };
    ctx.badge = function (count) {
        if (ctx.button) {
            ctx.badgeNode.textContent = count ? String(count) : "";
            ctx.button.setAttribute("aria-label", (count ? "(" + count + ") " : "") + ctx.label);
        }
    };
    // A conversation is going: tell its operator which page the visitor is on now.
    var going = load("");
    if (going) {
        api("/live_chat/session/page", {
            session_id: going.session_id, guest_token: going.guest_token, url: location.href, title: document.title,
        }).catch(function () {});
    }
    // The direct link page always opens the window: when nobody can answer,
    // init gives it the form to leave a message (`offline`).
    api("/live_chat/init", { channel_id: LIVE_CHAT_CHANNEL, url: location.href, page: pageMode }).then(function (init) {
        ctx.init = init;
        // The visitor's language; dir=rtl mirrors the CSS.
        host.dir = init.dir || "ltr";
        host.lang = init.lang || "";
        var o = init.options;
        var ui = load(":ui") || {};
        if (pageMode) {
            return openWindow(ctx, false, true);
        }
        if (!going && (init.action === "hide" || !(init.operator_available || init.chatbot || init.offline))) {
            return ctx.state("hidden");
        }
        drawButton(ctx, o, init.strings || {});
        ctx.state("button");
        host.setAttribute("data-action", init.action);
        if (going || ui.open) {
            return openWindow(ctx, !ui.open);
        }
        if (init.action === "show_with_notification") {
            var bubble = el("div", "bubble");
            bubble.setAttribute("role", "status");
            var dismiss = el("button", "", "\u00d7");
            dismiss.type = "button";
            dismiss.setAttribute("aria-label", init.strings.dismiss || "Dismiss");
            dismiss.addEventListener("click", function () {
                bubble.remove();
            });
            bubble.append(el("span", "", ctx.label), dismiss);
            root.appendChild(bubble);
            ctx.bubble = bubble;
        }
        // Opened automatically once; a visitor who folded it keeps it folded.
        if (init.action === "auto_open" && ui.open === undefined) {
            setTimeout(function () {
                if (host.getAttribute("data-state") === "button") {
                    openWindow(ctx, false);
                }
            }, Math.max(0, init.auto_open_seconds) * 1000);
        }
    }).catch(function () {
        ctx.state("error");
    });
}

function drawButton(ctx, o, s) {
    var style = document.createElement("style");
    style.textContent =
        ":host{all:initial}" +
        ".btn{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;" +
        "padding:12px 20px;font:600 15px/1.2 system-ui,sans-serif;cursor:pointer;display:flex;align-items:center;" +
        "gap:8px;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
        ".btn:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}" +
        ".ic{width:22px;height:22px;fill:currentColor;flex:none}" +
        ".badge{position:absolute;top:-6px;right:-6px;min-width:20px;height:20px;box-sizing:border-box;padding:0 6px;" +
        "border-radius:10px;background:#d93025;color:#fff;font:700 12px/20px system-ui,sans-serif;text-align:center}" +
        ".badge:empty{display:none}" +
        // Phones: a round button in the corner, never a pill over the content.
        "@media (max-width:600px){.btn{width:56px;height:56px;padding:0;border-radius:50%;justify-content:center;" +
        "right:16px;bottom:16px}.btn .label{display:none}.ic{width:26px;height:26px}}" +
        ".bubble{position:fixed;right:20px;bottom:80px;z-index:2147483000;max-width:260px;background:#fff;" +
        "color:#222;border-radius:10px;padding:10px 34px 10px 12px;font:14px/1.4 system-ui,sans-serif;" +
        "box-shadow:0 4px 14px rgba(0,0,0,.2)}" +
        ".bubble button{position:absolute;top:4px;right:4px;border:0;background:none;font-size:18px;" +
        "cursor:pointer;color:#555;width:26px;height:26px}" +
        ":host([dir=rtl]) .btn,:host([dir=rtl]) .bubble{right:auto;left:20px}" +
        ":host([dir=rtl]) .badge,:host([dir=rtl]) .bubble button{right:auto;left:-6px}" +
        ":host([dir=rtl]) .bubble{padding:10px 12px 10px 34px}:host([dir=rtl]) .bubble button{left:4px}" +
        "@media (max-width:600px){:host([dir=rtl]) .btn{left:16px}}";
    ctx.root.appendChild(style);
    var button = el("button", "btn");
    button.type = "button";
    button.setAttribute("data-live-chat-button", "");
    // Nobody can answer: the channel's offline text ("Leave us a message").
    ctx.label = (ctx.init.offline || o).button_text || s.chat_with_us || "Chat";
    button.setAttribute("aria-label", ctx.label);
    ctx.badgeNode = el("span", "badge");
    button.append(icon("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"),
        el("span", "label", ctx.label), ctx.badgeNode);
    button.style.background = o.button_background_color;
    button.style.color = o.button_text_color;
    button.addEventListener("click", function () {
        openWindow(ctx, false, true);
    });
    ctx.root.appendChild(button);
    ctx.button = button;
}

function openWindow(ctx, folded, byVisitor) {
    if (ctx.mounted) {
        return window.LiveChatWindow.mount(ctx, folded, byVisitor);
    }
    ctx.want = [folded, byVisitor]; // a click while the script loads wins
    if (!ctx.loading) {
        ctx.loading = new Promise(function (resolve, reject) {
            if (window.LiveChatWindow) {
                return resolve();
            }
            var tag = document.createElement("script");
            tag.src = LIVE_CHAT_WINDOW;
            tag.onload = resolve;
            tag.onerror = reject;
            document.head.appendChild(tag);
        }).then(function () {
            ctx.mounted = true;
            window.LiveChatWindow.mount(ctx, ctx.want[0], ctx.want[1]);
        }).catch(function () {
            ctx.loading = null;
        });
    }
    return ctx.loading;
}

if (document.body) {
    start();
} else {
    document.addEventListener("DOMContentLoaded", start);
}
