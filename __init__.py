from odoo import Command

from . import controllers
from . import models


def _post_init_add_installer_as_operator(env):
    """Make the user who installed the addon an operator of the default channel.

    The module record was last written by the user who clicked "Activate"
    (button_install) before the registry reload runs this hook as superuser.
    From the command line that is the superuser: the administrator is used.
    """
    channel = env.ref("live_chat.live_chat_channel_default", raise_if_not_found=False)
    if not channel:
        return
    module = env["ir.module.module"].search([("name", "=", "live_chat")], limit=1)
    installer = module.write_uid
    if not installer or installer._is_superuser() or not installer._is_internal():
        installer = env.ref("base.user_admin", raise_if_not_found=False)
    if installer:
        installer.groups_id = [Command.link(env.ref("live_chat.group_live_chat_manager").id)]
        channel.user_ids = [Command.link(installer.id)]
