"""From feature importances to a support mask. Pure NumPy.

The threshold words follow ``sklearn.feature_selection.SelectFromModel``:
a float, ``"mean"``, ``"median"`` or a scaled word such as ``"1.5*mean"``;
``max_features`` keeps at most that many of the features above the threshold,
ties broken by column order (a stable sort). ``"auto"`` is ours: it splits the
features whose importance stands out from the mass of features that training
has shrunk.
"""

import numpy as np

# A feature stands out when its log-importance lies this many robust standard
# deviations (1.4826 x the median absolute deviation) above the median.
AUTO_Z = 3.0
# Importances are the column norms averaged over this last fraction of epochs.
LATE_FRACTION = 0.2


def auto_threshold(importances, z=AUTO_Z):
    """The cut between the features that stand out and the shrunk mass.

    SGD's implicit regularization shrinks the first-layer columns of
    irrelevant inputs *multiplicatively*, so in log space they form a low,
    tight mass, while relevant features stand above it. The rule keeps the
    features whose log-importance exceeds the median of all (positive) ones
    by more than ``z`` robust standard deviations (1.4826 times the median
    absolute deviation); if none does, it keeps the most important feature.
    The median and MAD are those of the mass as long as fewer than half the
    features are relevant.

    Chosen by ``benchmarks/defaults_study.py`` over the synthetic and probe
    cases of :func:`sgdselect.datasets.benchmark_suite`, against a 2-means
    split of the log-importances (with or without a minimum gap), the mean
    and the median: it was the only rule that kept the permutation probes of
    the real datasets out.

    Returns a threshold in the units of ``importances``, the geometric mean of
    the two values on either side of the cut, so that ``importances >=
    threshold`` reproduces it.
    """
    scores = np.asarray(importances, dtype=np.float64)
    positive = np.sort(scores[scores > 0])[::-1]
    if positive.size == 0:
        return np.inf
    logs = np.log(positive)
    median = np.median(logs)
    spread = 1.4826 * np.median(np.abs(logs - median))
    k = int(np.count_nonzero(logs > median + z * spread))
    if k == 0:
        return positive[0]
    if k == positive.size:
        return positive[-1]
    return float(np.exp(0.5 * (logs[k - 1] + logs[k])))


def late_mean(history, fraction=LATE_FRACTION):
    """Mean of the last ``fraction`` of the rows of ``history`` (at least one
    row): per-epoch column norms averaged over the end of training, which
    smooths SGD's noisy floor."""
    history = np.asarray(history, dtype=np.float64)
    n_late = max(1, int(np.ceil(fraction * len(history))))
    return history[-n_late:].mean(axis=0)


def resolve_threshold(importances, threshold):
    """Turn ``threshold`` (a number or a word) into a number."""
    scores = np.asarray(importances, dtype=np.float64)
    if threshold is None or (isinstance(threshold, str) and threshold == "auto"):
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
