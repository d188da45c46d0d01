import json

from odoo import _, api, models, tools

from .discuss_channel import html_to_text

PUSH_BODY_CHARS = 300


class DiscussChannel(models.Model):
    """Alerts to the operator who gets a session (new, from the queue, or
    transferred): their web client plays a sound and, when Odoo is hidden,
    shows a browser notification; a closed Odoo gets Odoo's web push (mail's
    devices and push queue, as for chats), with the visitor's name and first
    message."""

    _inherit = "discuss.channel"

    def _live_chat_alert_operator(self, operator, *, title=None, body=None):
        """Alert `operator` that this session is now theirs. `body`: the
        visitor's first message (read from the session when not given)."""
        self.ensure_one()
        session = self.sudo()
        if body is None:
            body = session._live_chat_first_visitor_text()
        in_their_lang = session.with_context(lang=operator.lang or self.env.lang)
        title = title or in_their_lang._live_chat_alert_title()
        body = (body or "")[:PUSH_BODY_CHARS]
        self.env["bus.bus"]._sendone(operator.partner_id, "live_chat/new_session", {
            "id": session.id, "title": title, "body": body,
        })
        session._live_chat_web_push(operator.partner_id, title, body)

    def _live_chat_alert_title(self):
        return _("New live chat: %s", self.live_chat_visitor_name or "")

    def _live_chat_transfer_alert_title(self, by_name):
        return _("%(operator)s transferred a live chat to you: %(visitor)s",
                 operator=by_name, visitor=self.live_chat_visitor_name or "")

    def _live_chat_first_visitor_text(self):
        """The visitor's first message, as text ("" if none)."""
        self.ensure_one()
        domain = [("model", "=", "discuss.channel"), ("res_id", "=", self.id), ("message_type", "=", "comment")]
        if self.live_chat_guest_id:
            domain.append(("author_guest_id", "=", self.live_chat_guest_id.id))
        elif self.live_chat_visitor_partner_id:
            domain.append(("author_id", "=", self.live_chat_visitor_partner_id.id))
        else:
            return ""
        message = self.env["mail.message"].sudo().search(domain, order="id asc", limit=1)
        if not message:
            return ""
        return html_to_text(message.body) or ", ".join(message.attachment_ids.mapped("name"))

    def _live_chat_web_push(self, partner, title, body):
        """Odoo's web push to the browsers `partner` registered (Discuss >
        notifications): queued, sent by mail's push cron, so that a slow
        push service never slows the visitor's call."""
        devices = self.env["mail.partner.device"].sudo().browse(
            self.env["mail.partner.device"]._live_chat_device_ids(partner.id))
        if not devices:
            return
        payload = json.dumps({
            "title": title,
            "options": {
                "body": body,
                "icon": f"/discuss/channel/{self.id}/avatar_128",
                "tag": f"live_chat_{self.id}",
                "data": {"model": "discuss.channel", "res_id": self.id, "action": "mail.action_discuss"},
            },
        })
        self.env["mail.notification.web.push"].sudo().create(
            [{"user_device": device.id, "payload": payload} for device in devices])
        self.env.ref("mail.ir_cron_web_push_notification").sudo()._trigger()


class MailPartnerDevice(models.Model):
    """The browsers a partner registered for web push, cached per process:
    every new session alerts its operator, and few operators register one."""

    _inherit = "mail.partner.device"

    @api.model
    @tools.ormcache("partner_id")
    def _live_chat_device_ids(self, partner_id):
        # sudo: devices are the partner's own, only their ids are used.
        return tuple(self.sudo().search([("partner_id", "=", partner_id)]).ids)

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
