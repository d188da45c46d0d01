"""Request checks of the visitor routes that do not belong to one route."""
import json
from urllib.parse import urlsplit

from odoo import _
from odoo.http import request


def _origin_of(url):
    if not url:
        return None
    if "://" not in url:
        url = f"https://{url}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = parts.port
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{parts.hostname.lower()}" + (f":{port}" if port and port != default else "")


def allowed_origins():
    """The server's own origin (as the browser reached it), `web.base.url`
    and the websites' domains."""
    origins = {_origin_of(request.httprequest.host_url), _origin_of(
        request.env["ir.config_parameter"].sudo().get_param("web.base.url"))}
    # sudo: the websites' domains are public (they are the sites' addresses).
    for domain in request.env["website"].sudo().search([("domain", "!=", False)]).mapped("domain"):
        origins.add(_origin_of(domain))
        if "://" not in domain:
            origins.add(_origin_of(f"http://{domain}"))
    origins.discard(None)
    return origins


def check_visitor_origin(error_class):
    """Finding 5 (cross-site requests): a logged-in visitor is identified by
    its Odoo session cookie, which a page on another site can make the
    browser send (a text/plain form posted to our CORS, csrf=False routes).
    Such a call is refused when it comes from a foreign Origin (or Referer,
    when the browser gives no Origin). Guests are identified by a token the
    page must know, so they need no such check."""
    if request.env.user._is_public():
        return
    headers = request.httprequest.headers
    origin = headers.get("Origin")
    if origin is None and headers.get("Referer"):
        origin = _origin_of(headers["Referer"]) or "null"
    if origin is None:
        return  # not sent by a browser on another site (they always send Origin on a cross-site POST)
    if _origin_of(origin) not in allowed_origins():
        raise error_class(403, "foreign_origin", _(
            "This request comes from another site: a logged-in visitor chats from the company's own website."))


def script_base_url():
    """Finding 6: the server's address baked into the widget's script comes
    from the configuration (the current website's domain, else
    `web.base.url`), never from the request's Host header, which anyone can
    forge and a shared cache would then serve to every visitor."""
    website = request.env["website"].sudo().get_current_website(fallback=True)
    base = (website.domain if website and website.domain else None) \
        or request.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
    if base and "://" not in base:
        base = f"https://{base}"
    return base.rstrip("/")


def js_string(value):
    """`value` as a JavaScript string literal (JSON, with the characters
    that could end a script block or a line escaped)."""
    return (json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
