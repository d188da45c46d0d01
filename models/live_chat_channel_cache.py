"""What a channel tells every visitor, cached per process (issue 18).

A channel's options, welcome text and rules are the same for every visitor
of a language: `/live_chat/init` and `/live_chat/session/start` read them
from Odoo's ormcache, which every worker and server drops when a channel, a
rule or a chatbot script is written (Odoo's registry signaling), instead of
reading them from the database on each call.
"""
from odoo import api, models, tools

RULE_FIELDS = ("sequence", "action", "auto_open_seconds", "url_regex", "chatbot_script_id", "only_if_no_operator",
               "no_operator_action")
# The channel's own fields the visitor routes read (put back in the ORM
# cache by `_live_chat_cache_fields`).
CHANNEL_FIELDS = ("name", "active", "max_sessions_per_operator", "tz")


class LiveChatChannel(models.Model):
    _inherit = "live_chat.channel"

    @api.model
    @tools.ormcache("channel_id", "lang")
    def _live_chat_public_data(self, channel_id, lang):
        """None for an unknown or archived channel, else what its visitors
        are told in `lang`: options, welcome messages, welcome text and its
        rules by sequence ({field: value} with `country_ids` as ids)."""
        channel = self.sudo().with_context(lang=lang, active_test=False).browse(channel_id).exists()
        if not channel or not channel.active:
            return None
        rules = channel.rule_ids.sorted(lambda r: (r.sequence, r.id))
        return {
            "fields": {name: channel[name] for name in CHANNEL_FIELDS},
            "hours": tuple((slot.day_of_week, slot.hour_from, slot.hour_to)
                           for slot in channel.hours_ids.sorted(lambda s: (s.day_of_week, s.hour_from, s.id))),
            "offline_texts": (channel.offline_button_text or "", channel.offline_back_text or ""),
            "options": channel._live_chat_options(),
            "welcome": channel._live_chat_welcome_messages(),
            "welcome_message": channel.welcome_message or "",
            "rules": tuple(
                (rule.id, {**{name: rule[name] for name in RULE_FIELDS if name != "chatbot_script_id"},
                           "chatbot_script_id": rule.chatbot_script_id.id, "country_ids": rule.country_ids.ids})
                for rule in rules),
        }

    def _live_chat_cached(self):
        """This channel's cached public data in the current language (see
        `_live_chat_public_data`); None when it is unknown or archived."""
        self.ensure_one()
        return self._live_chat_public_data(self.id, self.env.lang or "en_US")

    def _live_chat_cache_fields(self):
        """Put the channel's fields that the visitor routes read (its queue
        limit, time zone) in the ORM cache from its cached data: reading
        them then costs no query. False for an unknown or archived channel."""
        data = self._live_chat_cached()
        if data is None:
            return False
        self.env["discuss.channel"]._live_chat_cache_values(self, data["fields"])
        return True

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if set(vals) - {"user_ids"}:  # joining or leaving changes nothing a visitor is told
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()


class LiveChatChannelRule(models.Model):
    _inherit = "live_chat.channel.rule"

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _match_rule(self, channel, url, country):
        """The first rule of `channel`, by sequence, that applies, matched on
        the channel's cached rules; the rule's fields are put in the ORM
        cache from them, so that reading the rule costs no query."""
        data = channel._live_chat_cached()
        if data is None:
            return super()._match_rule(channel, url, country)
        for rule_id, values in data["rules"]:
            rule = self.browse(rule_id)
            self.env["discuss.channel"]._live_chat_cache_values(rule, values)
            if rule._matches(url, country):
                return rule
        return self.browse()
