/** @odoo-module */

import { DiscussCoreWeb } from "@mail/discuss/core/web/discuss_core_web_service";
import { discussSidebarCategoriesRegistry } from "@mail/discuss/core/web/discuss_sidebar_categories";
import { MessagingMenu } from "@mail/core/web/messaging_menu";

import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

import { LIVE_CHAT_CATEGORY, LIVE_CHAT_TYPE } from "./thread_model_patch";

discussSidebarCategoriesRegistry.add(
    LIVE_CHAT_CATEGORY,
    {
        value: (store) => store.discuss[LIVE_CHAT_CATEGORY],
        // Only operators with sessions get the category.
        predicate: (store) =>
            store.discuss[LIVE_CHAT_CATEGORY].threads.some((thread) => thread.displayToSelf),
    },
    { sequence: 20 }
);

patch(DiscussCoreWeb.prototype, {
    setup() {
        super.setup(...arguments);
        this.messagingService.isReady.then((data) => {
            this.store.discuss[LIVE_CHAT_CATEGORY].isOpen =
                data.current_user_settings.is_discuss_sidebar_category_live_chat_open ?? true;
        });
        this.busService.subscribe("res.users.settings", (payload) => {
            const isOpen = payload?.is_discuss_sidebar_category_live_chat_open;
            if (isOpen !== undefined) {
                this.store.discuss[LIVE_CHAT_CATEGORY].isOpen = isOpen;
            }
        });
        // A visitor's session was just assigned to me: open its chat window
        // at once, whatever app I am in.
        this.busService.subscribe("discuss.channel/joined", ({ channel }) => {
            if (channel.channel_type !== LIVE_CHAT_TYPE || this.ui.isSmall) {
                return;
            }
            const selfPartnerId = this.store.user?.id;
            if (!selfPartnerId || channel.liveChat?.operatorPartnerId !== selfPartnerId) {
                return;
            }
            const thread = this.store.Thread.insert({
                ...channel,
                model: "discuss.channel",
                type: channel.channel_type,
            });
            this.store.ChatWindow.insert({ thread });
        });
    },
});

// The "Live Chat" tab of the messaging menu on small screens (the desktop
// header gets its button from the template).
patch(MessagingMenu.prototype, {
    get tabs() {
        return [
            ...super.tabs,
            { icon: "fa fa-comments-o", id: LIVE_CHAT_TYPE, label: _t("Live Chat") },
        ];
    },
});
