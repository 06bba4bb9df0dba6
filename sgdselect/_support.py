"""From feature importances to a support mask. Pure NumPy.

The threshold words follow ``sklearn.feature_selection.SelectFromModel``:
a float, ``"mean"``, ``"median"`` or a scaled word such as ``"1.5*mean"``;
``max_features`` keeps at most that many of the features above the threshold,
ties broken by column order (a stable sort). ``"auto"`` is ours: it splits the
features whose importance stands out from the mass of features that training
has shrunk, and where nothing stands out (or only marginally, with no clear
gap), keeps the features whose importance beats every permuted copy of a
column trained beside them (a shadow).
"""

import numpy as np

# A feature stands out when its log-importance lies this many robust standard
# deviations (1.4826 x the median absolute deviation) above the median.
AUTO_Z = 3.0
# A 2-means split of the log-importances also counts when the weakest feature
# above it is at least this many times the strongest below, and the group
# above holds at most half the features.
AUTO_GAP = 1.5
# Below such a clear gap, a feature must lie this many robust standard
# deviations above the median to count as well: the largest of several
# hundred shrunk columns reaches AUTO_Z by chance alone.
AUTO_Z_BELOW_GAP = 4.0
# An outlier must also be more than this many times the median importance:
# robust SDs mean something only of a mass that training has spread. A network
# that has barely moved from its initialization has a tight mass (all
# importances within a factor of about 1.5), where a column 1.3 times the
# median lies many robust SDs out and shows nothing. (A clear gap's group is
# at least AUTO_GAP times the features below it already.) Measured in
# docs/benchmarks/archive/outlier_floor.md.
AUTO_FLOOR = 1.5
# Shadows trained beside the real columns when nothing stands out clearly
# (auto_needs_shadows): at least
# this many, so that a column independent of the target and of the other
# columns (exchangeable with its shadows) beats them all with probability at
# most 1 / (MIN_SHADOWS + 1), about 1% (the probe rates of 50 and 100 are on
# docs/benchmarks/recovery.md's probe cases).
MIN_SHADOWS = 100
# Importances are the column norms averaged over this last fraction of epochs.
LATE_FRACTION = 0.2


def auto_threshold(importances, z=AUTO_Z, gap=AUTO_GAP, z_below_gap=AUTO_Z_BELOW_GAP):
    """The cut between the features that stand out and the shrunk mass.

    SGD's implicit regularization shrinks the first-layer columns of
    irrelevant inputs *multiplicatively*, so in log space they form a low,
    tight mass, while relevant features stand above it. On the logs of the
    positive importances, the rule keeps the larger of two sets:

    1. the features more than ``z`` robust standard deviations (1.4826 times
       the median absolute deviation) above the median, and more than
       ``AUTO_FLOOR`` (1.5) times the median importance: the outliers of the
       mass, as long as fewer than half the features are relevant;
    2. the upper group of the split into two groups with the least
       within-group variance (Otsu's rule), if that group holds at most half
       the features and its weakest feature is at least ``gap`` times the
       strongest below: a clear gap, which the first set misses when there
       are too few features for a robust spread.

    When there is such a clear gap, the first set only counts at
    ``z_below_gap`` (4) robust standard deviations: with a gap showing where
    the signal is, the mass's own tail (its largest of 45 to 500 columns
    lies near 3 by chance) must not add features below it.

    If both are empty, the most important feature is kept.

    Chosen over a 2-means split alone (with or without a minimum gap), the
    mean and the median on the synthetic and probe cases of
    :func:`sgdselect.datasets.benchmark_suite` (the defaults study among the
    documentation's past benchmark studies): the outlier set was the only
    rule that kept the permutation probes of the real datasets out; the gap
    set recovers small problems.

    Returns a threshold in the units of ``importances``, the geometric mean of
    the two values on either side of the cut, so that ``importances >=
    threshold`` reproduces it.
    """
    positive = _sorted_positive(importances)
    if positive.size == 0:
        return np.inf
    if positive.size == 1:
        return positive[0]
    logs = np.log(positive)
    k = max(_count_standing_out(logs, z, gap, z_below_gap), 1)
    if k == positive.size:
        return positive[-1]
    return float(np.exp(0.5 * (logs[k - 1] + logs[k])))


def auto_needs_shadows(
    importances, z=AUTO_Z, gap=AUTO_GAP, z_below_gap=AUTO_Z_BELOW_GAP
):
    """Whether :func:`auto_threshold`'s cut is too weak to stand on its own,
    so that shadows must settle it: no feature stands out, or there is no
    clear gap and the weakest feature standing out lies within
    ``z_below_gap`` robust standard deviations of the median.

    The second case is a graded mass with a few features at its upper edge,
    not a shrunk mass with features far above it: on real data a column or
    two can pass 3 robust SDs while a dozen relevant ones sit just below,
    and the rule alone would keep those one or two (the shadow-rule study
    among the documentation's past benchmark studies measures it).
    """
    positive = _sorted_positive(importances)
    if positive.size < 2:
        return False
    logs = np.log(positive)
    median, spread, _, clear_gap = _mass(logs, gap)
    if clear_gap:
        return False
    k = _count_outliers(logs, median, spread, z)
    return k == 0 or not logs[k - 1] > median + z_below_gap * spread


def auto_fell_back(importances, z=AUTO_Z, gap=AUTO_GAP, shadow_importances=None):
    """Whether ``threshold="auto"`` kept the most important feature only
    because a selection must not be empty: no feature stood out
    (:func:`auto_threshold`) or, with ``shadow_importances``, none beat the
    strongest shadow (:func:`shadow_threshold`)."""
    positive = _sorted_positive(importances)
    if positive.size < 2:
        return False
    if shadow_importances is not None:
        return not np.any(positive > np.max(shadow_importances))
    return _count_standing_out(np.log(positive), z, gap) == 0


def shadow_threshold(importances, shadow_importances):
    """The cut against shadows: just above the largest shadow importance.

    A shadow is a copy of a column with its rows permuted: it keeps the
    column's distribution and loses any relation to the target. Trained
    beside the real columns, the shadows show how large an importance the
    network gives a feature that carries nothing; a feature is kept when it
    beats all of them (Boruta's rule, with one round). If none does, the most
    important feature is kept, so that the selection is not empty.
    """
    scores = np.asarray(importances, dtype=np.float64)
    cut = np.nextafter(float(np.max(shadow_importances, initial=0.0)), np.inf)
    if scores.size and not np.any(scores >= cut):
        return float(scores.max()) if scores.max() > 0 else np.inf
    return float(cut)


def _sorted_positive(importances):
    scores = np.asarray(importances, dtype=np.float64)
    return np.sort(scores[scores > 0])[::-1]


def _count_standing_out(logs, z, gap, z_below_gap=AUTO_Z_BELOW_GAP):
    """How many of the sorted (descending) ``logs`` stand out: the larger of
    the robust outliers and a clear top group (see :func:`auto_threshold`)."""
    median, spread, split, clear_gap = _mass(logs, gap)
    if clear_gap:
        return max(split, _count_outliers(logs, median, spread, z_below_gap))
    return _count_outliers(logs, median, spread, z)


def _count_outliers(logs, median, spread, z):
    """How many of the sorted (descending) ``logs`` lie more than ``z``
    robust SDs above the median and more than ``AUTO_FLOOR`` times it."""
    bar = median + max(z * spread, np.log(AUTO_FLOOR))
    return int(np.count_nonzero(logs > bar))


def _mass(logs, gap):
    """Median and robust spread of the sorted (descending) ``logs``, the
    size of the top group of their Otsu split, and whether the split is a
    clear gap (top group at most half, and at least ``gap`` times the
    strongest below)."""
    median = np.median(logs)
    spread = 1.4826 * np.median(np.abs(logs - median))
    split = _otsu_split(logs)
    clear_gap = split <= logs.size / 2 and logs[split - 1] - logs[split] >= np.log(gap)
    return median, spread, split, bool(clear_gap)


def _otsu_split(values):
    """Size of the top group of sorted ``values`` that minimizes the summed
    within-group squared deviations (between 1 and len(values) - 1)."""
    n = values.size
    sizes = np.arange(1, n)
    head = np.cumsum(values)[:-1]
    head_sq = np.cumsum(values**2)[:-1]
    tail, tail_sq = values.sum() - head, (values**2).sum() - head_sq
    within = (head_sq - head**2 / sizes) + (tail_sq - tail**2 / (n - sizes))
    return int(np.argmin(within)) + 1


def late_mean(history, fraction=LATE_FRACTION):
    """Mean of the last ``fraction`` of the rows of ``history`` (at least one
    row): per-epoch column norms averaged over the end of training, which
    smooths SGD's noisy floor."""
    history = np.asarray(history, dtype=np.float64)
    n_late = max(1, int(np.ceil(fraction * len(history))))
    return history[-n_late:].mean(axis=0)


def resolve_threshold(importances, threshold, shadow_importances=None):
    """Turn ``threshold`` (a number or a word) into a number. ``"auto"`` cuts
    against ``shadow_importances`` when they are given."""
    scores = np.asarray(importances, dtype=np.float64)
    if threshold is None or (isinstance(threshold, str) and threshold == "auto"):
        if shadow_importances is not None:
            return shadow_threshold(scores, shadow_importances)
        return auto_threshold(scores)
    if not isinstance(threshold, str):
        return float(threshold)
    scale, _, word = threshold.rpartition("*")
    word = word.strip()
    if word not in ("mean", "median"):
        raise ValueError(
            f"threshold={threshold!r} is not understood; use a number, 'auto', "
            "'mean', 'median' or a scaled word such as '1.5*mean'."
        )
    reference = np.mean(scores) if word == "mean" else np.median(scores)
    try:
        factor = float(scale) if scale else 1.0
    except ValueError as exc:
        raise ValueError(
            f"threshold={threshold!r}: the factor before '*' must be a number, "
            "as in '1.5*mean'."
        ) from exc
    return factor * reference


def support_mask(importances, threshold, max_features=None):
    """Boolean mask of the features kept by ``threshold`` and ``max_features``."""
    scores = np.asarray(importances, dtype=np.float64)
    mask = scores >= threshold
    if max_features is not None and max_features < scores.size:
        ranked = np.argsort(-scores, kind="mergesort")
        top = np.zeros(scores.size, dtype=bool)
        top[ranked[:max_features]] = True
        mask &= top
    return mask
