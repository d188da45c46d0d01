from odoo import fields, models


def _steps_without_crm(steps):
    """Uninstalling the bridge: a "Create a lead" step that says something
    becomes a "Text" step, a silent one goes."""
    speaking = steps.filtered(lambda step: (step.message or "").strip())
    speaking.write({"step_type": "text"})
    (steps - speaking).unlink()


class LiveChatChatbotStep(models.Model):
    """The chatbot's "Create a lead" step: the bot says its message, then
    makes a lead of the conversation (see discuss.channel's
    `_chatbot_run_step`) and goes on with the next step."""

    _inherit = "live_chat.chatbot.step"

    step_type = fields.Selection(
        selection_add=[("create_lead", "Create a lead"), ("forward_operator",)],
        ondelete={"create_lead": _steps_without_crm})
    crm_team_id = fields.Many2one(
        "crm.team", "Sales Team", ondelete="set null",
        help="The team the lead goes to; empty: the CRM's default team.")
