"""What the network reads: input validation and the input map.

The network never sees raw ``X``. :class:`InputMap` holds the statistics that
turn a raw row into the network's inputs (each column standardized, and with
``input_squares`` its centred square scaled to unit variance); it is fitted on
the training data, updated chunk by chunk while streaming (Chan et al.'s
pooled moments, as ``StandardScaler.partial_fit`` pools them), and applied by
:meth:`InputMap.transform` or, inside the compiled training loop, from its
``mean``, ``inv_scale`` and ``square_inv`` arrays. Re-expressing a trained
network in updated statistics lives beside the network
(:func:`sgdselect._network.reexpress_inputs`).
"""

from dataclasses import dataclass, replace

import numpy as np
from sklearn.utils.validation import validate_data

from sgdselect._cpu_kernel import column_moments
from sgdselect._network import network_inputs

# Elements per block of the squares' statistics (float64): 8 MiB of scratch.
_STATS_BLOCK = 1 << 20


def inverse(scale):
    """1 / scale, with 0 for a zero scale (a constant column stays at 0)."""
    return 1.0 / np.where(scale == 0, np.inf, scale)


def column_stats(X, name="X"):
    """Per-column mean and standard deviation in float64.

    Compiled passes over the rows of ``X`` (``_cpu_kernel.column_moments``)
    with no copy: the two-pass formula avoids the cancellation of the
    one-pass one, and each column is divided by its largest magnitude first,
    so that values near the limits of float64 (1e300 or 1e-300) neither
    overflow nor underflow.
    """
    n, d = X.shape
    if X.dtype not in (np.float32, np.float64):  # e.g. big-endian, integers
        X = np.asarray(X, dtype=np.float64)
    unit, mean, sq = np.empty(d), np.empty(d), np.empty(d)
    column_moments(X, unit, mean, sq)
    scale = np.sqrt(sq / n) * unit
    tiny = (scale > 0) & (scale < 1 / np.finfo(np.float64).max)
    if tiny.any():
        raise ValueError(
            f"columns {np.flatnonzero(tiny)[:10].tolist()} of {name} vary by less "
            "than 1e-300: their standardization would overflow float64. Rescale "
            f"{name} (e.g. multiply those columns by 1e300) or drop them."
        )
    return mean * unit, scale


def square_stats(X, mean, scale):
    """Standard deviation of each standardized column's square, ``z**2`` with
    ``z = (x - mean) / scale``, in float64 and row blocks; 0 for a constant
    column, and for one whose square does not vary (``|z|`` constant: a
    balanced two-valued column, whose square would only repeat it)."""
    n, d = X.shape
    inv = inverse(scale)
    rows = max(1, min(n, _STATS_BLOCK // max(d, 1)))
    buffer = np.empty((rows, d))
    blocks = [slice(start, start + rows) for start in range(0, n, rows)]

    def squares(part):
        block = buffer[: len(range(n)[part])]
        np.subtract(X[part], mean, out=block)
        block *= inv
        return np.square(block, out=block)

    centre = sum(squares(part).sum(axis=0) for part in blocks) / n
    spread = np.zeros(d)
    for part in blocks:
        block = squares(part)
        block -= centre
        spread += np.einsum("ij,ij->j", block, block)
    std = np.sqrt(spread / n)
    return np.where(std > 1e-6 * np.maximum(centre, 1.0), std, 0.0)


def combine_moments(a, b):
    """Mean and standard deviation of two samples pooled, from each one's
    ``(count, mean, std)`` (Chan et al.'s update), in units of the largest
    value so that nothing overflows."""
    (n_a, mean_a, std_a), (n_b, mean_b, std_b) = a, b
    unit = np.max(np.abs([mean_a, mean_b, std_a, std_b]), axis=0)
    unit = np.where(unit > 0, unit, 1.0)
    mean_a, mean_b, std_a, std_b = (v / unit for v in (mean_a, mean_b, std_a, std_b))
    n = n_a + n_b
    delta = mean_b - mean_a
    mean = mean_a + delta * (n_b / n)
    var = (std_a**2 * n_a + std_b**2 * n_b + delta**2 * (n_a * n_b / n)) / n
    return mean * unit, np.sqrt(var) * unit


@dataclass(frozen=True)
class InputMap:
    """The statistics that map raw columns to the network's inputs.

    ``mean`` and ``scale`` standardize each column (``scale`` 0 for a constant
    column, which then reads as 0); ``square_scale`` is the standard deviation
    of each standardized column's square (None for a network without square
    inputs); ``n_seen`` counts the rows behind ``mean`` and ``scale``.
    """

    mean: np.ndarray
    scale: np.ndarray
    square_scale: np.ndarray | None
    n_seen: int

    @classmethod
    def fit(cls, X, squares):
        """The map of ``X``'s columns, with square inputs if ``squares``."""
        mean, scale = column_stats(X)
        square_scale = square_stats(X, mean, scale) if squares else None
        return cls(mean, scale, square_scale, X.shape[0])

    def update(self, X):
        """The map with chunk ``X`` pooled into the standardization.

        The squares keep the scale of the first chunk: their scale only
        brings them to about unit variance, and the network's re-expression
        (:func:`~sgdselect._network.reexpress_inputs`) keeps them exact.
        """
        mean, scale = combine_moments(
            (self.n_seen, self.mean, self.scale), (X.shape[0], *column_stats(X))
        )
        return replace(self, mean=mean, scale=scale, n_seen=self.n_seen + X.shape[0])

    def restrict(self, n_features):
        """The map of the first ``n_features`` columns only."""
        square_scale = self.square_scale
        if square_scale is not None:
            square_scale = square_scale[:n_features]
        return replace(
            self,
            mean=self.mean[:n_features],
            scale=self.scale[:n_features],
            square_scale=square_scale,
        )

    @property
    def inv_scale(self):
        return inverse(self.scale)

    @property
    def square_inv(self):
        """The squares' ``1 / std(z**2)``, or None without square inputs."""
        return None if self.square_scale is None else inverse(self.square_scale)

    def transform(self, X):
        """The network's inputs for raw ``X``, in float64."""
        return network_inputs(X, self.mean, self.inv_scale, self.square_inv)


def check_numeric_columns(X):
    """Refuse the categorical columns of a DataFrame, with the remedy: their
    values are labels, not quantities to standardize."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return
    categorical = [str(c) for c, dt in dtypes.items() if str(dt) == "category"]
    if categorical:
        raise ValueError(
            f"X has categorical columns {categorical[:10]}; the selector needs "
            "numbers it can standardize. Encode them (OneHotEncoder or "
            "OrdinalEncoder in a ColumnTransformer), or cast numeric ones with "
            ".astype(float)."
        )


def validate_training_X_y(estimator, X, y, *, reset, ensure_min_samples=1):
    """``validate_data`` for training (float32 or float64, C order), with
    the remedy named when ``X`` holds text or categories."""
    check_numeric_columns(X)
    try:
        return validate_data(
            estimator,
            X,
            y,
            dtype=[np.float64, np.float32],
            order="C",
            multi_output=True,
            y_numeric=False,
            ensure_min_samples=ensure_min_samples,
            reset=reset,
        )
    except ValueError as exc:
        if "could not convert" not in str(exc):
            raise
        dtypes = getattr(X, "dtypes", None)
        where = ""
        if hasattr(dtypes, "items"):
            text = [str(c) for c, t in dtypes.items() if t.kind not in "biuf"]
            where = f" in columns {text[:10]}"
        raise ValueError(
            f"X holds non-numeric values{where} ({exc}); encode text or "
            "categorical columns first (e.g. OneHotEncoder or OrdinalEncoder "
            "in a ColumnTransformer) or drop them."
        ) from exc
