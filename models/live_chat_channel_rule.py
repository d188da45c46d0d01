import re

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError


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

    @api.model
    def _match_rule(self, channel, url, country):
        """The first rule of `channel`, by sequence, that applies; empty if none."""
        for rule in channel.rule_ids.sorted(lambda r: (r.sequence, r.id)):
            if rule._matches(url, country):
                return rule
        return self.browse()
