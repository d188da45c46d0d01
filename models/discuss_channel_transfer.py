from odoo import _, api, fields, models
from odoo.exceptions import UserError


class DiscussChannel(models.Model):
    """Transfer: the operator hands the session to a colleague of the channel
    or to another channel (whose availability and capacity apply). The new
    operator's chat window opens with the history, the visitor reads "You
    are now talking with <name>", the previous operator leaves the session
    without closing it, and the transfer is recorded for the reports."""

    _inherit = "discuss.channel"

    live_chat_transfer_ids = fields.One2many("live_chat.transfer", "session_id", string="Transfers", readonly=True)
    live_chat_transfer_count = fields.Integer("Transfers", compute="_compute_live_chat_transfer_count")

    def _compute_live_chat_transfer_count(self):
        counts = dict(self.env["live_chat.transfer"].sudo()._read_group(
            [("session_id", "in", self.ids)], ["session_id"], ["__count"]))
        for session in self:
            session.live_chat_transfer_count = counts.get(session, 0)

    # ------------------------------------------------------------------
    # Actions (the thread's "Transfer" action)
    # ------------------------------------------------------------------

    def live_chat_transfer_targets(self):
        """Who the session can go to now: the available operators of its
        channel under the channel's limit, and the other channels with the
        number of their operators who could take it."""
        self.ensure_one()
        self._live_chat_check_can_transfer()
        session = self.sudo()
        channel = session.live_chat_channel_id
        current = session.live_chat_operator_id
        rows = self._live_chat_operator_rows(channel.available_operator_ids - current)
        limit = channel.max_sessions_per_operator
        users = {user.id: user for user in channel.available_operator_ids}
        operators = [{
            "id": uid, "name": users[uid].name, "chatName": users[uid]._get_live_chat_name(),
            "sessions": load, "limit": limit,
        } for uid, _langs, load, _last in rows if not limit or load < limit]
        channels = []
        for other in self.env["live_chat.channel"].sudo().search([("id", "!=", channel.id)]):
            free = self._live_chat_free_operators(other, exclude=current)
            channels.append({"id": other.id, "name": other.name, "available": len(free)})
        return {"operators": sorted(operators, key=lambda o: o["name"].lower()), "channels": channels}

    def live_chat_transfer(self, user_id=None, channel_id=None):
        """Transfer the session to the operator `user_id` (of its channel), or
        to the channel `channel_id` (routed as a new session would be)."""
        self.ensure_one()
        self._live_chat_check_can_transfer()
        session = self.sudo()
        channel = session.live_chat_channel_id
        current = session.live_chat_operator_id
        was_queued = session._live_chat_is_queued()
        if bool(user_id) == bool(channel_id):
            raise UserError(_("Choose an operator or a channel to transfer the conversation to."))
        if user_id:
            target = self.env["res.users"].sudo().browse(int(user_id)).exists()
            if not target or target not in channel.user_ids:
                raise UserError(_("%s is not an operator of this channel.", target.name or _("This user")))
            if target == current:
                raise UserError(_("%s already has this conversation.", target.name))
            if target not in self._live_chat_free_operators(channel, exclude=current):
                raise UserError(_(
                    "%s cannot take it now: they are away, offline or at their maximum number of chats.",
                    target.name))
            new_channel = None
        else:
            new_channel = self.env["live_chat.channel"].sudo().browse(int(channel_id)).exists()
            if not new_channel or not new_channel.active:
                raise UserError(_("This live chat channel does not exist or is archived."))
            target = self._live_chat_pick_operator(
                new_channel, lang=session.live_chat_visitor_lang, guest=session.live_chat_guest_id,
                partner=session.live_chat_visitor_partner_id, exclude=current)
            if not target:
                raise UserError(_(
                    "No operator of %s can take it now: they are away, offline or at their maximum "
                    "number of chats. The conversation stays with you.", new_channel.name))
        self._live_chat_claim_operator(target, new_channel or channel)
        by = self.env.user
        by_name = by._get_live_chat_name() if not by._is_public() else ""
        self.env["live_chat.transfer"].sudo().create({
            "session_id": session.id, "from_user_id": current.id, "to_user_id": target.id,
            "from_channel_id": channel.id, "to_channel_id": (new_channel or channel).id, "user_id": by.id,
        })
        to_name = target._get_live_chat_name()
        if new_channel and new_channel != channel:
            notice = _("%(operator)s transferred the conversation to %(channel)s: %(to)s",
                       operator=by_name, channel=new_channel.name, to=to_name)
        else:
            notice = _("%(operator)s transferred the conversation to %(to)s", operator=by_name, to=to_name)
        title = session.with_context(lang=target.lang or self.env.lang)._live_chat_transfer_alert_title(by_name)
        session._live_chat_hand_over(target, notice, channel=new_channel, alert_title=title)
        if current and current != target:
            # The previous operator freed a place: someone waiting may get it.
            self._live_chat_dispatch_queue(current.sudo().live_chat_channel_ids)
        elif was_queued:
            self._live_chat_notify_queue(channel.ids)
        return {"operator": to_name, "operatorId": target.id}

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _live_chat_free_operators(self, channel, exclude=None):
        """The available operators of `channel` under its limit."""
        candidates = channel.available_operator_ids - (exclude or self.env["res.users"])
        limit = channel.max_sessions_per_operator
        rows = self._live_chat_operator_rows(candidates)
        return candidates.browse([uid for uid, _langs, load, _last in rows if not limit or load < limit])

    def _live_chat_check_can_transfer(self):
        for session in self:
            if session.channel_type != "live_chat":
                raise UserError(_("Only live chat sessions can be transferred."))
            if session.sudo().live_chat_closed:
                raise UserError(_("This conversation has ended: it can no longer be transferred."))
            user = self.env.user
            is_operator = session.sudo().live_chat_operator_id == user or (
                session.is_member and not user.share)
            if not is_operator and not user.has_group("live_chat.group_live_chat_manager"):
                raise UserError(_("Only the session's operator can transfer it."))
