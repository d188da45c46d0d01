/** @odoo-module */

import { Component, onWillUnmount, useState } from "@odoo/owl";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { session } from "@web/session";

/**
 * The operator's Live Chat status in the systray: Available (new sessions
 * come) or Away (no new session; the open ones go on). Logged out, or
 * inactive in Odoo for 30 minutes, counts as away whatever this says.
 */
export class LiveChatStatusMenu extends Component {
    static template = "live_chat.StatusMenu";
    static components = { Dropdown, DropdownItem };
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.busService = this.env.services.bus_service;
        this.state = useState({ status: session.live_chat_status || "available" });
        // Another tab (or the preferences) changed it.
        const onStatus = ({ status }) => {
            this.state.status = status;
            session.live_chat_status = status;
        };
        this.busService.subscribe("live_chat/status", onStatus);
        onWillUnmount(() => this.busService.unsubscribe("live_chat/status", onStatus));
    }

    get title() {
        return _t("Live Chat status: %s", this.label);
    }

    get label() {
        return this.state.status === "away" ? _t("Away") : _t("Available");
    }

    async setStatus(status) {
        this.state.status = await this.orm.call("res.users", "live_chat_set_status", [status]);
        session.live_chat_status = this.state.status;
    }
}

registry.category("systray").add(
    "live_chat.status",
    {
        Component: LiveChatStatusMenu,
        isDisplayed: () => session.live_chat_status !== undefined,
    },
    { sequence: 25 }
);
