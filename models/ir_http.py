from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _frontend_pre_dispatch(cls):
        # Website pages carry the chat button: a broken GeoIP database must
        # not fail them (Odoo's website reads the visitor's country on every page).
        request.env["discuss.channel"]._live_chat_guard_geoip(request.geoip)
        return super()._frontend_pre_dispatch()

    def session_info(self):
        # The operator's Live Chat status, for the systray's Available / Away.
        result = super().session_info()
        user = self.env.user
        if user and user._is_internal() and user.has_group("live_chat.group_live_chat_user"):
            result["live_chat_status"] = user.live_chat_status
        return result
