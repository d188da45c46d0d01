/** @odoo-module */

import { DiscussApp } from "@mail/core/common/discuss_app_model";
import { DiscussAppCategory } from "@mail/core/common/discuss_app_category_model";
import { Record } from "@mail/core/common/record";
import { Thread } from "@mail/core/common/thread_model";
import { ThreadService } from "@mail/core/common/thread_service";
import { compareDatetime } from "@mail/utils/common/misc";

import { _t } from "@web/core/l10n/translation";
import { url } from "@web/core/utils/urls";
import { patch } from "@web/core/utils/patch";

export const LIVE_CHAT_TYPE = "live_chat";
export const LIVE_CHAT_CATEGORY = "liveChats";

// A live chat session is a discuss.channel of type "live_chat". Mail knows
// "channel", "chat" and "group": teach its Thread what a session is.
patch(Thread.prototype, {
    setup() {
        super.setup();
        /** Visitor info sent by the server (`_live_chat_operator_info`). */
        this.liveChat = undefined;
    },
    update(data) {
        super.update(data);
        if (data && "liveChat" in data) {
            this.liveChat = data.liveChat ? { ...this.liveChat, ...data.liveChat } : data.liveChat;
        }
        if (this.type === LIVE_CHAT_TYPE) {
            // Only sessions where the visitor wrote (sessions made before
            // they started with the visitor's first message may be empty).
            if (this.liveChat?.visitorWrote === false) {
                this._store.discuss[LIVE_CHAT_CATEGORY].threads.delete(this);
            } else {
                this._store.discuss[LIVE_CHAT_CATEGORY].threads.add(this);
            }
        }
    },
    get isLiveChat() {
        return this.type === LIVE_CHAT_TYPE;
    },
    get isLiveChatClosed() {
        return this.isLiveChat && Boolean(this.liveChat?.closed);
    },
    // Unread counters, the messaging menu preview and the "@" mention
    // prefix work for sessions as they do for direct chats.
    get isChatChannel() {
        return this.isLiveChat || super.isChatChannel;
    },
    get imgUrl() {
        if (this.isLiveChat) {
            return url(`/discuss/channel/${this.id}/avatar_128`);
        }
        return super.imgUrl;
    },
    get displayName() {
        if (this.isLiveChat && this.liveChat?.visitorName) {
            return this.custom_channel_name || this.liveChat.visitorName;
        }
        return super.displayName;
    },
});

// The "Live Chat" category of the Discuss sidebar.
patch(DiscussApp, {
    new(data) {
        const app = super.new(data);
        app[LIVE_CHAT_CATEGORY] = {
            extraClass: "o-mail-DiscussSidebarCategory-liveChat",
            id: LIVE_CHAT_CATEGORY,
            name: _t("Live Chat"),
            isOpen: true,
            canView: false,
            canAdd: false,
            serverStateKey: "is_discuss_sidebar_category_live_chat_open",
        };
        return app;
    },
});

patch(DiscussApp.prototype, {
    setup() {
        super.setup();
        this[LIVE_CHAT_CATEGORY] = Record.one("DiscussAppCategory");
    },
});

patch(DiscussAppCategory.prototype, {
    sortThreads(t1, t2) {
        if (this.id === LIVE_CHAT_CATEGORY) {
            // Newest activity first, like direct messages.
            return (
                compareDatetime(t2.lastInterestDateTime, t1.lastInterestDateTime) || t2.id - t1.id
            );
        }
        return super.sortThreads(t1, t2);
    },
});

// Opening a session in Discuss is reading it: its highlight goes, whether or
// not the browser gave the composer the focus (which is when mail marks
// other conversations as read).
patch(ThreadService.prototype, {
    setDiscussThread(thread, pushState) {
        super.setDiscussThread(thread, pushState);
        if (thread.isLiveChat && thread.isUnread) {
            this.markAsRead(thread);
        }
    },
});
