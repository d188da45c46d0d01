import re

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.mimetypes import guess_mimetype

DEFAULT_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_UPLOAD_RATE = 5
DEFAULT_UPLOAD_TYPES = ",".join([
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
    "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
])


# Options whose default text a new channel gets in every installed language
# (not only its creator's), so that each visitor reads one language.
TRANSLATED_DEFAULTS = ("button_text", "welcome_message", "input_placeholder", "offline_button_text")


def is_forbidden_type(mimetype):
    """Types a visitor may never send, whatever the allow-list says: what a
    browser could run (HTML, SVG, XML, scripts)."""
    mimetype = (mimetype or "").lower()
    return ("html" in mimetype or "svg" in mimetype or "javascript" in mimetype
            or mimetype in ("application/xml", "text/xml"))


def is_allowed_type(mimetype, allowed):
    """Whether a visitor may send a file of `mimetype`: one of `allowed`
    (mimetypes, or prefixes ending in "/" or "/*"), never a forbidden type."""
    if is_forbidden_type(mimetype):
        return False
    return any(mimetype == kind or (kind.endswith("/") and mimetype.startswith(kind))
               or (kind.endswith("/*") and mimetype.startswith(kind[:-1])) for kind in allowed)


def sniff_mimetype(data, name):
    """The file's type from its content (Odoo's guess_mimetype), never from
    its name. Text (which Odoo's guesser calls octet-stream) is text/plain or
    text/csv, unless it looks like markup a browser would render."""
    mimetype = guess_mimetype(data, default="application/octet-stream")
    if mimetype in ("application/octet-stream", "text/plain") and b"\x00" not in data[:8192]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return mimetype
        head = text[:2048].lstrip().lower()
        if head.startswith("<") or re.search(r"<\s*(html|script|svg|body|iframe|!doctype|\?xml)", head):
            return "text/html"
        return "text/csv" if name.lower().endswith(".csv") else "text/plain"
    return mimetype


class LiveChatChannel(models.Model):
    _name = "live_chat.channel"
    _description = "Live Chat Channel"
    _order = "sequence, name, id"

    def _default_user_ids(self):
        # The creator of a channel is one of its operators.
        return [fields.Command.link(self.env.uid)] if self.env.user._is_internal() else []

    name = fields.Char("Channel Name", required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    user_ids = fields.Many2many(
        "res.users", "live_chat_channel_res_users_rel", "channel_id", "user_id",
        string="Operators", default=lambda self: self._default_user_ids(),
        domain=[("share", "=", False)],
    )
    is_member = fields.Boolean(
        "Am I an operator", compute="_compute_is_member", search="_search_is_member",
    )
    available_operator_ids = fields.Many2many(
        "res.users", string="Available Operators", compute="_compute_available_operator_ids",
    )
    available_operator_count = fields.Integer(
        "Available Operators Count", compute="_compute_available_operator_ids",
    )
    max_sessions_per_operator = fields.Integer(
        "Max chats per operator", default=0,
        help="How many conversations an operator of this channel handles at once (0 = no limit). An "
             "operator at the limit gets no new session; when every available operator is at the "
             "limit, new visitors wait in line and go, oldest first, to the first operator who frees "
             "a place. A session counts while it is open and had a message in the last 30 minutes.",
    )

    # Options
    button_text = fields.Char(
        translate=True, default=lambda self: _("Have a question? Chat with us."),
        help="Text of the button that opens the chat window.",
    )
    button_background_color = fields.Char(default="#875A7B")
    button_text_color = fields.Char(default="#FFFFFF")
    header_background_color = fields.Char(default="#875A7B")
    title_color = fields.Char(default="#FFFFFF")
    welcome_message = fields.Char(
        translate=True, default=lambda self: _("Hello, how may I help you?"),
        help="Sent as if by the operator when a session starts.",
    )
    input_placeholder = fields.Char(
        "Chat Input Placeholder", translate=True,
        default=lambda self: _("Ask something..."),
    )
    consent_text = fields.Text(
        translate=True,
        help="Shown to the visitor before their first message, e.g. what you keep of the "
             "conversation and for how long. Empty: nothing is shown.",
    )

    sound = fields.Boolean(
        "Sound on new message", default=True,
        help="A short sound on an operator's message while the visitor's window is folded or "
             "their tab hidden (as far as the browser allows sounds).",
    )
    uploads = fields.Boolean(
        "Visitors can send files", default=True,
        help="Visitors can attach files (images, PDF, text, office documents) to the conversation.",
    )

    rule_ids = fields.One2many("live_chat.channel.rule", "channel_id", string="Rules", copy=True)

    # Widget
    web_base_url = fields.Char(compute="_compute_widget")
    script_snippet = fields.Text("Script", compute="_compute_widget")
    direct_link = fields.Char("Direct Chat Link", compute="_compute_widget")

    _sql_constraints = [
        ("max_sessions_per_operator_positive", "CHECK(max_sessions_per_operator >= 0)",
         "The maximum number of chats per operator cannot be negative (0 = no limit)."),
    ]

    @api.depends_context("uid")
    @api.depends("user_ids")
    def _compute_is_member(self):
        for channel in self:
            channel.is_member = self.env.user in channel.user_ids

    def _search_is_member(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(_("Unsupported search on 'Am I an operator'."))
        positive = (operator == "=") == value
        return [("user_ids", "in" if positive else "not in", [self.env.uid])]

    @api.depends("user_ids", "hours_ids", "tz")
    def _compute_available_operator_ids(self):
        # One query (this runs on every visitor's init and session start): the
        # operators of the channels open now whose Live Chat status is
        # Available and whom Odoo's bus says online (see _get_available_users).
        # Outside its opening hours a channel has nobody available, even with
        # operators online (live_chat_channel_offline.py).
        open_channels = self.filtered(lambda channel: channel._live_chat_is_open())
        available = {}
        if open_channels.ids:
            self.env["live_chat.channel"].flush_model(["user_ids"])
            self.env["res.users"].flush_model(["active", "share", "live_chat_status"])
            self.env["bus.presence"].flush_model(["user_id", "status"])
            self.env.cr.execute("""
                SELECT rel.channel_id, array_agg(rel.user_id ORDER BY rel.user_id)
                  FROM live_chat_channel_res_users_rel rel
                  JOIN res_users u ON u.id = rel.user_id AND u.active AND NOT u.share
                  JOIN bus_presence p ON p.user_id = u.id AND p.status = 'online'
                 WHERE rel.channel_id IN %s AND COALESCE(u.live_chat_status, 'available') = 'available'
                 GROUP BY rel.channel_id
            """, [tuple(open_channels.ids)])
            available.update(self.env.cr.fetchall())
        Users = self.env["res.users"]
        users = Users.browse({user_id for ids in available.values() for user_id in ids})
        # The query kept active users only: say so to the ORM cache, which
        # would otherwise read `active` to hide inactive ones from the field.
        self.env.cache.update(users, Users._fields["active"], [True] * len(users))
        for channel in self:
            ids = available.get(channel.id, ())
            channel.available_operator_ids = Users.browse(ids)
            channel.available_operator_count = len(ids)

    def _compute_widget(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for channel in self:
            channel.web_base_url = base_url
            if not channel.id:
                channel.script_snippet = channel.direct_link = False
                continue
            channel.script_snippet = (
                f'<script defer src="{base_url}/live_chat/embed/{channel.id}.js"></script>'
            )
            channel.direct_link = f"{base_url}/live_chat/chat/{channel.id}"

    @api.model_create_multi
    def create(self, vals_list):
        channels = super().create(vals_list)
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        if langs != ["en_US"]:
            for channel, vals in zip(channels, vals_list, strict=True):
                for name in TRANSLATED_DEFAULTS:
                    if name not in vals and f"default_{name}" not in self.env.context:
                        # A default is `_()` in the context's language: ask it in each.
                        default = self._fields[name].default
                        channel.update_field_translations(name, {
                            lang: default(self.with_context(lang=lang)) for lang in {*langs, "en_US"}})
        return channels
    def write(self, vals):
        result = super().write(vals)
        if "user_ids" in vals or "max_sessions_per_operator" in vals:
            # An operator joined, or the limit changed: a place may be free
            # for the visitors waiting in line.
            self.env["discuss.channel"]._live_chat_dispatch_queue(self)
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_join(self):
        self._check_can_operate()
        # sudo: joining only touches the current user's own membership, which
        # live chat users may change although they cannot edit the channel.
        self.sudo().user_ids = [fields.Command.link(self.env.uid)]
        return True

    def action_leave(self):
        self._check_can_operate()
        # sudo: see action_join.
        self.sudo().user_ids = [fields.Command.unlink(self.env.uid)]
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _get_available_users(self, users):
        """The users among `users` who can take a new session now: their
        Live Chat status is Available and Odoo's bus says they are online.

        That is Odoo's own presence (what Discuss shows next to a name): the
        web client reports the user's activity, the bus marks them "away"
        after 30 minutes without any, and "offline" once they logged out or
        closed every Odoo tab. Away and offline users keep their channels and
        their open sessions, and get no new ones.
        """
        if not users:
            return self.env["res.users"]
        # Presences and statuses are not readable by every user: read in SQL,
        # only ids come out.
        self.env["res.users"].flush_model(["live_chat_status"])
        self.env["bus.presence"].flush_model(["user_id", "status"])
        self.env.cr.execute("""
            SELECT u.id FROM res_users u
              JOIN bus_presence p ON p.user_id = u.id
             WHERE u.id = ANY(%s) AND COALESCE(u.live_chat_status, 'available') = 'available'
               AND p.status = 'online'
        """, [list(users.ids)])
        available = {row[0] for row in self.env.cr.fetchall()}
        return users.filtered(lambda user: user.id in available)

    def _live_chat_options(self):
        """The options the visitor's widget draws with."""
        self.ensure_one()
        return {
            "name": self.name,
            "button_text": self.button_text or "",
            "button_background_color": self.button_background_color or "#875A7B",
            "button_text_color": self.button_text_color or "#FFFFFF",
            "header_background_color": self.header_background_color or "#875A7B",
            "title_color": self.title_color or "#FFFFFF",
            "welcome_message": self.welcome_message or "",
            "input_placeholder": self.input_placeholder or "",
            "sound": self.sound,
            "uploads": self.uploads,
            "consent_text": self.consent_text or "",
        }

    def _live_chat_welcome_messages(self):
        """The welcome message, as the widget shows it before a session
        exists (the operator posts it when the visitor writes)."""
        self.ensure_one()
        if not (self.welcome_message or "").strip():
            return []
        return [{
            "id": None, "author_name": self.name, "author_avatar_url": None,
            "body": self.welcome_message.strip(), "date": None, "is_visitor": False, "is_bot": False,
            "is_operator": True, "is_notification": False, "edited": False, "deleted": False,
            "attachments": [],
        }]

    @api.model
    def _live_chat_upload_limits(self):
        """(max bytes per file, files per minute per session, allowed
        mimetypes or prefixes), from the system parameters (cached)."""
        params = self.env["ir.config_parameter"].sudo()

        def number(key, default):
            try:
                return max(0, int(params.get_param(key, default)))
            except (TypeError, ValueError):
                return default

        allowed = params.get_param("live_chat.upload_allowed_types") or DEFAULT_UPLOAD_TYPES
        types = [kind.strip().lower() for kind in allowed.split(",") if kind.strip()]
        return (number("live_chat.upload_max_bytes", DEFAULT_UPLOAD_MAX_BYTES),
                number("live_chat.upload_rate_per_minute", DEFAULT_UPLOAD_RATE),
                [kind for kind in types if not is_forbidden_type(kind)])

    def _check_can_operate(self):
        if not self.env.user.has_group("live_chat.group_live_chat_user"):
            raise AccessError(_(
                "Only Live Chat users can join or leave a channel. "
                "Ask an administrator to give you the Live Chat / User access."
            ))
