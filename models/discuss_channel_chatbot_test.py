from odoo import api, fields, models


class DiscussChannel(models.Model):
    """A chatbot's test (the bot's "Test" action): a session like any other
    for the one who tests, but out of the reports, the Sessions list and the
    operators' Live Chat category; and the bot never hands it to an
    operator, whom a test must not disturb."""

    _inherit = "discuss.channel"

    live_chat_test = fields.Boolean(
        "Chatbot test", readonly=True, copy=False,
        help="Started from a chatbot's Test page: it counts in no report.")

    @api.model_create_multi
    def create(self, vals_list):
        # Set by the visitor routes for a valid test token (the context is
        # the server's own, never a visitor's input).
        if self.env.context.get("live_chat_chatbot_test"):
            for vals in vals_list:
                if vals.get("channel_type") == "live_chat":
                    vals["live_chat_test"] = True
        return super().create(vals_list)

    @api.model
    def _live_chat_pick_operator(self, channel, **routing):
        if self.env.context.get("live_chat_chatbot_test") or any(self.mapped("live_chat_test")):
            return self.env["res.users"]
        return super()._live_chat_pick_operator(channel, **routing)

    def _live_chat_operator_info(self):
        info = super()._live_chat_operator_info()
        if self.sudo().live_chat_test:
            info["visitorWrote"] = False  # no session of the operators' Live Chat category
        return info
