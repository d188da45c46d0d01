import re

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

# Above any record id: rules not saved yet sort after the saved ones.
MAX_ID = 2**31
# URL regexes that every page address matches ("^$" matches none).
EVERY_PAGE_RE = re.compile(r"(\^?)(\.[*+]?)?(\$?)")


def matches_every_page(url_regex):
    """Whether a rule's URL regex matches every page: empty, or a pattern
    like ".*", "^", "^.*$"."""
    pattern = (url_regex or "").strip()
    match = EVERY_PAGE_RE.fullmatch(pattern)
    return bool(match) and bool(match.group(2) or not (match.group(1) and match.group(3)))


class LiveChatChannelRule(models.Model):
    _name = "live_chat.channel.rule"
    _description = "Live Chat Channel Rule"
    _order = "sequence, id"

    channel_id = fields.Many2one("live_chat.channel", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10, help="Rules are tried in this order; the first that matches applies.")
    action = fields.Selection([
        ("show", "Show"),
        ("show_with_notification", "Show with notification"),
        ("auto_open", "Open automatically"),
        ("hide", "Hide"),
    ], string="Live Chat Button", required=True, default="show")
    auto_open_seconds = fields.Integer(
        "Open automatically timer", default=0,
        help="Seconds on the page before the chat window opens by itself.",
    )
    url_regex = fields.Char(
        "URL Regex",
        help="Regular expression searched in the page URL. Empty: every page.",
    )
    country_ids = fields.Many2many(
        "res.country", "live_chat_channel_rule_res_country_rel", "rule_id", "country_id",
        string="Countries",
        help="The rule applies to visitors from these countries (GeoIP). Empty: everyone.",
    )
    chatbot_script_id = fields.Many2one(
        "live_chat.chatbot.script", "Chatbot", ondelete="set null",
        help="The bot visitors talk to first when this rule applies.",
    )
    only_if_no_operator = fields.Boolean(
        "Enabled only if no operator",
        help="The chatbot starts only when no operator of the channel is available.",
    )
    no_operator_action = fields.Selection([
        ("hide", "Hide the button"),
        ("leave_message", "Leave a message"),
    ], string="When no operator is available", required=True, default="leave_message",
        help="When nobody can answer (no operator online, or outside the channel's opening hours) and no "
             "chatbot applies: hide the button, or let the visitor leave a message that the operators "
             "answer by email.",
    )

    def _auto_init(self):
        # Rules made before the choice existed keep what they did then: the
        # button hides when no operator is available. New rules leave a message.
        create = not tools.column_exists(self.env.cr, self._table, "no_operator_action")
        result = super()._auto_init()
        if create:
            self.env.cr.execute("UPDATE live_chat_channel_rule SET no_operator_action = 'hide'")
        return result
    is_catch_all = fields.Boolean(
        "Matches everyone", compute="_compute_is_catch_all",
        help="The rule matches every page and every country: no rule below it ever applies.")
    never_applies = fields.Boolean(
        "Never applies", compute="_compute_never_applies",
        help="A rule above this one matches every page and every country, so this one is never reached.")
    warning = fields.Char(compute="_compute_never_applies")

    @api.depends("url_regex", "country_ids")
    def _compute_is_catch_all(self):
        for rule in self:
            rule.is_catch_all = not rule.country_ids and matches_every_page(rule.url_regex)

    @api.depends("sequence", "url_regex", "country_ids", "channel_id.rule_ids.sequence",
                 "channel_id.rule_ids.url_regex", "channel_id.rule_ids.country_ids")
    def _compute_never_applies(self):
        for rule in self:
            ordered = rule.channel_id.rule_ids._in_order()
            position = next((index for index, other in enumerate(ordered) if other == rule), None)
            rule.never_applies = position is not None and any(
                other.is_catch_all for other in ordered[:position])
            rule.warning = _("Never applies: a rule above matches every page and every country.") \
                if rule.never_applies else False

    @api.constrains("url_regex")
    def _check_url_regex(self):
        for rule in self.filtered("url_regex"):
            try:
                re.compile(rule.url_regex)
            except re.error as error:
                raise ValidationError(_(
                    "The URL regex “%(regex)s” is not a valid regular expression (%(error)s). "
                    "Fix it or leave it empty to match every page.",
                    regex=rule.url_regex, error=error,
                )) from None

    @api.constrains("auto_open_seconds")
    def _check_auto_open_seconds(self):
        if any(rule.auto_open_seconds < 0 for rule in self):
            raise ValidationError(_("The “Open automatically” timer is a number of seconds: it cannot be negative."))

    @api.onchange("action")
    def _onchange_action(self):
        if self.action != "auto_open":
            self.auto_open_seconds = 0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "sequence" not in vals and vals.get("channel_id"):
                vals["sequence"] = self._sequence_for_new_rule(self.env["live_chat.channel"].browse(vals["channel_id"]))
        return super().create(vals_list)

    def _sequence_for_new_rule(self, channel):
        """Where a new rule of `channel` goes when its place is not given:
        above the first rule that matches everyone (below it, it would never
        apply), which moves down one place with the rules after it; else
        last."""
        rules = channel.rule_ids._in_order()
        catch_all = rules.filtered("is_catch_all")[:1]
        if not catch_all:
            return (rules[-1].sequence + 1) if rules else 10
        position = list(rules).index(catch_all)
        for rule in rules[position:]:
            rule.sequence += 1
        return catch_all.sequence - 1

    def _chatbot_for(self, channel):
        """The chatbot script this rule starts for `channel` now, if any."""
        if not self or not self.chatbot_script_id.active:
            return self.env["live_chat.chatbot.script"]
        if self.only_if_no_operator and channel.available_operator_ids:
            return self.env["live_chat.chatbot.script"]
        return self.chatbot_script_id

    def _matches(self, url, country):
        """Whether this rule applies to `url` for a visitor from `country`
        (a res.country record, empty when GeoIP does not know)."""
        self.ensure_one()
        if self.country_ids and (not country or country not in self.country_ids):
            return False
        if self.url_regex:
            try:
                return bool(re.search(self.url_regex, url or ""))
            except re.error:
                return False
        return True

    def _in_order(self):
        """These rules in the order they are tried (rules being created in a
        form, with no id yet, after the saved ones of the same sequence)."""
        return self.sorted(lambda r: (r.sequence, r._origin.id or MAX_ID))

    @api.model
    def _match_rule(self, channel, url, country):
        """The first rule of `channel`, by sequence, that applies; empty if none."""
        for rule in channel.rule_ids._in_order():
            if rule._matches(url, country):
                return rule
        return self.browse()
