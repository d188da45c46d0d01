from odoo import fields, models


class RatingRating(models.Model):
    """Ratings of live chat sessions: read as the session, written only by
    live chat administrators (security/live_chat_rating_security.xml)."""

    _inherit = "rating.rating"

    live_chat_session_readable = fields.Boolean(
        "Session readable", compute="_compute_live_chat_session_readable",
        search="_search_live_chat_session_readable",
        help="Not a live chat rating, or one of a session the current user may read.")

    def _compute_live_chat_session_readable(self):
        sessions = self._live_chat_readable_session_ids()
        for rating in self:
            rating.live_chat_session_readable = rating.res_model != "discuss.channel" or rating.res_id in sessions

    def _search_live_chat_session_readable(self, operator, operand):
        if operator not in ("=", "!=") or not isinstance(operand, bool):
            raise NotImplementedError()
        readable = ["|", ("res_model", "!=", "discuss.channel"),
                    ("res_id", "in", list(self._live_chat_readable_session_ids()))]
        return readable if (operator == "=") == operand else ["!", *readable]

    def _live_chat_readable_session_ids(self):
        # Record rules are evaluated in sudo: the sessions the *user* may read.
        Session = self.env["discuss.channel"].sudo(False)
        return set(Session.with_context(active_test=False)._search([("channel_type", "=", "live_chat")]))
