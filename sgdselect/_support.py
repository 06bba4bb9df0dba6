"""From feature importances to a support mask. Pure NumPy.

The threshold words follow ``sklearn.feature_selection.SelectFromModel``:
a float, ``"mean"``, ``"median"`` or a scaled word such as ``"1.5*mean"``;
``max_features`` keeps at most that many of the features above the threshold,
ties broken by column order (a stable sort). ``"auto"`` is ours: it splits the
features whose importance stands out from the mass of features that training
has shrunk, and where nothing stands out (or only marginally, with no clear
gap), tests each feature against permuted copies of the columns (shadows)
trained beside it in several networks.
"""

import math

import numpy as np
from scipy.special import ndtr, ndtri

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
# Without a clear gap, the cut stands alone (no shadow test) only where every
# feature standing out lies at least this many robust SDs above the median:
# on the real tables, first networks without a clear gap had their weakest
# outlier at most about 4 out, a graded mass that the shadow test settles
# better and more steadily; a full-batch network's few strong features over
# its tight mass lie far beyond it. Measured in
# docs/benchmarks/archive/gate.md.
AUTO_Z_ALONE = 6.0
# Shadows trained beside the real columns when the cut is weak
# (auto_needs_shadows): at least this many, so that their median and upper
# tail, the law the features are tested against, are read from enough draws.
MIN_SHADOWS = 100
# Networks trained beside the same shadows (one round of the test): the test
# scores each column by its mean over them, so that one network's
# initialization does not decide the selection (docs/benchmarks/real_tables.md).
SHADOW_NETWORKS = 3
# Rounds of the test, each with its own draw of the shadows and its own
# networks. On a table of a few hundred rows the networks fit the shadows'
# chance relations to the target, so one draw of the shadows moves the
# features' importances themselves; the test scores a feature over every
# round, and a rerun with another seed keeps nearly the same columns. At
# least this many (3 rounds of 3 networks were as stable as 3 of 5, at 9/15
# of the cost: docs/benchmarks/archive/shadow_rounds.md) ...
SHADOW_ROUNDS = 3
# ... and up to this many where they fit in SHADOW_WORK: the columns whose
# p-values lie near the bar flip less with every round, to 8 (12 gained
# nothing more). Chosen in docs/benchmarks/archive/shadow_budget.md.
SHADOW_MAX_ROUNDS = 8
# The training the rounds may take, in rows x network inputs (the columns
# and their shadows) x epochs per network: a table of a few thousand rows and
# a hundred columns trains the most rounds, the largest real table of the
# suite (2,930 rows x 628 columns with probes) the least, so that a fit
# there stays under a random forest's time (docs/benchmarks/real_tables.md).
SHADOW_WORK = 5e8
# With mini-batches, the networks of the shadow test train at this many times
# the learning rate: SGD's pull on the columns that carry nothing grows with
# learning_rate / batch_size, so the shadows fall further below the features
# that hold, weak ones included (the test is between columns of the same
# networks, so the first network's cut is not moved). Chosen in
# docs/benchmarks/archive/shadow_rate.md; the defaults measured in
# docs/benchmarks/real_tables.md.
SHADOW_LEARNING_RATE_FACTOR = 4.0
# ... but not above this rate, unless learning_rate itself is: the study
# above peaked at 0.8 (4 times the default) and lost real columns at 1.6, and
# a network at 4 times a learning rate of 1 drops half the features that hold.
SHADOW_LEARNING_RATE_CAP = 0.8
# The false discovery rate of the Benjamini-Hochberg step over the shadow
# p-values (shadow_support).
SHADOW_FDR = 0.2
# A feature the shadow test keeps must also have a p-value at most this: a
# column independent of the target is kept with about this probability,
# however many real features pass (the step above alone lets the share of
# such columns kept grow with the number of discoveries).
SHADOW_ALPHA = 0.01
# The shadows' spread is read from their upper tail: the distance from their
# median to this quantile, in standard normal units (shadow_pvalues).
SHADOW_TAIL = 0.9
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
    importances,
    z=AUTO_Z,
    gap=AUTO_GAP,
    z_below_gap=AUTO_Z_BELOW_GAP,
    z_alone=AUTO_Z_ALONE,
):
    """Whether :func:`auto_threshold`'s cut is too weak to stand on its own,
    so that shadows must settle it: at most one feature stands out, or there
    is no clear gap (two groups, the upper at least ``gap`` times the lower)
    and the weakest feature standing out lies within ``z_alone`` robust
    standard deviations of the median.

    Both are shapes that real tables give where a graded mass of relevant
    features sits under one or a few strong ones (a count target with a
    dozen predictors), and that noise gives when its largest column passes
    the outlier bar by chance: the cut alone would keep those few. A clear
    gap, SGD's signature on a support it has found, stands alone, and so do
    outliers far beyond a mass without one (``AUTO_Z_ALONE``). Measured in
    docs/benchmarks/archive/gate.md (what each first network showed on
    both suites) and docs/benchmarks/decision_rules.md.
    """
    positive = _sorted_positive(importances)
    if positive.size < 2:
        return False
    logs = np.log(positive)
    if _count_standing_out(logs, z, gap, z_below_gap) <= 1:
        return True
    median, spread, _, clear_gap = _mass(logs, gap)
    if clear_gap:
        return False
    k = _count_outliers(logs, median, spread, z)
    return not logs[k - 1] >= median + z_alone * spread


def auto_fell_back(importances, z=AUTO_Z, gap=AUTO_GAP, pvalues=None):
    """Whether ``threshold="auto"`` kept the most important feature only
    because a selection must not be empty: no feature stood out
    (:func:`auto_threshold`) or, with the shadow test's ``pvalues``, none
    passed it (:func:`shadow_support`)."""
    positive = _sorted_positive(importances)
    if positive.size < 2:
        return False
    if pvalues is not None:
        return not shadow_passes(pvalues).any()
    return _count_standing_out(np.log(positive), z, gap) == 0


def shadow_learning_rate(learning_rate, full_batch=False):
    """The learning rate the networks of the shadow test train at: with
    mini-batches ``SHADOW_LEARNING_RATE_FACTOR`` times ``learning_rate``,
    at most ``SHADOW_LEARNING_RATE_CAP`` (or ``learning_rate`` where that is
    higher); with full batches, which have no pull to strengthen,
    ``learning_rate`` itself."""
    if full_batch:
        return learning_rate
    faster = min(SHADOW_LEARNING_RATE_FACTOR * learning_rate, SHADOW_LEARNING_RATE_CAP)
    return max(learning_rate, faster)


def shadow_epochs(n_epochs, learning_rate, rate):
    """The epochs the networks of the shadow test train for at ``rate``
    (:func:`shadow_learning_rate`): ``n_epochs`` times ``learning_rate /
    rate``, rounded up. A test network then trains as long as the first in
    learning rate times steps (the time of the gradient flow SGD follows),
    so it fits the signal about as far, and the faster rate still gives each
    step the stronger pull on the columns that carry nothing. Measured in
    docs/benchmarks/archive/shadow_epochs.md."""
    # Rounded first, so that a product a hair above a whole number (float
    # arithmetic) does not add an epoch.
    return max(1, math.ceil(round(n_epochs * learning_rate / rate, 6)))


def shadow_rounds(n_samples, n_inputs, n_epochs):
    """Rounds of the shadow test on ``n_samples`` rows with ``n_inputs``
    network inputs (the columns and their shadows) for ``n_epochs`` epochs:
    as many as fit in ``SHADOW_WORK`` rows x inputs x epochs, at least
    ``SHADOW_ROUNDS`` and at most ``SHADOW_MAX_ROUNDS``. Each round makes a
    rerun's selection steadier; small tables, where the test is noisiest,
    train the most, at little cost."""
    work = max(1, n_samples) * max(1, n_inputs) * max(1, n_epochs)
    return int(min(SHADOW_MAX_ROUNDS, max(SHADOW_ROUNDS, SHADOW_WORK // work)))


def network_mean(importances):
    """The geometric mean over networks of each column's importance, the
    score :func:`shadow_pvalues` tests: ``importances`` is ``(n_networks,
    n_columns)`` or ``(n_rounds, n_networks, n_columns)`` (every network of
    every round counts alike). Each network's initialization gives a column
    a random norm that training moves from, a draw the mean of the
    logarithms averages away."""
    values = _by_network(importances)
    mean = np.exp(_mean_logs(values))
    # A column at zero in a network (a constant one) stays at zero.
    mean[(values <= 0).any(axis=0)] = 0.0
    return mean


def shadow_pvalues(importances, shadow_importances, tail=SHADOW_TAIL):
    """Per-feature p-values of the test against shadows.

    ``importances`` is ``(n_rounds, n_networks, n_features)`` and
    ``shadow_importances`` ``(n_rounds, n_networks, n_shadows)`` (a 2-D pair
    is one round): the networks of a round were trained on the same columns
    and the same shadows (copies of the columns with their rows permuted),
    each from its own initialization; each round drew its own shadows. A
    feature is scored by its mean log-importance over every network of
    every round; a shadow by its mean over the networks of its round, and
    the shadows of all rounds are pooled. A feature's p-value is the upper
    tail of a normal law fitted to the shadows' scores: centred on their
    median, with the spread of their upper tail (median to the ``tail``
    quantile), the side a feature must clear. The upper tail, not the
    standard deviation: the columns of a table differ in kind (rare levels
    of a category train to far smaller norms than numbers), which widens
    the shadows' lower side and would hide every feature behind it.

    The p-value is never below the share of shadows that score at least as
    high as the feature: the normal law only extrapolates beyond the
    shadows. Within their range the count is the better-founded figure,
    and the law fitted at the ``tail`` quantile can understate a heavier
    extreme tail, which on a table of hundreds of noise columns lets the
    Benjamini-Hochberg step admit several of them.

    A feature independent of the target is, within a round, exchangeable
    with that round's shadows of its column, so its score in one round is
    one more draw from their law; its mean over the rounds (the same rows,
    other shadows beside it) spreads no wider than one draw, so pooling the
    rounds errs on the side of keeping fewer such columns, while a real
    feature's score no longer hangs on one draw of the shadows. The normal
    tail is an approximation to that law, whose calibration (the share of
    permuted probes kept, and the noise columns kept on wide synthetic
    tables) is measured in ``docs/benchmarks/real_tables.md`` and
    ``docs/benchmarks/recovery.md``.
    """
    imp = _mean_logs(_by_network(importances))
    shadows = np.asarray(shadow_importances, dtype=np.float64)
    if shadows.ndim < 3:
        shadows = np.atleast_2d(shadows)[None]
    shadows = np.sort(np.concatenate([_mean_logs(one) for one in shadows]))
    centre = np.median(shadows)
    spread = (np.quantile(shadows, tail) - centre) / ndtri(tail)
    # Shadows that all scored alike (nothing trained) give no scale: a
    # feature must then clear them by a hundredth of a log unit per SD.
    spread = max(spread, 0.01)
    normal = ndtr(-(imp - centre) / spread)
    # The share of shadows scoring at least as high as each feature.
    at_least = shadows.size - np.searchsorted(shadows, imp, side="left")
    return np.maximum(normal, at_least / shadows.size)


def benjamini_hochberg(pvalues, q):
    """Mask of the p-values the Benjamini-Hochberg step keeps at false
    discovery rate ``q``: all up to the largest ``p_(k) <= q k / m``."""
    p = np.asarray(pvalues, dtype=np.float64)
    m = p.size
    if m == 0:
        return np.zeros(0, dtype=bool)
    ordered = np.sort(p)
    passing = np.flatnonzero(ordered <= q * np.arange(1, m + 1) / m)
    if passing.size == 0:
        return np.zeros(m, dtype=bool)
    return p <= ordered[passing[-1]]


def shadow_passes(pvalues, q=SHADOW_FDR, alpha=SHADOW_ALPHA):
    """The p-values that pass the shadow test: at most ``alpha`` each, and
    kept by the Benjamini-Hochberg step at false discovery rate ``q``. The
    first bounds the chance that a column independent of the target is kept
    (the share of probes a selection keeps); the second holds the false
    discoveries down where most columns are noise (hundreds of them)."""
    p = np.asarray(pvalues, dtype=np.float64)
    return (p <= alpha) & benjamini_hochberg(p, q)


def shadow_support(importances, pvalues, q=SHADOW_FDR, alpha=SHADOW_ALPHA):
    """The features the shadow test keeps (:func:`shadow_passes`). If none
    passes, the most important feature is kept, so that the selection is
    not empty (and :func:`auto_fell_back` says so)."""
    scores = np.asarray(importances, dtype=np.float64)
    mask = shadow_passes(pvalues, q, alpha)
    if not mask.any() and scores.size and scores.max() > 0:
        mask[np.argmax(scores)] = True
    return mask


def _logs(importances):
    """Natural logs of ``importances`` (2-D), a zero read as the smallest
    positive float."""
    values = np.atleast_2d(np.asarray(importances, dtype=np.float64))
    return np.log(np.maximum(values, np.finfo(np.float64).tiny))


def _by_network(importances):
    """``importances`` as ``(networks, columns)``: a round's networks, or
    every round's (``(n_rounds, n_networks, n_columns)``) one after the
    other."""
    values = np.asarray(importances, dtype=np.float64)
    if values.ndim > 2:
        values = values.reshape(-1, values.shape[-1])
    return np.atleast_2d(values)


def _mean_logs(importances):
    """Each column's mean log-importance over the networks (rows)."""
    return _logs(importances).mean(axis=0)


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


def is_auto(threshold):
    """Whether ``threshold`` asks for the automatic rule."""
    return threshold is None or (isinstance(threshold, str) and threshold == "auto")


def resolve_threshold(importances, threshold, pvalues=None):
    """Turn ``threshold`` (a number or a word) into a number. Where
    ``"auto"`` went to the shadow test (``pvalues`` given), the number is
    the weakest kept feature's importance: the test, not this number, made
    the selection (:func:`selection_mask`)."""
    scores = np.asarray(importances, dtype=np.float64)
    if is_auto(threshold):
        if pvalues is not None:
            kept = shadow_support(scores, pvalues)
            return float(scores[kept].min()) if kept.any() else np.inf
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


def selection_mask(importances, threshold, max_features=None, pvalues=None):
    """The support of a fitted selector: ``threshold`` resolved against
    ``importances`` (``"auto"``: the shadow test where ``pvalues`` are
    given, which keeps features by p-value, not by a cut), then at most
    ``max_features`` of them, the most important first."""
    scores = np.asarray(importances, dtype=np.float64)
    if not (is_auto(threshold) and pvalues is not None):
        cut = resolve_threshold(scores, threshold)
        return support_mask(scores, cut, max_features)
    mask = shadow_support(scores, pvalues)
    if max_features is not None and max_features < mask.sum():
        ranked = np.argsort(-np.where(mask, scores, -np.inf), kind="mergesort")
        mask = np.zeros_like(mask)
        mask[ranked[:max_features]] = True
    return mask
