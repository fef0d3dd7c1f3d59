from . import main
from . import drift
