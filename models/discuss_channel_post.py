"""The visitor's message: the hot path of live chat (issue 18).

A visitor's message is a plain mail.message of the session, and the
operator's Discuss learns about it through mail's own bus notifications, as
if mail's `message_post` had posted it. But `message_post` is generic: it
computes an author, alias domains, reply-to, followers, recipients, inbox
and email notifications, and formats the message by reading a dozen
relations that a new chat message cannot have. Here the work is the one a
visitor's message needs: one INSERT of the message, one UPDATE of the
session's members (pinned, last interest, the author's seen message), and
the notifications mail's 17.0 web client expects, built from what is
already known. tests/test_visitor_post.py checks that they are the ones
`message_post` sends, key by key.
"""
from datetime import timedelta

from odoo import Command, api, fields, models, tools
from odoo.tools import plaintext2html
from odoo.tools.misc import OrderedSet

# The visitor messages sent from the caller's address within the window.
ADDRESS_COUNT = """(
    SELECT count(*) FROM mail_message m
      JOIN discuss_channel s ON s.id = m.res_id
     WHERE %(address)s IS NOT NULL AND s.live_chat_ip = %(address)s AND s.channel_type = 'live_chat'
       AND m.model = 'discuss.channel' AND m.message_type = 'comment' AND m.date >= %(since)s
       AND (m.author_guest_id = s.live_chat_guest_id OR m.author_id = s.live_chat_visitor_partner_id))"""


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    def _live_chat_post_visitor_message(self, text, *, guest=None, partner=None, attachments=None):
        """Post plain `text` (escaped, newlines kept) as the session's visitor
        (`guest`, or the logged-in `partner`), with `attachments` (already on
        the session), and tell the session's members. The visitor gets the
        message in the answer of its call, not on the bus. Returns the new
        mail.message."""
        return self.with_context(live_chat_quiet=True)._live_chat_post_lean(
            text, author=partner, guest=guest, attachments=attachments)

    def _live_chat_post_lean(self, text, *, author=None, guest=None, attachments=None, members_fresh=False):
        """What `_live_chat_post` does through mail's `message_post`, for the
        hot path: post plain `text` as `author` (a partner) or as `guest` and
        send the same bus notifications. The visitor (a guest, or a partner
        who is the session's visitor) is the current persona: its message is
        seen by itself. `live_chat_quiet` in the context: the visitor is not
        sent the message on the bus (its call answers with it).
        `members_fresh`: the members were created in this transaction, pinned
        with their last interest now, and the author is not the visitor:
        their update is skipped (it would write the same values)."""
        self.ensure_one()
        session = self.sudo()
        by_visitor = bool(guest or (author and author.id == session.live_chat_visitor_partner_id.id))
        if by_visitor and not session.live_chat_visitor_wrote:
            # Sessions made by the API are created marked; this is for those
            # made otherwise: the operators' clients list it from now on.
            session.live_chat_visitor_wrote = True
            session._live_chat_notify_operator_info()
        env = session.env
        if guest:
            # As mail does for a guest: the message is the public user's.
            env = env(user=env["ir.model.data"]._xmlid_to_res_id("base.public_user"), su=True)
        if not env.context.get("allowed_company_ids"):
            # The user's company, as Odoo takes it, without reading the user
            # on every message (the ORM's defaults look it up).
            env = env(context=dict(env.context, allowed_company_ids=[self._live_chat_user_company_id(env.uid)]))
        attachments = (attachments or env["ir.attachment"]).sudo()
        subtype_id, _name, _description = self._live_chat_comment_subtype(env.lang)
        message = env["mail.message"].create({
            "author_id": author.id if author else False,
            "author_guest_id": guest.id if guest else False,
            "email_from": author.email_formatted if author else False,
            "model": self._name,
            "res_id": self.id,
            "body": plaintext2html(text) if text else "",
            "message_type": "comment",
            "subtype_id": subtype_id,
            "subject": False,
            "parent_id": False,
            "partner_ids": [],
            "attachment_ids": [Command.link(attachment.id) for attachment in attachments],
            "record_name": session.name,
            "record_company_id": env.context["allowed_company_ids"][0],
            # A chat message is never emailed: no alias domain, no reply-to.
            "record_alias_domain_id": False,
            "reply_to": False,
            "email_add_signature": True,
        })
        # What was just written, kept in the cache for the formats below
        # (the ORM drops these two when it links the attachments).
        self._live_chat_cache_values(message, {"res_id": self.id, "attachment_ids": attachments.ids})
        persona = (guest or author) if by_visitor else None
        seen_member = None
        if persona or not members_fresh:
            seen_member = session._live_chat_update_members(message, guest=guest, partner=author if persona else None)
        session._live_chat_notify_new_message(message, seen_member, persona=persona, guest=guest, author=author)
        if not self.env.context.get("live_chat_quiet"):
            session._live_chat_notify_visitor("live_chat/message", {
                "session_id": session.id, "message": session._live_chat_message_dict(message)})
        return message.with_env(self.env)

    def _live_chat_update_members(self, message, *, guest=None, partner=None):
        """What `message_post` writes on the members, in one UPDATE: every
        member has the session pinned with a new last interest; the author's
        member has seen (and fetched) the message, unless it had already seen
        a later one. Returns the author's member info when it changed
        (id, unread counter, last bus id), else None."""
        self.env["discuss.channel.member"].flush_model()
        # `old` reads the rows before the update (RETURNING sees them after).
        self.env.cr.execute("""
            UPDATE discuss_channel_member m
               SET is_pinned = TRUE, last_interest_dt = %(now)s, write_date = %(write_date)s, write_uid = %(uid)s,
                   fetched_message_id = CASE WHEN old.seen THEN GREATEST(COALESCE(m.fetched_message_id, 0), %(message)s)
                                        ELSE m.fetched_message_id END,
                   seen_message_id = CASE WHEN old.seen THEN %(message)s ELSE m.seen_message_id END,
                   last_seen_dt = CASE WHEN old.seen THEN %(now)s ELSE m.last_seen_dt END
              FROM (SELECT id, COALESCE((guest_id = %(guest)s OR partner_id = %(partner)s)
                                        AND (seen_message_id IS NULL OR seen_message_id < %(message)s), FALSE) AS seen
                      FROM discuss_channel_member WHERE channel_id = %(session)s) old
             WHERE m.id = old.id
         RETURNING m.id, old.seen,
                   CASE WHEN old.seen THEN (
                       SELECT count(*) FROM mail_message u
                        WHERE u.model = 'discuss.channel' AND u.res_id = m.channel_id AND u.id > %(message)s
                          AND u.message_type NOT IN ('notification', 'user_notification')) END,
                   CASE WHEN old.seen THEN (SELECT COALESCE(max(b.id), 0) FROM bus_bus b) END
        """, {
            "now": fields.Datetime.now(), "write_date": self.env.cr.now(), "uid": message.env.uid,
            "message": message.id, "session": self.id,
            "guest": guest.id if guest else None, "partner": partner.id if partner else None,
        })
        rows = self.env.cr.fetchall()
        self.env["discuss.channel.member"].invalidate_model([
            "is_pinned", "last_interest_dt", "write_date", "write_uid", "fetched_message_id",
            "seen_message_id", "last_seen_dt", "message_unread_counter"])
        return next(({"id": row[0], "unread": row[2], "bus_id": row[3]} for row in rows if row[1]), None)

    def _live_chat_notify_new_message(self, message, seen_member, *, persona=None, guest=None, author=None):
        """The bus notifications `message_post` sends for a visitor's
        message, in the same order: the author's seen state (to the author,
        and to the session as live_chat sessions show seen infos), the
        session pinned, its last interest, then the message itself. `persona`:
        the author when it is the current persona (the visitor)."""
        notifications = []
        if seen_member and persona:
            basic = {
                "id": seen_member["id"],
                "persona": {"id": persona.id, "type": "guest" if guest else "partner"},
                "lastSeenMessage": {"id": message.id},
            }
            notifications += [
                [persona, "mail.record/insert", {"ChannelMember": {**basic, "thread": {
                    "id": self.id,
                    "message_unread_counter": seen_member["unread"],
                    "message_unread_counter_bus_id": seen_member["bus_id"],
                    "model": "discuss.channel",
                    "seen_message_id": message.id,
                }}}],
                [self, "mail.record/insert", {"ChannelMember": basic}],
            ]
        notifications += [
            ((self, "members"), "mail.record/insert", {
                "Thread": {"id": self.id, "is_pinned": True, "model": "discuss.channel"}}),
            (self, "discuss.channel/last_interest_dt_changed", {
                "id": self.id, "last_interest_dt": fields.Datetime.now()}),
            (self, "discuss.channel/new_message", {
                "id": self.id, "message": self._live_chat_format_message(message, guest=guest, author=author)}),
        ]
        # sudo: bus.bus - the session's own channels, as mail does.
        self.env["bus.bus"].sudo()._sendmany(notifications)

    @api.model
    def _live_chat_author_format(self, partner):
        """`partner.mail_partner_format({"id", "name", "is_company", "user"})[partner]`,
        which also reads the current user's `share` to drop an email these
        fields never include: for a visitor's request, a full read of the
        public user's row (one query per session start)."""
        users = partner.sudo().with_context(active_test=False).user_ids
        main_user = users.filtered(lambda user: not user.share)[:1] or users[:1]
        return {
            "id": partner.id,
            "name": partner.name,
            "is_company": partner.is_company,
            "user": {"id": main_user.id, "isInternalUser": not main_user.share} if main_user else False,
            "type": "partner",
        }

    def _live_chat_format_message(self, message, *, guest=None, author=None):
        """`message.message_format()[0]` for a new message of the lean path, built
        from what is known: a new message has no reactions, notifications,
        trackings, link previews, recipients, stars nor parent."""
        message = message.sudo()
        _subtype_id, subtype_name, subtype_description = self._live_chat_comment_subtype(message.env.lang)
        if guest:
            author_format = {"id": guest.id, "name": guest.name, "type": "guest"}
        else:
            author_format = self._live_chat_author_format(author)
        values = {
            "id": message.id,
            "body": message.body,
            "date": message.date,
            "email_from": message.email_from,
            "message_type": message.message_type,
            "subtype_id": (message.subtype_id.id, subtype_name),
            "subject": message.subject,
            "model": message.model,
            "res_id": message.res_id,
            "record_name": self.name,
            "starred_partner_ids": [],
            "author": author_format,
            "default_subject": self.name,
            "notifications": [],
            "attachments": sorted(message.attachment_ids._attachment_format(), key=lambda a: a["id"]),
            "trackingValues": [],
            "linkPreviews": [],
            "reactions": [],
            "pinned_at": message.pinned_at,
            "create_date": message.create_date,
            "write_date": message.write_date,
            "needaction_partner_ids": [],
            "history_partner_ids": [],
            "is_note": False,
            "is_discussion": True,
            "subtype_description": subtype_description,
            "recipients": [],
            "scheduledDatetime": False,
            "module_icon": self._live_chat_module_icon(),
        }
        if "sms_ids" in self._live_chat_format_extra_keys():
            values["sms_ids"] = []  # the sms addon's key: no SMS for a chat message
        return values

    @api.model
    @tools.ormcache("uid")
    def _live_chat_user_company_id(self, uid):
        """The company of user `uid` (`env.company` without a context)."""
        return self.env["res.users"].sudo().browse(uid).company_id.id

    @api.model
    @tools.ormcache("lang")
    def _live_chat_comment_subtype(self, lang):
        """(id, name, description) of mail's Discussions subtype in `lang`.
        mail clears the cache when a subtype changes."""
        subtype = self.env.ref("mail.mt_comment").with_context(lang=lang).sudo()
        return subtype.id, subtype.display_name, subtype.description

    @api.model
    @tools.ormcache()
    def _live_chat_module_icon(self):
        from odoo.modules.module import get_module_icon  # pylint: disable=import-outside-toplevel
        return get_module_icon(self.env["discuss.channel"]._original_module)

    @api.model
    @tools.ormcache()
    def _live_chat_format_extra_keys(self):
        """Keys that installed addons add to every formatted message (the
        sms addon's `sms_ids`), as a tuple."""
        keys = OrderedSet()
        if "has_sms_error" in self.env["mail.message"]._fields:
            keys.add("sms_ids")
        return tuple(keys)

    @api.model
    def _live_chat_message_limits(self, raw_address):
        """The message rate limits, for the visitor routes' counting query:
        at most N visitor messages per session and M per client address
        within the window, counted in the database so that every worker and
        server sees the same numbers (system parameters,
        which Odoo caches until one is written), the window's start and the
        address as sessions store it."""
        params = self.env["ir.config_parameter"].sudo()

        def number(key, default):
            try:
                return int(params.get_param(key, default))
            except (TypeError, ValueError):
                return default

        window = number("live_chat.rate_limit_window_seconds", 10)
        return {
            "per_session": number("live_chat.rate_limit_session", 20),
            "per_address": number("live_chat.rate_limit_address", 60),
            "since": fields.Datetime.now() - timedelta(seconds=window),
            "address": self._live_chat_visitor_address(raw_address),
        }

    @api.model
    def _live_chat_cache_values(self, record, values):
        """Put `values` ({field name: value as read from the database}) of
        `record` in the ORM cache, as the ORM does after its own reads: the
        visitor routes read a session and its guest in one query of theirs."""
        cache = record.env.cache
        for name, value in values.items():
            field = record._fields[name]
            if cache.has_dirty_fields(record, [field]):
                continue  # written in this transaction, not yet flushed: the newer value stays
            # x2many: ids as the ORM caches them (its conversion would read them).
            value = tuple(value) if field.type in ("one2many", "many2many") \
                else field.convert_to_cache(value, record, validate=False)
            cache.update(record, field, [value])
