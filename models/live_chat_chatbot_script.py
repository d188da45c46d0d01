import time

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq
from odoo.tools.misc import hmac

from .live_chat_chatbot_step import INPUT_STEP_TYPES

# How long the page a "Test" opens may start test conversations.
TEST_TOKEN_SECONDS = 12 * 3600


class LiveChatChatbotScript(models.Model):
    _name = "live_chat.chatbot.script"
    _description = "Live Chat Chatbot Script"
    _order = "name, id"

    name = fields.Char("Script Name", required=True)
    active = fields.Boolean(default=True)
    bot_partner_id = fields.Many2one(
        "res.partner", "Bot", required=True, ondelete="restrict", copy=False,
        help="The contact the bot speaks as: its name and avatar are what visitors see.",
    )
    bot_name = fields.Char("Bot Name", related="bot_partner_id.name", readonly=False)
    bot_image = fields.Image("Bot Avatar", related="bot_partner_id.image_1920", readonly=False)
    step_ids = fields.One2many("live_chat.chatbot.step", "script_id", string="Steps", copy=True)
    rule_count = fields.Integer("Used by rules", compute="_compute_rule_count")

    def _compute_rule_count(self):
        counts = dict(self.env["live_chat.channel.rule"]._read_group(
            [("chatbot_script_id", "in", self.ids)], ["chatbot_script_id"], ["__count"]))
        for script in self:
            script.rule_count = counts.get(script, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("bot_partner_id"):
                name = vals.pop("bot_name", None) or vals.get("name") or _("Bot")
                partner = self.env["res.partner"].sudo().create({"name": name, "active": False})
                vals["bot_partner_id"] = partner.id
        return super().create(vals_list)

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for script, vals in zip(self, vals_list, strict=True):
            vals["name"] = _("%s (copy)", script.name)
            vals["bot_partner_id"] = script.bot_partner_id.copy({"active": False}).id
        return vals_list

    def action_live_chat_test(self):
        """Open the bot in a page, as a visitor sees it. The conversations
        started there are tests: they count in no report nor list."""
        self.ensure_one()
        if not self._live_chat_test_channel():
            raise UserError(_("Create a live chat channel first: the test runs in one of them."))
        return {"type": "ir.actions.act_url", "url": f"/live_chat/chatbot/{self.id}/test", "target": "new"}

    def _live_chat_test_channel(self):
        """The channel a test of this bot runs in: the first that uses it in
        a rule, else the first active channel."""
        self.ensure_one()
        rules = self.env["live_chat.channel.rule"].sudo().search(
            [("chatbot_script_id", "=", self.id), ("channel_id.active", "=", True)])
        channel = rules._in_order().channel_id[:1]
        return channel or self.env["live_chat.channel"].sudo().search([], limit=1)

    def _live_chat_test_token(self):
        """What the test page gives the widget (the `chatbot_test` param of
        the visitor routes): this bot, until when, signed with the database
        secret."""
        self.ensure_one()
        message = f"{self.id}.{int(time.time()) + TEST_TOKEN_SECONDS}"
        return f"{message}.{hmac(self.env(su=True), 'live_chat.chatbot_test', message)}"

    @api.model
    def _live_chat_from_test_token(self, token):
        """The bot a test token was made for; refused when it is forged or
        expired (or its bot deleted)."""
        parts = token.split(".") if isinstance(token, str) and len(token) <= 200 else []
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit() and consteq(
                parts[2], hmac(self.env(su=True), "live_chat.chatbot_test", f"{parts[0]}.{parts[1]}")) \
                and int(parts[1]) >= time.time():
            # sudo: the signed token is the tester's right to this bot.
            script = self.sudo().browse(int(parts[0])).exists()
            if script:
                return script
        # Imported here: importing discuss_channel_abuse at the top of this
        # file (loaded before it) would register its discuss.channel class
        # earlier, changing the order of the session's overrides.
        from .discuss_channel_abuse import LiveChatLimitError  # pylint: disable=import-outside-toplevel
        raise LiveChatLimitError(403, "chatbot_test_expired", _(
            "This test page has expired: click Test on the chatbot again."))

    def _first_step(self):
        self.ensure_one()
        return self.step_ids.sorted(lambda step: (step.sequence, step.id))[:1]

    def _opening_steps(self):
        """The steps the bot plays when a session starts, up to (and with)
        the first that waits for the visitor, hands over or ends."""
        self.ensure_one()
        steps = self.env["live_chat.chatbot.step"]
        for step in self.step_ids.sorted(lambda step: (step.sequence, step.id)):
            steps |= step
            if step.step_type in INPUT_STEP_TYPES or step.step_type in ("forward_operator", "end"):
                break
        return steps

    def _first_waiting_step(self):
        """The first step where the bot waits for the visitor, if the script
        gets there by itself (no hand-over or end before)."""
        self.ensure_one()
        last = self._opening_steps()[-1:]
        return last if last.step_type in INPUT_STEP_TYPES else last.browse()

    def _opening_messages(self):
        """What the bot says before the visitor writes, as the widget's
        message dicts (no session exists yet: no id, no date)."""
        self.ensure_one()
        info = self._public_info()
        return [{
            "id": None, "author_name": info["name"], "author_avatar_url": info["avatar_url"],
            "body": step.message.strip(), "date": None, "is_visitor": False, "is_bot": True,
            "is_operator": False, "is_notification": False, "edited": False, "deleted": False,
            "attachments": [],
        } for step in self._opening_steps() if (step.message or "").strip()]

    def _public_info(self):
        self.ensure_one()
        return {"id": self.id, "name": self.bot_partner_id.name,
                "avatar_url": f"/live_chat/chatbot/{self.id}/avatar"}
