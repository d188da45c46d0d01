from . import widget
from . import embed
from . import feedback
from . import error_privacy
from . import offline
from . import session
from . import chatbot_test
from . import overload
