"""sgdselect: feature selection by the implicit regularization of SGD."""

import importlib

__version__ = "0.1.0"

__all__ = [
    "GDSupportSelector",
    "SGDSupportSelector",
    "SGDSupportSelectorCV",
    "__version__",
]

# The estimators are imported on first use, not with the package: they load
# NumPy, scikit-learn and Numba, and ``sgdselect --help`` (sgdselect.cli)
# must answer without them.
_LAZY = {
    "GDSupportSelector": "sgdselect._selector",
    "SGDSupportSelector": "sgdselect._selector",
    "SGDSupportSelectorCV": "sgdselect._cv",
}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sgdselect' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])
