/** @odoo-module */

import { SuggestionService } from "@mail/core/common/suggestion_service";
import { cleanTerm } from "@mail/utils/common/format";

import { patch } from "@web/core/utils/patch";

import { LIVE_CHAT_TYPE } from "./thread_model_patch";

// Canned responses in live chat sessions: ":" then the first letters of a
// shortcut suggests the matching responses. They are mail's `mail.shortcode`
// records (shared with Discuss), which mail loads at start and whose picked
// one its composer inserts and counts (`last_used`); this only adds the ":"
// delimiter and the search, and asks the server for the matching ones so that
// a response an administrator just added is offered without a reload.
patch(SuggestionService.prototype, {
    getSupportedDelimiters(thread) {
        const delimiters = super.getSupportedDelimiters(...arguments);
        return thread?.type === LIVE_CHAT_TYPE ? [...delimiters, [":"]] : delimiters;
    },

    async fetchSuggestions({ delimiter, term }, { thread } = {}) {
        if (delimiter === ":" && thread?.type === LIVE_CHAT_TYPE) {
            const responses = await this.orm.silent.searchRead(
                "mail.shortcode",
                [["source", "=ilike", `${term.replace(/[\\%_]/g, "\\$&")}%`]],
                ["source", "substitution"],
                { limit: 20 }
            );
            this.store.CannedResponse.insert(responses);
            return;
        }
        return super.fetchSuggestions(...arguments);
    },

    searchSuggestions({ delimiter, term }, { thread, sort = false } = {}) {
        if (delimiter === ":" && thread?.type === LIVE_CHAT_TYPE) {
            return this.searchCannedResponses(cleanTerm(term), sort);
        }
        return super.searchSuggestions(...arguments);
    },

    /** The canned responses whose shortcut starts with `cleanedTerm`. */
    searchCannedResponses(cleanedTerm, sort) {
        const responses = Object.values(this.store.CannedResponse.records).filter(
            (response) => response.source && cleanTerm(response.source).startsWith(cleanedTerm)
        );
        if (sort) {
            responses.sort(
                (r1, r2) =>
                    cleanTerm(r1.source).localeCompare(cleanTerm(r2.source)) || r1.id - r2.id
            );
        }
        return { type: "CannedResponse", mainSuggestions: responses, extraSuggestions: [] };
    },
});
