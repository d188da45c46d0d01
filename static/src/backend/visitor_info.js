/** @odoo-module */

import { ChatWindow } from "@mail/core/common/chat_window";
import { Discuss } from "@mail/core/common/discuss";
import { threadActionsRegistry } from "@mail/core/common/thread_actions";

import { Component } from "@odoo/owl";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { _t } from "@web/core/l10n/translation";

/**
 * Who the visitor of a live chat session is: name, country, the page where
 * the chat started, and whether they are still in the conversation.
 */
export class LiveChatVisitorInfo extends Component {
    static template = "live_chat.VisitorInfo";
    static props = { thread: Object };

    get info() {
        return this.props.thread.liveChat || {};
    }

    get flagUrl() {
        return this.info.countryCode
            ? `/base/static/img/country_flags/${encodeURIComponent(this.info.countryCode)}.png`
            : false;
    }

    get status() {
        if (!this.info.closed) {
            return _t("In the conversation");
        }
        return this.info.closedBy === "operator"
            ? _t("Closed by the operator")
            : _t("The visitor left the conversation");
    }
}

Object.assign(ChatWindow.components, { LiveChatVisitorInfo });
Object.assign(Discuss.components, { LiveChatVisitorInfo });

threadActionsRegistry.add("live-chat-leave", {
    condition(component) {
        const thread = component.thread;
        return (
            thread?.isLiveChat &&
            !thread.isLiveChatClosed &&
            (!component.props.chatWindow || component.props.chatWindow.isOpen)
        );
    },
    icon: "fa fa-fw fa-sign-out",
    name: _t("Leave the session"),
    open(component) {
        const thread = component.thread;
        const { dialog, orm } = component.env.services;
        dialog.add(ConfirmationDialog, {
            body: _t(
                "Leave this live chat session? The visitor is told and can no longer write in it."
            ),
            confirmLabel: _t("Leave the session"),
            confirm: async () => {
                await orm.call("discuss.channel", "live_chat_close_by_operator", [[thread.id]]);
                thread.liveChat = { ...thread.liveChat, closed: true, closedBy: "operator" };
            },
            cancel: () => {},
        });
    },
    sequence: 25,
});
