from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    """Website pages carry the chat button: a broken GeoIP database must not
    fail them (Odoo's website reads the visitor's country on every page)."""

    _inherit = "ir.http"

    @classmethod
    def _frontend_pre_dispatch(cls):
        request.env["discuss.channel"]._live_chat_guard_geoip(request.geoip)
        return super()._frontend_pre_dispatch()
