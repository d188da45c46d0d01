from odoo import _, api, models
from odoo.exceptions import UserError

from .discuss_channel_security import is_trusted
from .live_chat_text import BIDI_CONTROLS, clean_visitor_name


class MailGuest(models.Model):
    _inherit = "mail.guest"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if isinstance(vals.get("name"), str):
                vals["name"] = BIDI_CONTROLS.sub("", vals["name"])
        return super().create(vals_list)

    def write(self, vals):
        if isinstance(vals.get("name"), str):
            vals = {**vals, "name": BIDI_CONTROLS.sub("", vals["name"])}
        return super().write(vals)

    def _update_name(self, name):
        # /mail/guest/update_name: a live chat visitor's name follows the
        # widget's rules (100 characters, one line of plain text), whatever
        # the route.
        if not is_trusted(self.env) and self._live_chat_is_visitor():
            name = clean_visitor_name(name)
            if not name:
                raise UserError(_("Guest's name cannot be empty."))
        return super()._update_name(name)

    def _live_chat_is_visitor(self):
        return bool(self.env["discuss.channel"].sudo().search_count(
            [("channel_type", "=", "live_chat"), ("live_chat_guest_id", "in", self.ids)], limit=1))
