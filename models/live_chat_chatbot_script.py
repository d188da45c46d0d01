from odoo import _, api, fields, models

from .live_chat_chatbot_step import INPUT_STEP_TYPES


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
