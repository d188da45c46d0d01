from . import widget
from . import embed
from . import feedback
from . import error_privacy
from . import overload
