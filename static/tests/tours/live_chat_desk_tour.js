/** @odoo-module */

// Issue 20, the operator's desk: canned responses (":"), the visitor's
// pages and "/history" in a live chat thread; the administrator's Channel
// Rules and live preview. Started from tests/test_desk_tours.py.

import { registry } from "@web/core/registry";

import { callKw, channelId, pressEnter, visitorCall } from "@live_chat/../tests/tours/live_chat_tour_utils";

// Discuss: ":" and the first letters of a shortcut suggest the canned
// responses; picking one puts its text in the composer.
registry.category("web_tour.tours").add("live_chat_canned_response_discuss_tour", {
    test: true,
    url: "/web#action=mail.action_discuss",
    steps: () => [
        {
            content: "Open the session in the Live Chat category",
            trigger: ".o-mail-DiscussSidebarChannel:contains(Carla Canned)",
        },
        {
            content: "A canned response is added after the page loaded",
            trigger: ".o-mail-Discuss .o_live_chat_visitor_info:contains(Carla Canned)",
            async run() {
                await callKw("mail.shortcode", "create", [
                    { source: "grazie", substitution: "Thanks a lot!" },
                ]);
                document.body.classList.add("o_live_chat_tour_response_added");
            },
        },
        {
            content: "Type ':gr' in the composer",
            trigger: ".o-mail-Discuss .o-mail-Composer-input",
            extra_trigger: "body.o_live_chat_tour_response_added",
            run: "text :gr",
        },
        {
            content: "The responses whose shortcut starts with 'gr' are suggested, not the others",
            trigger: ".o-mail-Composer-suggestion:contains(greetings)",
            extra_trigger: ".o-mail-Composer-suggestionList:not(:has(.o-mail-Composer-suggestion:contains(ciao)))",
            isCheck: true,
        },
        {
            content: "Also the one added after the page loaded",
            trigger: ".o-mail-Composer-suggestion:contains(grazie)",
            isCheck: true,
        },
        {
            content: "Pick the greeting",
            trigger: ".o-mail-Composer-suggestion:contains(greetings)",
        },
        {
            content: "Its text replaced ':gr' in the composer",
            trigger: ".o-mail-Discuss .o-mail-Composer-input",
            run() {
                const value = this.$anchor[0].value;
                if (value.trim() !== "Good morning! How can I help you today?") {
                    throw new Error(`the composer holds "${value}"`);
                }
                pressEnter(this.$anchor[0]);
            },
        },
        {
            content: "The response is posted in the session",
            trigger: ".o-mail-Discuss .o-mail-Message:contains(Good morning! How can I help you today?)",
            isCheck: true,
        },
    ],
});

// The chat window that opens by itself for a new session: the banner follows
// the visitor's pages, ":" inserts a canned response, "/history" lists the
// pages to the operator.
registry.category("web_tour.tours").add("live_chat_canned_response_chat_window_tour", {
    test: true,
    url: "/web#action=live_chat.live_chat_channel_action",
    steps: () => [
        {
            content: "A visitor starts a chat",
            trigger: ".o_kanban_record:contains(Desk Tour Channel)",
            extra_trigger: "body:not(:has(.o-mail-ChatWindow))",
            async run() {
                window.__liveChatDeskSession = await visitorCall("/live_chat/session/start", {
                    channel_id: await channelId("Desk Tour Channel"),
                    url: "https://example.com/landing",
                    visitor_name: "Wanda Window",
                    body: "Hi, I have a question",
                });
            },
        },
        {
            content: "Its chat window opened, the banner shows the landing page",
            trigger: ".o-mail-ChatWindow .o_live_chat_visitor_info:contains(https://example.com/landing)",
            extra_trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Hi, I have a question)",
            isCheck: true,
        },
        {
            content: "The visitor opens another page of the site",
            trigger: ".o-mail-ChatWindow .o_live_chat_visitor_info",
            async run() {
                const session = window.__liveChatDeskSession;
                await visitorCall("/live_chat/session/page", {
                    session_id: session.session_id,
                    guest_token: session.guest_token,
                    url: "https://example.com/shop/cart",
                    title: "Your cart",
                });
            },
        },
        {
            content: "The banner follows: the page they are on now, and the last pages",
            trigger: ".o-mail-ChatWindow .o_live_chat_visitor_url:contains(Your cart)",
            extra_trigger: ".o-mail-ChatWindow .o_live_chat_visitor_pages",
            isCheck: true,
        },
        {
            content: "Click in the composer (the window opened without taking the focus) and type ':th'",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run(actions) {
                this.$anchor[0].focus();
                actions.text(":th", this.$anchor);
            },
        },
        {
            content: "Pick the suggested response",
            trigger: ".o-mail-Composer-suggestion:contains(thanks)",
        },
        {
            content: "Send it",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run() {
                if (!this.$anchor[0].value.includes("Thank you for your patience.")) {
                    throw new Error(`the composer holds "${this.$anchor[0].value}"`);
                }
                pressEnter(this.$anchor[0]);
            },
        },
        {
            content: "The response is in the thread",
            trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Thank you for your patience.)",
            isCheck: true,
        },
        {
            content: "Type /history",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run(actions) {
                actions.text("/history", this.$anchor);
                pressEnter(this.$anchor[0]);
            },
        },
        {
            content: "The operator reads the visitor's pages, newest first",
            trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Pages opened by Wanda Window):contains(https://example.com/shop/cart):contains(https://example.com/landing)",
            isCheck: true,
        },
    ],
});

// The administrator's Channel Rules: a rule below the catch-all is flagged,
// "Add a line" puts the new rule above the catch-all; the Options tab
// previews the button and the window as they are edited.
registry.category("web_tour.tours").add("live_chat_channel_rules_preview_tour", {
    test: true,
    steps: () => [
        {
            content: "Open the Channel Rules tab",
            trigger: ".o_notebook a:contains(Channel Rules)",
        },
        {
            content: "The rule below the catch-all is flagged with a warning",
            trigger: ".o_field_widget[name=rule_ids] .o_data_row.text-warning:contains(/blog)",
            extra_trigger: ".o_field_widget[name=rule_ids] .o_data_row:contains(/blog):contains(Never applies)",
            isCheck: true,
        },
        {
            content: "The other rules are not",
            trigger: ".o_field_widget[name=rule_ids] .o_data_row:contains(/shop):not(.text-warning)",
            isCheck: true,
        },
        {
            content: "Add a line",
            trigger: ".o_field_widget[name=rule_ids] .o_field_x2many_list_row_add a",
        },
        {
            content: "The new rule's URL regex",
            trigger: ".o_field_widget[name=rule_ids] .o_selected_row [name=url_regex] input",
            run: "text /contactus",
        },
        {
            content: "The new rule sits above the catch-all, where it applies",
            trigger: ".o_field_widget[name=rule_ids] .o_data_row:eq(1).o_selected_row",
            run() {
                const rows = [
                    ...document.querySelectorAll(".o_field_widget[name=rule_ids] .o_data_row"),
                ];
                const texts = rows.map(
                    (row) =>
                        row.querySelector("[name=url_regex] input")?.value ??
                        row.querySelector("[name=url_regex]").textContent.trim()
                );
                if (texts[0] !== "/shop" || texts[1] !== "/contactus" || texts[3] !== "/blog") {
                    throw new Error(`rules in this order: ${JSON.stringify(texts)}`);
                }
            },
        },
        {
            content: "Open the Options tab",
            trigger: ".o_notebook a:contains(Options)",
        },
        {
            content: "The preview shows the channel's button and window",
            trigger: ".o_live_chat_preview .o_live_chat_preview_button:contains(Ask the preview)",
            extra_trigger: ".o_live_chat_preview .o_live_chat_preview_header:contains(Rules Tour Channel)",
            isCheck: true,
        },
        {
            content: "Change the button text",
            trigger: ".o_field_widget[name=button_text] input",
            run: "text Talk to us now",
        },
        {
            content: "The preview follows as it is typed",
            trigger: ".o_live_chat_preview .o_live_chat_preview_button:contains(Talk to us now)",
            isCheck: true,
        },
        {
            content: "Change the welcome message",
            trigger: ".o_field_widget[name=welcome_message] input",
            run: "text Welcome to the preview!",
        },
        {
            content: "The preview's window shows it",
            trigger: ".o_live_chat_preview .o_live_chat_preview_welcome:contains(Welcome to the preview!)",
            isCheck: true,
        },
        {
            content: "Change the button colour",
            trigger: ".o_field_widget[name=button_background_color] input",
            run() {
                const input = this.$anchor[0];
                input.value = "#112233";
                input.dispatchEvent(new Event("input", { bubbles: true }));
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The preview's button takes the colour",
            trigger: ".o_live_chat_preview .o_live_chat_preview_button",
            run() {
                const color = getComputedStyle(this.$anchor[0]).backgroundColor;
                if (color !== "rgb(17, 34, 51)") {
                    throw new Error(`the button is ${color}`);
                }
            },
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
            isCheck: true,
        },
    ],
});
