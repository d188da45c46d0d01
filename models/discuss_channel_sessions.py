from markupsafe import Markup, escape

from odoo import api, fields, models


class DiscussChannel(models.Model):
    """The figures and flags of Live Chat > Sessions."""

    _inherit = "discuss.channel"

    live_chat_duration = fields.Float(
        "Duration (min)", compute="_compute_live_chat_duration", store=True, digits=(16, 1),
        help="Minutes from the start of the session to its end; empty while it is open (Sessions and "
             "Reports show the same figure).")
    live_chat_message_count = fields.Integer(
        "Number of Messages", compute="_compute_live_chat_message_count",
        help="Messages written by the visitor, the operator or the chatbot.")
    live_chat_unread = fields.Boolean(
        "Unread", compute="_compute_live_chat_unread",
        help="The session has messages you have not read yet.")
    live_chat_conversation = fields.Html(
        "Conversation", compute="_compute_live_chat_conversation", sanitize=False)

    @api.depends("live_chat_start", "live_chat_end")
    def _compute_live_chat_duration(self):
        for session in self:
            if session.live_chat_start and session.live_chat_end:
                seconds = (session.live_chat_end - session.live_chat_start).total_seconds()
                session.live_chat_duration = round(max(seconds, 0) / 60, 1)
            else:
                session.live_chat_duration = 0

    def _compute_live_chat_message_count(self):
        sessions = self.filtered(lambda s: s.channel_type == "live_chat" and s.id)
        counts = {}
        if sessions:
            groups = self.env["mail.message"].sudo()._read_group(
                [("model", "=", "discuss.channel"), ("res_id", "in", sessions.ids),
                 ("message_type", "=", "comment")],
                ["res_id"], ["__count"])
            counts = dict(groups)
        for session in self:
            session.live_chat_message_count = counts.get(session.id, 0)

    @api.depends_context("uid")
    def _compute_live_chat_unread(self):
        members = self.env["discuss.channel.member"].sudo().search([
            ("channel_id", "in", self.filtered("id").ids),
            ("partner_id", "=", self.env.user.partner_id.id),
        ])
        unread = {member.channel_id.id for member in members if member.message_unread_counter}
        for session in self:
            session.live_chat_unread = session.id in unread

    def _compute_live_chat_conversation(self):
        for session in self:
            if session.channel_type != "live_chat" or not session.id:
                session.live_chat_conversation = False
                continue
            rows = []
            for line in session._live_chat_transcript_lines():
                text = escape(line["text"]).replace("\n", Markup("<br/>"))
                if line["is_notification"]:
                    rows.append(Markup('<p class="o_live_chat_line text-muted fst-italic">%s — %s</p>')
                                % (line["time"], text))
                else:
                    rows.append(Markup('<p class="o_live_chat_line"><strong>%s</strong> '
                                       '<small class="text-muted">%s</small><br/>%s</p>')
                                % (line["author_name"], line["time"], text))
            session.live_chat_conversation = Markup("").join(rows)

    def action_live_chat_open_conversation(self):
        """The session's thread in Discuss, where its members answer and the
        others read it."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "mail.action_discuss",
            "name": self.live_chat_visitor_name or self.name,
            "params": {"active_id": f"discuss.channel_{self.id}"},
        }
