"""Tables as they come: a DataFrame's columns as the network's inputs, and
the decisions the selection makes over them.

:class:`TableEncoder` turns the columns of a pandas DataFrame (numbers,
booleans, categories and text, with missing cells) into float inputs, and
remembers which column each input came from. :class:`Grouping` maps the
network's inputs to the decisions of the selection (an original column, or a
group of ``feature_groups``): a decision's importance is the root mean square
of its varying inputs' importances (:meth:`Grouping.reduce` says why not
their norm). pandas is imported only when a DataFrame arrives.
"""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

NUMERIC, BOOL, CATEGORY = "numeric", "bool", "category"

# A level seen in fewer training rows than this is pooled with the others
# like it into one "other" input. A one-hot input that is 1 in a handful of
# rows is a near-constant column: SGD learns it from those few rows alone,
# so its importance is mostly their noise, and an identifier (one level per
# row) would otherwise become one memorizing input per row. With every level
# pooled, such a column is constant and cannot be selected.
MIN_LEVEL_ROWS = 10
# A category column may keep at most this many levels (each in at least
# MIN_LEVEL_ROWS rows). A column's importance is the root mean square over
# its inputs, so one relevant level among many is diluted by the others, and
# a much wider column's inputs would outnumber the rest of the table's.
MAX_LEVELS = 100


def is_dataframe(X):
    """Whether ``X`` is a pandas DataFrame (without importing pandas)."""
    return all(hasattr(X, a) for a in ("columns", "dtypes", "iloc", "isna"))


def is_raw_table(X):
    """Whether ``X`` is a DataFrame that needs :class:`TableEncoder`: a
    column that is not numbers or booleans, or a missing cell. Any other
    input takes the numeric path unchanged."""
    if not is_dataframe(X):
        return False
    from pandas.api.types import is_numeric_dtype

    if not all(is_numeric_dtype(dtype) for dtype in X.dtypes):
        return True
    return bool(X.isna().to_numpy().any())


@dataclass(frozen=True, eq=False)
class TableEncoder:
    """The float inputs of a DataFrame's columns, as fixed at fit.

    Per column, in order: a ``numeric`` or ``bool`` column gives one input,
    its value (True is 1), a missing cell filled with the median of the
    observed training values; a ``category`` column (pandas ``category``,
    text as ``object`` or the string dtypes) gives one 0/1 input per level
    kept at fit, in the category order or sorted, then, where fit pooled
    levels (seen in fewer than ``MIN_LEVEL_ROWS`` rows) or a stream may
    bring new ones, one "other" input for them and for those first seen
    later; a missing cell, and a level first seen later in a column without
    an "other" input, is 0 in all of them (the fit had no such rows to learn
    from). A column with missing cells at fit gets a last input, 1 where the
    cell is missing, so that missingness is a signal the network can read. A
    missing cell at transform in a column complete at fit is filled the same
    way, without an indicator.
    """

    names: tuple
    kinds: tuple
    # per column: the kept levels of a category column, else None
    levels: tuple
    # per column: the fill of a numeric or bool column's missing cells
    fills: tuple
    # per column: whether it has a missing-indicator input
    indicators: tuple
    # per column: whether a category column has the pooled "other" input
    others: tuple

    @classmethod
    def fit(cls, frame, min_rows=MIN_LEVEL_ROWS, max_levels=MAX_LEVELS, declared=False):
        """The encoder of ``frame``'s columns; raises ``ValueError`` for a
        column it cannot read (mixed Python types, no observed value, an
        unsupported dtype, too many levels), naming it and the remedy.

        ``declared``: a pandas ``category`` column keeps every level its
        dtype declares, seen or not (the first chunk of a stream, which need
        not hold every level); text columns keep the levels seen in at least
        ``min_rows`` rows either way."""
        names, kinds, levels, fills, indicators, others = [], [], [], [], [], []
        for name, column in frame.items():
            missing = column.isna().to_numpy()
            if missing.all():
                raise ValueError(
                    f"column {name!r} of X has no observed value (every cell is "
                    "missing): there is nothing to learn from it; drop it."
                )
            kind = _column_kind(name, column)
            names.append(name)
            kinds.append(kind)
            indicators.append(bool(missing.any()))
            if kind == CATEGORY:
                kept = _kept_levels(name, column, min_rows, max_levels, declared)
                levels.append(kept)
                fills.append(None)
                observed = column[~missing].unique()
                others.append(declared or len(observed) > len(kept))
            else:
                values = _as_float(name, column)
                levels.append(None)
                fills.append(float(np.median(values[~missing])))
                others.append(False)
        return cls(
            tuple(names),
            tuple(kinds),
            tuple(levels),
            tuple(fills),
            tuple(indicators),
            tuple(others),
        )

    def transform(self, frame):
        """The float64 inputs (C order) of ``frame``, a DataFrame with the
        columns seen at fit, in that order."""
        blocks = [
            self._column_inputs(j, column)
            for j, (_, column) in enumerate(frame.items())
        ]
        return np.ascontiguousarray(np.hstack(blocks), dtype=np.float64)

    def _column_inputs(self, j, column):
        name, kind = self.names[j], self.kinds[j]
        missing = column.isna().to_numpy()
        if kind == CATEGORY:
            codes = _level_codes(column, self.levels[j])
            width = len(self.levels[j]) + self.others[j]
            block = np.zeros((len(column), width))
            known = codes >= 0
            block[np.flatnonzero(known), codes[known]] = 1.0
            if self.others[j]:
                block[:, -1] = ~known & ~missing
        else:
            values = _as_float(name, column)
            block = np.where(missing, self.fills[j], values)[:, None]
        if self.indicators[j]:
            block = np.hstack([block, missing[:, None].astype(np.float64)])
        return block

    def _widths(self):
        return [
            (1 if levels is None else len(levels) + other) + indicator
            for levels, indicator, other in zip(
                self.levels, self.indicators, self.others, strict=True
            )
        ]

    @property
    def groups(self):
        """The original column index of each input."""
        widths = self._widths()
        return np.repeat(np.arange(len(widths)), widths)

    @property
    def input_names(self):
        """A name per input: ``"col"``, ``"col=level"``, ``"col=<other>"``,
        ``"col=<missing>"``."""
        out = []
        for name, levels, indicator, other in zip(
            self.names, self.levels, self.indicators, self.others, strict=True
        ):
            if levels is None:
                out.append(str(name))
            else:
                out += [f"{name}={level}" for level in levels]
                out += [f"{name}=<other>"] * other
            if indicator:
                out.append(f"{name}=<missing>")
        return np.asarray(out, dtype=object)


def _column_kind(name, column):
    """numeric, bool or category, from the dtype (or, for ``object``, from
    the Python types of the observed values)."""
    import pandas as pd
    from pandas.api.types import (
        is_bool_dtype,
        is_numeric_dtype,
        is_object_dtype,
        is_string_dtype,
    )

    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return CATEGORY
    if is_object_dtype(dtype):
        return _object_kind(name, column)
    if is_bool_dtype(dtype):
        return BOOL
    if is_numeric_dtype(dtype):
        return NUMERIC
    if is_string_dtype(dtype):
        return CATEGORY
    raise ValueError(
        f"column {name!r} of X has dtype {dtype}, which the selector cannot "
        "read; convert it to numbers (e.g. a date to days since a reference "
        "date) or to text categories (.astype(str)), or drop it."
    )


def _object_kind(name, column):
    observed = column[column.notna()]
    types = {type(value) for value in observed}
    if all(issubclass(t, str) for t in types):
        return CATEGORY
    if all(issubclass(t, (bool, np.bool_)) for t in types):
        return BOOL
    if all(
        issubclass(t, (Real, Integral)) and not issubclass(t, (bool, np.bool_))
        for t in types
    ):
        return NUMERIC
    found = ", ".join(sorted(t.__name__ for t in types))
    raise ValueError(
        f"column {name!r} of X mixes Python types ({found}), so it is neither "
        f"numbers nor categories. Cast it: X[{name!r}].astype(str) to read it "
        f"as categories, or pd.to_numeric(X[{name!r}], errors='coerce') to "
        "read it as numbers (cells that are not numbers become missing)."
    )


def _as_float(name, column):
    """A numeric or bool column as float64, NaN where missing."""
    try:
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"column {name!r} of X held numbers at fit but cannot be read as "
            f"numbers now ({exc}); pass the same kind of values as at fit."
        ) from exc
    if np.isinf(values).any():
        raise ValueError(
            f"column {name!r} of X holds infinite values; replace them with "
            "finite ones, or with NaN, which the selector reads as missing."
        )
    return values


def _kept_levels(name, column, min_rows, max_levels, declared=False):
    """The levels of a category column seen in at least ``min_rows`` rows
    (or, with ``declared``, every level a ``category`` dtype declares), in
    the dtype's category order or sorted."""
    import pandas as pd

    counts = column.value_counts(dropna=True, sort=False)
    is_category = isinstance(column.dtype, pd.CategoricalDtype)
    if is_category:
        order = list(column.dtype.categories)
    else:
        order = sorted(counts.index, key=str)
    if declared and is_category:
        kept = tuple(order)
    else:
        kept = tuple(level for level in order if counts.get(level, 0) >= min_rows)
    if len(kept) > max_levels:
        raise ValueError(
            f"column {name!r} of X has {len(kept)} levels seen in at least "
            f"{min_rows} rows each, more than the {max_levels} inputs one "
            "category column may expand to (its importance is the mean over "
            "its levels, which would drown one level that matters). Group its "
            "levels into fewer (map them to a coarser column), encode it as "
            "numbers (e.g. each level's frequency), or drop it."
        )
    return kept


def _level_codes(column, levels):
    """The index of each cell's level among ``levels``; -1 for a missing
    cell or a level not kept."""
    import pandas as pd

    if not levels:
        return np.full(len(column), -1)
    values = column.to_numpy(dtype=object)
    return pd.Index(list(levels), dtype=object).get_indexer(values)


@dataclass(frozen=True, eq=False)
class Grouping:
    """Which network inputs make up each decision of the selection.

    ``of_input`` is the decision of each network input, ``of_column`` the
    decision of each original column (a column of a raw table spreads over
    several inputs; a group of ``feature_groups`` joins several columns).
    Decisions are numbered in the order of their first column.
    """

    of_input: np.ndarray
    of_column: np.ndarray

    @property
    def n_decisions(self):
        return int(self.of_column.max()) + 1 if self.of_column.size else 0

    @property
    def first_column(self):
        """The first original column of each decision."""
        _, first = np.unique(self.of_column, return_index=True)
        return first

    @property
    def members(self):
        """The network inputs of each decision, as index arrays."""
        return [np.flatnonzero(self.of_input == g) for g in range(self.n_decisions)]

    def reduce(self, importances):
        """Per-input importances ``(..., n_inputs)`` to per-decision ones:
        the root mean square over each decision's inputs that vary (a
        constant input's importance is exactly 0, and does not count).

        The mean, not the sum: a column of k inputs that carries nothing has
        an importance of the order of one such input's, as a numeric column
        has. The Euclidean norm grows as sqrt(k), and let a wide category
        independent of the target stand out of the mass and beat the
        shadows of the narrow columns, while a relevant numeric column
        stayed below it."""
        imp = np.asarray(importances, dtype=np.float64)
        onehot = np.zeros((self.of_input.size, self.n_decisions))
        onehot[np.arange(self.of_input.size), self.of_input] = 1.0
        varying = (imp > 0) @ onehot
        return np.sqrt(((imp * imp) @ onehot) / np.maximum(varying, 1.0))

    def per_column(self, values):
        """Per-decision values ``(..., n_decisions)`` spread to the original
        columns: each column gets its decision's value."""
        return np.asarray(values)[..., self.of_column]


def make_grouping(columns, feature_groups, n_features, names=None):
    """The :class:`Grouping` of a fit, or None where each network input is
    its own decision (numeric input without ``feature_groups``: the path
    that computes exactly as before).

    ``columns`` is the fit's :class:`TableEncoder` or None; ``names`` the
    column names of a DataFrame ``X``, to resolve names in
    ``feature_groups``.
    """
    if columns is None and feature_groups is None:
        return None
    of_column = resolve_feature_groups(feature_groups, n_features, names)
    of_input = of_column if columns is None else of_column[columns.groups]
    return Grouping(of_input=of_input, of_column=of_column)


def resolve_feature_groups(feature_groups, n_features, names=None):
    """The decision of each of the ``n_features`` columns: columns of a
    group of ``feature_groups`` share one, every other column has its own;
    numbered in the order of each decision's first column."""
    owner = np.full(n_features, -1)
    for g, group in enumerate(feature_groups or ()):
        if isinstance(group, (str, bytes)) or not hasattr(group, "__iter__"):
            raise ValueError(
                f"feature_groups[{g}] is {group!r}, not a list of columns; pass "
                "a list of groups, each a list of column indices or names, as "
                "in feature_groups=[[0, 1], ['a', 'b']]."
            )
        members = [_column_index(column, n_features, names, g) for column in group]
        if not members:
            raise ValueError(
                f"feature_groups[{g}] is empty; every group needs at least one column."
            )
        for j in members:
            if owner[j] >= 0:
                raise ValueError(
                    f"column {_label(j, names)} is in feature_groups[{owner[j]}] "
                    f"and feature_groups[{g}]; a column can belong to one group "
                    "only: merge the two groups or remove it from one."
                )
            owner[j] = g
    # Ungrouped columns are groups of their own; number all by first column.
    single = np.flatnonzero(owner < 0)
    owner[single] = np.arange(single.size) + len(feature_groups or ())
    _, first, inverse = np.unique(owner, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first, kind="stable"), kind="stable")
    return order[inverse].astype(np.intp)


def _column_index(column, n_features, names, g):
    if isinstance(column, str):
        if names is None:
            raise ValueError(
                f"feature_groups[{g}] names column {column!r}, but X has no "
                "column names; use column indices, or fit on a DataFrame."
            )
        found = np.flatnonzero(np.asarray(names, dtype=object) == column)
        if found.size == 0:
            raise ValueError(
                f"feature_groups[{g}] names column {column!r}, which X does not "
                f"have; its columns are {list(names)[:10]}"
                f"{'...' if len(names) > 10 else ''}."
            )
        return int(found[0])
    if isinstance(column, (Integral, np.integer)) and not isinstance(column, bool):
        if not -n_features <= column < n_features:
            raise ValueError(
                f"feature_groups[{g}] holds column {column}, but X has "
                f"{n_features} columns (indices 0 to {n_features - 1})."
            )
        return int(column) % n_features
    raise ValueError(
        f"feature_groups[{g}] holds {column!r}; a column is an integer index "
        "or, when X is a DataFrame, a column name."
    )


def _label(j, names):
    return repr(names[j]) if names is not None else str(j)
