from . import widget
from . import embed
from . import feedback
