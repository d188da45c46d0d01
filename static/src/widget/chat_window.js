/* live_chat visitor widget: the chat window, loaded when the visitor opens
 * the chat. Plain JavaScript; every text from the server or the visitor is
 * set with textContent, never parsed as HTML. */
(function () {
    "use strict";
    var EMAIL_RE = /^[^@\s<>"']+@[^@\s<>"']+\.[A-Za-z]{2,}$/;
    var PHONE_RE = /^\+?[0-9 ().\-/]{6,25}$/;
    var POLL_MS = 4000;
    var CSS =
        ":host{all:initial}" +
        ".win{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:360px;height:520px;max-height:calc(100vh - 40px);" +
        "display:flex;flex-direction:column;background:#fff;color:#1f1f1f;border-radius:12px;overflow:hidden;" +
        "box-shadow:0 8px 30px rgba(0,0,0,.3);font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}" +
        ".page .win,.win.page{inset:0;width:auto;height:auto;max-height:none;border-radius:0;right:0;bottom:0}" +
        "@media (max-width:600px){.win{inset:0;width:auto;height:auto;max-height:none;border-radius:0;right:0;bottom:0}}" +
        ".head{display:flex;align-items:center;gap:8px;padding:12px 14px;font-weight:600;font-size:15px}" +
        ".head .title{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
        ".head button{border:0;background:transparent;color:inherit;font-size:20px;line-height:1;cursor:pointer;" +
        "width:32px;height:32px;border-radius:6px}" +
        "button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #1a73e8;outline-offset:1px}" +
        ".avatar{width:28px;height:28px;border-radius:50%;object-fit:cover}" +
        ".list{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f6f6f8}" +
        ".msg{max-width:80%;padding:8px 11px;border-radius:12px;background:#fff;border:1px solid #e2e2e6;" +
        "white-space:pre-wrap;overflow-wrap:anywhere;align-self:flex-start}" +
        ".msg.me{align-self:flex-end;background:#e7f0fe;border-color:#c9dcfb}" +
        ".msg .who{display:block;font-size:12px;font-weight:600;color:#555;margin-bottom:2px}" +
        ".msg.note{align-self:center;background:transparent;border:0;color:#555;font-style:italic;font-size:13px}" +
        ".answers{display:flex;flex-wrap:wrap;gap:6px;padding:0 12px 8px;background:#f6f6f8}" +
        ".answers button,.end button,.rate button{border:1px solid #875a7b;background:#fff;color:#5c3c54;border-radius:16px;" +
        "padding:6px 12px;cursor:pointer;font:inherit}" +
        ".err{color:#b00020;padding:0 12px;font-size:13px}.err:empty{display:none}" +
        ".compose{display:flex;gap:6px;padding:10px;border-top:1px solid #e2e2e6}" +
        "textarea,input{flex:1;resize:none;border:1px solid #c8c8ce;border-radius:8px;padding:8px;font:inherit;" +
        "color:#1f1f1f;background:#fff;min-width:0}" +
        ".compose button{border:0;border-radius:8px;padding:0 14px;cursor:pointer;font:inherit;font-weight:600}" +
        ".end,.rate{padding:12px;border-top:1px solid #e2e2e6;display:flex;flex-direction:column;gap:8px}" +
        ".rate .choices{display:flex;gap:6px}.rate .row{display:flex;gap:6px}" +
        "[hidden]{display:none!important}";

    function el(tag, className, text) {
        var node = document.createElement(tag);
        if (className) {
            node.className = className;
        }
        if (text !== undefined) {
            node.textContent = text;
        }
        return node;
    }

    function mount(ctx) {
        if (ctx.win) {
            ctx.win.hidden = false;
            return;
        }
        var root = ctx.root;
        var o = ctx.init.options;
        var s = ctx.init.strings || {};
        if (ctx.button) {
            ctx.button.remove();
        }
        if (ctx.bubble) {
            ctx.bubble.remove();
        }
        var style = el("style");
        style.textContent = CSS;
        root.appendChild(style);

        var win = el("div", "win" + (ctx.pageMode ? " page" : ""));
        win.setAttribute("role", "dialog");
        win.setAttribute("aria-label", o.name || "Chat");
        var head = el("div", "head");
        head.style.background = o.header_background_color;
        head.style.color = o.title_color;
        var avatar = el("img", "avatar");
        avatar.alt = "";
        avatar.hidden = true;
        var title = el("span", "title", o.name || "");
        var close = el("button", "close", "\u00d7");
        close.type = "button";
        close.setAttribute("aria-label", s.close || "Close");
        head.append(avatar, title, close);
        var list = el("div", "list");
        list.setAttribute("role", "log");
        list.setAttribute("aria-live", "polite");
        list.setAttribute("aria-label", s.messages || "Messages");
        list.tabIndex = 0;
        var answers = el("div", "answers");
        var err = el("div", "err");
        err.setAttribute("role", "alert");
        var end = el("div", "end");
        end.hidden = true;
        var endText = el("span", "", s.ended || "");
        var restart = el("button", "restart", s.restart || "Restart");
        restart.type = "button";
        restart.hidden = true;
        var newChat = el("button", "new", s.new_chat || "New chat");
        newChat.type = "button";
        end.append(endText, restart, newChat);
        var rate = buildRating(ctx, s);
        var form = el("form", "compose");
        var input = el("textarea");
        input.rows = 2;
        input.placeholder = o.input_placeholder || "";
        input.setAttribute("aria-label", o.input_placeholder || s.send || "Message");
        var send = el("button", "send", s.send || "Send");
        send.type = "submit";
        send.style.background = o.button_background_color;
        send.style.color = o.button_text_color;
        form.append(input, send);
        win.append(head, list, answers, err, rate.node, end, form);
        root.appendChild(win);
        ctx.host.setAttribute("data-state", "open");

        var state = { session: null, seen: {}, lastId: 0, closed: false, chatbot: null, busId: 0 };
        ctx.win = win;
        ctx.state = state;

        function showError(message) {
            err.textContent = message || "";
        }

        function call(route, params) {
            showError("");
            return ctx.api(route, params).catch(function (error) {
                showError(error.code ? error.message : s.unreachable || error.message);
                throw error;
            });
        }

        function addMessage(m) {
            if (state.seen[m.id]) {
                return;
            }
            state.seen[m.id] = true;
            state.lastId = Math.max(state.lastId, m.id);
            var kind = m.is_notification ? "note" : m.is_visitor ? "me" : m.is_bot ? "bot" : "op";
            var node = el("div", "msg " + kind);
            node.setAttribute("data-id", m.id);
            if (kind === "op" || kind === "bot") {
                node.appendChild(el("span", "who", m.author_name));
            }
            node.appendChild(el("span", "body", m.body));
            list.appendChild(node);
            list.scrollTop = list.scrollHeight;
        }

        function apply(result) {
            (result.messages || []).forEach(addMessage);
            if (result.operator_name) {
                title.textContent = result.operator_name;
            }
            state.chatbot = result.chatbot || null;
            var bot = state.chatbot;
            if (bot && !bot.forwarded && bot.avatar_url) {
                avatar.src = ctx.base + bot.avatar_url;
                avatar.hidden = false;
            } else {
                avatar.hidden = true;
            }
            answers.textContent = "";
            var step = bot && bot.step;
            if (step && step.type === "question") {
                step.answers.forEach(function (answer) {
                    var b = el("button", "answer", answer.name);
                    b.type = "button";
                    b.addEventListener("click", function () {
                        call("/live_chat/chatbot/answer", auth({ answer_id: answer.id, after_id: state.lastId }))
                            .then(apply, function () {});
                    });
                    answers.appendChild(b);
                });
            }
            input.inputMode = step && step.type === "ask_email" ? "email" : step && step.type === "ask_phone" ? "tel" : "text";
            restart.hidden = !(bot && bot.ended && !bot.forwarded);
            end.hidden = !state.closed && restart.hidden;
            endText.hidden = !state.closed;
            newChat.hidden = !state.closed;
            if (result.closed && !state.closed) {
                setClosed();
            }
        }

        function auth(params) {
            params.session_id = state.session.session_id;
            params.guest_token = state.session.guest_token;
            return params;
        }

        function setClosed() {
            state.closed = true;
            input.disabled = send.disabled = true;
            end.hidden = false;
            endText.hidden = newChat.hidden = false;
            restart.hidden = true;
            answers.textContent = "";
            ctx.host.setAttribute("data-state", "ended");
            rate.show(state);
            stopTransport();
        }

        function refresh() {
            if (!state.session || state.refreshing) {
                return;
            }
            state.refreshing = true;
            ctx.api("/live_chat/session/messages", auth({ after_id: state.lastId }))
                .then(apply, function (error) {
                    if (error.code === "unknown_session") {
                        forget();
                    }
                })
                .then(function () {
                    state.refreshing = false;
                });
        }

        // Real time: Odoo's bus websocket, subscribed as the visitor's guest;
        // any news on our session triggers a fetch of the new messages.
        // When the websocket cannot connect, poll instead.
        var ws = null;
        var pollTimer = null;
        var retryTimer = null;

        function poll(on) {
            clearInterval(pollTimer);
            pollTimer = on ? setInterval(refresh, POLL_MS) : null;
            ctx.host.setAttribute("data-transport", on ? "polling" : "websocket");
        }

        function connect() {
            if (state.closed || window.LIVE_CHAT_NO_WEBSOCKET || !window.WebSocket) {
                return poll(!state.closed);
            }
            try {
                ws = new WebSocket(ctx.base.replace(/^http/, "ws") + "/websocket?version=" + encodeURIComponent(ctx.bus));
            } catch (e) {
                return poll(true);
            }
            ws.onopen = function () {
                var channels = state.session.guest_token ? ["mail.guest_" + state.session.guest_token] : [];
                ws.send(JSON.stringify({ event_name: "subscribe", data: { channels: channels, last: state.busId } }));
                poll(false);
                refresh();
            };
            ws.onmessage = function (event) {
                var news = false;
                JSON.parse(event.data).forEach(function (notification) {
                    state.busId = Math.max(state.busId, notification.id);
                    var payload = notification.message && notification.message.payload;
                    if (payload && payload.id === state.session.session_id) {
                        news = true;
                    }
                });
                if (news) {
                    refresh();
                }
            };
            ws.onclose = function () {
                ws = null;
                if (!state.closed) {
                    poll(true);
                    retryTimer = setTimeout(connect, 10000);
                }
            };
        }

        function stopTransport() {
            poll(false);
            clearTimeout(retryTimer);
            if (ws) {
                ws.onclose = null;
                ws.close();
                ws = null;
            }
        }

        function remember(session) {
            state.session = session;
            localStorage.setItem(ctx.storeKey, JSON.stringify(session));
            if (session.guest_token) {
                localStorage.setItem(ctx.storeKey + ":guest", session.guest_token);
            }
        }

        function forget() {
            localStorage.removeItem(ctx.storeKey);
        }

        function begin() {
            var previous = ctx.stored();
            if (previous) {
                state.session = previous;
                return ctx.api("/live_chat/session/messages", auth({ after_id: 0 })).then(function (result) {
                    apply(result);
                    connect();
                }, function (error) {
                    if (error.code === "unknown_session") {
                        forget();
                        state.session = null;
                        return begin();
                    }
                    showError(s.unreachable);
                });
            }
            return call("/live_chat/session/start", {
                channel_id: ctx.channel,
                url: location.href,
                guest_token: localStorage.getItem(ctx.storeKey + ":guest") || undefined,
            }).then(function (result) {
                remember({ session_id: result.session_id, guest_token: result.guest_token });
                apply(result);
                connect();
            }, function (error) {
                input.disabled = send.disabled = true;
                showError(error.message);
            });
        }

        form.addEventListener("submit", function (event) {
            event.preventDefault();
            var text = input.value;
            if (!text.trim() || !state.session || state.closed) {
                return;
            }
            var step = state.chatbot && state.chatbot.step;
            if (step && step.type === "ask_email" && !EMAIL_RE.test(text.trim())) {
                return showError(s.bad_email);
            }
            if (step && step.type === "ask_phone" && !PHONE_RE.test(text.trim())) {
                return showError(s.bad_phone);
            }
            send.disabled = true;
            call("/live_chat/session/post", auth({ body: text })).then(function (result) {
                input.value = "";
                addMessage(result.message);
                refresh();
            }, function () {}).then(function () {
                send.disabled = state.closed;
                input.focus();
            });
        });
        input.addEventListener("keydown", function (event) {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                form.requestSubmit();
            }
        });
        close.addEventListener("click", function () {
            if (state.closed || !state.session) {
                forget();
                stopTransport();
                return ctx.pageMode ? null : ctx.host.remove();
            }
            if (!window.confirm(s.end_confirm || "End this conversation?")) {
                return;
            }
            call("/live_chat/session/close", auth({})).then(function () {
                refresh();
                setClosed();
            }, function () {});
        });
        restart.addEventListener("click", function () {
            call("/live_chat/chatbot/restart", auth({ after_id: state.lastId })).then(apply, function () {});
        });
        newChat.addEventListener("click", function () {
            forget();
            stopTransport();
            win.remove();
            style.remove();
            ctx.win = null;
            mount(ctx);
        });
        ctx.state.rateApi = call;
        ctx.state.auth = auth;
        begin();
        input.focus();
    }

    // The end screen: "How was this conversation?" and the transcript.
    function buildRating(ctx, s) {
        var node = el("div", "rate");
        node.hidden = true;
        var question = el("span", "q", s.rate_question || "How was this conversation?");
        var choices = el("div", "choices");
        var chosen = null;
        [["satisfied", "\ud83d\ude0a", s.satisfied], ["okay", "\ud83d\ude10", s.okay],
            ["dissatisfied", "\ud83d\ude41", s.dissatisfied]].forEach(function (choice) {
            var b = el("button", "choice", choice[1] + " " + (choice[2] || choice[0]));
            b.type = "button";
            b.setAttribute("data-rating", choice[0]);
            b.setAttribute("aria-pressed", "false");
            b.addEventListener("click", function () {
                chosen = choice[0];
                choices.querySelectorAll("button").forEach(function (other) {
                    other.setAttribute("aria-pressed", String(other === b));
                });
            });
            choices.appendChild(b);
        });
        var comment = el("textarea", "comment");
        comment.rows = 2;
        comment.maxLength = 1000;
        comment.placeholder = s.comment || "Comment (optional)";
        var rateRow = el("div", "row");
        var submit = el("button", "submit-rating", s.send_rating || "Send");
        submit.type = "button";
        var skip = el("button", "skip", s.skip || "Skip");
        skip.type = "button";
        rateRow.append(submit, skip);
        var thanks = el("span", "thanks", s.thanks || "Thank you for your feedback!");
        thanks.hidden = true;
        var mailRow = el("div", "row transcript");
        var email = el("input", "email");
        email.type = "email";
        email.placeholder = s.transcript || "Send me the transcript";
        email.setAttribute("aria-label", s.transcript || "Send me the transcript");
        var mail = el("button", "send-transcript", s.send || "Send");
        mail.type = "button";
        mailRow.append(email, mail);
        var mailDone = el("span", "mail-done");
        node.append(question, choices, comment, rateRow, thanks, mailRow, mailDone);

        submit.addEventListener("click", function () {
            if (!chosen) {
                return;
            }
            var state = ctx.state;
            state.rateApi("/live_chat/session/rate", state.auth({ rating: chosen, comment: comment.value }))
                .then(function () {
                    question.hidden = choices.hidden = comment.hidden = rateRow.hidden = true;
                    thanks.hidden = false;
                }, function () {});
        });
        skip.addEventListener("click", function () {
            question.hidden = choices.hidden = comment.hidden = rateRow.hidden = true;
        });
        mail.addEventListener("click", function () {
            var value = email.value.trim();
            if (!EMAIL_RE.test(value)) {
                mailDone.textContent = s.bad_email || "";
                return;
            }
            var state = ctx.state;
            state.rateApi("/live_chat/session/transcript", state.auth({ email: value })).then(function () {
                mailDone.textContent = (s.transcript_sent || "Sent to") + " " + value;
            }, function () {});
        });
        return {
            node: node,
            show: function () {
                node.hidden = false;
            },
        };
    }

    window.LiveChatWindow = { mount: mount };
})();
