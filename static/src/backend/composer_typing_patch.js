/** @odoo-module */

import { Composer } from "@mail/core/common/composer";
import "@mail/discuss/typing/common/composer_patch";

import { patch } from "@web/core/utils/patch";

import { LIVE_CHAT_TYPE } from "./thread_model_patch";

// mail tells the server that the user is typing only in "chat", "channel"
// and "group" threads: in a live chat session the visitor sees it too
// ("Oz is typing…", sent to the visitor by the server).
patch(Composer.prototype, {
    notifyIsTyping(is_typing = true) {
        if (this.thread?.type === LIVE_CHAT_TYPE && this.thread.model === "discuss.channel") {
            this.rpc(
                "/discuss/channel/notify_typing",
                { channel_id: this.thread.id, is_typing },
                { silent: true }
            );
            return;
        }
        return super.notifyIsTyping(...arguments);
    },
});
