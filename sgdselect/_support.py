"""From feature importances to a support mask. Pure NumPy.

The threshold words follow ``sklearn.feature_selection.SelectFromModel``:
a float, ``"mean"``, ``"median"`` or a scaled word such as ``"1.5*mean"``;
``max_features`` keeps at most that many of the features above the threshold,
ties broken by column order (a stable sort). ``"auto"`` is ours: it splits the
features whose importance stands out from the mass of features that training
has shrunk.
"""

import numpy as np

# The split counts as the edge of the support only if the weakest feature kept
# is at least this many times as important as the strongest one dropped.
AUTO_MIN_RATIO = 1.5
# A feature of the lower group stands out from it when it lies this many
# robust standard deviations (1.4826 MAD) above the group's median, in log space.
AUTO_OUTLIER_Z = 3.0


def auto_threshold(importances, min_ratio=AUTO_MIN_RATIO, z=AUTO_OUTLIER_Z):
    """The cut between the features that stand out and the shrunk mass.

    SGD's implicit regularization shrinks the first-layer columns of
    irrelevant inputs *multiplicatively*, so in log space they form a low,
    tight cluster, while relevant features spread above it, strong and weak
    ones at different heights. The rule works on sorted log-importances:

    1. split them in two groups with the least within-group variance (Otsu's
       rule, i.e. exact one-dimensional 2-means);
    2. move up, one at a time, the top features of the lower group that lie
       more than ``z`` robust standard deviations above that group's median
       (weak relevant features that 2-means lumped with the mass);
    3. keep the upper group if its weakest feature is at least ``min_ratio``
       times as important as the strongest one below; otherwise nothing
       stands out and every feature with a positive importance is kept.

    Returns a threshold in the units of ``importances``: the geometric mean of
    the two values on either side of the cut, so that ``importances >=
    threshold`` reproduces it.
    """
    scores = np.asarray(importances, dtype=np.float64)
    positive = np.sort(scores[scores > 0])[::-1]
    if positive.size == 0:
        return np.inf
    if positive.size == 1:
        return positive[0]
    logs = np.log(positive)
    k = _otsu_split(logs)
    while logs.size - k >= 3:
        mass = logs[k:]
        median = np.median(mass)
        spread = 1.4826 * np.median(np.abs(mass - median))
        if logs[k] <= median + z * spread:
            break
        k += 1
    if logs[k - 1] - logs[k] < np.log(min_ratio):
        return positive[-1]
    return float(np.exp(0.5 * (logs[k - 1] + logs[k])))


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
