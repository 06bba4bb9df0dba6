"""From feature importances to a support mask. Pure NumPy.

The threshold words follow ``sklearn.feature_selection.SelectFromModel``:
a float, ``"mean"``, ``"median"`` or a scaled word such as ``"1.5*mean"``;
``max_features`` keeps at most that many of the features above the threshold,
ties broken by column order (a stable sort). ``"auto"`` is ours: it looks for
the gap between the features whose importance stands out and the mass of
features that training has shrunk.
"""

import numpy as np

# A gap counts as the edge of the support only if the features above it are at
# least this many times as important as those below (a factor in log space).
AUTO_MIN_RATIO = 2.0


def auto_threshold(importances, min_ratio=AUTO_MIN_RATIO):
    """The cut between the features that stand out and the shrunk mass.

    Sort the importances in decreasing order and take logarithms: SGD's
    implicit regularization drives the first-layer columns of irrelevant
    inputs toward zero *multiplicatively*, so in log space they form a low
    cluster and the relevant features a high one. The cut is placed at the
    largest gap between consecutive log-importances, provided the gap is a
    factor of at least ``min_ratio``; when no gap is that large, nothing
    stands out and every feature with a positive importance is kept.

    Returns a threshold in the units of ``importances``: the geometric mean of
    the two values on either side of the gap, so that ``importances >=
    threshold`` reproduces the cut.
    """
    scores = np.asarray(importances, dtype=np.float64)
    positive = np.sort(scores[scores > 0])[::-1]
    if positive.size == 0:
        return np.inf
    if positive.size == 1:
        return positive[0]
    logs = np.log(positive)
    gaps = logs[:-1] - logs[1:]
    k = int(np.argmax(gaps))
    if gaps[k] < np.log(min_ratio):
        return positive[-1]
    return float(np.exp(0.5 * (logs[k] + logs[k + 1])))


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
