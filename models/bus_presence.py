from odoo import api, models

from .discuss_channel_queue import QUEUED_SQL


class BusPresence(models.Model):
    """An operator who comes back online (opens Odoo again, or is active
    after 30 minutes away) gets the visitors waiting in their channels' line
    right away: the queue's scheduled action is triggered. It runs in its
    own transaction, so that the bus's presence update (which Odoo keeps
    short and whose concurrency errors it mutes) never fails for the queue."""

    _inherit = "bus.presence"

    @api.model_create_multi
    def create(self, vals_list):
        presences = super().create(vals_list)
        presences._live_chat_back_online()
        return presences

    def write(self, vals):
        coming_back = self.filtered(lambda p: p.status != "online") if vals.get("status") == "online" \
            else self.browse()
        result = super().write(vals)
        coming_back._live_chat_back_online()
        return result

    def _live_chat_back_online(self):
        users = self.filtered(lambda p: p.user_id and p.status == "online").user_id
        if not users:
            return
        self.env.cr.execute(f"""
            SELECT 1 FROM discuss_channel
             WHERE {QUEUED_SQL} AND live_chat_channel_id IN (
                   SELECT channel_id FROM live_chat_channel_res_users_rel WHERE user_id = ANY(%s))
             LIMIT 1
        """, [users.ids])
        if self.env.cr.fetchone():
            self.env.ref("live_chat.ir_cron_live_chat_queue").sudo()._trigger()
