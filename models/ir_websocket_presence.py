from odoo import SUPERUSER_ID, models

from odoo.addons.bus.models.bus import dispatch
from odoo.addons.bus.websocket import Websocket, wsrequest


def _subscribed_guest_ids(websocket, dbname):
    """The guests a websocket subscribed as (mail checked their token when
    it subscribed): the channels are kept as (database, model, id)."""
    return [channel[2] for channel in getattr(websocket, "_channels", ())
            if isinstance(channel, tuple) and len(channel) == 3
            and channel[0] == dbname and channel[1] == "mail.guest"]


class IrWebsocket(models.AbstractModel):
    """A live chat visitor's presence on the site: the widget's websocket,
    open while a page of the site is, subscribes as the visitor's guest and
    says it is there when it opens and every 50 s after (the bus's
    `update_presence`). mail records the presence of the guest of its `dgid`
    cookie only, which a widget on another site never sends: the guest here
    is the one the websocket subscribed as."""

    _inherit = "ir.websocket"

    def _update_bus_presence(self, inactivity_period, im_status_ids_by_model):
        super()._update_bus_presence(inactivity_period, im_status_ids_by_model)
        if (self.env.user and not self.env.user._is_public()) or not wsrequest:
            return
        guest_ids = _subscribed_guest_ids(wsrequest.ws, self.env.cr.dbname)
        if guest_ids:
            self.env["discuss.channel"]._live_chat_track_visitors(
                self.env["mail.guest"].sudo().browse(guest_ids).exists(), online=True)


@Websocket.onclose
def _live_chat_visitor_left(env, websocket):
    """A visitor's websocket closed (the page was closed or left): their
    presence goes offline, unless another websocket of theirs on this server
    is still open (another tab; one on another server says it is there again
    within a minute)."""
    guest_ids = _subscribed_guest_ids(websocket, env.cr.dbname)
    if not guest_ids or "live_chat.visitor.page" not in env:  # not a visitor, or a database without live chat
        return
    still_open = [guest_id for guest_id in guest_ids
                  if dispatch._channels_to_ws.get((env.cr.dbname, "mail.guest", guest_id))]
    gone = [guest_id for guest_id in guest_ids if guest_id not in still_open]
    if gone:
        env = env(user=SUPERUSER_ID)
        env["discuss.channel"]._live_chat_track_visitors(env["mail.guest"].browse(gone).exists(), online=False)
