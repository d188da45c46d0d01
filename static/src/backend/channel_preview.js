/** @odoo-module */

import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

// Colours as the colour fields store them; anything else falls back.
const COLOR = /^(#[0-9a-f]{3,8}|rgba?\([0-9., %]+\))$/i;

function safeColor(value, fallback) {
    return value && COLOR.test(value.trim()) ? value.trim() : fallback;
}

/**
 * The Options tab's live preview: the chat button and the chat window as a
 * visitor sees them, with the channel's colours and texts as they are being
 * edited (it reads the form's unsaved values).
 */
export class LiveChatChannelPreview extends Component {
    static template = "live_chat.ChannelPreview";
    static props = { ...standardWidgetProps };

    get data() {
        return this.props.record.data;
    }

    get title() {
        return this.data.name || _t("Live Chat");
    }

    get buttonText() {
        return this.data.button_text || _t("Chat with us");
    }

    get buttonStyle() {
        return (
            `background-color: ${safeColor(this.data.button_background_color, "#875A7B")};` +
            ` color: ${safeColor(this.data.button_text_color, "#FFFFFF")};`
        );
    }

    get headerStyle() {
        return (
            `background-color: ${safeColor(this.data.header_background_color, "#875A7B")};` +
            ` color: ${safeColor(this.data.title_color, "#FFFFFF")};`
        );
    }
}

registry.category("view_widgets").add("live_chat_preview", { component: LiveChatChannelPreview });
