from datetime import timedelta

from odoo import fields, models

STATISTICS_DAYS = 14


class LiveChatChannel(models.Model):
    """The figures of a channel's kanban card, over its recent sessions."""

    _inherit = "live_chat.channel"

    recent_session_count = fields.Integer(
        "Sessions (14 days)", compute="_compute_recent_statistics",
        help="Sessions started in the last 14 days.",
    )
    satisfaction_percentage = fields.Integer(
        "Satisfaction (%)", compute="_compute_recent_statistics",
        help="Share of satisfied ratings among the sessions rated in the last 14 days; -1 with no rating.",
    )

    def _compute_recent_statistics(self):
        since = fields.Datetime.now() - timedelta(days=STATISTICS_DAYS)
        # sudo: operators see only their own sessions; the card shows counts
        # of the whole channel, no session's content.
        # The report's rows: their rating counts only for sessions where the
        # visitor wrote and an operator answered.
        self.env["mail.message"].flush_model()
        self.env["discuss.channel"].flush_model()
        groups = self.env["live_chat.report.session"].sudo()._read_group(
            [("channel_id", "in", self.ids), ("start_date", ">=", since)],
            ["channel_id", "rating_text"], ["__count"],
        )
        sessions, rated, satisfied = {}, {}, {}
        for channel, rating, count in groups:
            sessions[channel.id] = sessions.get(channel.id, 0) + count
            if rating:
                rated[channel.id] = rated.get(channel.id, 0) + count
            if rating == "satisfied":
                satisfied[channel.id] = count
        for channel in self:
            channel.recent_session_count = sessions.get(channel.id, 0)
            channel.satisfaction_percentage = (
                round(100 * satisfied.get(channel.id, 0) / rated[channel.id]) if rated.get(channel.id) else -1
            )
