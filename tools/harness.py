"""What tools/bench.py and tools/test_scale.py share to drive Odoo servers of
their own: PostgreSQL access, the odoo-bin command line, free ports and
stopping process groups. Not imported by Odoo.

The shell wrappers (tools/bench, tools/test) export LIVE_CHAT_ODOO_BIN,
LIVE_CHAT_ADDONS_PATH, LIVE_CHAT_DB_USER and LIVE_CHAT_DB_PASSWORD."""
import os
import signal
import socket
import subprocess
import sys

import psycopg2

HOST = "127.0.0.1"
ODOO_BIN = os.environ.get("LIVE_CHAT_ODOO_BIN", "")
ADDONS_PATH = os.environ.get("LIVE_CHAT_ADDONS_PATH", "")
PG = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "port": int(os.environ.get("PGPORT", "5432")),
    "user": os.environ.get("LIVE_CHAT_DB_USER", "odoo"),
    "password": os.environ.get("LIVE_CHAT_DB_PASSWORD", "odoo"),
}


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def kill_group(proc, sig=signal.SIGTERM, grace=10):
    """Stop `proc` and its children (started with start_new_session=True):
    `sig`, then SIGKILL after `grace` seconds."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except ProcessLookupError:
        pass


def pg_admin(*statements):
    """Run (statement, params) pairs outside a transaction (CREATE/DROP
    DATABASE need it)."""
    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            for statement, params in statements:
                cr.execute(statement, params)
    finally:
        conn.close()


def drop_database(name):
    pg_admin(("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)),
             (f'DROP DATABASE IF EXISTS "{name}"', None))


def sql(db, query, params=()):
    """The rows of `query` on `db` (None for a statement without rows)."""
    conn = psycopg2.connect(dbname=db, **PG)
    try:
        with conn, conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None
    finally:
        conn.close()


def odoo_command(db, data_dir, *args):
    return [sys.executable, ODOO_BIN, f"--addons-path={ADDONS_PATH}", f"--db_host={PG['host']}",
            f"--db_port={PG['port']}", f"--db_user={PG['user']}", f"--db_password={PG['password']}",
            f"--data-dir={data_dir}", "-d", db, *args]
