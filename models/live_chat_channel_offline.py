from datetime import datetime, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _tz_get

WEEKDAYS = [
    ("0", "Monday"), ("1", "Tuesday"), ("2", "Wednesday"), ("3", "Thursday"),
    ("4", "Friday"), ("5", "Saturday"), ("6", "Sunday"),
]


class LiveChatChannelHours(models.Model):
    """One opening slot of a channel's weekly table, in the channel's time
    zone: a day of the week, from one hour to another (9.5 = 09:30)."""

    _name = "live_chat.channel.hours"
    _description = "Live Chat Opening Hours"
    _order = "channel_id, day_of_week, hour_from, id"

    channel_id = fields.Many2one("live_chat.channel", required=True, ondelete="cascade", index=True)
    day_of_week = fields.Selection(WEEKDAYS, "Day", required=True, default="0")
    hour_from = fields.Float("From", required=True, default=9.0)
    hour_to = fields.Float("To", required=True, default=18.0)

    # A channel's opening hours are in its cached data (live_chat_channel_cache.py).
    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for slot in self:
            if not 0 <= slot.hour_from < slot.hour_to <= 24:
                raise ValidationError(_(
                    "Opening hours run from 00:00 to 24:00, and a slot ends after it starts. "
                    "For a night slot, add one line before midnight and one after."))


class LiveChatChannel(models.Model):
    """When nobody can answer: the channel's opening hours (a weekly table in
    its time zone: outside them no operator is available, see
    `_compute_available_operator_ids`) and what the widget shows instead of
    the chat (the offline button text, the "usually back" text)."""

    _inherit = "live_chat.channel"

    def _default_tz(self):
        return self.env.company.partner_id.tz or self.env.user.tz or "UTC"

    tz = fields.Selection(
        _tz_get, "Time Zone", default=lambda self: self._default_tz(), required=True,
        help="The time zone of the opening hours.")
    hours_ids = fields.One2many(
        "live_chat.channel.hours", "channel_id", string="Opening Hours", copy=True,
        help="When operators answer. Outside these hours the channel counts as unavailable, even with "
             "operators online. No line: always open.")
    offline_button_text = fields.Char(
        translate=True, default=lambda self: _("Leave us a message"),
        help="The button's text when nobody can answer and the rule says \"Leave a message\".")
    offline_back_text = fields.Char(
        "Usually Back", translate=True,
        help="Shown to a visitor who left a message, e.g. \"We usually answer within a few hours, "
             "Monday to Friday.\" Optional.")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _live_chat_is_open(self, now=None):
        """Whether `now` (naive UTC, default: now) is within the channel's
        opening hours. A channel without opening hours is always open."""
        self.ensure_one()
        slots = self._live_chat_slots()
        if not slots:
            return True
        local = self._live_chat_local_time(now)
        day, hour = str(local.weekday()), local.hour + local.minute / 60 + local.second / 3600
        return any(slot_day == day and hour_from <= hour < hour_to for slot_day, hour_from, hour_to in slots)

    def _live_chat_slots(self):
        """The opening slots as (day of week, from, to): from the channel's
        cached data (live_chat_channel_cache.py) for a saved active channel,
        which every visitor's call checks, else from its fields."""
        data = self._live_chat_cached() if isinstance(self.id, int) else None
        if data is not None:
            return data["hours"]
        return tuple((slot.day_of_week, slot.hour_from, slot.hour_to) for slot in self.hours_ids)

    def _live_chat_next_opening(self, now=None):
        """The next time the channel opens after `now` (naive UTC, default:
        now), as a naive UTC datetime; None when it is open at `now` or has
        no opening hours (always open)."""
        self.ensure_one()
        if self._live_chat_is_open(now):
            return None
        tz = self._live_chat_tz()
        local = self._live_chat_local_time(now)
        starts = []
        slots = self._live_chat_slots()
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for _day, hour_from, _to in (slot for slot in slots if slot[0] == str(day.weekday())):
                naive = datetime.combine(day, datetime.min.time()) + timedelta(hours=hour_from)
                start = tz.normalize(tz.localize(naive))
                if start > local:
                    starts.append(start)
            if starts:
                return min(starts).astimezone(pytz.utc).replace(tzinfo=None)
        return None

    def _live_chat_offline_info(self):
        """What the widget shows when nobody can answer (init's `offline`)."""
        self.ensure_one()
        opening = self._live_chat_next_opening()
        data = self._live_chat_cached()
        button_text, back_text = data["offline_texts"] if data is not None else (
            self.offline_button_text, self.offline_back_text)
        return {
            "button_text": button_text or _("Leave us a message"),
            "back_text": back_text or "",
            "next_opening": opening.isoformat() + "Z" if opening else None,
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _live_chat_tz(self):
        data = self._live_chat_cached() if isinstance(self.id, int) else None
        try:
            return pytz.timezone((data["fields"]["tz"] if data is not None else self.tz) or "UTC")
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _live_chat_local_time(self, now=None):
        now = now or fields.Datetime.now()
        return pytz.utc.localize(now).astimezone(self._live_chat_tz())
