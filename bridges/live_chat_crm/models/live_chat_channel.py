from odoo import fields, models


class LiveChatChannel(models.Model):
    """A channel may make a CRM lead of each offline message (see
    discuss.channel's `_live_chat_offline_received`), in its sales team."""

    _inherit = "live_chat.channel"

    offline_create_lead = fields.Boolean(
        "Create a lead from offline messages",
        help="Each message left while nobody can answer (the form, or the bot's hand-over that found no "
             "operator) becomes a CRM lead with the visitor's details and the message.")
    offline_lead_team_id = fields.Many2one(
        "crm.team", "Sales Team of Offline Leads", ondelete="set null",
        help="The team the leads of offline messages go to; empty: the CRM's default team.")
