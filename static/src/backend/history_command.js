/** @odoo-module */

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

import { LIVE_CHAT_TYPE } from "./thread_model_patch";

// "/history" in a live chat session's composer: the server answers the
// operator alone (a transient message) with the pages the visitor opened.
registry.category("discuss.channel_commands").add("history", {
    channel_types: [LIVE_CHAT_TYPE],
    help: _t("List the pages the visitor opened"),
    methodName: "execute_command_history",
});
