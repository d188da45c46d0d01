from odoo import Command, api, models


class LiveChatChannel(models.Model):
    """An operator added to a channel can answer: a user without the
    Live Chat / User access gets it when the channel is saved."""

    _inherit = "live_chat.channel"

    @api.model_create_multi
    def create(self, vals_list):
        channels = super().create(vals_list)
        channels._grant_operator_access()
        return channels

    def write(self, vals):
        result = super().write(vals)
        if "user_ids" in vals:
            self._grant_operator_access()
        return result

    def _grant_operator_access(self):
        """Give the Live Chat / User group to the operators who lack it.
        Internal users only: the group implies the internal user access,
        which adding someone to a channel must never give."""
        group = self.env.ref("live_chat.group_live_chat_user")
        # sudo: whoever may set a channel's operators (live chat
        # administrators) gives them this one group, nothing more.
        operators = self.sudo().user_ids.filtered(lambda user: user._is_internal() and group not in user.groups_id)
        if operators:
            operators.write({"groups_id": [Command.link(group.id)]})
