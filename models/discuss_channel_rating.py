from datetime import datetime

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from odoo.addons.rating.models import rating_data

# The visitor's three choices and the rating.rating values they are stored
# as, on the scale of Odoo's rating addon (5 satisfied, 3 okay, 1 dissatisfied).
RATING_VALUES = {"satisfied": 5, "okay": 3, "dissatisfied": 1}
RATING_SELECTION = [("satisfied", "Satisfied"), ("okay", "Okay"), ("dissatisfied", "Dissatisfied")]
RATING_EMOJIS = {"satisfied": "😊", "okay": "😐", "dissatisfied": "🙁"}
# rating_data's text of a value (top / ok / ko) -> the visitor's choice
RATING_FROM_TEXT = {"top": "satisfied", "ok": "okay", "ko": "dissatisfied"}
MAX_TRANSCRIPTS = 3


class DiscussChannel(models.Model):
    """A session's end: the visitor's rating (a rating.rating of Odoo's
    rating addon, shown in the thread) and the transcript by email."""

    _name = "discuss.channel"
    # rating.mixin first: it derives from mail.thread, which discuss.channel
    # already inherits, and Python needs the mixin before it in the MRO.
    _inherit = ["rating.mixin", "discuss.channel"]

    live_chat_rating = fields.Selection(
        RATING_SELECTION, "Rating", compute="_compute_live_chat_rating", store=True,
        help="How the visitor rated the conversation.",
    )
    live_chat_transcript_count = fields.Integer(
        "Transcripts sent", readonly=True, copy=False,
        help="Transcripts the visitor asked for by email (at most 3 per session).",
    )

    @api.depends("rating_last_value")
    def _compute_live_chat_rating(self):
        for session in self:
            text = rating_data._rating_to_text(session.rating_last_value)
            session.live_chat_rating = RATING_FROM_TEXT.get(text, False)

    # ------------------------------------------------------------------
    # Business methods (called by the public routes after their checks)
    # ------------------------------------------------------------------

    def _live_chat_rate(self, choice, comment="", *, guest=None, partner=None):
        """Record the visitor's rating `choice` ("satisfied", "okay",
        "dissatisfied") with an optional plain-text `comment`, and tell the
        operator in the thread. A session is rated once: the first rating
        stays. Returns the rating.rating."""
        self.ensure_one()
        if choice not in RATING_VALUES:
            raise UserError(_("A rating is “satisfied”, “okay” or “dissatisfied”."))
        self._live_chat_lock()
        session = self.sudo()
        if session._live_chat_rating_record():
            raise UserError(_("This conversation has already been rated."))
        comment = (comment or "").strip()
        rating = self.env["rating.rating"].sudo().create({
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "rating": RATING_VALUES[choice],
            "feedback": comment or False,
            "consumed": True,
            "partner_id": partner.id if partner else False,
            "rated_partner_id": session.live_chat_operator_id.partner_id.id,
            "is_internal": False,
        })
        # The ORM cannot follow a new rating's res_id (a Many2oneReference)
        # back to the session: recompute the session's rating fields here,
        # once the rating's stored res_model, which rating.mixin's SQL reads,
        # is written.
        rating.flush_recordset()
        session.invalidate_recordset(["rating_ids"])
        session.modified(["rating_ids"])
        # The notice is for the operator: in their language, not the visitor's.
        operator_lang = session.live_chat_operator_id.lang or self.env.lang
        notice = session.with_context(lang=operator_lang)._live_chat_rating_notice(choice, comment)
        poster = session.with_context(guest=guest) if guest else session
        # rating_id: the rating addon links the rating to this message.
        poster.message_post(
            body=Markup('<div class="o_mail_notification o_live_chat_rating">%s</div>') % notice,
            author_id=partner.id if partner else None,
            message_type="notification",
            subtype_xmlid="mail.mt_comment",
            rating_id=rating.id,
        )
        return rating

    def _live_chat_send_transcript(self, email):
        """Queue the conversation, as text, by email to `email` (an address
        the caller checked). At most MAX_TRANSCRIPTS per session."""
        self.ensure_one()
        self._live_chat_lock()
        session = self.sudo()
        if session.live_chat_transcript_count >= MAX_TRANSCRIPTS:
            raise UserError(_("The transcript of this conversation has been sent too many times."))
        template = self.env.ref("live_chat.mail_template_live_chat_transcript").sudo()
        template.send_mail(session.id, force_send=False,
                           email_values={"email_to": email, "recipient_ids": []})
        session.live_chat_transcript_count += 1

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _live_chat_rating_record(self):
        """The visitor's rating of the session (a rating.rating), if any."""
        self.ensure_one()
        return self.env["rating.rating"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "=", self.id), ("consumed", "=", True),
        ], limit=1)

    def _live_chat_rating_notice(self, choice, comment):
        """ "Rating: 😊 Satisfied — <comment>", in the context's language."""
        label = dict(self._fields["live_chat_rating"]._description_selection(self.env))[choice]
        notice = _("Rating: %(emoji)s %(label)s", emoji=RATING_EMOJIS[choice], label=label)
        return f"{notice} — {comment}" if comment else notice

    def _live_chat_lock(self):
        """Lock the session's row until the end of the transaction, so that
        two simultaneous requests cannot both pass a once-only check: the
        second waits, then fails to serialize and Odoo retries it."""
        self.env.cr.execute("SELECT id FROM discuss_channel WHERE id = %s FOR NO KEY UPDATE", [self.id])

    def _live_chat_transcript_timezone(self):
        self.ensure_one()
        return (self.live_chat_guest_id.timezone or self.live_chat_visitor_partner_id.tz
                or self.live_chat_operator_id.tz or "UTC")

    def _live_chat_transcript_lines(self):
        """The conversation for the transcript template: author, time in the
        visitor's time zone, plain text (the template escapes it)."""
        self.ensure_one()
        tz = self._live_chat_transcript_timezone()
        lines = []
        for message in self._live_chat_messages(limit=None):
            date = datetime.fromisoformat(message["date"].removesuffix("Z")) if message["date"] else None
            lines.append({
                "author_name": message["author_name"],
                "time": format_datetime(self.env, date, tz=tz, dt_format="short") if date else "",
                "text": message["body"],
                "is_notification": message["is_notification"],
            })
        return lines
