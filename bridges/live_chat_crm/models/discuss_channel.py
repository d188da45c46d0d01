import logging

from markupsafe import Markup, escape
from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, Command, _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.live_chat.models.discuss_channel import html_to_text

_logger = logging.getLogger(__name__)

# The words of an offline message that title its lead, at most.
OFFLINE_TITLE_LENGTH = 60


class DiscussChannel(models.Model):
    """A live chat session becomes a CRM lead: the operator's /lead command,
    the chatbot's "Create a lead" step and, when the channel says so,
    offline messages all go through `_live_chat_create_lead`. The thread
    gets an internal note linking to the lead, which the visitor never
    receives."""

    _inherit = "discuss.channel"

    live_chat_lead_ids = fields.Many2many(
        "crm.lead", "crm_lead_live_chat_session_rel", "session_id", "lead_id", string="Leads",
        copy=False, groups="sales_team.group_sale_salesman")
    live_chat_lead_count = fields.Integer(
        "Lead Count", compute="_compute_live_chat_lead_count", groups="sales_team.group_sale_salesman")

    @api.depends("live_chat_lead_ids")
    def _compute_live_chat_lead_count(self):
        for session in self:
            session.live_chat_lead_count = len(session.live_chat_lead_ids)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_live_chat_view_leads(self):
        """The session's leads (the form when there is one)."""
        self.ensure_one()
        leads = self.live_chat_lead_ids
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update(domain=[("id", "in", leads.ids)], context={"create": False, "active_test": False})
        if len(leads) == 1:
            action.update(res_id=leads.id, view_mode="form", views=[(False, "form")])
        return action

    def execute_command_lead(self, **kwargs):
        """`/lead <title>` typed in a live chat thread (Discuss or a chat
        window): a lead from this session, in the operator's sales team; the
        thread gets a link to it. Only the session's operators may."""
        self.ensure_one()
        if self.channel_type != "live_chat":
            # Odoo's own crm_livechat adds the same command to im_livechat's
            # channels: in a database that has both, theirs serves theirs.
            other = getattr(super(), "execute_command_lead", None)
            if other:
                return other(**kwargs)
            raise UserError(_("/lead creates a lead from a live chat session: type it in a live chat conversation."))
        self._live_chat_check_lead_creator()
        words = (kwargs.get("body") or "").split(None, 1)  # "/lead", then the title
        title = words[1].strip() if len(words) == 2 else ""
        if not title:
            self._send_transient_message(
                self.env.user.partner_id, escape(_("Type the lead's title after the command: /lead <title>")))
            return None
        team = self.env["crm.team"]._get_default_team_id(user_id=self.env.uid)
        self._live_chat_create_lead(title=title, team=team)
        return None

    # ------------------------------------------------------------------
    # Chatbot
    # ------------------------------------------------------------------

    def _chatbot_run_step(self, step):
        if step.step_type == "create_lead":
            self._live_chat_create_lead(team=step.crm_team_id)
        return super()._chatbot_run_step(step)

    # ------------------------------------------------------------------
    # Offline messages
    # ------------------------------------------------------------------

    def _live_chat_offline_received(self):
        """An offline message (the form, or the bot's hand-over that found no
        operator): once the operators are told, a lead when the channel says
        so (`offline_create_lead`), in its team. Made by OdooBot (no person
        acts: the visitor is a guest), once per session: a session that
        already has a lead (e.g. the bot's "Create a lead" step before the
        hand-over) gets no second one."""
        result = super()._live_chat_offline_received()
        for session in self.sudo():
            channel = session.live_chat_channel_id
            if channel.offline_create_lead and not session.live_chat_lead_ids:
                session._live_chat_create_offline_lead()
        return result

    def _live_chat_create_offline_lead(self):
        """The lead of this offline message, or None when it could not be
        made: the visitor's message and the operators' notice never fail
        because of the CRM (a misconfigured CRM loses the lead, logged)."""
        self.ensure_one()
        session = self.sudo()
        try:
            with self.env.cr.savepoint():
                return session._live_chat_create_lead(
                    title=session._live_chat_offline_lead_title(),
                    team=session.live_chat_channel_id.offline_lead_team_id)
        except OperationalError:
            raise  # a concurrent update: Odoo retries the whole request
        except Exception:  # any CRM error: keep the message, log why the lead is missing
            _logger.exception("Live chat: no lead could be made of the offline message of session %s", self.id)
            return None

    def _live_chat_offline_lead_title(self):
        """"<visitor>: <the first words of their message>" for a message left
        with the form; "<visitor>: offline message" when a bot talked first
        (the visitor's first messages are answers to the bot)."""
        self.ensure_one()
        session = self.sudo()
        name = session.live_chat_visitor_name or _("A visitor")
        text = ""
        if not session.live_chat_chatbot_script_id:
            first = session._live_chat_visitor_messages()[:1]
            text = " ".join((first.live_chat_visitor_text or html_to_text(first.body)).split()) if first else ""
        if not text:
            return _("%s: offline message", name)
        if len(text) > OFFLINE_TITLE_LENGTH:
            text = text[:OFFLINE_TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(" ,.;:!?") + "…"
        return f"{name}: {text}"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _live_chat_create_lead(self, title=None, team=None):
        """Create a crm.lead from this session and return it: the visitor's
        name, email, phone (from the bot or the form), country and language
        (or the logged-in visitor's contact), the page where the chat
        started, the transcript as a note in its chatter, the sales team
        `team` (default: the operator's, else CRM's default team) and no
        salesperson (the team assigns it). The lead and the session are
        linked, and the thread gets an internal note with a link to the
        lead, which the visitor never receives.

        Runs with the caller's rights: the operator's /lead needs their CRM
        rights. A caller acting for no person (the chatbot during the
        visitor's request, the offline flow) calls it with sudo(): the lead
        is then created by OdooBot and the notes are the bot's."""
        self.ensure_one()
        session = self.sudo()
        Lead = self.env["crm.lead"]
        if self.env.is_superuser():
            Lead = Lead.with_user(SUPERUSER_ID).with_context(mail_create_nosubscribe=True)
            author = session.live_chat_chatbot_script_id.bot_partner_id or self.env.ref("base.partner_root")
        else:
            author = self.env.user.partner_id
        if not team:
            operator = session.live_chat_operator_id
            team = Lead.env["crm.team"]._get_default_team_id(user_id=operator.id if operator else None)
        lead = Lead.create(session._live_chat_lead_values(title, team))
        session.invalidate_recordset(["live_chat_conversation"])
        lead.message_post(
            body=Markup("<p><strong>%s</strong></p>%s") % (_("Live chat transcript"),
                                                           session.live_chat_conversation or ""),
            author_id=author.id, message_type="comment", subtype_xmlid="mail.mt_note")
        session._live_chat_post_internal_note(
            escape(_("%(author)s created the lead %(lead)s")) % {"author": author.name, "lead": lead._live_chat_link()},
            author=author)
        return lead

    def _live_chat_lead_values(self, title, team):
        """The values of the lead made from this session."""
        self.ensure_one()
        visitor = self.live_chat_visitor_partner_id
        email, phone = self.live_chat_visitor_email, self.live_chat_visitor_phone
        lead_group = self.env.ref("crm.group_use_lead", raise_if_not_found=False)
        uses_leads = bool(lead_group) and lead_group in self.env.ref("base.group_user").trans_implied_ids
        lang = self.env["res.lang"]._lang_get(self.live_chat_guest_id.lang or visitor.lang)
        values = {
            "name": title or _("Live chat with %s", self.live_chat_visitor_name or _("a visitor")),
            "type": "lead" if uses_leads and (not team or team.use_leads) else "opportunity",
            "team_id": team.id if team else False,
            "user_id": False,
            "country_id": self.live_chat_country_id.id,
            "lang_id": lang.id if lang else False,
            "description": self._live_chat_lead_description(),
            "source_id": self.env.ref("live_chat_crm.utm_source_live_chat").id,
            "medium_id": self.env.ref("utm.utm_medium_website").id,
            "live_chat_session_ids": [Command.link(self.id)],
        }
        if visitor:
            # A logged-in visitor: their contact, whose name, email and phone
            # the lead takes (those given in the chat only where it has none,
            # so that the chat never overwrites a customer's address).
            values["partner_id"] = visitor.id
            if email and not visitor.email:
                values["email_from"] = email
            if phone and not visitor.phone:
                values["phone"] = phone
        else:
            values.update(contact_name=self.live_chat_visitor_name, email_from=email, phone=phone)
        return values

    def _live_chat_lead_description(self):
        """The lead's notes: where the chat took place."""
        self.ensure_one()
        lines = [escape(_("Live chat on the channel %s", self.live_chat_channel_id.name))]
        if self.live_chat_url:
            url = self.live_chat_url
            page = Markup('<a href="%s" target="_blank" rel="noopener">%s</a>') % (url, url)
            lines.append(escape(_("Started on the page %s")) % page)
        return Markup("<br/>").join(lines)

    def _live_chat_post_internal_note(self, body, author):
        """Post `body` (HTML) in the thread for the operators only: the
        visitor neither receives it on the bus nor reads it in the history
        or the transcript, nor gets it by email (live_chat leaves internal
        messages out of all three)."""
        self.ensure_one()
        # The addon's trusted path: the chatbot posts it during the visitor's
        # own request.
        return self.sudo()._live_chat_trusted().with_context(live_chat_quiet=True).message_post(
            body=Markup('<div class="o_mail_notification o_live_chat_lead">%s</div>') % body,
            author_id=author.id, message_type="notification", subtype_xmlid="mail.mt_note",
            is_internal=True)

    def _live_chat_check_lead_creator(self):
        """Refuse the current user unless they are an operator of this session
        (a member in the Live Chat group, or a live chat administrator) with
        the right to create leads."""
        self.ensure_one()
        user = self.env.user
        is_operator = user._is_internal() and user.has_group("live_chat.group_live_chat_user") and (
            self.is_member or user.has_group("live_chat.group_live_chat_manager"))
        if not is_operator:
            raise UserError(_("Only the operators of this live chat session can create a lead from it."))
        if not self.env["crm.lead"].check_access_rights("create", raise_exception=False):
            raise UserError(_("Creating a lead needs access to the CRM: ask your administrator for the "
                              "Sales / User rights."))
