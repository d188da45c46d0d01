from odoo import fields, models, tools

from .discuss_channel_rating import RATING_SELECTION


class LiveChatReportSession(models.Model):
    """One row per live chat session, with its figures, for the graph and
    pivot views of Live Chat > Reports: Sessions, and Operators (the same
    rows with an operator, by operator: no second view to disagree with).

    The time to answer runs from the visitor's first message to the first
    message an operator (an internal user) posts after it; the welcome
    message, posted before the visitor writes, does not count. A session is
    unanswered when the visitor wrote and no operator answered. Only sessions
    where the visitor wrote are rows (a window opened and left is no session).
    """

    _name = "live_chat.report.session"
    _description = "Live Chat Sessions Analysis"
    _auto = False
    _order = "start_date desc"
    _rec_name = "session_id"

    session_id = fields.Many2one("discuss.channel", readonly=True)
    channel_id = fields.Many2one("live_chat.channel", readonly=True)
    operator_id = fields.Many2one("res.users", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    start_date = fields.Datetime(readonly=True)
    session_count = fields.Integer("Sessions", readonly=True)
    is_offline = fields.Boolean("Offline message", readonly=True,
                                help="The visitor left a message when nobody could answer.")
    offline_count = fields.Integer("Offline Messages", readonly=True)
    closed_by = fields.Selection([("visitor", "Visitor"), ("operator", "Operator")], "Closed by", readonly=True)
    duration = fields.Float(
        "Duration (min)", group_operator="avg", readonly=True, digits=(16, 1),
        help="From the start to the end of the session, as Live Chat > Sessions shows it; "
             "empty while the session is open (open sessions do not count in the average).",
    )
    time_to_answer = fields.Float(
        "Time to Answer (sec)", group_operator="avg", readonly=True,
        help="From the visitor's first message to the operator's first answer.",
    )
    is_unanswered = fields.Boolean("Unanswered", readonly=True,
                                   help="The visitor wrote and no operator answered.")
    unanswered_percentage = fields.Float("Unanswered (%)", group_operator="avg", readonly=True)
    message_count = fields.Integer("Messages", readonly=True)
    transfer_count = fields.Integer(
        "Transfers", readonly=True,
        help="How many times the session was transferred. The operator is the one it was last "
             "transferred to.")
    is_transferred = fields.Boolean("Transferred", readonly=True)
    queue_wait = fields.Float(
        "Wait in Line (sec)", group_operator="avg", readonly=True,
        help="How long the visitor waited in line for an operator (every operator was at the limit).")
    rating = fields.Float(group_operator="avg", readonly=True,
                          help="5 satisfied, 3 okay, 1 dissatisfied.")
    rating_text = fields.Selection(RATING_SELECTION, readonly=True)
    satisfied_percentage = fields.Float(
        "Satisfied (%)", group_operator="avg", readonly=True,
        help="Share of satisfied ratings among the rated sessions.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT c.id AS id,
                       c.id AS session_id,
                       c.live_chat_channel_id AS channel_id,
                       c.live_chat_operator_id AS operator_id,
                       c.live_chat_country_id AS country_id,
                       c.live_chat_start AS start_date,
                       1 AS session_count,
                       COALESCE(c.live_chat_offline, FALSE) AS is_offline,
                       CASE WHEN c.live_chat_offline THEN 1 ELSE 0 END AS offline_count,
                       c.live_chat_closed_by AS closed_by,
                       -- the figure of Live Chat > Sessions (rounded the same way); none while open
                       CASE WHEN c.live_chat_closed AND c.live_chat_end IS NOT NULL
                            THEN c.live_chat_duration END AS duration,
                       EXTRACT(EPOCH FROM answer.date - question.date) AS time_to_answer,
                       question.id IS NOT NULL AND answer.id IS NULL AS is_unanswered,
                       CASE WHEN question.id IS NOT NULL AND answer.id IS NULL THEN 100 ELSE 0 END
                           AS unanswered_percentage,
                       last_message.count AS message_count,
                       transfers.count AS transfer_count,
                       transfers.count > 0 AS is_transferred,
                       CASE WHEN c.live_chat_queued_at IS NOT NULL AND c.live_chat_assigned_at IS NOT NULL
                            THEN EXTRACT(EPOCH FROM c.live_chat_assigned_at - c.live_chat_queued_at) END AS queue_wait,
                       -- a rating counts only where the visitor wrote and an operator
                       -- (not the bot) answered: empty sessions cannot sink the figures
                       CASE WHEN answer.id IS NOT NULL THEN NULLIF(c.rating_last_value, 0) END AS rating,
                       CASE WHEN answer.id IS NOT NULL THEN c.live_chat_rating END AS rating_text,
                       CASE WHEN c.live_chat_rating IS NULL OR answer.id IS NULL THEN NULL
                            WHEN c.live_chat_rating = 'satisfied' THEN 100 ELSE 0 END AS satisfied_percentage
                  FROM discuss_channel c
                  -- the visitor's first message
                  LEFT JOIN LATERAL (
                      SELECT m.id, m.date
                        FROM mail_message m
                       WHERE m.model = 'discuss.channel' AND m.res_id = c.id AND m.message_type = 'comment'
                         AND (m.author_guest_id = c.live_chat_guest_id
                              OR m.author_id = c.live_chat_visitor_partner_id)
                       ORDER BY m.id
                       LIMIT 1
                  ) question ON TRUE
                  -- the first operator message after it
                  LEFT JOIN LATERAL (
                      SELECT m.id, m.date
                        FROM mail_message m
                       WHERE m.model = 'discuss.channel' AND m.res_id = c.id AND m.message_type = 'comment'
                         AND m.id > question.id
                         AND m.author_id IS DISTINCT FROM c.live_chat_visitor_partner_id
                         AND EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = m.author_id AND NOT u.share)
                       ORDER BY m.id
                       LIMIT 1
                  ) answer ON TRUE
                  -- the conversation's size and last message
                  LEFT JOIN LATERAL (
                      SELECT count(*) AS count, max(m.date) AS date
                        FROM mail_message m
                       WHERE m.model = 'discuss.channel' AND m.res_id = c.id AND m.message_type = 'comment'
                  ) last_message ON TRUE
                  LEFT JOIN LATERAL (
                      SELECT count(*) AS count FROM live_chat_transfer t WHERE t.session_id = c.id
                  ) transfers ON TRUE
                 WHERE c.channel_type = 'live_chat' AND c.live_chat_visitor_wrote
                   AND c.live_chat_test IS NOT TRUE  -- a chatbot's tests are no sessions
            )
        """)
