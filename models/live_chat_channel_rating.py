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
        groups = self.env["discuss.channel"].sudo()._read_group(
            [("channel_type", "=", "live_chat"), ("live_chat_channel_id", "in", self.ids),
             ("live_chat_start", ">=", since),
             ("live_chat_visitor_wrote", "=", True)],
            ["live_chat_channel_id", "live_chat_rating"], ["__count"],
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
