/** @odoo-module */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("live_chat_channel_admin_tour", {
    test: true,
    url: "/web",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
        },
        {
            content: "Open the Live Chat app",
            trigger: '.o_app[data-menu-xmlid="live_chat.menu_live_chat_root"]',
        },
        {
            content: "The default channel is on the kanban",
            trigger: '.o_kanban_record:contains("YourWebsite.com")',
            isCheck: true,
        },
        {
            content: "Create a channel",
            trigger: ".o-kanban-button-new",
        },
        {
            content: "Name it",
            trigger: '.o_field_widget[name="name"] input',
            run: "text Tour Channel",
        },
        {
            content: "The creator is an operator by default",
            trigger: '.o_field_widget[name="user_ids"] .o_data_row:contains("Mitchell Admin")',
            isCheck: true,
        },
        {
            content: "Add existing users as operators",
            trigger: '.o_field_widget[name="user_ids"] .o_field_x2many_list_row_add a',
        },
        {
            content: "Pick the first one in the search popup",
            trigger: 'div.modal-dialog tr:contains("Tina Tour") input.form-check-input',
        },
        {
            content: "and the second one",
            trigger: 'div.modal-dialog tr:contains("Theo Tour") input.form-check-input',
        },
        {
            content: "Confirm the selection",
            trigger: "div.modal-dialog .o_select_button",
        },
        {
            content: "Both are listed as operators",
            trigger: '.o_field_widget[name="user_ids"] .o_data_row:contains("Theo Tour")',
            extra_trigger: '.o_field_widget[name="user_ids"] .o_data_row:contains("Tina Tour")',
            isCheck: true,
        },
        {
            content: "Remove Theo again",
            trigger: '.o_field_widget[name="user_ids"] .o_data_row:contains("Theo Tour") .o_list_record_remove',
        },
        {
            content: "Open the Options tab",
            trigger: '.o_notebook .nav-link:contains("Options")',
        },
        {
            content: "Change the button text",
            trigger: '.o_field_widget[name="button_text"] input',
            run: "text Talk to the tour",
        },
        {
            content: "Open the Channel Rules tab",
            trigger: '.o_notebook .nav-link:contains("Channel Rules")',
        },
        {
            content: "Add a rule",
            trigger: '.o_field_widget[name="rule_ids"] .o_field_x2many_list_row_add a',
        },
        {
            content: "Limit it to the shop",
            trigger: '.o_field_widget[name="rule_ids"] .o_data_row .o_field_widget[name="url_regex"] input',
            run: "text /shop",
        },
        {
            content: "Save the channel",
            trigger: ".o_form_button_save",
        },
        {
            content: "Open the Widget tab",
            trigger: '.o_form_saved .o_notebook .nav-link:contains("Widget")',
        },
        {
            content: "The script to paste is shown",
            trigger: '.o_field_widget[name="script_snippet"]:contains("/live_chat/embed/")',
            isCheck: true,
        },
        {
            content: "The direct link is shown",
            trigger: '.o_field_widget[name="direct_link"]:contains("/live_chat/chat/")',
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("live_chat_channel_join_leave_tour", {
    test: true,
    url: "/web#action=live_chat.live_chat_channel_action",
    steps: () => [
        {
            content: "Join the channel from its card",
            trigger: '.o_kanban_record:contains("Tour Join Channel") .o_live_chat_join',
        },
        {
            content: "The card now offers to leave, and counts me",
            trigger: '.o_kanban_record:contains("Tour Join Channel") .o_live_chat_leave',
        },
        {
            content: "Back to JOIN once left",
            trigger: '.o_kanban_record:contains("Tour Join Channel") .o_live_chat_join',
            isCheck: true,
        },
    ],
});
