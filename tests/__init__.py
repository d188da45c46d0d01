from . import test_channel
from . import test_security
from . import test_tours
from . import test_session_api
from . import test_widget
from . import test_operator_ui
from . import test_chatbot
from . import test_feedback
