from odoo import fields, models


class DiscussChannel(models.Model):
    """What the operator's web client needs to show a live chat session:
    who the visitor is, where they come from, and whether they are still
    there. Sent with the channel's info and pushed again when it changes."""

    _inherit = "discuss.channel"

    def _channel_info(self):
        infos = super()._channel_info()
        sessions = {channel.id: channel for channel in self if channel.channel_type == "live_chat"}
        for info in infos:
            session = sessions.get(info["id"])
            if session:
                info["liveChat"] = session._live_chat_operator_info()
        return infos

    def _live_chat_operator_info(self):
        self.ensure_one()
        # sudo: the operator reads the session; the country, channel and
        # operator behind it are shown whatever their own access rules.
        session = self.sudo()
        country = session.live_chat_country_id
        return {
            "visitorName": session.live_chat_visitor_name or "",
            "countryName": country.name or False,
            "countryCode": country.code.lower() if country.code else False,
            "url": session.live_chat_url or False,
            "channelName": session.live_chat_channel_id.name or "",
            "operatorPartnerId": session.live_chat_operator_id.partner_id.id or False,
            "start": fields.Datetime.to_string(session.live_chat_start) if session.live_chat_start else False,
            "closed": session.live_chat_closed,
            "closedBy": session.live_chat_closed_by or False,
            "visitorWrote": session.live_chat_visitor_wrote,
        }

    def _live_chat_close(self, by, notice):
        result = super()._live_chat_close(by, notice)
        self._live_chat_notify_operator_info()
        return result

    def _live_chat_notify_operator_info(self):
        """Push the session's live chat info to its members' web clients."""
        for session in self:
            self.env["bus.bus"]._sendone(session, "mail.record/insert", {
                "Thread": {
                    "id": session.id,
                    "model": "discuss.channel",
                    "liveChat": session._live_chat_operator_info(),
                },
            })
