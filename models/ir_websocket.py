from odoo import models

from odoo.addons.bus.websocket import Websocket, wsrequest

# A visitor's widget keeps the presence of at most this many guests per websocket.
MAX_GUESTS_PER_WEBSOCKET = 5


def _subscribed_guest_ids(websocket):
    """The guests a websocket subscribed to with their token (mail's
    `mail.guest_<token>` channel): a widget on another site sends no guest
    cookie, its guest is known this way only."""
    channels = getattr(websocket, "_channels", None) or ()
    return sorted({channel[2] for channel in channels if isinstance(channel, tuple) and len(channel) == 3
                   and channel[1] == "mail.guest"})[:MAX_GUESTS_PER_WEBSOCKET]


@Websocket.onclose
def _live_chat_visitor_disconnected(env, websocket):
    """The visitor's widget closed its websocket (the visitor left the page):
    its guest is offline at once, so that the operator's next answer goes by
    email (discuss_channel_email.py) without waiting for the presence to age."""
    guest_ids = _subscribed_guest_ids(websocket)
    if not guest_ids or "live_chat.channel" not in env:
        return
    # sudo: the guest's own presence, as mail does when a guest's websocket closes.
    env["bus.presence"].sudo().search([("guest_id", "in", guest_ids)]).write({"status": "offline"})
    # The callbacks' cursor is closed without a commit (bus's lifecycle events).
    env.cr.commit()  # pylint: disable=invalid-commit


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

    def _update_bus_presence(self, inactivity_period, im_status_ids_by_model):
        """The widget sends `update_presence` on its websocket, as Odoo's web
        client does: the presence of the guests it subscribed with is kept up
        to date (mail only knows the guest of the `dgid` cookie)."""
        super()._update_bus_presence(inactivity_period, im_status_ids_by_model)
        if not wsrequest or (self.env.user and not self.env.user._is_public()):
            return
        for guest_id in _subscribed_guest_ids(wsrequest.ws):
            # sudo: guests write their own presence (as in mail).
            self.env["bus.presence"].sudo().update_presence(
                inactivity_period, identity_field="guest_id", identity_value=guest_id)
