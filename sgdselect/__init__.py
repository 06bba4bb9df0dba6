"""sgdselect: feature selection by the implicit regularization of SGD."""

from sgdselect._cv import SGDSupportSelectorCV
from sgdselect._selector import GDSupportSelector, SGDSupportSelector

__version__ = "0.1.0"

__all__ = [
    "GDSupportSelector",
    "SGDSupportSelector",
    "SGDSupportSelectorCV",
    "__version__",
]
