from datetime import timedelta

import psycopg2
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import mute_logger
from odoo.tools.misc import format_datetime

from .discuss_channel import PRESENCE_SILENCE_SECONDS
from .discuss_channel_abuse import LiveChatLimitError, _param

# Pages the operator's banner and /history show.
PAGE_HISTORY = 5
PAGE_RATE_WINDOW_SECONDS = 60
DEFAULT_PAGE_RATE = 30
# A polling widget (no websocket) says the visitor is there with each call;
# written at most this often, like the websocket's every 50 s.
POLLED_PRESENCE_SECONDS = 50


class DiscussChannel(models.Model):
    """Where the visitor of a session is now: the pages of the site they open
    (reported by the widget's loader on each page load) and whether they are
    still on the site (the guest's bus presence, kept by the widget's
    websocket: see ir_websocket_presence.py)."""

    _inherit = "discuss.channel"

    live_chat_page_ids = fields.One2many("live_chat.visitor.page", "session_id", "Pages visited")
    live_chat_current_url = fields.Char(
        "Current page", compute="_compute_live_chat_current_url",
        help="The last page of the site the visitor opened (the page where the chat started until they move).")
    live_chat_visitor_presence = fields.Selection(
        [("online", "Online"), ("offline", "Left")], "On the site",
        compute="_compute_live_chat_visitor_presence",
        help="Whether the visitor still has a page of the site open (their browser's connection to "
             "the server); empty when it is not known.")
    live_chat_visitor_seen_at = fields.Datetime(
        "Last seen on the site", compute="_compute_live_chat_visitor_presence")

    def _compute_live_chat_current_url(self):
        for session in self:
            pages = session._live_chat_visitor_pages(limit=1)
            session.live_chat_current_url = pages[0]["url"] if pages else False

    def _compute_live_chat_visitor_presence(self):
        """From bus.presence: the guest's (or, for a logged-in visitor, their
        user's). A presence whose last sign is older than
        PRESENCE_SILENCE_SECONDS counts as gone at that moment, even if its
        websocket never said goodbye (a server that died)."""
        # sudo: presences are not readable by operators; only the status and
        # the time of the session's own visitor are shown.
        sessions = self.sudo()
        users = sessions.live_chat_visitor_partner_id.user_ids
        presences = self.env["bus.presence"].sudo().search([
            "|", ("guest_id", "in", sessions.live_chat_guest_id.ids), ("user_id", "in", users.ids)])
        by_guest = {presence.guest_id.id: presence for presence in presences if presence.guest_id}
        by_user = {presence.user_id.id: presence for presence in presences if presence.user_id}
        fresh_since = fields.Datetime.now() - timedelta(seconds=PRESENCE_SILENCE_SECONDS)
        for session in self:
            visitor = session.sudo()
            presence = by_guest.get(visitor.live_chat_guest_id.id) if visitor.live_chat_guest_id else next(
                (by_user[user.id] for user in visitor.live_chat_visitor_partner_id.user_ids if user.id in by_user),
                None)
            if not presence or not presence.last_poll:
                session.live_chat_visitor_presence = False
                session.live_chat_visitor_seen_at = False
            elif presence.status != "offline" and presence.last_poll >= fresh_since:
                session.live_chat_visitor_presence = "online"
                session.live_chat_visitor_seen_at = presence.last_poll
            else:
                session.live_chat_visitor_presence = "offline"
                session.live_chat_visitor_seen_at = presence.last_poll

    # ------------------------------------------------------------------
    # CRUD and actions
    # ------------------------------------------------------------------

    def action_live_chat_erase_visitor_data(self):
        result = super().action_live_chat_erase_visitor_data()
        # sudo: checked by super (administrators only); the pages are the
        # visitor's browsing, theirs to erase.
        self.sudo().live_chat_page_ids.unlink()
        return result

    def execute_command_history(self, **kwargs):
        """`/history` in a live chat session's composer: the pages the
        visitor opened, newest first, shown to the operator who typed it
        only (a transient message, never stored nor sent to the visitor)."""
        self.ensure_one()
        # Only who may read the session (its operators, its channel's, the
        # administrators) reads where its visitor went.
        self.check_access_rights("read")
        self.check_access_rule("read")
        if self.channel_type != "live_chat":
            return
        session = self.sudo()
        pages = session._live_chat_visitor_pages()
        visitor = session.live_chat_visitor_name or _("The visitor")
        if not pages:
            message = escape(_("No page of %(visitor)s is known.", visitor=visitor))
        else:
            lines = [escape(_("Pages opened by %(visitor)s, newest first:", visitor=visitor))]
            for page in pages:
                when = format_datetime(self.env, page["date"], tz=self.env.user.tz, dt_format="short") \
                    if page["date"] else ""
                label = f"{page['title']} — {page['url']}" if page["title"] else page["url"]
                lines.append(Markup("%s&nbsp;&nbsp;%s") % (when, label))
            message = Markup("<br/>").join(lines)
        self._send_transient_message(self.env.user.partner_id, message)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _live_chat_visitor_viewed(self, url, title=""):
        """The visitor opened `url` (a page of the site, titled `title`):
        recorded, unless it is the page they are already on (a reload), and
        pushed to the operator's banner. At most `live_chat.rate_limit_pages`
        pages a minute per session (counted in the database, like every
        visitor limit). Returns whether a page was recorded."""
        self.ensure_one()
        session = self.sudo()
        current = session._live_chat_visitor_pages(limit=1)
        if current and current[0]["url"] == url:
            return False
        limit = _param(self.env, "live_chat.rate_limit_pages", DEFAULT_PAGE_RATE)
        since = fields.Datetime.now() - timedelta(seconds=PAGE_RATE_WINDOW_SECONDS)
        self.env.cr.execute(
            "SELECT count(*) FROM live_chat_visitor_page WHERE session_id = %s AND date >= %s",
            [session.id, since])
        if self.env.cr.fetchone()[0] >= limit:
            raise LiveChatLimitError(429, "rate_limited", _(
                "Too many pages in a short time: please wait a minute."))
        self.env["live_chat.visitor.page"].sudo().create({
            "session_id": session.id, "url": url, "title": title or False})
        # Only what the history and the rate limit need is kept.
        self.env.cr.execute("""
            DELETE FROM live_chat_visitor_page
             WHERE session_id = %(session)s
               AND id NOT IN (SELECT id FROM live_chat_visitor_page WHERE session_id = %(session)s
                               ORDER BY date DESC, id DESC LIMIT %(kept)s)
        """, {"session": session.id, "kept": max(PAGE_HISTORY, limit)})
        session.invalidate_recordset(["live_chat_page_ids", "live_chat_current_url"])
        session._live_chat_notify_operator_info()
        return True

    def _live_chat_visitor_pages(self, limit=PAGE_HISTORY):
        """The pages the visitor opened, newest first, as dicts {url, title,
        date}; the page where the chat started is the oldest."""
        self.ensure_one()
        session = self.sudo()
        pages = [{"url": page.url, "title": page.title or "", "date": page.date}
                 for page in session.live_chat_page_ids[:limit]]
        if len(pages) < limit and session.live_chat_url:
            pages.append({"url": session.live_chat_url, "title": "", "date": session.live_chat_start})
        return pages

    @api.model
    def _live_chat_track_visitors(self, guests, online):
        """The websocket of these guests says they are on the site (`online`)
        or left it: their bus presence follows, and the banners of their open
        sessions are told when that changes. Guests with no open session are
        not tracked (mail keeps the presence of its own guests)."""
        # sudo: guests write their own presence, as mail lets them; the
        # sessions are read for their ids only.
        sessions = self.sudo().search([
            ("channel_type", "=", "live_chat"), ("live_chat_closed", "=", False),
            ("live_chat_guest_id", "in", guests.ids)])
        if not sessions:
            return
        Presence = self.env["bus.presence"].sudo()
        fresh_since = fields.Datetime.now() - timedelta(seconds=PRESENCE_SILENCE_SECONDS)
        changed = self.env["mail.guest"]
        for guest in sessions.live_chat_guest_id:
            presence = Presence.search([("guest_id", "=", guest.id)])
            was_online = bool(presence) and presence.status != "offline" and presence.last_poll >= fresh_since
            if not self._live_chat_write_presence(guest, presence, online):
                continue
            if was_online != online:
                changed |= guest
        if changed:
            sessions.invalidate_recordset(["live_chat_visitor_presence", "live_chat_visitor_seen_at"])
            sessions.filtered(lambda s: s.live_chat_guest_id in changed)._live_chat_notify_operator_info()

    @api.model
    def _live_chat_write_presence(self, guest, presence, online):
        """Write `guest`'s bus presence (`presence`, the row or empty): online
        now, or offline. Another request may do the same at that moment (the
        websocket's update on one server, a poll on another, a second tab):
        one creates the row and the other's INSERT hits mail's unique index,
        or both update it and one meets a serialization conflict. A presence
        is advisory, so the loser gives way, as Odoo's own presence update
        does (its logger muted, in a savepoint): False, and the request goes
        on. True when written."""
        # The savepoint flushes the write inside it, and its rollback clears
        # the ORM's cache of what failed.
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                if online:
                    self.env["bus.presence"].sudo()._update_presence(
                        inactivity_period=0, identity_field="guest_id", identity_value=guest.id)
                elif presence:
                    presence.write({"status": "offline", "last_poll": fields.Datetime.now()})
        except psycopg2.IntegrityError:
            return False
        except psycopg2.OperationalError as error:
            if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise
            return False
        return True

    def _live_chat_visitor_polled(self, guest):
        """The widget of this session's `guest` called (a poll when it has no
        websocket: a proxy that blocks it, or the server away; or a reload):
        the visitor is on the site, as its websocket's `update_presence`
        would say. One read, and a write at most every
        POLLED_PRESENCE_SECONDS, so that a visitor who polls is not called
        gone (banner "Left", answers by email) while the chat is open."""
        self.ensure_one()
        if not guest or self.sudo().live_chat_closed:
            return
        since = fields.Datetime.now() - timedelta(seconds=POLLED_PRESENCE_SECONDS)
        if not self.env["bus.presence"].sudo().search_count(
                [("guest_id", "=", guest.id), ("status", "!=", "offline"), ("last_poll", ">=", since)], limit=1):
            self._live_chat_track_visitors(guest, online=True)

    def _live_chat_operator_info(self):
        info = super()._live_chat_operator_info()
        session = self.sudo()
        info.update({
            "visitorPages": [{**page, "date": fields.Datetime.to_string(page["date"]) if page["date"] else False}
                             for page in session._live_chat_visitor_pages()],
            "visitorPresence": session.live_chat_visitor_presence or False,
            "visitorSeenAt": fields.Datetime.to_string(session.live_chat_visitor_seen_at)
            if session.live_chat_visitor_seen_at else False,
        })
        return info
