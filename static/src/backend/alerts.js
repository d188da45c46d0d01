/** @odoo-module */

import { OutOfFocusService } from "@mail/core/common/out_of_focus_service";
import { DiscussCoreCommon } from "@mail/discuss/core/common/discuss_core_common_service";
import { ThreadService } from "@mail/core/common/thread_service";
import { htmlToTextContentInline } from "@mail/utils/common/format";

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { patch } from "@web/core/utils/patch";

import { LIVE_CHAT_TYPE } from "./thread_model_patch";

// Sessions just alerted for (id -> time): mail's own alert for the
// visitor's first message, which follows, is then not played twice.
const alertedAt = new Map();
const ALERT_WINDOW_MS = 10000;
// Sessions transferred away from me: I am no longer their member, so what
// is still said in them until the bus drops my subscription is not mine
// to fetch (mail would ask the server for the channel, and be refused).
const transferredAway = new Set();

/**
 * A session was just given to me (new, from the queue, or transferred):
 * a sound, and when Odoo is hidden a browser notification with the
 * visitor's name and first message (or nothing more when this browser gets
 * Odoo's web push, which the server sent). Its chat window opens through
 * "discuss.channel/joined" (discuss_patch.js).
 */
export const liveChatAlertService = {
    dependencies: ["bus_service", "mail.chat_window", "mail.out_of_focus", "mail.store", "notification"],
    start(env, services) {
        const { bus_service, notification } = services;
        const chatWindowService = services["mail.chat_window"];
        const outOfFocus = services["mail.out_of_focus"];
        const store = services["mail.store"];
        bus_service.subscribe("live_chat/new_session", async ({ id, title, body }) => {
            alertedAt.set(id, Date.now());
            env.bus.trigger("live_chat/new_session", { id, title, body });
            if (!document.hidden) {
                outOfFocus._playSound();
                return;
            }
            if (await outOfFocus.hasServiceWorkInstalledAndPushSubscriptionActive()) {
                outOfFocus._playSound(); // the push shows the notification
                return;
            }
            outOfFocus.sendNotification({ message: body, title, type: "info" });
        });
        bus_service.subscribe("discuss.channel/joined", ({ channel }) => {
            transferredAway.delete(channel?.id); // transferred back to me
        });
        // The session went to a colleague: it leaves my Discuss and windows.
        bus_service.subscribe("live_chat/transferred", ({ id, operatorName, visitorName }) => {
            transferredAway.add(id);
            const thread = store.Thread.get({ model: "discuss.channel", id });
            if (thread) {
                for (const chatWindow of [...store.discuss.chatWindows]) {
                    if (chatWindow.thread?.eq(thread)) {
                        // Not told to the server: the member is gone.
                        chatWindowService.close(chatWindow, { notifyState: false });
                    }
                }
                thread.delete();
            }
            notification.add(
                _t("%(visitor)s is now talking with %(operator)s.", {
                    visitor: visitorName,
                    operator: operatorName,
                }),
                { type: "info" }
            );
        });
    },
};
registry.category("services").add("live_chat.alert", liveChatAlertService);

patch(DiscussCoreCommon.prototype, {
    async _handleNotificationNewMessage(notif) {
        if (transferredAway.has(notif.payload?.id)) {
            return;
        }
        return super._handleNotificationNewMessage(...arguments);
    },
});

patch(ThreadService.prototype, {
    notifyMessageToUser(thread, message) {
        const at = thread.type === LIVE_CHAT_TYPE && alertedAt.get(thread.id);
        if (at && Date.now() - at < ALERT_WINDOW_MS) {
            this.store.ChatWindow.insert({ thread });
            return;
        }
        return super.notifyMessageToUser(...arguments);
    },
});

patch(OutOfFocusService.prototype, {
    async notify(message, channel) {
        if (channel?.type !== LIVE_CHAT_TYPE) {
            return super.notify(...arguments);
        }
        // The server pushes only new sessions: the visitor's next messages
        // are notified here even when the browser gets web push.
        const title = message.author?.name || channel.displayName;
        const body = htmlToTextContentInline(message.body).substring(0, 350);
        this.sendNotification({ message: body, title, type: "info" });
    },
});
