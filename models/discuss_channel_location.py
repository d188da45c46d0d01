import ipaddress
import logging
import os

import odoo.http
from odoo import api, models
from odoo.tools import config

_logger = logging.getLogger(__name__)

try:
    import geoip2.database
except ImportError:  # Odoo runs without geoip2 too: no country then
    geoip2 = None

# The GeoIP configurations (country file, city file) already judged in this
# process, so that a bad one is reported once, not on every visitor request:
# {paths: True once a warning about them was logged, else False}.
_GEOIP_CHECKED = {}

# IPv6 addresses keep their first 48 bits when anonymized (the site's
# prefix), as web analytics tools do; IPv4 addresses lose their last octet.
IPV4_KEPT_BITS = 24
IPV6_KEPT_BITS = 48


class DiscussChannel(models.Model):
    """What a session knows of where its visitor is: the country from GeoIP
    and the client address, stored as the Live Chat settings allow."""

    _inherit = "discuss.channel"

    @api.model
    def _live_chat_visitor_country(self, geoip):
        """The res.country of the visitor located by `geoip` (Odoo's
        request.geoip), or an empty recordset when it is unknown. A missing,
        corrupt or wrong kind of GeoIP database only makes the country
        unknown, with one warning per process."""
        code = self._live_chat_guard_geoip(geoip)
        if not code:
            return self.env["res.country"]
        return self.env["res.country"].sudo().search([("code", "=", code)], limit=1)

    @api.model
    def _live_chat_guard_geoip(self, geoip):
        """The country code `geoip` finds (None when unknown), making sure
        that reading it again never raises: when the GeoIP database fails
        (Odoo lets e.g. the TypeError of a City file read as a Country one
        through), `geoip` is left with empty records, for Odoo's own readers
        too (the website reads the country on every page)."""
        if geoip is None:
            return None
        paths = (config.get("geoip_country_db"), config.get("geoip_city_db"))
        if paths not in _GEOIP_CHECKED:
            problem = _geoip_problem(*paths)
            _GEOIP_CHECKED[paths] = bool(problem)
            if problem:
                _logger.warning("Live chat: %s; visitors' country is unknown, so rules restricted to "
                                "countries match nobody (set --geoip-country-db to a MaxMind country file)",
                                problem)
        try:
            return geoip.country_code
        except Exception as error:  # noqa: BLE001 -- geoip2/maxminddb raise TypeError, ValueError, ...
            # Reported with the configuration check above, unless that one
            # could not tell.
            if not _GEOIP_CHECKED[paths]:
                _GEOIP_CHECKED[paths] = True
                _logger.warning("Live chat: the GeoIP lookup failed (%s: %s); visitors' country is unknown",
                                type(error).__name__, error)
            if geoip2 is not None:
                # GeoIP's lazy properties: cached values win over the lookup.
                geoip.__dict__["_country_record"] = odoo.http.GEOIP_EMPTY_COUNTRY
                geoip.__dict__["_city_record"] = odoo.http.GEOIP_EMPTY_CITY
            return None

    @api.model
    def _live_chat_visitor_address(self, raw_ip):
        """The visitor's address as sessions store it and as the rate limits
        compare it, following the Live Chat setting `live_chat.visitor_address`:
        "store" (as given), "anonymize" (last IPv4 octet, IPv6 bits after the
        first 48 zeroed) or "none". None when nothing is to be stored: then
        no per-address limit applies (never compare None, or False in a
        domain, which would match every session without an address)."""
        if not raw_ip:
            return None
        mode = self.env["ir.config_parameter"].sudo().get_param("live_chat.visitor_address", "store")
        if mode == "none":
            return None
        if mode != "anonymize":
            return raw_ip
        try:
            address = ipaddress.ip_address(raw_ip)
        except ValueError:
            return None  # not an address: nothing worth keeping
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        kept = IPV4_KEPT_BITS if address.version == 4 else IPV6_KEPT_BITS
        return str(ipaddress.ip_network(f"{address}/{kept}", strict=False).network_address)


def _geoip_problem(country_path, city_path):
    """Why Odoo cannot locate visitors with these files (a sentence), or
    None when it can: Odoo reads the country file, else the city file."""
    if geoip2 is None:
        return "the geoip2 library is not installed"
    problems = []
    for path, kind in ((country_path, "Country"), (city_path, "City")):
        if not path or not os.path.isfile(path):
            problems.append(f"no {kind.lower()} database at {path or '(not set)'}")
            continue
        try:
            with geoip2.database.Reader(path) as reader:
                database_type = reader.metadata().database_type
        except Exception as error:  # noqa: BLE001 -- any unreadable file means the same
            problems.append(f"the {kind.lower()} database {path} cannot be read ({error})")
            continue
        if kind not in database_type:
            problems.append(f"the {kind.lower()} database {path} is a {database_type} database")
            if kind == "Country":
                break  # Odoo fails on it and does not fall back to the city file
            continue
        return None
    return "; ".join(problems)
