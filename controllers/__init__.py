from . import widget
from . import embed
