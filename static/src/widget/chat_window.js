/* live_chat visitor widget: the chat window, loaded when the visitor opens
 * the chat (or at once when a conversation is going). Plain JavaScript;
 * every text from the server or the visitor is set with textContent (or
 * built with DOM methods for links), never parsed as HTML.
 * No session exists until the visitor writes: the window shows init's
 * welcome, and the first message (or bot answer) starts the session. */
(function () {
    "use strict";
    var EMAIL_RE = /^[^@\s<>"']+@[^@\s<>"']+\.[A-Za-z]{2,}$/;
    var PHONE_RE = /^\+?[0-9 ().\-/]{6,25}$/;
    var POLL_MS = 4000;
    var MAX = 4000;
    var COUNT_FROM = 3500;
    var CLIP = "M16 7v9a4 4 0 0 1-8 0V6a2.5 2.5 0 0 1 5 0v9.5a1 1 0 0 1-2 0V7";
    var SEND = "M3 20.5 21.5 12 3 3.5V10l12 2-12 2z";
    var C = "#875a7b";
    var CSS =
        ":host{all:initial}" +
        ".win{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:370px;height:560px;max-height:calc(100vh - 40px);" +
        "display:flex;flex-direction:column;background:#fff;color:#1f1f1f;border-radius:12px;overflow:hidden;" +
        "box-shadow:0 8px 30px rgba(0,0,0,.3);font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}" +
        ".win.page{inset:0;width:auto;height:auto;max-height:none;border-radius:0;box-shadow:none}" +
        ".win.in{position:absolute}" +
        "@media (min-width:800px){.win.in{border-radius:12px;box-shadow:0 2px 14px rgba(0,0,0,.12)}}" +
        "@media (max-width:600px){.win{inset:0;width:auto;height:auto;max-height:none;border-radius:0}}" +
        ".head{display:flex;align-items:center;gap:8px;padding:10px 10px 10px 14px;font-weight:600;font-size:15px;flex:none}" +
        ".head .title{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
        ".head button{border:0;background:transparent;color:inherit;line-height:1;cursor:pointer;height:32px;" +
        "border-radius:6px;font:inherit}" +
        ".head .fold{width:34px;font-size:22px}.head .endc{font-size:13px;padding:0 8px;border:1px solid currentColor}" +
        ".head button:hover{background:rgba(255,255,255,.18)}" +
        "button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #1a73e8;outline-offset:1px}" +
        ".avatar,.av{width:30px;height:30px;border-radius:50%;object-fit:cover;flex:none}" +
        ".av{width:28px;height:28px;background:#d9d2dc;color:#4a3344;font:600 13px/28px system-ui,sans-serif;text-align:center}" +
        ".conn,.line{background:#fff4ce;color:#5c4400;padding:6px 12px;font-size:13px;text-align:center;flex:none}" +
        ".line{background:#e7f0fe;color:#1a3d6e}" +
        ".list{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;background:#f6f6f8}" +
        ".msg{display:flex;gap:8px;align-items:flex-end;max-width:85%;align-self:flex-start}" +
        ".msg.me{align-self:flex-end;flex-direction:row-reverse}" +
        ".bbl{padding:7px 11px;border-radius:12px;background:#fff;border:1px solid #e2e2e6;min-width:0;" +
        "white-space:pre-wrap;overflow-wrap:anywhere}" +
        ".me .bbl{background:#e7f0fe;border-color:#c9dcfb}.pending .bbl{opacity:.6}" +
        ".meta{display:flex;gap:8px;font-size:12px;color:#5f5f66;white-space:nowrap}.who{font-weight:600}" +
        ".bbl a{color:#1a5fb4}.body:empty{display:none}.deleted .body{font-style:italic;color:#5f5f66}" +
        ".seen{font-size:12px;color:#5f5f66;text-align:right}" +
        ".msg.note{align-self:center;max-width:100%;color:#555;font-style:italic;font-size:13px;white-space:pre-wrap}" +
        ".files{display:flex;flex-direction:column;gap:4px;margin-top:4px}" +
        ".files img{max-width:220px;max-height:220px;border-radius:8px;display:block}" +
        ".typing{font-size:12px;color:#5f5f66;padding:0 14px;min-height:18px;background:#f6f6f8;flex:none}" +
        ".answers{display:flex;flex-wrap:wrap;gap:6px;padding:0 12px 8px;background:#f6f6f8}" +
        ".answers:empty{display:none}" +
        ".box button,.answers button{border:1px solid " + C + ";background:#fff;color:#5c3c54;border-radius:16px;" +
        "padding:6px 12px;cursor:pointer;font:inherit}" +
        ".box button.main{background:" + C + ";color:#fff}" +
        ".err{color:#b00020;padding:4px 12px 0;font-size:13px}.err:empty{display:none}" +
        ".consent{font-size:12px;color:#5f5f66;padding:6px 12px 0;white-space:pre-wrap}" +
        ".compose{display:flex;gap:6px;padding:10px;border-top:1px solid #e2e2e6;align-items:flex-end;flex:none}" +
        "textarea,input{flex:1;resize:none;border:1px solid #c8c8ce;border-radius:8px;padding:8px;font:inherit;" +
        "color:#1f1f1f;background:#fff;min-width:0}" +
        ".compose button{border:0;border-radius:8px;height:38px;min-width:38px;cursor:pointer;display:flex;" +
        "align-items:center;justify-content:center;padding:0 8px}" +
        ".compose .attach{background:transparent;color:#5f5f66}" +
        ".ic{width:20px;height:20px;fill:currentColor}.attach .ic{fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round}" +
        ".count{font-size:12px;color:#5f5f66;text-align:right;padding:0 12px}.count.over{color:#b00020;font-weight:600}" +
        ".box{padding:12px;border-top:1px solid #e2e2e6;display:flex;flex-direction:column;gap:8px;flex:none}" +
        ".row{display:flex;gap:6px;flex-wrap:wrap}" +
        ".off{flex:1;overflow-y:auto;background:#f6f6f8}.off input,.off textarea{flex:none}.off p{margin:0}" +
        ".off p:empty{display:none}.off .thanks{font-weight:600}" +
        ".drop{position:absolute;inset:0;background:rgba(135,90,123,.85);color:#fff;display:flex;align-items:center;" +
        "justify-content:center;font-size:16px;font-weight:600;pointer-events:none}" +
        "[hidden]{display:none!important}";
    // Right-to-left (host dir=rtl): mirrored; texts in their own direction.
    var RTL =
        ":host([dir=rtl]) .seen,:host([dir=rtl]) .count{text-align:left}" +
        ":host([dir=rtl]) .head{padding:10px 14px 10px 10px}:host([dir=rtl]) .send .ic{transform:scaleX(-1)}" +
        "@media (min-width:601px){:host([dir=rtl]) .win:not(.page){right:auto;left:20px}}" +
        ".body,textarea,input{unicode-bidi:plaintext}";
    var LOCALE; // the visitor's, for dates and numbers: see localeOf

    function el(tag, className, text) {
        var node = document.createElement(tag);
        if (className) {
            node.className = className;
        }
        if (text !== undefined && text !== null) {
            node.textContent = text;
        }
        return node;
    }

    function btn(className, text, label) {
        var b = el("button", className, text);
        b.type = "button";
        if (label) {
            b.setAttribute("aria-label", label);
            b.title = label;
        }
        return b;
    }

    function fmt(text, value) {
        return (text || "").replace("%s", value);
    }

    function noop() {}

    // Text with its http(s) and mailto links as <a>; nothing else is a link.
    function linkify(node, text) {
        var re = /(?:https?:\/\/|mailto:)[^\s<>"]+/gi;
        var last = 0;
        var m;
        while ((m = re.exec(text))) {
            var url = m[0];
            // Drop trailing punctuation, keeping a ")" that closes a "(" of the URL.
            while (/[.,;:!?'")\]]$/.test(url)
                && !(url.slice(-1) === ")" && url.split("(").length >= url.split(")").length)) {
                url = url.slice(0, -1);
            }
            var href = null;
            try {
                var parsed = new URL(url);
                if (/^(https?|mailto):$/.test(parsed.protocol)) {
                    href = parsed.href;
                }
            } catch (e) {
                href = null;
            }
            node.append(text.slice(last, m.index));
            if (href) {
                var a = el("a", "", url);
                a.href = href;
                a.target = "_blank";
                a.rel = "noopener noreferrer nofollow";
                node.append(a);
            } else {
                node.append(url);
            }
            last = m.index + url.length;
            re.lastIndex = last;
        }
        node.append(text.slice(last));
    }

    // The browser's locale if it speaks the chat's language, else the chat's.
    function localeOf(lang) {
        var nav = navigator.language || "";
        return lang && nav.split("-")[0] !== lang.split("-")[0] ? lang : nav || undefined;
    }

    // In the visitor's own locale and time zone.
    function when(iso) {
        var d = new Date(iso);
        if (isNaN(d)) {
            return "";
        }
        return d.toDateString() === new Date().toDateString()
            ? d.toLocaleTimeString(LOCALE, { hour: "2-digit", minute: "2-digit" })
            : d.toLocaleString(LOCALE, { dateStyle: "short", timeStyle: "short" });
    }

    function size(bytes) {
        return bytes < 1024 ? bytes + " B" : bytes < 1048576 ? Math.round(bytes / 1024) + " KB"
            : (bytes / 1048576).toFixed(1) + " MB";
    }

    var audio = null;

    // Browsers allow sound only after a gesture of the visitor on the page.
    function unlockAudio() {
        try {
            var AudioContext = window.AudioContext || window.webkitAudioContext;
            audio = audio || (AudioContext && new AudioContext());
            if (audio && audio.state === "suspended") {
                audio.resume().catch(noop);
            }
        } catch (e) {
            audio = null;
        }
    }
    document.addEventListener("pointerdown", unlockAudio, true);
    document.addEventListener("keydown", unlockAudio, true);

    function beep() {
        try {
            // The page may have had its gesture before this script loaded.
            if (!audio && navigator.userActivation && navigator.userActivation.hasBeenActive) {
                unlockAudio();
            }
            if (!audio || audio.state !== "running") {
                return false;
            }
            var t = audio.currentTime;
            var osc = audio.createOscillator();
            var gain = audio.createGain();
            osc.frequency.value = 880;
            gain.gain.setValueAtTime(0.0001, t);
            gain.gain.exponentialRampToValueAtTime(0.15, t + 0.02);
            gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.25);
            osc.connect(gain);
            gain.connect(audio.destination);
            osc.start(t);
            osc.stop(t + 0.3);
            return true;
        } catch (e) {
            return false;
        }
    }

    var baseTitle = null;
    var flashTimer = null;

    function flashTitle(count, text) {
        clearInterval(flashTimer);
        if (baseTitle === null) {
            baseTitle = document.title;
        }
        var on = true;
        document.title = fmt(text, count);
        flashTimer = setInterval(function () {
            on = !on;
            document.title = on ? fmt(text, count) : baseTitle;
        }, 1000);
    }

    function restoreTitle() {
        if (baseTitle !== null) {
            clearInterval(flashTimer);
            document.title = baseTitle;
            baseTitle = null;
        }
    }

    function mount(ctx, folded, byVisitor) {
        if (ctx.win) {
            if (!folded) {
                ctx.unfold(byVisitor);
            }
            return;
        }
        var root = ctx.root;
        var init = ctx.init;
        var o = init.options || {};
        var s = init.strings || {};
        var host = ctx.host;
        LOCALE = localeOf(init.lang);
        var uploads = o.uploads !== false;
        var ui = ctx.load(":ui") || {};
        var st = {
            session: ctx.load(""), seen: {}, lastId: 0, opIds: [], closed: false, chatbot: init.chatbot || null,
            busId: 0, queue: [], busy: false, opSeen: 0, seenSent: 0, read: ui.read || 0, open: !folded,
            hiddenNews: 0, fresh: 0, delay: 0, wsDelay: 0, beeps: 0,
        };
        st.ready = !st.session;
        st.offline = !st.session && !!init.offline;

        var style = el("style");
        style.textContent = CSS + RTL;
        var win = el("div", "win" + (ctx.pageMode ? " page" : "") + (ctx.embedded ? " in" : ""));
        win.setAttribute("role", ctx.pageMode ? "region" : "dialog");
        win.setAttribute("aria-label", o.name || "Chat");
        var head = el("div", "head");
        head.style.background = o.header_background_color;
        head.style.color = o.title_color;
        var avatar = el("img", "avatar");
        avatar.alt = "";
        avatar.hidden = true;
        var title = el("span", "title", o.name || "");
        var endChat = btn("endc", s.end_short || "End", s.end || "End the conversation");
        endChat.hidden = true;
        var fold = btn("fold", "\u2212", s.fold || "Minimize");
        fold.hidden = ctx.pageMode;
        head.append(avatar, title, endChat, fold);
        var conn = el("div", "conn", s.reconnecting || "Reconnecting\u2026");
        conn.setAttribute("role", "status");
        conn.hidden = true;
        // "You are number 2 in line": every operator is at their limit.
        var line = el("div", "line");
        line.setAttribute("role", "status");
        line.hidden = true;
        var list = el("div", "list");
        list.setAttribute("role", "log");
        list.setAttribute("aria-live", "polite");
        list.setAttribute("aria-label", s.messages || "Messages");
        list.tabIndex = 0;
        var typing = el("div", "typing");
        typing.setAttribute("aria-live", "polite");
        var answers = el("div", "answers");

        var confirmBox = el("div", "box confirm");
        confirmBox.hidden = true;
        var yes = btn("main yes", s.end || "End the conversation");
        var no = btn("no", s.cancel || "Cancel");
        var confirmRow = el("div", "row");
        confirmRow.append(yes, no);
        confirmBox.append(el("span", "", s.end_confirm || "End this conversation?"), confirmRow);

        var botEnd = el("div", "box botend");
        botEnd.hidden = true;
        var restart = btn("restart", s.restart || "Restart");
        var botNew = btn("new", s.new_chat || "New chat");
        var botRow = el("div", "row");
        botRow.append(restart, botNew);
        var botText = el("span", "");
        botEnd.append(botText, botRow);

        var rate = buildRating(ctx, s);
        var endBox = el("div", "box end");
        endBox.hidden = true;
        var newChat = btn("main new", s.new_chat || "New chat");
        endBox.append(el("span", "", s.ended || ""), newChat);

        var consent = el("div", "consent");
        linkify(consent, o.consent_text || "");
        consent.hidden = !o.consent_text || !!st.session;
        var err = el("div", "err");
        err.setAttribute("role", "alert");
        var count = el("div", "count");
        count.hidden = true;
        var form = el("form", "compose");
        var file = el("input");
        file.type = "file";
        file.multiple = true;
        file.hidden = true;
        if (o.allowed_file_types && o.allowed_file_types.length) {
            file.accept = o.allowed_file_types.map(function (type) {
                return /\/$/.test(type) ? type + "*" : type; // "image/" is a prefix
            }).join(",");
        }
        var attach = btn("attach", "", s.attach || "Attach a file");
        attach.appendChild(ctx.icon(CLIP));
        attach.hidden = !uploads;
        var input = el("textarea");
        input.rows = 2;
        input.placeholder = o.input_placeholder || "";
        input.setAttribute("aria-label", o.input_placeholder || s.message || "Message");
        var send = el("button", "send");
        send.type = "submit";
        send.setAttribute("aria-label", s.send || "Send");
        send.title = s.send || "Send";
        send.appendChild(ctx.icon(SEND));
        send.style.background = o.button_background_color;
        send.style.color = o.button_text_color;
        form.append(file, attach, input, send);
        var drop = el("div", "drop", s.drop || "Drop files to send them");
        drop.hidden = true;
        win.append(head, conn, line, list, typing, answers, confirmBox, botEnd, rate.node, endBox, consent, err, count,
            form, drop);
        if (st.offline) {
            // Nobody can answer: a form instead of a chat that would go nowhere.
            list.hidden = typing.hidden = true;
            win.insertBefore(offlineBox(ctx, s, showError), consent);
            host.setAttribute("data-offline", "form");
        }
        root.append(style, win);
        ctx.win = win;

        function alive() {
            return ctx.win === win;
        }

        function setState() {
            ctx.state(st.open ? (st.closed ? "ended" : "open") : "folded");
        }

        function saveUi() {
            ctx.save(":ui", { open: st.open, read: st.read });
        }

        function showError(message) {
            err.textContent = message || "";
        }

        function auth(params) {
            params.session_id = st.session.session_id;
            params.guest_token = st.session.guest_token;
            return params;
        }

        // Any call but the queued sends: tells whether the server is reachable.
        function call(route, params) {
            return ctx.api(route, params).then(function (result) {
                net(true);
                return result;
            }, function (error) {
                net(!error.network);
                throw error;
            });
        }

        function net(ok) {
            st.netDown = !ok;
            showConnection();
        }

        // "Reconnecting..." while the server cannot be reached, and while a
        // websocket that was open is being opened again (a server went
        // away behind the proxy); after a few failed tries the polling that
        // still works carries on without the notice.
        function showConnection() {
            var down = st.netDown || st.wsDown;
            conn.hidden = !down;
            host.setAttribute("data-connection", down ? "reconnecting" : "ok");
            transport();
        }

        // ---------------------------------------------------------------
        // Messages
        // ---------------------------------------------------------------

        function avatarOf(m) {
            var url = m.author_avatar_url || (m.is_bot && st.chatbot && st.chatbot.avatar_url);
            if (url) {
                var img = el("img", "av");
                img.alt = "";
                img.loading = "lazy";
                img.src = /^https?:/.test(url) ? url : ctx.base + url;
                return img;
            }
            return el("span", "av", (m.author_name || "?").charAt(0).toUpperCase());
        }

        function fileUrl(att, download) {
            var url = att.url;
            if (!/^https?:/.test(url)) {
                url = ctx.base + url;
            }
            var token = st.session && st.session.guest_token;
            var query = [];
            if (token) {
                query.push("guest_token=" + encodeURIComponent(token));
            }
            if (download) {
                query.push("download=1");
            }
            return query.length ? url + (url.indexOf("?") < 0 ? "?" : "&") + query.join("&") : url;
        }

        function render(m) {
            var kind = m.is_notification ? "note" : m.is_visitor ? "me" : m.is_bot ? "bot" : "op";
            var node = el("div", "msg " + kind);
            if (m.id) {
                node.setAttribute("data-id", m.id);
            } else {
                node.classList.add("pre");
            }
            if (kind === "note") {
                node.appendChild(el("span", "body", m.body));
                return node;
            }
            var bubble = el("div", "bbl");
            var meta = el("div", "meta");
            meta.appendChild(el("span", "who", kind === "me" ? s.you || "You" : m.author_name));
            if (m.date) {
                var time = el("time", "at", when(m.date));
                time.dateTime = m.date;
                time.title = new Date(m.date).toLocaleString(LOCALE);
                meta.appendChild(time);
            }
            if (m.edited && !m.deleted) {
                meta.appendChild(el("span", "edited", s.edited || "(edited)"));
            }
            var body = el("div", "body");
            if (m.deleted) {
                node.classList.add("deleted");
                body.textContent = s.deleted || "";
            } else if (kind === "me") {
                body.textContent = m.body || "";
            } else {
                linkify(body, m.body || "");
            }
            bubble.append(meta, body);
            var atts = (!m.deleted && m.attachments) || [];
            if (atts.length) {
                var files = el("div", "files");
                atts.forEach(function (att) {
                    var a = el("a", "file");
                    a.target = "_blank";
                    a.rel = "noopener noreferrer nofollow";
                    if (att.is_image) {
                        a.href = fileUrl(att);
                        var img = el("img");
                        img.alt = att.name;
                        img.loading = "lazy";
                        img.src = fileUrl(att);
                        img.addEventListener("load", function () {
                            if (st.atBottom) {
                                list.scrollTop = list.scrollHeight;
                            }
                        });
                        a.appendChild(img);
                    } else {
                        a.href = fileUrl(att, true);
                        a.textContent = "\ud83d\udcc4 " + att.name + " \u00b7 " + size(att.size || 0);
                    }
                    files.appendChild(a);
                });
                bubble.appendChild(files);
            }
            if (kind !== "me") {
                node.appendChild(avatarOf(m));
            }
            node.appendChild(bubble);
            return node;
        }

        function scrollDown(force) {
            if (force || st.atBottom !== false) {
                list.scrollTop = list.scrollHeight;
            }
        }
        list.addEventListener("scroll", function () {
            st.atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
        });

        function addMessage(m, live) {
            if (!m || (m.id && st.seen[m.id])) {
                return;
            }
            if (m.id) {
                st.seen[m.id] = true;
                st.lastId = Math.max(st.lastId, m.id);
            }
            list.insertBefore(render(m), list.querySelector(".pending"));
            if (m.id && !m.is_visitor && !m.is_notification) {
                st.opIds.push(m.id);
                showTyping("");
                if (live !== false && m.id > st.read) {
                    st.fresh++;
                }
            }
            scrollDown(m.is_visitor);
        }

        function updateMessage(m) {
            var old = m && m.id && list.querySelector('.msg[data-id="' + m.id + '"]');
            if (old) {
                list.replaceChild(render(m), old);
                markSeen();
            }
        }

        // "Seen" under the visitor's last message once the operator read it.
        function markSeen(id) {
            st.opSeen = Math.max(st.opSeen, id || 0);
            var old = list.querySelector(".seen");
            if (old) {
                old.remove();
            }
            var mine = list.querySelectorAll(".msg.me[data-id]");
            var last = mine[mine.length - 1];
            if (last && st.opSeen >= +last.getAttribute("data-id")) {
                last.querySelector(".bbl").appendChild(el("div", "seen", s.seen || "Seen"));
            }
        }

        function showTyping(name) {
            typing.textContent = name ? fmt(s.typing || "%s is typing\u2026", name) : "";
            clearTimeout(st.typingTimer);
            if (name) {
                st.typingTimer = setTimeout(showTyping, 60000, "");
            }
        }

        // The visitor's place in line, kept up to date by the bus; while
        // waiting, the widget calls every minute so that the server knows
        // the visitor is still there (a closed page leaves the line).
        function showLine(n) {
            if (n === undefined) {
                return;
            }
            n = st.closed ? 0 : n || 0;
            line.hidden = !n;
            line.textContent = n ? fmt(s.queue_position || "You are number %s in line", n) : "";
            host.setAttribute("data-queue", n);
            if (n && !st.lineTimer) {
                st.lineTimer = setInterval(refresh, 60000);
            } else if (!n && st.lineTimer) {
                clearInterval(st.lineTimer);
                st.lineTimer = null;
            }
        }

        function setOperator(r) {
            if (r.operator_name !== undefined) {
                st.opName = r.operator_name;
                title.textContent = r.operator_name || o.name || "";
            }
            if (r.operator_avatar_url !== undefined) {
                st.opAvatar = r.operator_avatar_url;
            }
            headAvatar();
        }

        function headAvatar() {
            var bot = st.chatbot;
            var url = bot && !bot.forwarded ? bot.avatar_url : st.opAvatar;
            avatar.hidden = !url;
            if (url) {
                avatar.src = /^https?:/.test(url) ? url : ctx.base + url;
            }
        }

        function step() {
            var bot = st.chatbot;
            return bot && !bot.forwarded && bot.step;
        }

        function botEnded() {
            var bot = st.chatbot;
            return !!(st.session && bot && bot.ended && !bot.forwarded);
        }

        function updateBot(bot) {
            st.chatbot = bot || null;
            headAvatar();
            answers.textContent = "";
            var current = step();
            if (current && current.type === "question" && !st.closed) {
                (current.answers || []).forEach(function (answer) {
                    var b = btn("answer", answer.name);
                    b.addEventListener("click", function () {
                        answers.textContent = "";
                        enqueue({ answer: answer.id, text: answer.name });
                    });
                    answers.appendChild(b);
                });
            }
            input.inputMode = current && current.type === "ask_email" ? "email"
                : current && current.type === "ask_phone" ? "tel" : "text";
            var ended = botEnded() && !st.closed;
            botEnd.hidden = !ended;
            botText.textContent = (bot && bot.offline ? s.bot_ended_offline
                : init.operator_available ? s.bot_ended_operator : s.bot_ended) || "";
            form.hidden = st.closed || ended || st.offline;
        }

        // What every answer about the session carries.
        function apply(r, live) {
            if (!r || !alive()) {
                return;
            }
            (r.messages || []).forEach(function (m) {
                addMessage(m, live);
            });
            setOperator(r);
            if ("chatbot" in r) {
                updateBot(r.chatbot);
            }
            markSeen(r.seen_message_id);
            showLine(r.queue_position);
            if (r.typing !== undefined && (!ws || ws.readyState !== 1)) {
                var t = r.typing;
                showTyping(t ? t.author_name || (typeof t === "string" ? t : st.opName) : "");
            }
            if (r.closed && !st.closed) {
                setClosed();
            }
            news();
        }

        // New operator or bot messages: badge, title, sound, seen.
        function news() {
            var fresh = st.fresh;
            st.fresh = 0;
            if (fresh && (!st.open || document.hidden)) {
                if (o.sound !== false && beep()) {
                    host.setAttribute("data-beeps", ++st.beeps);
                }
                if (document.hidden) {
                    st.hiddenNews += fresh;
                    flashTitle(st.hiddenNews, s.new_message || "(%s) New message");
                }
            }
            read();
        }

        function unread() {
            return st.opIds.filter(function (id) {
                return id > st.read;
            }).length;
        }

        function read() {
            if (st.open && !document.hidden) {
                st.hiddenNews = 0;
                restoreTitle();
                if (st.lastId > st.read) {
                    st.read = st.lastId;
                    saveUi();
                }
                var lastOp = st.opIds[st.opIds.length - 1] || 0;
                if (st.session && !st.closed && lastOp > st.seenSent) {
                    st.seenSent = st.lastId;
                    call("/live_chat/session/seen", auth({ message_id: st.lastId })).catch(noop);
                }
            }
            var n = st.open ? 0 : unread();
            ctx.badge(n);
            host.setAttribute("data-unread", n);
        }

        function onVisibility() {
            if (!alive()) {
                return document.removeEventListener("visibilitychange", onVisibility);
            }
            read();
        }
        document.addEventListener("visibilitychange", onVisibility);

        // ---------------------------------------------------------------
        // Sending: one queue, in order, kept across network failures
        // ---------------------------------------------------------------

        function pendingNode(text) {
            var node = el("div", "msg me pending");
            var bubble = el("div", "bbl");
            var meta = el("div", "meta");
            meta.append(el("span", "who", s.you || "You"), el("span", "at", s.sending || "\u2026"));
            bubble.append(meta, el("div", "body", text));
            node.appendChild(bubble);
            list.appendChild(node);
            scrollDown(true);
            return node;
        }

        function enqueue(item) {
            if (item.node !== null) {
                item.node = pendingNode(item.label || item.text);
            }
            st.queue.push(item);
            if (!st.session) {
                consent.hidden = true;
            }
            pump();
        }

        function started(r) {
            st.session = { session_id: r.session_id, guest_token: r.guest_token };
            ctx.save("", st.session);
            if (r.guest_token) {
                ctx.save(":guest", r.guest_token);
            }
            list.querySelectorAll(".pre").forEach(function (node) {
                node.remove();
            });
            endChat.hidden = false;
            apply(r);
            addMessage(r.message);
            connect();
        }

        function landed(item, messages) {
            return messages.some(function (m) {
                return m.is_visitor && m.id > item.after && ((m.body || "").trim() === item.text
                    || (m.attachments || []).some(function (att) {
                        return att.name === item.text;
                    }));
            });
        }

        function perform(item) {
            if (!st.session) {
                var params = {
                    channel_id: ctx.channel, url: location.href, guest_token: ctx.load(":guest") || undefined,
                };
                if (item.answer) {
                    params.answer_id = item.answer;
                } else {
                    params.body = item.body;
                }
                return ctx.api("/live_chat/session/start", params).then(started);
            }
            // After a network failure the request may have reached the
            // server: look before sending it again, so nothing is doubled.
            var check = item.tried
                ? ctx.api("/live_chat/session/messages", auth({ after_id: item.after })).then(function (r) {
                    apply(r);
                    return landed(item, r.messages || []);
                })
                : Promise.resolve(false);
            return check.then(function (done) {
                if (done) {
                    return null;
                }
                if (item.file) {
                    var data = new FormData();
                    data.append("session_id", st.session.session_id);
                    if (st.session.guest_token) {
                        data.append("guest_token", st.session.guest_token);
                    }
                    data.append("file", item.file, item.file.name);
                    return ctx.api("/live_chat/session/upload", data).then(function (r) {
                        addMessage(r.message);
                    });
                }
                if (item.answer) {
                    return ctx.api("/live_chat/chatbot/answer", auth({ answer_id: item.answer, after_id: st.lastId }))
                        .then(apply);
                }
                return ctx.api("/live_chat/session/post", auth({ body: item.body })).then(function (r) {
                    addMessage(r.message);
                    showLine(r.queue_position);
                    if ("chatbot" in r) {
                        updateBot(r.chatbot);
                    }
                    if (r.chatbot || !ws || ws.readyState !== 1) {
                        refresh();
                    }
                });
            });
        }

        function pump() {
            if (st.busy || !st.ready || !st.queue.length || !alive() || Date.now() < (st.holdUntil || 0)) {
                return;
            }
            var item = st.queue[0];
            if (!item.tried) {
                item.after = st.lastId;
            }
            st.busy = true;
            clearTimeout(st.retry);
            perform(item).then(function () {
                st.busy = false;
                st.queue.shift();
                if (item.node) {
                    item.node.remove();
                }
                st.delay = 0;
                net(true);
                markSeen();
                news();
                pump();
            }, function (error) {
                st.busy = false;
                if (!alive()) {
                    return;
                }
                if (error.retryAfter) {
                    // The server is busy (503) and did nothing: send it again
                    // after the delay it asks for, a little spread out.
                    var wait = error.retryAfter * 1000 + Math.random() * 500;
                    st.holdUntil = Date.now() + wait;
                    st.retry = setTimeout(pump, wait + 10);
                    return;
                }
                if (error.network) {
                    // Keep it, tell the visitor, try again a bit later.
                    item.tried = true;
                    net(false);
                    st.delay = Math.min((st.delay || 1000) * 2, 15000);
                    st.retry = setTimeout(pump, st.delay);
                    return;
                }
                // Refused (no operator, too long, too many...): the typed
                // text goes back to the input, the server's sentence shows.
                net(true);
                var back = st.queue.filter(function (i) {
                    return i.body && !i.fromFile;
                }).map(function (i) {
                    return i.body;
                }).join("\n");
                st.queue.forEach(function (i) {
                    if (i.node) {
                        i.node.remove();
                    }
                });
                st.queue = [];
                if (back) {
                    input.value = back + (input.value ? "\n" + input.value : "");
                    counter();
                }
                showError(error.message);
                consent.hidden = !o.consent_text || !!st.session;
                if (error.code === "no_operator") {
                    ctx.api("/live_chat/init", { channel_id: ctx.channel, url: location.href, page: ctx.pageMode })
                        .then(function (r) {
                            if (r.offline && alive()) {
                                ctx.init = r;
                                ctx.draft = input.value;
                                reset();
                            }
                        }, noop);
                }
                updateBot(st.chatbot);
                if (error.code === "unknown_session") {
                    // Gone (erased, or deleted after the retention): the
                    // text is back in the input, the next send starts anew.
                    ctx.save("", null);
                    stopTransport();
                    st.session = null;
                    endChat.hidden = true;
                } else if (st.session) {
                    refresh();
                }
            });
        }

        function sendFiles(files) {
            showError("");
            Array.prototype.forEach.call(files, function (f) {
                if (o.max_file_bytes && f.size > o.max_file_bytes) {
                    return showError(fmt(s.file_too_large || "%s", size(o.max_file_bytes)));
                }
                if (!st.session && !st.queue.length) {
                    // The file's name starts the conversation (see CONTRACT_NOTES).
                    enqueue({ body: f.name, text: f.name, node: null, fromFile: true });
                }
                enqueue({ file: f, text: f.name, label: "\ud83d\udcce " + f.name + " \u00b7 " + size(f.size) });
            });
        }

        form.addEventListener("submit", function (event) {
            event.preventDefault();
            var text = input.value;
            if (!text.trim() || st.closed || botEnded()) {
                return;
            }
            if (text.length > MAX) {
                return showError(fmt(s.too_long || "%s", MAX.toLocaleString(LOCALE)));
            }
            var current = step();
            if (current && current.type === "ask_email" && !EMAIL_RE.test(text.trim())) {
                return showError(s.bad_email);
            }
            if (current && current.type === "ask_phone" && !PHONE_RE.test(text.trim())) {
                return showError(s.bad_phone);
            }
            showError("");
            input.value = "";
            counter();
            typingSend(false);
            enqueue({ body: text, text: text.trim() });
            input.focus();
        });
        input.addEventListener("keydown", function (event) {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                form.requestSubmit();
            }
        });

        function counter() {
            var n = input.value.length;
            count.hidden = n < COUNT_FROM;
            count.textContent = n.toLocaleString(LOCALE) + " / " + MAX.toLocaleString(LOCALE);
            count.classList.toggle("over", n > MAX);
        }

        // The visitor's typing, for the operator: at most once per 3 s.
        function typingSend(on) {
            if (!st.session || st.closed) {
                return;
            }
            var now = Date.now();
            clearTimeout(st.typingStop);
            if (on) {
                st.typingStop = setTimeout(typingSend, 5000, false);
                if (st.typingOn && now - st.typingAt < 3000) {
                    return;
                }
                st.typingAt = now;
            } else if (!st.typingOn) {
                return;
            }
            st.typingOn = on;
            ctx.api("/live_chat/session/typing", auth({ typing: on })).then(function (r) {
                if (!on && r && r.throttled) {
                    // The server takes one call per 2 s: say "stopped" again.
                    setTimeout(function () {
                        if (!st.typingOn && alive()) {
                            ctx.api("/live_chat/session/typing", auth({ typing: false })).catch(noop);
                        }
                    }, 2100);
                }
            }, noop);
        }

        input.addEventListener("input", function () {
            counter();
            typingSend(!!input.value.trim());
        });
        input.addEventListener("paste", function (event) {
            var files = event.clipboardData && event.clipboardData.files;
            if (uploads && files && files.length && !st.closed) {
                event.preventDefault();
                sendFiles(files);
            }
        });
        attach.addEventListener("click", function () {
            file.click();
        });
        file.addEventListener("change", function () {
            sendFiles(file.files);
            file.value = "";
        });

        function dragged(event) {
            return uploads && !st.closed && !st.offline && !botEnded() && event.dataTransfer
                && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0;
        }
        win.addEventListener("dragover", function (event) {
            if (dragged(event)) {
                event.preventDefault();
                drop.hidden = false;
            }
        });
        win.addEventListener("dragleave", function (event) {
            if (!win.contains(event.relatedTarget)) {
                drop.hidden = true;
            }
        });
        win.addEventListener("drop", function (event) {
            drop.hidden = true;
            if (dragged(event)) {
                event.preventDefault();
                sendFiles(event.dataTransfer.files);
            }
        });

        // ---------------------------------------------------------------
        // Real time: Odoo's bus websocket, subscribed as the visitor's
        // guest; it carries only live_chat/* notifications for visitors.
        // Polling when it cannot connect, or while the server is away.
        // ---------------------------------------------------------------
        var ws = null;
        var pollTimer = null;

        function transport() {
            var want = !!st.session && !st.closed && (!ws || ws.readyState !== 1 || st.netDown);
            if (want && !pollTimer) {
                pollTimer = setInterval(refresh, POLL_MS);
            } else if (!want && pollTimer) {
                clearInterval(pollTimer);
                pollTimer = null;
            }
            if (st.session) {
                host.setAttribute("data-transport", ws && ws.readyState === 1 ? "websocket" : "polling");
            }
        }

        function refresh() {
            if (!st.session || st.refreshing || !alive()) {
                return;
            }
            st.refreshing = true;
            call("/live_chat/session/messages", auth({ after_id: st.lastId })).then(apply, function (error) {
                if (error.code === "unknown_session") {
                    ctx.save("", null);
                }
            }).then(function () {
                st.refreshing = false;
                if (st.netDown === false) {
                    pump();
                }
            });
        }

        function onBus(n) {
            st.busId = Math.max(st.busId, n.id || 0);
            var type = n.message && n.message.type;
            var p = n.message && n.message.payload;
            if (!p || !st.session || p.session_id !== st.session.session_id) {
                return;
            }
            if (type === "live_chat/message") {
                addMessage(p.message);
                markSeen();
                news();
            } else if (type === "live_chat/message_update") {
                updateMessage(p.message);
            } else if (type === "live_chat/seen") {
                markSeen(p.message_id);
            } else if (type === "live_chat/typing") {
                showTyping(p.typing ? p.author_name || st.opName : "");
            } else if (type === "live_chat/closed") {
                refresh();
                setClosed();
            } else if (type === "live_chat/operator") {
                setOperator(p);
                showLine(0);
                refresh(); // the notice, and the bot's part is over
            } else if (type === "live_chat/queue") {
                showLine(p.queue_position);
            }
        }

        function here() {
            if (ws && ws.readyState === 1) {
                ws.send('{"event_name":"update_presence","data":{"inactivity_period":0,"im_status_ids_by_model":{}}}');
            }
        }

        function connect() {
            if (!st.session || st.closed || ws || !alive()) {
                return;
            }
            if (window.LIVE_CHAT_NO_WEBSOCKET || !window.WebSocket) {
                return transport();
            }
            try {
                ws = new WebSocket(ctx.base.replace(/^http/, "ws") + "/websocket?version=" + encodeURIComponent(ctx.bus));
            } catch (e) {
                ws = null;
                return transport();
            }
            ws.onopen = function () {
                var token = st.session.guest_token;
                ws.send(JSON.stringify({
                    event_name: "subscribe", data: { channels: token ? ["mail.guest_" + token] : [], last: st.busId },
                }));
                // Still on the site: the operator sees "Online" (the guest's bus presence).
                here();
                st.here = st.here || setInterval(here, 50000);
                st.wsDelay = 0;
                st.wsOpened = true;
                st.wsRetries = 0;
                st.wsDown = false;
                showConnection();
                refresh(); // what came while it was closed
            };
            ws.onmessage = function (event) {
                try {
                    JSON.parse(event.data).forEach(onBus);
                } catch (e) {
                    // not for us
                }
            };
            ws.onclose = function () {
                ws = null;
                if (!alive() || st.closed) {
                    return;
                }
                st.wsRetries = (st.wsRetries || 0) + 1;
                st.wsDown = !!st.wsOpened && st.wsRetries <= 4;
                showConnection();
                refresh(); // tells at once whether the server is away
                st.wsDelay = Math.min((st.wsDelay || 500) * 2, 15000);
                st.wsTimer = setTimeout(connect, st.wsDelay);
            };
        }

        // The visitor is here: the server emails the operator's answers only
        // to a visitor whose widget stopped saying so (as Odoo's web client
        // keeps its user's presence).
        function onOnline() {
            if (!alive()) {
                return window.removeEventListener("online", onOnline);
            }
            clearTimeout(st.wsTimer);
            connect();
            pump();
            refresh();
        }
        window.addEventListener("online", onOnline);

        function stopTransport() {
            clearInterval(pollTimer);
            clearInterval(st.lineTimer);
            clearInterval(st.here);
            pollTimer = st.here = st.lineTimer = null;
            clearTimeout(st.wsTimer);
            clearTimeout(st.retry);
            if (ws) {
                ws.onclose = null;
                ws.close();
                ws = null;
            }
        }

        // ---------------------------------------------------------------
        // Fold, end, new chat
        // ---------------------------------------------------------------

        function setClosed() {
            if (st.closed) {
                return;
            }
            st.closed = true;
            showLine(0);
            input.disabled = send.disabled = true;
            form.hidden = consent.hidden = endChat.hidden = confirmBox.hidden = botEnd.hidden = true;
            answers.textContent = "";
            showTyping("");
            st.queue.forEach(function (i) {
                if (i.node) {
                    i.node.remove();
                }
            });
            st.queue = [];
            endBox.hidden = false;
            st.endSeen = st.open;
            rate.show(st, auth, call);
            setState();
            stopTransport();
            transport();
        }

        function doFold() {
            if (ctx.pageMode || !st.open) {
                return;
            }
            st.open = false;
            win.hidden = true;
            confirmBox.hidden = true;
            if (st.closed && st.endSeen) {
                // Ended and seen: the button stays and starts a new chat.
                ctx.save("", null);
            }
            saveUi();
            ctx.showButton(true);
            setState();
            read();
            if (ctx.button) {
                ctx.button.focus();
            }
        }

        ctx.unfold = function (byVisitor) {
            if (st.closed && st.endSeen && !ctx.pageMode) {
                return reset();
            }
            // Ended while folded: show the end screen (rating) first.
            st.endSeen = st.closed;
            st.open = true;
            win.hidden = false;
            ctx.showButton(false);
            saveUi();
            setState();
            read();
            scrollDown(true);
            if (byVisitor) {
                input.focus();
            }
        };

        function reset() {
            stopTransport();
            ctx.save("", null);
            st.queue = [];
            style.remove();
            win.remove();
            ctx.win = null;
            mount(ctx, false, true);
        }

        fold.addEventListener("click", doFold);
        win.addEventListener("keydown", function (event) {
            if (event.key === "Escape") {
                if (!confirmBox.hidden) {
                    confirmBox.hidden = true;
                    endChat.focus();
                } else {
                    doFold();
                }
            }
        });
        endChat.addEventListener("click", function () {
            confirmBox.hidden = false;
            yes.focus();
        });
        no.addEventListener("click", function () {
            confirmBox.hidden = true;
            input.focus();
        });
        yes.addEventListener("click", function () {
            yes.disabled = true;
            call("/live_chat/session/close", auth({})).then(function () {
                refresh();
                setClosed();
            }, function (error) {
                showError(error.network ? "" : error.message);
            }).then(function () {
                yes.disabled = false;
                confirmBox.hidden = true;
            });
        });
        restart.addEventListener("click", function () {
            call("/live_chat/chatbot/restart", auth({ after_id: st.lastId })).then(apply, function (error) {
                showError(error.message);
            });
        });
        // After the bot's end: leave this conversation, start a new one.
        botNew.addEventListener("click", function () {
            call("/live_chat/session/close", auth({})).catch(noop).then(reset);
        });
        newChat.addEventListener("click", reset);

        // ---------------------------------------------------------------
        // Start
        // ---------------------------------------------------------------
        win.hidden = folded;
        ctx.showButton(folded);
        setState();
        saveUi(); // open or folded, the next page shows it the same way
        if (st.session) {
            endChat.hidden = false;
            call("/live_chat/session/messages", auth({ after_id: 0 })).then(function (r) {
                apply(r, false);
                st.ready = true;
                connect();
                pump();
            }, function (error) {
                if (error.code === "unknown_session") {
                    return reset();
                }
                st.ready = true;
                showError(error.network ? "" : error.message);
                transport();
            });
        } else {
            var welcome = init.welcome || (o.welcome_message
                ? [{ id: null, author_name: o.name, body: o.welcome_message, is_visitor: false }] : []);
            welcome.forEach(function (m) {
                addMessage(m, false);
            });
            updateBot(st.chatbot);
            read();
        }
        if (!folded && byVisitor) {
            input.focus();
        }
    }

    // Nobody can answer: the visitor leaves their name, email and message,
    // then reads when the team is back.
    function offlineBox(ctx, s, showError) {
        var off = ctx.init.offline;
        var box = el("form", "box off");
        box.noValidate = true;
        var at = off.next_opening && new Date(off.next_opening);
        var opens = at && !isNaN(at)
            ? fmt(s.offline_opens, at.toLocaleString([], { weekday: "long", hour: "2-digit", minute: "2-digit" }))
            : "";
        var name = field("input", s.name, 100, "name");
        var email = field("input", s.email, 254, "email");
        email.type = "email";
        var text = field("textarea", s.message, MAX);
        text.rows = 5;
        text.value = ctx.draft || "";
        var go = el("button", "main", s.send);
        go.type = "submit";
        box.append(el("p", "", s.offline_intro), el("p", "opens", opens), name, email, text, go);
        box.addEventListener("submit", function (event) {
            event.preventDefault();
            var v = [name.value.trim(), email.value.trim(), text.value];
            if (!v[0] || !v[2].trim()) {
                return showError(s.offline_missing);
            }
            if (!EMAIL_RE.test(v[1])) {
                return showError(s.bad_email);
            }
            showError("");
            go.disabled = true;
            ctx.api("/live_chat/offline/message", {
                channel_id: ctx.channel, url: location.href, name: v[0], email: v[1], message: v[2],
            }).then(function () {
                ctx.draft = "";
                box.textContent = "";
                box.append(el("p", "thanks", fmt(s.offline_thanks, v[1])), el("p", "back", off.back_text),
                    el("p", "opens", opens));
                ctx.host.setAttribute("data-offline", "sent");
            }, function (error) {
                go.disabled = false;
                showError(error.network ? s.unreachable : error.message);
            });
        });
        return box;
    }

    function field(tag, label, max, autocomplete) {
        var node = el(tag);
        node.placeholder = label;
        node.setAttribute("aria-label", label);
        node.maxLength = max;
        node.required = true;
        node.autocomplete = autocomplete || "off";
        return node;
    }

    // The end screen: "How was this conversation?" and the transcript.
    function buildRating(ctx, s) {
        var node = el("div", "box rate");
        node.hidden = true;
        var api = null;
        var question = el("span", "q", s.rate_question || "How was this conversation?");
        var choices = el("div", "row choices");
        var chosen = null;
        [["satisfied", "\ud83d\ude0a", s.satisfied], ["okay", "\ud83d\ude10", s.okay],
            ["dissatisfied", "\ud83d\ude41", s.dissatisfied]].forEach(function (choice) {
            var b = btn("choice", choice[1] + " " + (choice[2] || choice[0]));
            b.setAttribute("data-rating", choice[0]);
            b.setAttribute("aria-pressed", "false");
            b.addEventListener("click", function () {
                chosen = choice[0];
                choices.querySelectorAll("button").forEach(function (other) {
                    other.setAttribute("aria-pressed", String(other === b));
                    other.classList.toggle("main", other === b);
                });
            });
            choices.appendChild(b);
        });
        var comment = el("textarea", "comment");
        comment.rows = 2;
        comment.maxLength = 1000;
        comment.placeholder = s.comment || "Comment (optional)";
        comment.setAttribute("aria-label", comment.placeholder);
        var rateRow = el("div", "row");
        var submit = btn("main submit-rating", s.send_rating || "Send");
        var skip = btn("skip", s.skip || "Skip");
        rateRow.append(submit, skip);
        var thanks = el("span", "thanks", s.thanks || "Thank you for your feedback!");
        thanks.hidden = true;
        var mailRow = el("div", "row transcript");
        var email = el("input", "email");
        email.type = "email";
        email.placeholder = s.transcript || "Send me the transcript";
        email.setAttribute("aria-label", s.transcript || "Send me the transcript");
        var mail = btn("send-transcript", s.send || "Send");
        mailRow.append(email, mail);
        var mailDone = el("span", "mail-done");
        node.append(question, choices, comment, rateRow, thanks, mailRow, mailDone);

        function hideRating() {
            question.hidden = choices.hidden = comment.hidden = rateRow.hidden = true;
        }
        submit.addEventListener("click", function () {
            if (chosen) {
                api.call("/live_chat/session/rate", api.auth({ rating: chosen, comment: comment.value }))
                    .then(function () {
                        hideRating();
                        thanks.hidden = false;
                    }, function (error) {
                        mailDone.textContent = error.network ? s.unreachable || "" : error.message;
                    });
            }
        });
        skip.addEventListener("click", hideRating);
        mail.addEventListener("click", function () {
            var value = email.value.trim();
            if (!EMAIL_RE.test(value)) {
                mailDone.textContent = s.bad_email || "";
                return;
            }
            api.call("/live_chat/session/transcript", api.auth({ email: value })).then(function () {
                mailDone.textContent = (s.transcript_sent || "Sent to") + " " + value;
            }, function (error) {
                mailDone.textContent = error.network ? s.unreachable || "" : error.message;
            });
        });
        return {
            node: node,
            show: function (state, auth, call) {
                api = { auth: auth, call: call };
                node.hidden = false;
            },
        };
    }

    window.LiveChatWindow = { mount: mount };
})();
