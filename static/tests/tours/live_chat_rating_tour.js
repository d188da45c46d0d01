/** @odoo-module */

import { registry } from "@web/core/registry";

// The operator's half of "a visitor rates the chat": the visitor's half (chat,
// close, rate "satisfied" with a comment, ask for the transcript) is played by
// the Python test through the public routes until the widget has its end screen.
// The steps in Live Chat > Sessions come with the Sessions views.
registry.category("web_tour.tours").add("live_chat_rating_operator_tour", {
    test: true,
    url: "/web#action=live_chat.live_chat_channel_action",
    steps: () => [
        {
            content: "The channel's card counts the session and its satisfied rating",
            trigger: '.o_kanban_record:contains("API Support") .o_live_chat_statistics:contains("Sessions (14 days): 1"):contains("100% satisfied")',
            isCheck: true,
        },
        {
            content: "Open the Reports menu",
            trigger: '.o_menu_sections button:contains("Reports")',
        },
        {
            content: "Open the operators analysis",
            trigger: '.dropdown-menu .dropdown-item:contains("Operators")',
        },
        {
            content: "The pivot has a row for the session's operator, rated 5",
            trigger: '.o_pivot tbody tr:has(th:contains(" Operator")) td:contains("5.00")',
            isCheck: true,
        },
    ],
});
