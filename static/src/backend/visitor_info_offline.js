/** @odoo-module */

import { Message } from "@mail/core/common/message_model";
import { Thread } from "@mail/core/common/thread_model";

import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

import { LiveChatVisitorInfo } from "./visitor_info";

// Sessions answered by email (an offline message, or a chat the visitor
// closed after giving their email): the operator still answers, and the
// server emails the answer to the visitor.
patch(Thread.prototype, {
    get isLiveChatClosed() {
        return super.isLiveChatClosed && !this.liveChat?.answersByEmail;
    },
});

// The emails of a session (to the visitor, from the visitor) carry a
// subject; in the chat it is noise.
patch(Message.prototype, {
    get isSubjectDefault() {
        return this.originThread?.type === "live_chat" || super.isSubjectDefault;
    },
});

patch(LiveChatVisitorInfo.prototype, {
    get status() {
        if (this.info.offline && !this.info.closed) {
            return _t("Offline message");
        }
        return super.status;
    },
    get emailNotice() {
        return this.info.answersByEmail && this.info.visitorEmail
            ? _t("Your answers are emailed to %s", this.info.visitorEmail)
            : "";
    },
});
