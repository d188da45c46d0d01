from odoo import _, api, fields, models


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

    def _public_info(self):
        self.ensure_one()
        return {"id": self.id, "name": self.bot_partner_id.name,
                "avatar_url": f"/live_chat/chatbot/{self.id}/avatar"}
