/** @odoo-module */

// Tours of the visitor's widget (issue 14), run on a website page by
// tests/test_visitor_tours.py. The widget lives in an open shadow root that
// tour triggers cannot see, so each tour is one or a few steps whose `run`
// queries the shadow root itself and waits for what it expects; the Python
// test plays the operator (over HTTP, in a thread) and checks the database.

import { registry } from "@web/core/registry";

const widget = () => document.querySelector(".o_live_chat_widget");
const shadow = () => widget() && widget().shadowRoot;
const q = (selector) => shadow() && shadow().querySelector(selector);
const qa = (selector) => (shadow() ? [...shadow().querySelectorAll(selector)] : []);
const state = () => widget() && widget().dataset.state;
const bodies = () => qa(".msg .body").map((node) => node.textContent);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function waitFor(check, what, ms = 20000) {
    return new Promise((resolve, reject) => {
        const start = Date.now();
        (function loop() {
            let value;
            try {
                value = check();
            } catch {
                value = null;
            }
            if (value) {
                return resolve(value);
            }
            if (Date.now() - start > ms) {
                return reject(new Error("timed out waiting for " + what));
            }
            setTimeout(loop, 100);
        })();
    });
}

function visible(node) {
    if (!node || node.hidden) {
        return false;
    }
    const rect = node.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && getComputedStyle(node).display !== "none";
}

async function openWindow() {
    const button = await waitFor(() => visible(q("button.btn")) && q("button.btn"), "the button");
    button.click();
    await waitFor(() => state() === "open" && visible(q(".win")), "the open window");
}

async function send(text) {
    const input = await waitFor(() => q(".compose textarea"), "the chat input");
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    q(".compose .send").click();
    await waitFor(
        () => qa(".msg.me[data-id]:not(.pending) .body").some((node) => node.textContent === text),
        "my message acknowledged: " + text
    );
}

async function waitOperatorMessage(text) {
    return waitFor(
        () => qa(".msg.op").find((node) => node.querySelector(".body").textContent.includes(text)),
        "the operator's message " + text,
        30000
    );
}

/** A tour of one step on the website page: `body` does the visitor's part. */
function visitorTour(name, body) {
    registry.category("web_tour.tours").add(name, {
        test: true,
        steps: () => [
            {
                content: name,
                trigger: "body",
                async run() {
                    try {
                        await body();
                        // Let the last calls (seen, typing) reach the server.
                        await sleep(1500);
                        document.body.classList.add("o_live_chat_visitor_tour_done");
                    } catch (error) {
                        console.error(`${name} failed: ${error.message}`);
                    }
                },
            },
            {
                content: "done",
                trigger: "body.o_live_chat_visitor_tour_done",
                isCheck: true,
            },
        ],
    });
}

// 1a. Opening the window shows the welcome and creates nothing.
visitorTour("live_chat_visitor_open_creates_nothing", async () => {
    await openWindow();
    await waitFor(() => bodies().includes("Hello from Vicky!"), "the welcome message");
    if (!q(".msg.pre")) {
        throw new Error("the welcome is not shown as a pre-session message");
    }
    // Long enough for a session start to have reached the server.
    await sleep(2000);
});

// 1b. The first message creates the session.
visitorTour("live_chat_visitor_first_message", async () => {
    await openWindow();
    await waitFor(() => bodies().includes("Hello from Vicky!"), "the welcome message");
    await send("My very first message");
});

// 2. Fold, the operator answers, badge 1, unfold clears it.
visitorTour("live_chat_visitor_fold_badge", async () => {
    await openWindow();
    await send("Please answer while I fold");
    q(".head .fold").click();
    await waitFor(() => state() === "folded" && visible(q("button.btn")), "the folded button");
    if (visible(q(".win"))) {
        throw new Error("the window is still shown when folded");
    }
    const badge = await waitFor(
        () => q("button.btn .badge").textContent === "1" && q("button.btn .badge"),
        "the unread badge 1",
        30000
    );
    if (!visible(badge)) {
        throw new Error("the badge is not visible");
    }
    if (widget().dataset.unread !== "1") {
        throw new Error("data-unread " + widget().dataset.unread);
    }
    q("button.btn").click();
    await waitFor(() => state() === "open", "the window open again");
    await waitOperatorMessage("Here is my answer");
    await waitFor(() => q("button.btn .badge").textContent === "", "the badge to clear");
    if (widget().dataset.unread !== "0") {
        throw new Error("data-unread after unfold " + widget().dataset.unread);
    }
});

// 3. End the conversation (confirmed in the widget), then a new chat.
visitorTour("live_chat_visitor_end_then_new", async () => {
    window.confirm = () => {
        throw new Error("window.confirm was used");
    };
    await openWindow();
    await send("I will end this chat");
    q(".head .endc").click();
    const yes = await waitFor(() => visible(q(".confirm .yes")) && q(".confirm .yes"), "the end confirmation");
    yes.click();
    await waitFor(() => state() === "ended", "the ended state");
    await waitFor(() => visible(q(".end")) && visible(q(".end .new")), "the end screen with Start a new chat");
    // Fold the ended window: the button stays on the page...
    q(".head .fold").click();
    const button = await waitFor(() => visible(q("button.btn")) && q("button.btn"), "the button after the end");
    // ...and starts a new chat.
    button.click();
    await waitFor(() => state() === "open", "a new open window");
    await waitFor(() => bodies().includes("Hello from Vicky!") && q(".msg.pre"), "the welcome of the new chat");
    if (bodies().includes("I will end this chat")) {
        throw new Error("the new chat shows the old conversation");
    }
    await send("A second conversation");
});

// 4. Links in an operator message: https clickable, javascript: not.
visitorTour("live_chat_visitor_links", async () => {
    await openWindow();
    await send("Where is the documentation?");
    const message = await waitOperatorMessage("https://example.com/docs");
    const body = message.querySelector(".body");
    const links = [...body.querySelectorAll("a")];
    const https = body.querySelector('a[href^="https:"]');
    if (!https || https.getAttribute("href") !== "https://example.com/docs") {
        throw new Error("no https link: " + body.innerHTML);
    }
    if (https.target !== "_blank" || !/\bnoopener\b/.test(https.rel) || !/\bnoreferrer\b/.test(https.rel)) {
        throw new Error("link target/rel: " + https.target + " " + https.rel);
    }
    if (links.length !== 1) {
        throw new Error(links.length + " links, expected only the https one: " + body.innerHTML);
    }
    if (!body.textContent.includes("javascript:alert(1)")) {
        throw new Error("the javascript: text is missing: " + body.textContent);
    }
    if (qa('a[href^="javascript"]').length) {
        throw new Error("a javascript: link exists");
    }
});

// 5. The visitor uploads an image through the attach input.
visitorTour("live_chat_visitor_image_upload", async () => {
    await openWindow();
    await send("I send you a photo");
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 8;
    canvas.getContext("2d").fillRect(0, 0, 8, 8);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], "photo.png", { type: "image/png" }));
    const input = q('.compose input[type="file"]');
    if (!input) {
        throw new Error("no file input");
    }
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    const img = await waitFor(() => q(".msg.me[data-id] .files img"), "the image preview in the thread");
    await waitFor(() => img.complete && img.naturalWidth === 8, "the preview to load from the server");
});

// 6. The operator sends a PDF: the visitor's link downloads it.
visitorTour("live_chat_visitor_operator_pdf", async () => {
    await openWindow();
    await send("Send me the guide please");
    const message = await waitOperatorMessage("Here is the guide");
    const link = await waitFor(() => message.querySelector(".files a"), "the PDF link");
    if (!link.textContent.includes("guide.pdf")) {
        throw new Error("link text: " + link.textContent);
    }
    if (!/guest_token=/.test(link.href)) {
        throw new Error("the link has no guest token: " + link.href);
    }
    const response = await fetch(link.href, { credentials: "omit" });
    if (response.status !== 200) {
        throw new Error("download status " + response.status);
    }
    if (!response.headers.get("Content-Type").startsWith("application/pdf")) {
        throw new Error("content type " + response.headers.get("Content-Type"));
    }
    if (!/attachment/.test(response.headers.get("Content-Disposition") || "")) {
        throw new Error("not served as a download: " + response.headers.get("Content-Disposition"));
    }
    const text = await response.text();
    if (!text.startsWith("%PDF")) {
        throw new Error("not the PDF's content");
    }
    // Without the token: nothing.
    const anonymous = await fetch(link.href.replace(/guest_token=[^&]*/, "guest_token=wrong"), {
        credentials: "omit",
    });
    if (anonymous.status !== 404) {
        throw new Error("a wrong token got " + anonymous.status);
    }
});

// 7. Typing, both ways.
visitorTour("live_chat_visitor_typing", async () => {
    await openWindow();
    await send("Are you typing?");
    await waitFor(
        () => /Vicky is typing/.test(q(".typing").textContent),
        "the operator's typing indicator",
        30000
    );
    // Now the visitor types (without sending).
    const input = q(".compose textarea");
    input.value = "I am typing something";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await sleep(1500);
});

// 8. Seen, both ways.
visitorTour("live_chat_visitor_seen", async () => {
    await openWindow();
    await send("Did you read this?");
    if (q(".seen")) {
        throw new Error("Seen shown before the operator read anything");
    }
    const seen = await waitFor(() => q(".msg.me:last-of-type .seen, .seen"), "Seen under my message", 30000);
    const mine = qa(".msg.me[data-id]");
    if (!mine.length || !mine[mine.length - 1].contains(seen)) {
        throw new Error("Seen is not under my last message");
    }
    // The operator answers: the open window tells the server it was seen.
    await waitOperatorMessage("Yes I read it");
    await sleep(1500);
});

// 9. A phone: round folded button, full-screen window.
visitorTour("live_chat_visitor_mobile", async () => {
    if (innerWidth !== 390 || innerHeight !== 844) {
        throw new Error("viewport " + innerWidth + "x" + innerHeight);
    }
    const button = await waitFor(() => visible(q("button.btn")) && q("button.btn"), "the button");
    const check = (what) => {
        const rect = button.getBoundingClientRect();
        if (Math.abs(rect.width - rect.height) > 2 || rect.width >= 80 || rect.width < 30) {
            throw new Error(what + ": the button is " + rect.width + "x" + rect.height);
        }
        if (parseFloat(getComputedStyle(button).borderTopLeftRadius) < rect.width / 2 - 2) {
            throw new Error(what + ": the button is not round");
        }
    };
    check("before opening");
    await openWindow();
    const rect = q(".win").getBoundingClientRect();
    if (Math.round(rect.width) !== innerWidth || Math.round(rect.height) !== innerHeight) {
        throw new Error("window " + rect.width + "x" + rect.height);
    }
    await send("Hello from my phone");
    q(".head .fold").click();
    await waitFor(() => state() === "folded" && visible(button), "the folded button");
    check("folded");
});

// Operator side, in Discuss: the visitor's session and its messages.
function operatorDiscussTour(name, steps, visitor = "Visitor #") {
    registry.category("web_tour.tours").add(name, {
        test: true,
        url: "/web#action=mail.action_discuss",
        steps: () => [
            {
                content: "The new session is in the Live Chat category, unread",
                trigger: ".o-mail-DiscussSidebarCategory-liveChat",
                isCheck: true,
            },
            {
                content: "Open the visitor's unread session",
                trigger: `.o-mail-DiscussSidebarChannel.o-unread:contains(${visitor})`,
            },
            ...steps,
        ],
    });
}

operatorDiscussTour("live_chat_visitor_operator_sees_first_message", [
    {
        content: "The visitor's first message is in the thread",
        trigger: ".o-mail-Discuss .o-mail-Message:contains(My very first message)",
        isCheck: true,
    },
]);

operatorDiscussTour("live_chat_visitor_operator_sees_image", [
    {
        content: "The visitor's image shows in the thread",
        trigger: ".o-mail-Discuss .o-mail-Message .o-mail-AttachmentImage img",
        extra_trigger: ".o-mail-Discuss .o-mail-Message:contains(I send you a photo)",
        isCheck: true,
    },
]);

// Operator side of typing and seen: the visitor (played by the Python test
// over the widget's routes) types, then reads the operator's reply.
operatorDiscussTour("live_chat_visitor_operator_sees_typing_and_seen", [
    {
        content: "The visitor's message is in the thread",
        trigger: ".o-mail-Discuss .o-mail-Message:contains(Hi, I am Tina)",
        isCheck: true,
    },
    {
        content: "Odoo's typing indicator shows the visitor typing",
        trigger: ".o-mail-Discuss .o-discuss-Typing:contains(Tina Typer is typing)",
        isCheck: true,
    },
    {
        content: "The operator answers",
        trigger: ".o-mail-Discuss .o-mail-Composer-input",
        run(actions) {
            actions.text("Operator reply for seen", this.$anchor);
            this.$anchor[0].dispatchEvent(
                new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true })
            );
        },
    },
    {
        content: "The reply is not seen by the visitor yet",
        trigger: ".o-mail-Discuss .o-mail-Message:contains(Operator reply for seen):not(:has(.o-mail-MessageSeenIndicator.o-all-seen))",
        isCheck: true,
    },
    {
        content: "Odoo's seen indicator: the visitor has seen the reply",
        trigger: ".o-mail-Discuss .o-mail-Message:contains(Operator reply for seen) .o-mail-MessageSeenIndicator.o-all-seen",
        timeout: 20000,
        isCheck: true,
    },
], "Tina Typer");

// Issue 18. The server is busy (503 with Retry-After) on the first message
// and on the next one: the widget keeps each, shows it as sending, and sends
// it again after the delay; both arrive once (checked by the Python test).
visitorTour("live_chat_visitor_busy_retry", async () => {
    await openWindow();
    const started = Date.now();
    await send("Sent while the server is busy");
    await send("And again while busy");
    if (Date.now() - started < 2000) {
        throw new Error("the messages were not sent again after Retry-After (1 s each)");
    }
    if (q(".compose textarea").value) {
        throw new Error("a message went back to the input as if refused: " + q(".compose textarea").value);
    }
});
