/** @odoo-module */

// Tours of the operator's desk (issue 20): the queue position in the
// visitor's widget, transfer from the thread's actions, the Live Chat
// status in the systray. Started by tests/test_queue_tours.py, which plays
// the other side (a visitor, a colleague) over HTTP in a thread.

import { registry } from "@web/core/registry";
import { session } from "@web/session";

const tours = registry.category("web_tour.tours");

// -- The visitor's widget: "You are number 2 in line" -------------------

const widget = () => document.querySelector(".o_live_chat_widget");
const q = (selector) => widget()?.shadowRoot?.querySelector(selector);
const qa = (selector) => [...(widget()?.shadowRoot?.querySelectorAll(selector) || [])];

function waitFor(check, what, ms = 30000) {
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

function lineShows(n) {
    const line = q(".line");
    return (
        line &&
        !line.hidden &&
        line.textContent === `You are number ${n} in line` &&
        widget().dataset.queue === String(n)
    );
}

tours.add("live_chat_queue_visitor_tour", {
    test: true,
    steps: () => [
        {
            content: "The visitor writes while every operator is busy: second in line, then first, then served",
            trigger: "body",
            async run() {
                try {
                    const button = await waitFor(() => q("button.btn"), "the chat button");
                    button.click();
                    await waitFor(() => widget().dataset.state === "open", "the open window");
                    const input = await waitFor(() => q(".compose textarea"), "the input");
                    input.value = "Am I in line?";
                    input.dispatchEvent(new Event("input", { bubbles: true }));
                    q(".compose .send").click();
                    await waitFor(() => lineShows(2), "You are number 2 in line");
                    // The visitor ahead gives up: one place up, in real time.
                    await waitFor(() => lineShows(1), "You are number 1 in line");
                    // The operator frees a place: it is this visitor's.
                    await waitFor(
                        () => q(".line").hidden && widget().dataset.queue === "0",
                        "the line notice gone"
                    );
                    await waitFor(
                        () =>
                            qa(".msg.note .body").some(
                                (node) => node.textContent === "You are now talking with Vicky"
                            ),
                        "You are now talking with Vicky"
                    );
                    await waitFor(() => q(".head .title").textContent === "Vicky", "the operator's name");
                    await waitFor(
                        () =>
                            qa(".msg.op .body").some((node) =>
                                node.textContent.includes("Thanks for waiting")
                            ),
                        "the operator's answer"
                    );
                    document.body.classList.add("o_live_chat_queue_tour_done");
                } catch (error) {
                    console.error(`live_chat_queue_visitor_tour failed: ${error.message}`);
                }
            },
        },
        {
            content: "done",
            trigger: "body.o_live_chat_queue_tour_done",
            isCheck: true,
        },
    ],
});

// -- Transfer from the thread's actions ---------------------------------

tours.add("live_chat_transfer_tour", {
    test: true,
    url: "/web#action=mail.action_discuss",
    steps: () => [
        {
            content: "Open the session in Discuss",
            trigger: ".o-mail-DiscussSidebarChannel:contains(Tom Transfer)",
        },
        {
            content: "Its messages show",
            trigger: ".o-mail-Discuss .o-mail-Message:contains(Can someone from billing help?)",
            isCheck: true,
        },
        {
            content: "Transfer, from the thread's actions",
            trigger: ".o-mail-Discuss-header button[name='live-chat-transfer']",
        },
        {
            content: "The dialog offers the available colleague and the other channel",
            trigger: ".o_live_chat_transfer_dialog .o_live_chat_transfer_channel:contains(Billing)",
            isCheck: true,
        },
        {
            content: "Pick Ana",
            trigger: ".o_live_chat_transfer_dialog .o_live_chat_transfer_operator:contains(Ana Colleague)",
        },
        {
            content: "The dialog closes; the session leaves my Discuss",
            trigger: "body:not(:has(.o_live_chat_transfer_dialog))",
            extra_trigger:
                ".o-mail-DiscussSidebar:not(:has(.o-mail-DiscussSidebarChannel:contains(Tom Transfer)))",
            isCheck: true,
        },
    ],
});

// The colleague's Odoo: the session's window is open, with the history and
// the transfer notice, and it is new (bold, unread badge) in the menu.
const colleagueSeesTheWindow = [
    {
        content: "The transferred session's chat window is open",
        trigger: ".o-mail-ChatWindow:contains(Tom Transfer)",
        isCheck: true,
    },
    {
        content: "With the conversation so far",
        trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Can someone from billing help?)",
        isCheck: true,
    },
    {
        content: "And the transfer notice",
        trigger: ".o-mail-ChatWindow:contains(transferred the conversation to Ana)",
        isCheck: true,
    },
];

tours.add("live_chat_transfer_colleague_tour", {
    test: true,
    url: "/web#action=live_chat.live_chat_channel_action",
    steps: () => [
        ...colleagueSeesTheWindow,
        {
            content: "Open the Conversations menu",
            trigger: ".o_menu_systray i[aria-label='Messages']",
        },
        {
            content: "Its Live Chat tab",
            trigger: ".o-mail-MessagingMenu .o_live_chat_messaging_tab",
        },
        {
            content: "The session is new there: highlighted, with an unread badge",
            trigger:
                ".o-mail-MessagingMenu .o-mail-NotificationItem.o-important:contains(Tom Transfer) .o-mail-NotificationItem-counter",
            isCheck: true,
        },
    ],
});

tours.add("live_chat_transfer_realtime_tour", {
    test: true,
    url: "/web#action=live_chat.live_chat_channel_action",
    steps: () => [
        {
            content: "The colleague works elsewhere, no chat window open",
            trigger: ".o_kanban_record:contains(Transfer Support)",
            extra_trigger: "body:not(:has(.o-mail-ChatWindow))",
            run() {
                document.body.classList.add("o_live_chat_transfer_ready");
            },
        },
        ...colleagueSeesTheWindow,
    ],
});

// -- The Live Chat status in the systray --------------------------------

tours.add("live_chat_status_tour", {
    test: true,
    url: "/web",
    steps: () => [
        {
            content: "The systray says Available",
            trigger: ".o_live_chat_status_menu .o_live_chat_status_toggler[data-status='available']",
            isCheck: true,
        },
        {
            content: "Open the Live Chat status",
            trigger: ".o_live_chat_status_menu .dropdown-toggle",
        },
        {
            content: "Choose Away",
            trigger: ".o_live_chat_status_away",
        },
        {
            content: "It says Away, and so does the server",
            trigger: ".o_live_chat_status_menu .o_live_chat_status_toggler[data-status='away']:contains(Away)",
            async run() {
                const response = await fetch("/web/dataset/call_kw/res.users/read", {
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({
                        jsonrpc: "2.0",
                        method: "call",
                        params: {
                            model: "res.users",
                            method: "read",
                            args: [[session.uid], ["live_chat_status"]],
                            kwargs: {},
                        },
                    }),
                });
                const status = (await response.json()).result[0].live_chat_status;
                if (status !== "away") {
                    console.error(`live_chat_status_tour: the server says ${status}`);
                }
            },
        },
        {
            content: "Open it again",
            trigger: ".o_live_chat_status_menu .dropdown-toggle",
        },
        {
            content: "Back to Available",
            trigger: ".o_live_chat_status_available",
        },
        {
            content: "It says Available",
            trigger:
                ".o_live_chat_status_menu .o_live_chat_status_toggler[data-status='available']:contains(Available)",
            isCheck: true,
        },
    ],
});
