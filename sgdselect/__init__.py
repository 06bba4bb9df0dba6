"""sgdselect: feature selection by the implicit regularization of SGD."""

from sgdselect._engine import DivergenceError
from sgdselect._selector import GDSupportSelector, SGDSupportSelector

__version__ = "0.1.0"

__all__ = ["DivergenceError", "GDSupportSelector", "SGDSupportSelector", "__version__"]
