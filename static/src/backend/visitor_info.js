/** @odoo-module */

import { ChatWindow } from "@mail/core/common/chat_window";
import { Discuss } from "@mail/core/common/discuss";
import { threadActionsRegistry } from "@mail/core/common/thread_actions";

import { Component, onMounted, onWillUnmount, useState } from "@odoo/owl";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { deserializeDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";

const { DateTime } = luxon;

// A visitor going from one page to the next closes a websocket and opens
// another a second later: no "Left" for that.
const PAGE_CHANGE_SECONDS = 15;

/**
 * Who the visitor of a live chat session is: name, country, the page they
 * are on now and the last ones before it, whether they are still on the site
 * and whether they are still in the conversation.
 */
export class LiveChatVisitorInfo extends Component {
    static template = "live_chat.VisitorInfo";
    static props = { thread: Object };

    setup() {
        // "Left 3 min ago" moves on by itself.
        this.clock = useState({ now: DateTime.now() });
        onMounted(() => {
            this.timer = setInterval(() => (this.clock.now = DateTime.now()), 10000);
        });
        onWillUnmount(() => clearInterval(this.timer));
    }

    get info() {
        return this.props.thread.liveChat || {};
    }

    /** Newest first: the page the visitor is on, then the ones before. */
    get pages() {
        if (this.info.visitorPages?.length) {
            return this.info.visitorPages;
        }
        return this.info.url ? [{ url: this.info.url, title: "", date: this.info.start }] : [];
    }

    get currentPage() {
        return this.pages[0];
    }

    isWebUrl(url) {
        return /^https?:\/\//i.test(url || "");
    }

    pageTime(page) {
        return page.date ? deserializeDateTime(page.date).toLocaleString(DateTime.TIME_SIMPLE) : "";
    }

    /** "Online", "Left 3 min ago", or nothing when the server does not know. */
    get presence() {
        const { visitorPresence, visitorSeenAt } = this.info;
        if (!visitorPresence) {
            return false;
        }
        const seenAt = visitorSeenAt ? deserializeDateTime(visitorSeenAt) : this.clock.now;
        const seconds = Math.max(0, this.clock.now.diff(seenAt, "seconds").seconds);
        if (visitorPresence === "online" || seconds < PAGE_CHANGE_SECONDS) {
            return { online: true, label: _t("Online") };
        }
        const minutes = Math.floor(seconds / 60);
        let label;
        if (minutes < 1) {
            label = _t("Left just now");
        } else if (minutes < 60) {
            label = _t("Left %s min ago", minutes);
        } else if (minutes < 24 * 60) {
            label = _t("Left %s h ago", Math.floor(minutes / 60));
        } else {
            label = _t("Left on %s", seenAt.toLocaleString(DateTime.DATETIME_SHORT));
        }
        return { online: false, label, title: seenAt.toLocaleString(DateTime.DATETIME_MED) };
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
            thread.hasSelfAsMember &&
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
