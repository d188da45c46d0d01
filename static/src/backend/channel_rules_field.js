/** @odoo-module */

import { registry } from "@web/core/registry";
import { X2ManyField, x2ManyField } from "@web/views/fields/x2many/x2many_field";

/**
 * The Channel Rules list of a channel: "Add a line" puts the new rule above
 * the first rule that matches every page and every country (below it, the
 * new rule would never apply), instead of at the bottom. Rules keep their
 * drag-and-drop order; the rows below such a rule are flagged by the server
 * (`never_applies`).
 */
export class LiveChatRulesField extends X2ManyField {
    async onAdd(params = {}) {
        const before = new Set(this.list.records.map((record) => record.id));
        const result = await super.onAdd(...arguments);
        const added = this.list.records.find((record) => !before.has(record.id));
        if (!added) {
            return result;
        }
        const records = this.list.records;
        const catchAllIndex = records.findIndex(
            (record) => record !== added && record.data.is_catch_all
        );
        if (catchAllIndex !== -1 && records.indexOf(added) > catchAllIndex) {
            const previous = catchAllIndex > 0 ? records[catchAllIndex - 1] : null;
            await this.list.resequence(added.id, previous ? previous.id : null);
        }
        return result;
    }
}

registry.category("fields").add("live_chat_rules", {
    ...x2ManyField,
    component: LiveChatRulesField,
});
