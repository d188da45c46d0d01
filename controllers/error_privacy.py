"""Issue 15, finding 9: mail's JSON-RPC error answers to visitors (guests,
portal and public users) carried Python tracebacks in `error.data.debug`.

Odoo builds that field in odoo.http.serialize_exception, which
JsonRPCDispatcher.handle_error looks up at call time: wrapped here so that
only internal users (who may debug) get the traceback. The addon's own
routes never send one (see widget._api)."""
import logging

import odoo.http
from odoo.http import request

_logger = logging.getLogger(__name__)
_serialize_exception = odoo.http.serialize_exception


def _caller_is_internal():
    try:
        return bool(request and request.db and request.env.user._is_internal())
    except Exception:  # noqa: BLE001 -- no database, broken session: say nothing
        return False


def serialize_exception(exception):
    data = _serialize_exception(exception)
    if not _caller_is_internal():
        data["debug"] = ""
        data["context"] = {}
    return data


if not getattr(odoo.http.serialize_exception, "_live_chat_wrapped", False):
    serialize_exception._live_chat_wrapped = True
    odoo.http.serialize_exception = serialize_exception
