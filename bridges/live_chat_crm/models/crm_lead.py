from markupsafe import Markup

from odoo import api, fields, models


class CrmLead(models.Model):
    """A lead knows the live chat sessions it came from (the smart button of
    its form), also after a merge."""

    _inherit = "crm.lead"

    live_chat_session_ids = fields.Many2many(
        "discuss.channel", "crm_lead_live_chat_session_rel", "lead_id", "session_id",
        string="Live Chat Sessions", copy=False, domain=[("channel_type", "=", "live_chat")])
    live_chat_session_count = fields.Integer(
        "Live Chats", compute="_compute_live_chat_session_count", groups="live_chat.group_live_chat_user")

    @api.depends("live_chat_session_ids")
    def _compute_live_chat_session_count(self):
        for lead in self:
            lead.live_chat_session_count = len(lead.live_chat_session_ids)

    def action_view_live_chat_sessions(self):
        """The sessions the lead came from (the session's form when there is
        one), in Live Chat > Sessions' views."""
        self.ensure_one()
        sessions = self.live_chat_session_ids
        action = self.env["ir.actions.act_window"]._for_xml_id("live_chat.discuss_channel_live_chat_action")
        action.update(domain=[("channel_type", "=", "live_chat"), ("id", "in", sessions.ids)],
                      context={"create": False})
        if len(sessions) == 1:
            form = self.env.ref("live_chat.discuss_channel_live_chat_view_form")
            action.update(res_id=sessions.id, view_mode="form", views=[(form.id, "form")])
        return action

    def _merge_get_fields_specific(self):
        # Merged leads keep every session they came from, also those the
        # merging user cannot read.
        return {
            **super()._merge_get_fields_specific(),
            "live_chat_session_ids": lambda fname, leads: leads.sudo().live_chat_session_ids,
        }

    def _live_chat_link(self):
        """A link to the lead's form for the operators' thread."""
        self.ensure_one()
        return Markup('<a href="/web#model=crm.lead&amp;id=%s&amp;view_type=form" data-oe-model="crm.lead" '
                      'data-oe-id="%s">%s</a>') % (self.id, self.id, self.name)
