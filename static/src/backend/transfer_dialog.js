/** @odoo-module */

import { threadActionsRegistry } from "@mail/core/common/thread_actions";

import { Component, onWillStart, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";

/**
 * Transfer a live chat session to an available colleague of its channel
 * (under the channel's limit) or to another channel, whose operators are
 * chosen as for a new visitor. The server refuses what cannot be done.
 */
export class LiveChatTransferDialog extends Component {
    static template = "live_chat.TransferDialog";
    static components = { Dialog };
    static props = { thread: Object, close: Function };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ operators: [], channels: [], busy: false, error: "" });
        onWillStart(async () => {
            const targets = await this.orm.call("discuss.channel", "live_chat_transfer_targets", [
                [this.props.thread.id],
            ]);
            Object.assign(this.state, targets);
        });
    }

    get title() {
        return _t("Transfer %s", this.props.thread.displayName);
    }

    async transfer(kwargs) {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        this.state.error = "";
        try {
            // The previous operator is told on the bus ("... is now talking
            // with ..."), and the session leaves their Discuss.
            await this.orm.call("discuss.channel", "live_chat_transfer", [[this.props.thread.id]], kwargs);
            this.props.close();
        } catch (error) {
            this.state.error = error.data?.message || error.message || String(error);
            this.state.busy = false;
        }
    }
}

threadActionsRegistry.add("live-chat-transfer", {
    condition(component) {
        const thread = component.thread;
        return (
            thread?.isLiveChat &&
            !thread.isLiveChatClosed &&
            (!component.props.chatWindow || component.props.chatWindow.isOpen)
        );
    },
    icon: "fa fa-fw fa-exchange",
    name: _t("Transfer"),
    open(component) {
        component.env.services.dialog.add(LiveChatTransferDialog, { thread: component.thread });
    },
    sequence: 24,
});
