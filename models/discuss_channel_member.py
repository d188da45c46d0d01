from odoo import fields, models


class DiscussChannelMember(models.Model):
    """Typing in live chat sessions, both ways."""

    _inherit = "discuss.channel.member"

    # The visitor's member: last accepted typing state and when (throttle).
    # The operator's member: since when they are typing (empty: not typing).
    live_chat_typing = fields.Boolean("Live chat: typing", readonly=True)
    live_chat_typing_at = fields.Datetime("Live chat: typing since", readonly=True)

    def _notify_typing(self, is_typing):
        result = super()._notify_typing(is_typing)
        for member in self.sudo():
            session = member.channel_id
            if session.channel_type != "live_chat" or not member.partner_id \
                    or member.partner_id == session.live_chat_visitor_partner_id:
                continue
            user = member.partner_id.user_ids[:1]
            if not user or user.share:
                continue
            self.env.cr.execute(
                "UPDATE discuss_channel_member SET live_chat_typing_at = %s WHERE id = %s",
                [fields.Datetime.now() if is_typing else None, member.id])
            member.invalidate_recordset(["live_chat_typing_at"])
            session._live_chat_notify_visitor("live_chat/typing", {
                "session_id": session.id, "typing": bool(is_typing),
                "author_name": user._get_live_chat_name()})
        return result
