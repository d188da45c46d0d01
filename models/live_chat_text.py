"""Checks of the text a visitor gives (names, messages, URLs), shared by the
addon's routes and the models that mail's routes reach."""
import re
import unicodedata

from odoo import _
from odoo.exceptions import UserError

MAX_VISITOR_NAME = 100
# Bidirectional embeddings, overrides and isolates: they make a name read
# differently from what it is ("evil‮gpj.exe").
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Zero-width and other invisible characters a message cannot consist of.
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad\u180e\u3164\u115f\u1160\uffa0]")


def has_bad_characters(text):
    """NUL and other C0 controls (but tab and newlines), or lone surrogates:
    PostgreSQL refuses NUL, and a lone surrogate cannot be encoded."""
    return bool(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", text))


def clean_visitor_name(name, max_length=MAX_VISITOR_NAME):
    """A visitor's name as plain text on one line: bidirectional controls
    removed, spaces collapsed. Raises UserError for a name too long or with
    characters that cannot be stored."""
    if not isinstance(name, str):
        raise UserError(_("A name must be a text."))
    if has_bad_characters(name):
        raise UserError(_("The name holds characters that are not allowed."))
    name = " ".join(BIDI_CONTROLS.sub("", name).split())
    if len(name) > max_length:
        raise UserError(_("The name is too long: %(max)s characters at most.", max=max_length))
    return name


def is_blank(text):
    """Empty once spaces and invisible characters are removed."""
    text = INVISIBLE.sub("", BIDI_CONTROLS.sub("", text))
    return not "".join(ch for ch in text if not unicodedata.category(ch).startswith("Z")).strip()
