"""The bridge's own translation catalogue (bridges/live_chat_crm/i18n):
the same checks as live_chat's, on this addon's terms."""
from odoo.tests import tagged

from odoo.addons.live_chat.tests import test_i18n


@tagged("post_install", "-at_install")
class TestCrmCatalogue(test_i18n.TestCatalogue):
    module = "live_chat_crm"
