/* live_chat visitor widget: the loader. Plain JavaScript, no framework.
 * The server prepends LIVE_CHAT_BASE, LIVE_CHAT_CHANNEL, LIVE_CHAT_WINDOW and LIVE_CHAT_BUS
 * and wraps the file in a function, so nothing leaks into the page.
 * It asks /live_chat/init what the channel's rule says for this page, draws
 * the button in a shadow root, and loads the chat window on demand. */
"use strict";
var script = document.currentScript;
var pageMode = !!(script && script.getAttribute("data-live-chat-mode") === "page");
var storeKey = "live_chat:" + LIVE_CHAT_BASE + ":" + LIVE_CHAT_CHANNEL;

function api(route, params) {
    params.lang = document.documentElement.lang || navigator.language;
    // text/plain keeps the request "simple": no CORS preflight round trip.
    return fetch(LIVE_CHAT_BASE + route, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ jsonrpc: "2.0", method: "call", params: params }),
        credentials: LIVE_CHAT_BASE === location.origin ? "same-origin" : "omit",
    }).then(function (response) {
        return response.json();
    }).then(function (answer) {
        if (answer.error) {
            var error = new Error(answer.error.message);
            error.code = answer.error.data && answer.error.data.code;
            throw error;
        }
        return answer.result;
    });
}

function stored() {
    try {
        return JSON.parse(localStorage.getItem(storeKey) || "null");
    } catch (e) {
        return null;
    }
}

function start() {
    var host = document.createElement("div");
    host.className = "o_live_chat_widget";
    host.setAttribute("data-channel", LIVE_CHAT_CHANNEL);
    document.body.appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    var ctx = {
        base: LIVE_CHAT_BASE, channel: LIVE_CHAT_CHANNEL, bus: LIVE_CHAT_BUS, storeKey: storeKey, api: api,
        root: root, host: host, pageMode: pageMode, stored: stored,
    };
    api("/live_chat/init", { channel_id: LIVE_CHAT_CHANNEL, url: location.href }).then(function (init) {
        ctx.init = init;
        var o = init.options;
        var available = init.operator_available || init.chatbot;
        if (pageMode || stored()) {
            return openWindow(ctx);
        }
        if (init.action === "hide" || !available) {
            host.setAttribute("data-state", "hidden");
            return;
        }
        var style = document.createElement("style");
        style.textContent =
            ":host{all:initial}" +
            ".btn{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;" +
            "padding:12px 20px;font:600 15px/1.2 system-ui,sans-serif;cursor:pointer;" +
            "box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
            ".btn:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}" +
            ".bubble{position:fixed;right:20px;bottom:76px;z-index:2147483000;max-width:260px;background:#fff;" +
            "color:#222;border-radius:10px;padding:10px 34px 10px 12px;font:14px/1.4 system-ui,sans-serif;" +
            "box-shadow:0 4px 14px rgba(0,0,0,.2)}" +
            ".bubble button{position:absolute;top:4px;right:4px;border:0;background:none;font-size:18px;" +
            "cursor:pointer;color:#555;width:26px;height:26px}";
        root.appendChild(style);
        var button = document.createElement("button");
        button.className = "btn";
        button.type = "button";
        button.setAttribute("data-live-chat-button", "");
        button.textContent = o.button_text || init.strings.chat_with_us || "Chat";
        button.style.background = o.button_background_color;
        button.style.color = o.button_text_color;
        button.addEventListener("click", function () {
            openWindow(ctx);
        });
        root.appendChild(button);
        ctx.button = button;
        host.setAttribute("data-state", "button");
        host.setAttribute("data-action", init.action);
        if (init.action === "show_with_notification") {
            var bubble = document.createElement("div");
            bubble.className = "bubble";
            bubble.setAttribute("role", "status");
            var text = document.createElement("span");
            text.textContent = o.button_text;
            var dismiss = document.createElement("button");
            dismiss.type = "button";
            dismiss.textContent = "\u00d7";
            dismiss.setAttribute("aria-label", init.strings.dismiss || "Dismiss");
            dismiss.addEventListener("click", function () {
                bubble.remove();
            });
            bubble.appendChild(text);
            bubble.appendChild(dismiss);
            root.appendChild(bubble);
            ctx.bubble = bubble;
        }
        if (init.action === "auto_open") {
            setTimeout(function () {
                if (host.getAttribute("data-state") === "button") {
                    openWindow(ctx);
                }
            }, Math.max(0, init.auto_open_seconds) * 1000);
        }
    }).catch(function () {
        host.setAttribute("data-state", "error");
    });
}

function openWindow(ctx) {
    if (ctx.opening) {
        return ctx.opening;
    }
    ctx.opening = new Promise(function (resolve, reject) {
        if (window.LiveChatWindow) {
            return resolve();
        }
        var tag = document.createElement("script");
        tag.src = LIVE_CHAT_WINDOW;
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
    }).then(function () {
        window.LiveChatWindow.mount(ctx);
    }).catch(function () {
        ctx.opening = null;
    });
    return ctx.opening;
}

if (document.body) {
    start();
} else {
    document.addEventListener("DOMContentLoaded", start);
}
