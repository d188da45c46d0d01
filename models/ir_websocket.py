from odoo import models


class IrWebsocket(models.AbstractModel):
    """Visitors never listen to their session's bus channel.

    mail subscribes every member to its channels, and its notifications there
    carry the operators' partner data (ids, names, emails in some payloads).
    A visitor (a guest, or the logged-in partner who started the session)
    gets visitor-safe notifications on its own guest / partner channel
    instead (see discuss_channel_visitor.py)."""

    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        channels = super()._build_bus_channel_list(channels)
        Channel = self.pool["discuss.channel"]

        def record_of(channel):  # a channel is a record, (record, "members") or a string
            record = channel[0] if isinstance(channel, tuple) else channel
            return record if isinstance(record, Channel) else None

        user = self.env.user
        visitor_partner = user.partner_id if user and not user._is_public() else None
        excluded = set()
        for channel in channels:
            # sudo: only the type and the visitor of the caller's own channels are read.
            session = record_of(channel)
            session = session.sudo() if session is not None else None
            if session is not None and session.channel_type == "live_chat" and (
                    visitor_partner is None or session.live_chat_visitor_partner_id == visitor_partner):
                excluded.add(session.id)
        if not excluded:
            return channels
        return [channel for channel in channels
                if record_of(channel) is None or record_of(channel).id not in excluded]
