/** @odoo-module */

import { registry } from "@web/core/registry";

function pressEnter(element) {
    element.dispatchEvent(
        new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true })
    );
}

// The operator turns a live chat session into a lead with /lead, opens the
// lead from the thread's link, reads the transcript in its chatter and goes
// back to the session with the lead's smart button.
registry.category("web_tour.tours").add("live_chat_crm_lead_tour", {
    test: true,
    url: "/web#action=mail.action_discuss",
    steps: () => [
        {
            content: "Open the session in the Live Chat category",
            trigger: ".o-mail-DiscussSidebarChannel:contains(Vera Visitor)",
        },
        {
            content: "The /lead command is offered in a live chat session",
            trigger: ".o-mail-Discuss .o-mail-Composer-input",
            extra_trigger: ".o-mail-Discuss .o-mail-Message:contains(We need 40 licences before June.)",
            run(actions) {
                actions.text("/lea", this.$anchor);
            },
        },
        {
            content: "The suggestion list has it",
            trigger: ".o-mail-Composer-suggestionList .o-mail-NavigableList-item strong:contains(lead)",
            isCheck: true,
        },
        {
            content: "Type the command with the lead's title",
            trigger: ".o-mail-Discuss .o-mail-Composer-input",
            run(actions) {
                actions.text("/lead 40 licences for Vera", this.$anchor);
            },
        },
        {
            content: "Send it",
            trigger: ".o-mail-Discuss .o-mail-Composer-input",
            extra_trigger: ".o-mail-Discuss:not(:has(.o-mail-Composer-suggestionList .o-open))",
            run() {
                pressEnter(this.$anchor[0]);
            },
        },
        {
            content: "The thread links to the new lead",
            trigger: ".o-mail-Discuss .o-mail-NotificationMessage:contains(created the lead) a:contains(40 licences for Vera)",
        },
        {
            content: "The lead's form opened, with the transcript in its chatter",
            trigger: ".o_form_view .o-mail-Chatter .o-mail-Message:contains(Live chat transcript):contains(We need 40 licences before June.)",
            extra_trigger: ".o_breadcrumb:contains(40 licences for Vera)",
            isCheck: true,
        },
        {
            content: "Its smart button goes back to the live chat session",
            trigger: ".o_form_view button[name='action_view_live_chat_sessions']:contains(Live Chats):contains(1)",
        },
        {
            content: "The session's form",
            trigger: ".o_form_view .o_field_widget[name='live_chat_visitor_name']:contains(Vera Visitor)",
            extra_trigger: ".o_form_view .o_field_widget[name='live_chat_url']:contains(https://shop.example.com/pricing)",
            isCheck: true,
        },
    ],
});
