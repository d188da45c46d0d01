/** @odoo-module */

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

const commands = registry.category("discuss.channel_commands");

// `/lead <title>` in a live chat session: discuss.channel's
// execute_command_lead makes a lead of it. Odoo's own crm_livechat registers
// a "lead" command too, for every channel type, calling the same method: in a
// database that has both, theirs is kept and the server serves each kind of
// channel with its own addon's method.
if (!commands.contains("lead")) {
    commands.add("lead", {
        channel_types: ["live_chat"],
        help: _t("Create a lead from this conversation (/lead lead title)"),
        methodName: "execute_command_lead",
    });
}
