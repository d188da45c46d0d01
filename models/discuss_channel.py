from lxml import html as lxml_html
from markupsafe import Markup

from odoo import Command, _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from odoo.addons.bus.models.bus_presence import DISCONNECTION_TIMER

# A visitor whose widget said nothing on the bus for this long has left (it
# says it is there every 50 s; browsers may slow the timers of a background
# tab to one a minute): twice the bus's own disconnection timer. The
# operator's banner ("Left 3 min ago") and email continuity both use it.
PRESENCE_SILENCE_SECONDS = 2 * DISCONNECTION_TIMER


class DiscussChannel(models.Model):
    """A live chat session is a discuss.channel of type 'live_chat'.

    It reuses mail's members, messages, attachments and bus notifications:
    the operator answers from the standard Discuss UI and the visitor (a
    mail.guest, or the partner of a logged-in user) through the public routes.
    """

    _inherit = "discuss.channel"

    channel_type = fields.Selection(
        selection_add=[("live_chat", "Live Chat")], ondelete={"live_chat": "cascade"},
    )
    live_chat_channel_id = fields.Many2one("live_chat.channel", index="btree_not_null")
    live_chat_operator_id = fields.Many2one("res.users", "Operator", index="btree_not_null")
    live_chat_guest_id = fields.Many2one("mail.guest", "Visitor (guest)", index="btree_not_null")
    live_chat_visitor_partner_id = fields.Many2one("res.partner", "Visitor (contact)", index="btree_not_null")
    live_chat_visitor_name = fields.Char("Visitor")
    live_chat_country_id = fields.Many2one("res.country", "Country")
    live_chat_url = fields.Char("Started on page")
    live_chat_ip = fields.Char("Visitor address", index="btree_not_null", groups="live_chat.group_live_chat_manager")
    live_chat_start = fields.Datetime("Started")
    live_chat_end = fields.Datetime("Ended")
    live_chat_closed = fields.Boolean("Closed", index=True)
    live_chat_closed_by = fields.Selection([("visitor", "Visitor"), ("operator", "Operator")], "Closed by")
    live_chat_visitor_wrote = fields.Boolean(
        "Visitor wrote", index=True, readonly=True,
        help="The visitor posted at least one message (or answered the bot). Reports, Sessions and "
             "the operators' Live Chat category only count these sessions.")

    def _auto_init(self):
        # Sessions made before the column existed: mark those where the visitor
        # wrote, from their messages, once, when the column is created (the
        # empty ones stay, unmarked, out of the reports).
        create = not tools.column_exists(self.env.cr, self._table, "live_chat_visitor_wrote")
        result = super()._auto_init()
        if create:
            self.env.cr.execute("""
                UPDATE discuss_channel c SET live_chat_visitor_wrote = TRUE
                 WHERE c.channel_type = 'live_chat'
                   AND EXISTS (SELECT 1 FROM mail_message m
                                WHERE m.model = 'discuss.channel' AND m.res_id = c.id
                                  AND m.message_type = 'comment'
                                  AND (m.author_guest_id = c.live_chat_guest_id
                                       OR m.author_id = c.live_chat_visitor_partner_id))
            """)
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def live_chat_close_by_operator(self):
        """The operator leaves the session: the visitor is told and can no
        longer post."""
        for session in self:
            if session.channel_type != "live_chat" or session.live_chat_closed:
                continue
            if not session.is_member and not self.env.user.has_group("live_chat.group_live_chat_manager"):
                raise UserError(_("Only the session's operator can close it."))
            name = self.env.user._get_live_chat_name()
            session.sudo()._live_chat_close(
                "operator", _("%(operator)s left the conversation", operator=name))
        return True

    # ------------------------------------------------------------------
    # Business methods (called by the public routes after their checks)
    # ------------------------------------------------------------------

    @api.model
    def _live_chat_pick_operator(self, channel, *, lang=None, guest=None, partner=None, exclude=None):
        """The operator for a new session of `channel`, among its available
        operators under the channel's "Max chats per operator" (minus
        `exclude`): one who speaks the visitor's language `lang`, then the one
        who last chatted with this `guest` / `partner` in the last 7 days,
        then the least busy (see discuss_channel_queue.py). Empty when none:
        the caller queues the visitor when operators are available but all at
        their limit, and takes the offline path when nobody is available."""
        return self._live_chat_route(channel, lang=lang, guest=guest, partner=partner, exclude=exclude)

    @api.model
    def _live_chat_create_session(self, channel, operator=None, *, script=None, guest=None, partner=None,
                                  visitor_name=None, country=None, url=None, ip=None, visitor_wrote=False,
                                  lang=None, values=None, new_guest=False):
        """Create the session of a visitor (a guest or a partner) with
        `operator`, who posts the channel's welcome message, or with the
        chatbot `script`, which plays its opening steps, or, with neither,
        waiting in line for an operator (or, with `live_chat_offline` in
        `values`, an offline message). `visitor_wrote`: the caller posts the
        visitor's first message right after (see `_live_chat_visitor_says`),
        so that the session counts at once. `lang`: the visitor's language
        (routing, see _live_chat_route). `values`: more fields of the session.
        `new_guest`: `guest` was just made for this session (it has no
        presence on the bus yet, which the operator's info then need not read)."""
        values = values or {}
        offline = bool(values.get("live_chat_offline"))
        visitor_name = visitor_name or (partner.name if partner else guest.name)
        host = operator.partner_id if operator else script.bot_partner_id if script else self.env["res.partner"]
        host_name = operator._get_live_chat_name() if operator else script.bot_partner_id.name if script \
            else channel.name if offline else ""
        members = host | (partner or self.env["res.partner"])
        queued = not operator and not script and not offline
        now = fields.Datetime.now()
        # The members are created with the channel rather than by
        # add_members(): that one would also build the channel's info for the
        # visitor's guest and a member list for the channel's bus subscribers,
        # none of whom listens yet (about ten queries per session start). The
        # public user creates it so that mail does not add the caller (a test
        # or a logged-in visitor) as an extra member.
        creator = self if self.env.user._is_public() else self.with_user(self.env.ref("base.public_user"))
        session = creator.sudo().create({
            "name": f"{visitor_name}, {host_name}" if host_name else visitor_name,
            "channel_member_ids": [Command.create({"partner_id": member.id}) for member in members]
                                  + ([Command.create({"partner_id": False, "guest_id": guest.id})] if guest else []),
            "channel_type": "live_chat",
            "live_chat_channel_id": channel.id,
            "live_chat_operator_id": operator.id if operator else False,
            "live_chat_chatbot_script_id": script.id if script else False,
            "live_chat_guest_id": guest.id if guest else False,
            "live_chat_visitor_partner_id": partner.id if partner else False,
            "live_chat_visitor_name": visitor_name,
            "live_chat_country_id": country.id if country else False,
            "live_chat_url": url or False,
            "live_chat_ip": self._live_chat_visitor_address(ip) or False,
            "live_chat_start": now,
            "live_chat_visitor_wrote": bool(visitor_wrote),
            "live_chat_visitor_lang": lang or False,
            "live_chat_assigned_at": now if operator else False,
            "live_chat_queued_at": now if queued else False,
            "live_chat_queue_ping": now if queued else False,
            # The values the stored computed fields would get, given here so
            # that creating a session does not cost an UPDATE right after.
            "group_public_id": False,
            "live_chat_duration": 0,
            "rating_last_value": 0,
            "live_chat_rating": False,
            **values,
        })
        session = self.sudo().browse(session.id)
        session._live_chat_cache_new_session()
        if new_guest and guest:
            # What the bus presence reads would find for a guest made in this
            # transaction: none (mail.guest's im_status, the visitor's presence).
            cache = self.env.cache
            cache.update(guest, guest._fields["im_status"], ["offline"])
            cache.update(session, self._fields["live_chat_visitor_presence"], [False])
            cache.update(session, self._fields["live_chat_visitor_seen_at"], [False])
        if members:
            session._live_chat_notify_joined(members)
        if script:
            session._chatbot_run(script._first_step())
        elif operator:
            # The welcome text from the channel's cache, posted by the lean
            # path (discuss_channel_post.py): the same message and bus
            # notifications as mail's message_post, in fewer queries.
            cached = channel._live_chat_cached()
            welcome = cached["welcome_message"] if cached else channel.welcome_message
            if welcome:
                # The members were just made pinned, with this last interest.
                session._live_chat_post_lean(welcome, author=operator.partner_id, members_fresh=True)
        return session

    def _live_chat_cache_new_session(self):
        """Put in the cache what mail's channel info (sent to the operator by
        `_live_chat_notify_joined`) would otherwise read back from the database
        for a session made in this transaction, before any message: no rating
        (`rating_last_value` is a read-only computed field, so the ORM marks it
        to recompute even though create() was given its value), nothing
        awaiting action, nothing unread, and the members just made. Three
        queries fewer per session start; any later change (a message, a
        member) invalidates these values as usual."""
        self.ensure_one()
        cache = self.env.cache
        self.env.remove_to_compute(self._fields["rating_last_value"], self)
        cache.update(self, self._fields["message_needaction_counter"], [0])
        cache.update(self, self._fields["message_needaction"], [False])
        members = self.channel_member_ids
        cache.update(members, members._fields["message_unread_counter"], [0] * len(members))
        cache.update(self, self._fields["member_count"], [len(members)])

    def _live_chat_notify_joined(self, partners):
        """Tell the web clients of `partners` (users only: the operator, a
        logged-in visitor) that they are in this session, as mail's
        add_members() does; the operator's client opens its chat window."""
        self.ensure_one()
        for partner in partners:
            user = partner.user_ids[:1]
            if user:
                # The user's companies as Odoo caches them (no query).
                channel = self.with_user(user).with_context(allowed_company_ids=user._get_company_ids())
                self.env["bus.bus"]._sendone(partner, "discuss.channel/joined", {
                    "channel": channel._channel_info()[0],
                    "invited_by_user_id": self.env.user.id,
                    "open_chat_window": False,
                })

    def _live_chat_post(self, text, *, author=None, guest=None, attachment_ids=None, quiet=False):
        """Post plain `text` (escaped, newlines kept) as `author` (a partner)
        or as `guest`, with `attachment_ids` (pending attachments the poster
        created). `quiet`: the visitor receives this message in the answer of
        the current call, not on the bus. Returns the new mail.message."""
        self.ensure_one()
        session = self.sudo()
        if guest:
            # mail takes the guest as author only for the public user.
            session = session.with_user(self.env.ref("base.public_user")).sudo().with_context(guest=guest)
        if quiet:
            session = session.with_context(live_chat_quiet=True)
        if not self.live_chat_visitor_wrote and (
                guest or (author and author == self.live_chat_visitor_partner_id)):
            # Sessions made by the API are created marked; this is for those
            # made otherwise: the operators' clients list it from now on.
            self.sudo().live_chat_visitor_wrote = True
            self._live_chat_notify_operator_info()
        return session.message_post(
            body=plaintext2html(text) if text else "",
            author_id=author.id if author else None,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachment_ids or [],
            # A chat message is never emailed: no reply-to address nor alias
            # domain to look up (two queries per message saved).
            record_alias_domain_id=False,
            reply_to=False,
        )

    def _live_chat_visitor_says(self, body=None, answer=None, *, guest=None, partner=None):
        """The visitor's message `body` (or its pick of the bot's `answer`),
        posted by the lean path (discuss_channel_post.py), then what follows
        it (`_live_chat_on_visitor_message`). Returns the visitor's
        mail.message, which the calling route answers with (so it is not sent
        to the visitor on the bus)."""
        self.ensure_one()
        message = self._live_chat_post_visitor_message(answer.name if answer else body, guest=guest, partner=partner)
        self._live_chat_on_visitor_message(message, body=body, answer=answer)
        return message

    def _live_chat_on_visitor_message(self, message, body=None, answer=None):
        """What happens after each message of the visitor (`message`, from
        `body` typed or the bot's `answer` picked), in the visitor's call:
        the one place where a feature reacts to a visitor's message (extend
        it and call super). Here the bot answers."""
        if answer:
            self._chatbot_pick_answer(answer)
        else:
            self._chatbot_process_input(body)

    def _live_chat_close(self, by, notice):
        self.ensure_one()
        self.write({
            "live_chat_closed": True,
            "live_chat_closed_by": by,
            "live_chat_end": fields.Datetime.now(),
        })
        # The notice names who left: posted by the visitor (never "Public
        # user", whose request it is) or by the operator who left.
        session = self.sudo()
        if by == "visitor":
            author = {"guest": session.live_chat_guest_id} if session.live_chat_guest_id \
                else {"author": session.live_chat_visitor_partner_id}
        else:
            author = {"author": self.env.user.partner_id} if not self.env.user._is_public() else {}
        self._live_chat_post_notice(Markup('<span class="o_live_chat_left">%s</span>') % notice, **author)

    def _live_chat_messages(self, after_id=0, limit=200):
        """The session's messages after `after_id`, oldest first, as dicts
        for the visitor: bodies are plain text. Internal messages (e.g. a
        bridge's note for the operators) are never the visitor's (see
        `_live_chat_is_internal`)."""
        self.ensure_one()
        domain = [("model", "=", "discuss.channel"), ("res_id", "=", self.id),
                  ("message_type", "in", ("comment", "notification")), ("is_internal", "=", False),
                  "|", ("subtype_id", "=", False), ("subtype_id.internal", "=", False)]
        if after_id:
            domain.append(("id", ">", after_id))
        messages = self.env["mail.message"].sudo().search(domain, order="id asc", limit=limit)
        return [self._live_chat_message_dict(message) for message in messages]

    @api.model
    def _live_chat_is_internal(self, message):
        """Whether `message` is for the operators only, as mail hides it from
        portal users: an internal message or a note (internal subtype). The
        visitor never gets it: not in the history, not on the bus, not by
        email."""
        message = message.sudo()
        return bool(message.is_internal or message.subtype_id.internal)

    def _live_chat_message_dict(self, message):
        """A message as the visitor sees it: never an operator's email,
        partner id or real name (the online chat name only)."""
        session = self.sudo()
        message = message.sudo()
        author = message.author_id
        bot = session.live_chat_chatbot_script_id
        is_visitor = bool(
            (session.live_chat_guest_id and message.author_guest_id == session.live_chat_guest_id)
            or (session.live_chat_visitor_partner_id and author == session.live_chat_visitor_partner_id)
        )
        is_bot = bool(bot and author and author == bot.bot_partner_id)
        user = author.user_ids[:1] if author and not is_visitor and not is_bot else None
        is_operator = bool(user and not user.share)
        avatar_url = None
        if message.author_guest_id:
            author_name = message.author_guest_id.name
        elif user:
            author_name = user._get_live_chat_name()
            if is_operator:
                avatar_url = f"/live_chat/avatar/operator/{user.id}"
        else:
            author_name = author.name or ""
        if is_bot:
            avatar_url = f"/live_chat/chatbot/{bot.id}/avatar"
        body = message.live_chat_visitor_text or html_to_text(message.body)
        attachments = [session._live_chat_attachment_dict(attachment)
                       for attachment in message.attachment_ids.sorted("id")]
        return {
            "id": message.id,
            "author_name": author_name,
            "author_avatar_url": avatar_url,
            "body": body,
            "date": message.date.isoformat() + "Z" if message.date else None,
            "is_visitor": is_visitor,
            "is_bot": is_bot,
            "is_operator": is_operator,
            "is_notification": message.message_type == "notification",
            "edited": bool(message.live_chat_edited) and bool(body or attachments),
            "deleted": not body and not attachments,
            "attachments": attachments,
        }

    def _live_chat_attachment_dict(self, attachment):
        """An attachment as the visitor's widget shows it. The URL is served
        to the session's visitor only (the widget appends its guest token)."""
        return {
            "id": attachment.id,
            "name": attachment.name,
            "mimetype": attachment.mimetype,
            "size": attachment.file_size,
            "is_image": attachment.mimetype in INLINE_IMAGE_TYPES,
            "url": f"/live_chat/session/{self.id}/attachment/{attachment.id}",
        }


# Images the visitor's browser may show inline (never SVG: it can hold scripts).
INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def html_to_text(body):
    """Plain text of a message body: line breaks kept, tags dropped, entities
    decoded. The widget shows it with textContent, so it is never rendered."""
    if not body:
        return ""
    tree = lxml_html.fragment_fromstring(str(body), create_parent="div")
    for br in tree.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in tree.iter("p", "div", "li"):
        if block is not tree:
            block.tail = "\n" + (block.tail or "")
    return tree.text_content().strip()
