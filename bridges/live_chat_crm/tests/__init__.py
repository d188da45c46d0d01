from . import test_lead_command
from . import test_chatbot_lead
from . import test_lead_tour
from . import test_offline_lead
from . import test_i18n
