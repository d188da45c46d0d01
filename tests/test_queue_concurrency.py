"""The queue with several workers: two real transactions (as two workers or
two servers would run) competing for the same visitor, or for the same
operator's last free place. Data is committed for them to see, and removed
afterwards."""
from contextlib import closing

import psycopg2

from odoo import Command, api
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import OPERATOR_GROUPS


@tagged("post_install", "-at_install")
class TestQueueConcurrency(TransactionCase):

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            operator = new_test_user(env, login="lc_race_op", name="Rita Race", groups=OPERATOR_GROUPS)
            env["bus.presence"].create({"user_id": operator.id, "status": "online"})
            channel = env["live_chat.channel"].create({
                "name": "Race", "max_sessions_per_operator": 1, "welcome_message": False,
                "user_ids": [Command.set(operator.ids)],
            })
            guests = env["mail.guest"].create([{"name": "Early Visitor"}, {"name": "Late Visitor"}])
            self.ids = {"operator": operator.id, "partner": operator.partner_id.id, "channel": channel.id,
                        "guests": guests.ids}
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["discuss.channel"].search([("live_chat_channel_id", "=", self.ids["channel"])]).unlink()
            env["live_chat.channel"].browse(self.ids["channel"]).unlink()
            env["mail.guest"].browse(self.ids["guests"]).unlink()
            env["bus.presence"].search([("user_id", "=", self.ids["operator"])]).unlink()
            env["res.users"].browse(self.ids["operator"]).unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def worker(self):
        """A transaction of its own, as another worker's request would have."""
        cr = self.registry.cursor()
        self.addCleanup(cr.close)
        return api.Environment(cr, api.SUPERUSER_ID, {})

    def queue_visitor(self, guest_index=0):
        """A visitor waiting in line (committed)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            channel = env["live_chat.channel"].browse(self.ids["channel"])
            guest = env["mail.guest"].browse(self.ids["guests"][guest_index])
            session = env["discuss.channel"]._live_chat_create_session(
                channel, guest=guest, visitor_name=guest.name, visitor_wrote=True)
            return session.id

    def test_two_workers_taking_the_same_visitor_one_wins(self):
        session_id = self.queue_visitor()
        env_a, env_b = self.worker(), self.worker()
        channel_a = env_a["live_chat.channel"].browse(self.ids["channel"])
        channel_b = env_b["live_chat.channel"].browse(self.ids["channel"])
        # Worker A holds the head of the line (it is giving it out)...
        self.assertEqual(env_a["discuss.channel"]._live_chat_lock_queue_head([channel_a.id], []), session_id)
        # ...worker B, freed a place too, does not take the same visitor: it
        # asks for the dispatch to run again later, in its own transaction.
        self.assertFalse(env_b["discuss.channel"]._live_chat_dispatch_queue(channel_b))
        self.assertTrue(env_b["ir.cron.trigger"].search(
            [("cron_id", "=", env_b.ref("live_chat.ir_cron_live_chat_queue").id)]))
        given = env_a["discuss.channel"]._live_chat_dispatch_queue(channel_a)
        self.assertEqual(given.ids, [session_id])
        env_a.cr.commit()
        # B's transaction started before A's commit: the visitor A took is
        # not taken again from B's stale view of the line.
        self.assertFalse(env_b["discuss.channel"]._live_chat_dispatch_queue(channel_b))
        env_b.cr.rollback()
        self.assertFalse(env_b["discuss.channel"]._live_chat_dispatch_queue(channel_b))
        env_b.cr.commit()
        session = env_b["discuss.channel"].browse(session_id)
        self.assertEqual(session.live_chat_operator_id.id, self.ids["operator"])
        notices = session.message_ids.filtered(lambda m: "joined the conversation" in (m.body or ""))
        self.assertEqual(len(notices), 1, "the visitor was given once")
        self.assertEqual(len(session.channel_member_ids.filtered(
            lambda m: m.partner_id.id == self.ids["partner"])), 1)

    def test_two_workers_giving_the_last_place_one_wins(self):
        env_a, env_b = self.worker(), self.worker()
        Session_a, Session_b = env_a["discuss.channel"], env_b["discuss.channel"]
        channel_a = env_a["live_chat.channel"].browse(self.ids["channel"])
        channel_b = env_b["live_chat.channel"].browse(self.ids["channel"])
        guest_a = env_a["mail.guest"].browse(self.ids["guests"][0])
        # Two visitors write at the same time: both workers see the operator
        # with a free place (limit 1).
        operator_a = Session_a._live_chat_pick_operator(channel_a)
        operator_b = Session_b._live_chat_pick_operator(channel_b)
        self.assertEqual(operator_a.id, self.ids["operator"])
        self.assertEqual(operator_b.id, self.ids["operator"])
        Session_a._live_chat_claim_operator(operator_a, channel_a)
        Session_a._live_chat_create_session(channel_a, operator_a, guest=guest_a, visitor_wrote=True)
        env_a.cr.commit()
        # B's claim conflicts with A's: PostgreSQL refuses it, Odoo retries
        # B's request, which then sees the operator at the limit.
        with self.assertRaises(psycopg2.OperationalError) as caught, mute_logger("odoo.sql_db"):
            Session_b._live_chat_claim_operator(operator_b, channel_b)
        self.assertEqual(caught.exception.pgcode, psycopg2.errorcodes.SERIALIZATION_FAILURE)
        env_b.cr.rollback()
        env_b.invalidate_all()
        self.assertFalse(Session_b._live_chat_pick_operator(channel_b), "the operator is at the limit")
        self.assertEqual(channel_b.available_operator_ids.ids, [self.ids["operator"]],
                         "still available: the next visitor waits in line")
        with closing(self.registry.cursor()) as cr:
            cr.execute("SELECT count(*) FROM discuss_channel WHERE live_chat_operator_id = %s",
                       [self.ids["operator"]])
            self.assertEqual(cr.fetchone()[0], 1)
