/** @odoo-module */

import { registry } from "@web/core/registry";

// An administrator sets how long visitors' data is kept and how their
// address is stored, in Live Chat > Configuration > Settings.
registry.category("web_tour.tours").add("live_chat_privacy_settings_tour", {
    test: true,
    url: "/web#action=live_chat.live_chat_config_settings_action",
    steps: () => [
        {
            content: "The Live Chat settings show the visitors' data block",
            trigger: '.o_setting_box:contains("Delete old sessions")',
            isCheck: true,
        },
        {
            content: "Turn on the deletion of old sessions",
            trigger: '.o_field_widget[name="live_chat_retention_enabled"] input',
        },
        {
            content: "Keep them 90 days",
            trigger: '.o_field_widget[name="live_chat_retention_days"] input',
            run: "text 90",
        },
        {
            content: "Store visitors' addresses anonymized",
            trigger: '.o_field_widget[name="live_chat_visitor_address"] label:contains("Store it anonymized")',
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
        },
        {
            content: "The settings are saved and shown again",
            trigger: '.o_form_view:not(:has(.o_dirty_warning)) .o_field_widget[name="live_chat_retention_enabled"] input:checked',
            isCheck: true,
        },
    ],
});

// An administrator erases a visitor's data from the session's form.
registry.category("web_tour.tours").add("live_chat_erase_visitor_tour", {
    test: true,
    steps: () => [
        {
            content: "The session of the visitor",
            trigger: '.o_form_view .oe_title:contains("Vera Visitor")',
            isCheck: true,
        },
        {
            content: "Erase the visitor's data",
            trigger: 'button[name="action_live_chat_erase_visitor_data"]',
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
        },
        {
            content: "The session is now anonymous",
            trigger: '.o_form_view .oe_title:contains("Erased visitor")',
            isCheck: true,
        },
        {
            content: "and the button is gone",
            trigger: '.o_form_view:not(:has(button[name="action_live_chat_erase_visitor_data"]))',
            isCheck: true,
        },
    ],
});
