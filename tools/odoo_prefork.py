"""Run odoo-bin with the prefork workers' listen backlog set by
LIVE_CHAT_BACKLOG (used by tools/production.sh; not imported by Odoo).

Odoo's prefork server listens with a backlog of 8 x workers (40 with 5
workers). nginx opens one connection to Odoo per request it forwards: past
that backlog the kernel drops the handshakes, nginx's requests reach the
workers seconds later (TCP retransmission) or not before a worker gave up
reading them, and nginx answers 502. With the backlog nginx itself has, the
requests wait in the kernel's queue, whole, in order, for the next free
worker.

    python tools/odoo_prefork.py /path/to/odoo-bin [odoo options...]
"""
import os
import runpy
import sys

import odoo.service.server


def main():
    backlog = int(os.environ.get("LIVE_CHAT_BACKLOG", "0"))
    start = odoo.service.server.PreforkServer.start

    def start_with_backlog(server, *args, **kwargs):
        result = start(server, *args, **kwargs)
        if backlog and getattr(server, "socket", None) is not None:
            server.socket.listen(backlog)  # on Linux, listen() again sets the new backlog
        return result

    odoo.service.server.PreforkServer.start = start_with_backlog
    odoo_bin = sys.argv[1]
    sys.argv = [odoo_bin, *sys.argv[2:]]
    runpy.run_path(odoo_bin, run_name="__main__")


if __name__ == "__main__":
    main()
