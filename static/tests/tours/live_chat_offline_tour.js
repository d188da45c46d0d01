/** @odoo-module */

// Operator side of the offline messages (issue 17), run by
// tests/test_offline_tours.py: the visitor's message, left while nobody could
// answer, is in Discuss; the operator answers it there (the server emails
// the answer to the visitor).

import { registry } from "@web/core/registry";

const openOfflineSession = [
    {
        content: "The offline message is in the Live Chat category, unread",
        trigger: ".o-mail-DiscussSidebarCategory-liveChat",
        extra_trigger: ".o-mail-DiscussSidebarChannel.o-unread:contains(Nina Night)",
        isCheck: true,
    },
    {
        content: "Open it",
        trigger: ".o-mail-DiscussSidebarChannel:contains(Nina Night)",
    },
    {
        content: "The visitor's message is in the thread",
        trigger: ".o-mail-Discuss .o-mail-Message:contains(Do you ship to Norway?)",
        isCheck: true,
    },
    {
        content: "The thread says it is an offline message answered by email",
        trigger: ".o-mail-Discuss .o_live_chat_visitor_info:contains(Offline message)",
        extra_trigger:
            ".o-mail-Discuss .o_live_chat_email_notice:contains(nina@example.com)",
        isCheck: true,
    },
];

registry.category("web_tour.tours").add("live_chat_offline_operator_sees_message", {
    test: true,
    url: "/web#action=mail.action_discuss",
    steps: () => [
        ...openOfflineSession,
        {
            content: "The operator can answer: the composer is there",
            trigger: ".o-mail-Discuss .o-mail-Composer-input",
            extra_trigger: ".o-mail-Discuss:not(:has(.o_live_chat_closed_notice))",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("live_chat_offline_operator_answers", {
    test: true,
    url: "/web#action=mail.action_discuss",
    steps: () => [
        ...openOfflineSession,
        {
            content: "The operator answers",
            trigger: ".o-mail-Discuss .o-mail-Composer-input",
            run(actions) {
                actions.text("Yes, we ship to Norway in 5 days.", this.$anchor);
                this.$anchor[0].dispatchEvent(
                    new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true })
                );
            },
        },
        {
            content: "The answer is in the thread, and the session is the operator's",
            trigger: ".o-mail-Discuss .o-mail-Message:contains(Yes, we ship to Norway in 5 days.)",
            isCheck: true,
        },
    ],
});
