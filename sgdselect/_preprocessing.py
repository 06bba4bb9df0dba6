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

import sys
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import ndtri
from sklearn.utils.validation import _check_y, check_consistent_length, validate_data

from sgdselect._arrays import kernel_array
from sgdselect._columns import TableEncoder, is_dataframe, is_raw_table
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
    # float32 or float64, C order, writeable (not a big-endian, integer or
    # read-only array): one compiled column_moments for every input.
    X = kernel_array(X)
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


# The rank-Gauss map reads its quantiles from at most this many rows, and keeps
# at most this many knots per column: its memory does not grow with the data.
RANK_ROWS = 100_000
RANK_KNOTS = 1_000


@dataclass(frozen=True, eq=False)
class RankGauss:
    """Each column through its empirical CDF to a standard normal score.

    A value's score is ``Phi^{-1}(u)`` with ``u`` its mid-rank in the training
    column, ``(rank - 1/2) / n``, ties sharing their average rank: a column
    then carries only its order, so that units, skew, heavy tails and outlying
    cells change nothing, as they change nothing for a tree. A constant
    column scores 0 everywhere; a two-valued column two values. Values
    between the training values are interpolated linearly between scores,
    values beyond them take the end scores.

    ``knots[j]`` holds the sorted values of column ``j`` at which
    ``scores[j]`` are taken: every distinct value, or ``RANK_KNOTS`` of them
    spread over the ranks, from at most ``RANK_ROWS`` rows.
    """

    knots: tuple
    scores: tuple

    @classmethod
    def fit(cls, X, rng=0):
        """The map of ``X``'s columns (rows sampled by ``rng`` beyond
        ``RANK_ROWS``)."""
        X = np.asarray(X)
        if X.shape[0] > RANK_ROWS:
            rng = np.random.default_rng(rng)
            X = X[np.sort(rng.choice(X.shape[0], RANK_ROWS, replace=False))]
        knots, scores = zip(*(_rank_scores(column) for column in X.T), strict=True)
        return cls(knots, scores)

    def transform(self, X):
        """The scores of ``X``'s values, in ``X``'s float dtype (float32 stays
        float32; anything else gives float64), C order."""
        X = np.asarray(X)
        dtype = X.dtype if X.dtype == np.float32 else np.float64
        out = np.empty(X.shape, dtype=dtype)
        for j, (knots, scores) in enumerate(zip(self.knots, self.scores, strict=True)):
            out[:, j] = np.interp(X[:, j], knots, scores)
        return out


def _rank_scores(column):
    """The sorted distinct values of ``column`` (at most ``RANK_KNOTS``) and
    the normal scores of their mid-ranks."""
    values, counts = np.unique(np.asarray(column, dtype=np.float64), return_counts=True)
    if values.size == 1:
        return values, np.zeros(1)
    below = np.cumsum(counts) - counts
    u = (below + counts / 2) / counts.sum()
    if values.size > RANK_KNOTS:
        keep = np.linspace(0, values.size - 1, RANK_KNOTS).round().astype(int)
        values, u = values[np.unique(keep)], u[np.unique(keep)]
    return values, ndtri(u)


@dataclass(frozen=True)
class InputMap:
    """The statistics that map raw columns to the network's inputs.

    ``ranks`` (a :class:`RankGauss`, or None) first maps each raw column to
    normal scores; ``mean`` and ``scale`` then standardize each column
    (``scale`` 0 for a constant column, which then reads as 0);
    ``square_scale`` is the standard deviation of each standardized column's
    square (None for a network without square inputs); ``n_seen`` counts the
    rows behind ``mean`` and ``scale``.
    """

    mean: np.ndarray
    scale: np.ndarray
    square_scale: np.ndarray | None
    n_seen: int
    ranks: RankGauss | None = None

    @classmethod
    def fit(cls, X, squares, ranks=None):
        """The map of ``X``'s columns, with square inputs if ``squares``.

        ``X`` is the data the network reads: already through ``ranks``
        (:meth:`ranked`) when there are ranks.
        """
        mean, scale = column_stats(X)
        square_scale = square_stats(X, mean, scale) if squares else None
        return cls(mean, scale, square_scale, X.shape[0], ranks)

    def ranked(self, X):
        """Raw ``X`` as the engine reads it: through the rank map, if any."""
        return X if self.ranks is None else self.ranks.transform(X)

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

    @property
    def inv_scale(self):
        return inverse(self.scale)

    @property
    def square_inv(self):
        """The squares' ``1 / std(z**2)``, or None without square inputs."""
        return None if self.square_scale is None else inverse(self.square_scale)

    def transform(self, X):
        """The network's inputs for raw ``X``, in float64."""
        X = self.ranked(X)
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


def check_target_complete(y):
    """Refuse a ``y`` with missing values (NaN, None, ``pd.NA``), naming the
    rows: the selector learns from known targets only."""
    if y is None:
        return
    values = np.asarray(y)
    if values.ndim == 0:
        return
    if values.dtype.kind == "f":
        missing = np.isnan(values)
    elif values.dtype.kind == "O":
        # pandas is loaded wherever y can hold pd.NA; else None and NaN only.
        pd = sys.modules.get("pandas")
        if pd is not None:
            missing = np.asarray(pd.isna(values), dtype=bool)
        else:
            missing = np.vectorize(lambda v: v is None or v != v, otypes=[bool])(values)
    else:
        return
    if missing.any():
        rows = np.flatnonzero(missing.reshape(len(values), -1).any(axis=1))
        raise ValueError(
            f"Input y contains NaN or other missing values (None, pd.NA) in "
            f"{rows.size} rows, the first {rows[:5].tolist()}; the selector "
            "learns from known targets only: drop those rows from X and y "
            "(e.g. keep = y.notna(); X[keep], y[keep])."
        )


def validate_training_input(
    estimator, X, y, *, ensure_min_samples=2, columns=None, declared=False
):
    """The network's inputs, ``y`` and the :class:`TableEncoder` of a
    training call: ``fit``, or the first chunk of ``partial_fit``.

    A DataFrame with a text or category column or a missing cell
    (:func:`~sgdselect._columns.is_raw_table`) is encoded by a new encoder
    fitted on ``X`` (``declared``: the first chunk of a stream, whose
    ``category`` columns keep every declared level); ``n_features_in_`` and
    ``feature_names_in_`` are its original columns. With ``columns``, the
    encoder of an earlier fit (a warm start keeps its first encoding),
    ``X`` must have the columns fitted and is encoded by it, whatever its
    dtypes now. Any other ``X`` goes through :func:`validate_training_X_y`,
    and the encoder is None.
    """
    if columns is not None:
        return (*validate_table_chunk(estimator, X, y, columns), columns)
    if not is_raw_table(X):
        X, y = validate_training_X_y(
            estimator, X, y, reset=True, ensure_min_samples=ensure_min_samples
        )
        return X, y, None
    X, y = _validate_table_X_y(estimator, X, y, reset=True)
    if X.shape[0] < ensure_min_samples:
        raise ValueError(
            f"Found array with {X.shape[0]} sample(s) (shape={X.shape}) while a "
            f"minimum of {ensure_min_samples} is required by "
            f"{type(estimator).__name__}."
        )
    columns = TableEncoder.fit(X, declared=declared)
    return columns.transform(X), y, columns


def validate_table_chunk(estimator, X, y, columns):
    """The network's inputs and ``y`` of more training rows of a raw table
    (a warm start, or a later chunk of ``partial_fit``), encoded by the
    fitted ``columns``: new levels go to the pooled input, missing cells
    are filled as at fit."""
    X, y = _validate_table_X_y(estimator, X, y, reset=False)
    return table_frame_inputs(columns, X), y


def _validate_table_X_y(estimator, X, y, *, reset):
    check_target_complete(y)
    X, y = validate_data(estimator, X, y, skip_check_array=True, reset=reset)
    y = _check_y(y, multi_output=True, y_numeric=False, estimator=estimator)
    check_consistent_length(X, y)
    return X, y


def check_stream_stays_numeric(X):
    """Refuse a later chunk of ``partial_fit`` with text, category or
    missing cells after a stream that began on numbers alone: the network
    has no inputs for levels or missingness, and its encoding is fixed by
    the first chunk."""
    if not is_raw_table(X):
        return
    from pandas.api.types import is_numeric_dtype

    text = [str(c) for c, t in X.dtypes.items() if not is_numeric_dtype(t)]
    holes = [str(c) for c, n in X.isna().sum().items() if n > 0]
    what = (
        f"text or category columns {text[:5]}"
        if text
        else f"missing cells in columns {holes[:5]}"
    )
    raise ValueError(
        f"This chunk holds {what}, but the stream began on chunks of numbers "
        "without missing cells, so the network has no inputs for them: the "
        "first chunk of partial_fit fixes how each column is encoded. Restart "
        "the stream with a first chunk that shows each column's kind (a "
        "category column as pandas 'category', with its levels declared; a "
        "column that may have missing cells with at least one), or encode and "
        "impute the chunks first."
    )


def table_frame_inputs(columns, X):
    """The inputs ``columns`` encodes ``X`` into: a DataFrame as it is, any
    other array read as a table of the columns fitted, in their order."""
    if not is_dataframe(X):
        import pandas as pd

        X = pd.DataFrame(np.asarray(X, dtype=object), columns=list(columns.names))
    return columns.transform(X)


def validate_training_X_y(estimator, X, y, *, reset, ensure_min_samples=1):
    """``validate_data`` for training (float32 or float64, C order), with
    the remedy named when ``X`` holds text or categories."""
    check_target_complete(y)
    check_numeric_columns(X)
    try:
        X, y = validate_data(
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
            f"X holds non-numeric values{where} ({exc}); pass X as a pandas "
            "DataFrame, whose text and category columns fit encodes, or "
            "encode them first (e.g. OneHotEncoder or OrdinalEncoder in a "
            "ColumnTransformer), or drop them."
        ) from exc
    # A read-only X (a pandas frame under copy-on-write, a frozen array) would
    # compile the training loop again: a writeable view where the memory
    # allows it, else a copy.
    return kernel_array(X), y
