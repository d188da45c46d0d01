from odoo import _, fields, models

from .live_chat_chatbot_step import INPUT_STEP_TYPES


class DiscussChannel(models.Model):
    """The chatbot engine of a live chat session: the bot posts its steps as
    messages and waits on the steps that need the visitor."""

    _inherit = "discuss.channel"

    live_chat_chatbot_script_id = fields.Many2one("live_chat.chatbot.script", "Chatbot", index="btree_not_null")
    live_chat_chatbot_step_id = fields.Many2one(
        "live_chat.chatbot.step", "Chatbot step awaiting the visitor", ondelete="set null")
    live_chat_chatbot_ended = fields.Boolean("Chatbot ended")
    live_chat_chatbot_answer_ids = fields.One2many(
        "live_chat.chatbot.visitor.answer", "session_id", string="Chatbot answers")
    live_chat_visitor_email = fields.Char("Visitor email")
    live_chat_visitor_phone = fields.Char("Visitor phone")

    def _chatbot_info(self):
        """What the visitor's widget needs to draw the bot's turn."""
        self.ensure_one()
        script = self.live_chat_chatbot_script_id
        if not script:
            return None
        return {
            **script._public_info(),
            "step": self.live_chat_chatbot_step_id._public_info() if self.live_chat_chatbot_step_id else None,
            "ended": self.live_chat_chatbot_ended,
            "forwarded": bool(self.live_chat_operator_id),
            # The hand-over found nobody and the session became an offline
            # message: the team answers by email.
            "offline": bool(self.live_chat_offline),
        }

    def _chatbot_say(self, text):
        return self._live_chat_post(text, author=self.live_chat_chatbot_script_id.bot_partner_id)

    def _chatbot_run(self, step):
        """Play the script from `step` until a step needs the visitor, the
        session is forwarded to an operator, or the script ends."""
        self.ensure_one()
        while step:
            if step.message:
                self._chatbot_say(step.message)
            if step.step_type == "forward_operator":
                channel = self.live_chat_channel_id
                operator = self._live_chat_pick_operator(
                    channel, lang=self.live_chat_visitor_lang, guest=self.live_chat_guest_id,
                    partner=self.live_chat_visitor_partner_id)
                if operator:
                    self._live_chat_claim_operator(operator, channel)
                    self._live_chat_forward(operator)
                    self.live_chat_chatbot_step_id = False
                    return
                if channel.available_operator_ids and not self.live_chat_test:
                    # Operators are there but all at their limit: the visitor
                    # waits in line (and may write meanwhile), the bot waits no more.
                    self._chatbot_say(_("All our operators are busy: please wait, one of them will be with you soon."))
                    self.live_chat_chatbot_step_id = False
                    self._live_chat_enqueue()
                    self._live_chat_notify_visitor("live_chat/queue", {
                        "session_id": self.id, "queue_position": self._live_chat_queue_position()})
                    return
                self._chatbot_say(_("Sorry, no operator is available right now."))
                self._live_chat_bot_found_no_operator()
            elif step.step_type == "end":
                break
            elif step.step_type in INPUT_STEP_TYPES:
                self.live_chat_chatbot_step_id = step
                return
            else:
                self._chatbot_run_step(step)
            step = step._next_step()
        self.write({"live_chat_chatbot_step_id": False, "live_chat_chatbot_ended": True})

    def _chatbot_run_step(self, step):
        """What `step` does once the bot said its message, for a step that
        neither waits for the visitor, hands over nor ends: nothing for a
        "text" step. An addon that adds a step type (`selection_add` on
        live_chat.chatbot.step's `step_type`) does its work here for that
        type and calls super() for the others; the bot then goes on with the
        next step."""

    def _chatbot_process_input(self, text):
        """The visitor typed `text` while the bot waits on a step."""
        self.ensure_one()
        step = self.live_chat_chatbot_step_id
        if not step or self.live_chat_operator_id:
            return
        if step.step_type == "question":
            wanted = " ".join(text.split()).lower()
            answer = step.answer_ids.filtered(lambda a: " ".join(a.name.split()).lower() == wanted)[:1]
            if answer:
                self._chatbot_pick_answer(answer)
            else:
                self._chatbot_say(_("Please pick one of the answers."))
            return
        error = step._validate_input(text)
        if error:
            self._chatbot_say(error)  # the same step waits again
            return
        value = text.strip()
        self.env["live_chat.chatbot.visitor.answer"].sudo().create({
            "session_id": self.id, "step_id": step.id, "value": value,
        })
        if step.step_type == "ask_email":
            self.live_chat_visitor_email = value
        elif step.step_type == "ask_phone":
            self.live_chat_visitor_phone = value
        self._chatbot_run(step._next_step())

    def _chatbot_pick_answer(self, answer):
        self.ensure_one()
        step = self.live_chat_chatbot_step_id
        self.env["live_chat.chatbot.visitor.answer"].sudo().create({
            "session_id": self.id, "step_id": step.id, "answer_id": answer.id, "value": answer.name,
        })
        if answer.end_script:
            self.write({"live_chat_chatbot_step_id": False, "live_chat_chatbot_ended": True})
            return
        self._chatbot_run(answer.next_step_id or step._next_step())

    def _chatbot_restart(self):
        self.ensure_one()
        # Posted by the bot: never by the public user of the visitor's request.
        self._live_chat_post_notice(_("Restarting the conversation"),
                                    author=self.live_chat_chatbot_script_id.bot_partner_id)
        self.live_chat_chatbot_ended = False
        self._chatbot_run(self.live_chat_chatbot_script_id._first_step())

    def _live_chat_forward(self, operator):
        """Hand the session over to `operator`, who sees the whole bot talk."""
        self.ensure_one()
        self.write({
            "live_chat_operator_id": operator.id,
            "live_chat_assigned_at": fields.Datetime.now(),
            "name": f"{self.live_chat_visitor_name}, {operator._get_live_chat_name()}",
        })
        self.add_members(partner_ids=operator.partner_id.ids, post_joined_message=False)
        self._live_chat_alert_operator(operator)
