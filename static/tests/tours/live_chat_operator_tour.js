/** @odoo-module */

import { registry } from "@web/core/registry";

import { channelId, pressEnter, visitorCall } from "@live_chat/../tests/tours/live_chat_tour_utils";

// The operator works in another app; a visitor starts a chat: its window
// opens by itself at the bottom right, the operator answers from it.
registry.category("web_tour.tours").add("live_chat_operator_chat_window_tour", {
    test: true,
    url: "/web#action=live_chat.live_chat_channel_action",
    steps: () => [
        {
            content: "The operator is in the Live Chat app, no chat window is open",
            trigger: ".o_kanban_record:contains(Operator Tour Channel)",
            extra_trigger: "body:not(:has(.o-mail-ChatWindow))",
            async run() {
                // The session starts with the visitor's first message.
                const session = await visitorCall("/live_chat/session/start", {
                    channel_id: await channelId("Operator Tour Channel"),
                    url: "https://example.com/pricing",
                    visitor_name: "Vera Visitor",
                    body: "Hello, is anybody there?",
                });
                window.__liveChatTourSession = session;
            },
        },
        {
            content: "The session's chat window opened by itself",
            trigger: ".o-mail-ChatWindow:contains(Vera Visitor)",
            isCheck: true,
        },
        {
            content: "It shows who the visitor is and where the chat started",
            trigger: ".o-mail-ChatWindow .o_live_chat_visitor_info:contains(https://example.com/pricing):contains(In the conversation)",
            isCheck: true,
        },
        {
            content: "The welcome message is there",
            trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Welcome from the operator tour)",
            isCheck: true,
        },
        {
            content: "The visitor's message arrived in real time",
            trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Hello, is anybody there?)",
            isCheck: true,
        },
        {
            content: "The operator answers",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run(actions) {
                actions.text("Hi Vera, how can I help?", this.$anchor);
                pressEnter(this.$anchor[0]);
            },
        },
        {
            content: "The answer is in the thread",
            trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Hi Vera, how can I help?)",
            isCheck: true,
        },
        {
            content: "The visitor's API sees the answer",
            trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Hi Vera, how can I help?)",
            async run() {
                const session = window.__liveChatTourSession;
                const messages = await visitorCall("/live_chat/session/messages", {
                    session_id: session.session_id,
                    guest_token: session.guest_token,
                });
                if (!messages.messages.some((m) => m.body.includes("Hi Vera, how can I help?"))) {
                    throw new Error("The visitor does not see the operator's answer");
                }
                document.body.classList.add("o_live_chat_tour_visitor_saw_reply");
            },
        },
        {
            content: "Open the Conversations menu",
            trigger: ".o_menu_systray i[aria-label='Messages']",
            extra_trigger: "body.o_live_chat_tour_visitor_saw_reply",
        },
        {
            content: "Its Live Chat tab",
            trigger: ".o-mail-MessagingMenu .o_live_chat_messaging_tab",
        },
        {
            content: "The Live Chat tab lists the session",
            trigger: ".o-mail-MessagingMenu .o_live_chat_messaging_tab.fw-bold",
            extra_trigger: ".o-mail-MessagingMenu .o-mail-NotificationItem:contains(Vera Visitor)",
            isCheck: true,
        },
        {
            content: "The Channels tab",
            trigger: ".o-mail-MessagingMenu-header button:contains(Channels)",
        },
        {
            content: "Done: sessions are not among the channels",
            trigger: ".o-mail-MessagingMenu-header button.fw-bold:contains(Channels)",
            extra_trigger: ".o-mail-MessagingMenu:not(:has(.o-mail-NotificationItem:contains(Vera Visitor)))",
            isCheck: true,
        },
    ],
});

// Discuss: the "Live Chat" category lists the session, highlighted with its
// unread counter until opened; the operator then leaves the session.
registry.category("web_tour.tours").add("live_chat_operator_discuss_tour", {
    test: true,
    url: "/web#action=mail.action_discuss",
    steps: () => [
        {
            content: "The Live Chat category is in the sidebar",
            trigger: ".o-mail-DiscussSidebarCategory-liveChat:contains(Live Chat)",
            isCheck: true,
        },
        {
            content: "The new session is highlighted with its unread counter",
            trigger: ".o-mail-DiscussSidebarChannel.o-unread:contains(Dora Discuss) .o-discuss-badge",
            isCheck: true,
        },
        {
            content: "Open it",
            trigger: ".o-mail-DiscussSidebarChannel:contains(Dora Discuss)",
        },
        {
            content: "The visitor's info and messages show",
            trigger: ".o-mail-Discuss .o_live_chat_visitor_info:contains(Dora Discuss):contains(Belgium)",
            extra_trigger: ".o-mail-Discuss .o-mail-Message:contains(I need help with my order)",
            isCheck: true,
        },
        {
            content: "Opening it cleared the highlight",
            trigger: ".o-mail-DiscussSidebarChannel:contains(Dora Discuss):not(.o-unread):not(:has(.o-discuss-badge))",
            isCheck: true,
        },
        {
            content: "Leave the session",
            trigger: ".o-mail-Discuss-header button[name='live-chat-leave']",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
        },
        {
            content: "The session says it is closed and cannot be answered",
            trigger: ".o-mail-Discuss .o_live_chat_closed_notice",
            extra_trigger: ".o-mail-Discuss:not(:has(.o-mail-Composer-input))",
            isCheck: true,
        },
        {
            content: "The visitor info says so too",
            trigger: ".o-mail-Discuss .o_live_chat_visitor_info:contains(Closed by the operator)",
            isCheck: true,
        },
    ],
});
