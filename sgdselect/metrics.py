"""Support-recovery scores: how well a selection matches a known support.

Every function takes the truth first and the selection (or the scores) second,
as :mod:`sklearn.metrics` does. A support or selection is either a boolean mask
over the features (``selector.get_support()``) or an array of feature indices
(``selector.get_support(indices=True)``); the two forms can be mixed.
"""

import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import roc_auc_score

__all__ = [
    "probe_false_positive_rate",
    "ranking_auc",
    "support_f1",
    "support_precision",
    "support_recall",
    "support_scores",
]


def _as_set(features, name):
    """``features`` (boolean mask or indices) as (index array, n_features or None).

    ``n_features`` is the length of a mask; None for indices, which do not say
    how many features there are.
    """
    arr = np.asarray(features)
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-d boolean mask or array of feature indices; got "
            f"an array of shape {arr.shape}."
        )
    if arr.dtype == bool:
        return np.flatnonzero(arr), arr.size
    if arr.size == 0:
        return np.empty(0, dtype=np.intp), None
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"{name} must be a boolean mask or an array of integer feature "
            f"indices; got dtype {arr.dtype}."
        )
    if arr.min() < 0:
        raise ValueError(f"{name} contains a negative feature index ({arr.min()}).")
    if np.unique(arr).size != arr.size:
        raise ValueError(f"{name} contains duplicate feature indices.")
    return arr.astype(np.intp), None


def _check_pair(truth, other, truth_name, other_name):
    """Both as index arrays, after checking that they describe the same
    features: equal mask lengths, indices within a mask's length."""
    t, n_t = _as_set(truth, truth_name)
    o, n_o = _as_set(other, other_name)
    if n_t is not None and n_o is not None and n_t != n_o:
        raise ValueError(
            f"{truth_name} and {other_name} are masks of different lengths "
            f"({n_t} and {n_o} features)."
        )
    n = n_t if n_t is not None else n_o
    if n is not None:
        for idx, name in ((t, truth_name), (o, other_name)):
            if idx.size and idx.max() >= n:
                raise ValueError(
                    f"{name} contains the feature index {idx.max()}, out of range "
                    f"for {n} features."
                )
    if t.size == 0:
        raise ValueError(f"{truth_name} is empty; it must hold at least one feature.")
    return t, o


def _check_zero_division(zero_division):
    if isinstance(zero_division, str):
        ok = zero_division == "warn"
    else:
        try:
            ok = zero_division in (0, 1) or bool(np.isnan(zero_division))
        except TypeError:
            ok = False
    if not ok:
        raise ValueError(
            f'zero_division must be "warn", 0.0, 1.0 or np.nan; got {zero_division!r}.'
        )


def _ratio(num, den, zero_division, what):
    if den:
        return num / den
    if zero_division == "warn":
        warnings.warn(
            f"{what} is ill-defined and set to 0.0: no feature was selected. "
            "Use zero_division to control this behaviour.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
        return 0.0
    return float(zero_division)


def support_scores(true_support, selected, *, zero_division="warn"):
    """Precision, recall and F1 of a selection against the true support.

    Precision is the fraction of the selected features that are relevant,
    recall the fraction of the relevant features that are selected, and F1
    their harmonic mean.

    Parameters
    ----------
    true_support : array-like of bool or int
        The relevant features: a boolean mask of shape (n_features,) or their
        indices. Must not be empty.
    selected : array-like of bool or int
        The selected features, in either form.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Precision when nothing is selected (it is 0/0). ``"warn"``: 0.0 with
        an :class:`~sklearn.exceptions.UndefinedMetricWarning`, as in
        :func:`sklearn.metrics.precision_score`.

    Returns
    -------
    precision : float
        Fraction of the selected features that are in the true support.
    recall : float
        Fraction of the true support that is selected.
    f1 : float
        Harmonic mean of precision and recall.
        0.0 when precision and recall are both 0.

    See Also
    --------
    support_precision, support_recall, support_f1 : One score each.

    Examples
    --------
    >>> from sgdselect.metrics import support_scores
    >>> support_scores([0, 1, 2, 3], [0, 1, 7])  # doctest: +ELLIPSIS
    (0.666..., 0.5, 0.571...)

    Two of the three selected features are relevant, two of the four relevant
    features are found.
    """
    _check_zero_division(zero_division)
    truth, sel = _check_pair(true_support, selected, "true_support", "selected")
    hits = np.intersect1d(truth, sel).size
    precision = _ratio(hits, sel.size, zero_division, "Support precision")
    recall = hits / truth.size
    total = precision + recall
    f1 = 2 * precision * recall / total if total > 0 else 0.0
    return float(precision), float(recall), float(f1)


def support_precision(true_support, selected, *, zero_division="warn"):
    """Fraction of the selected features that are in the true support.

    Parameters
    ----------
    true_support : array-like of bool or int
        The relevant features, as a boolean mask or indices. Must not be empty.
    selected : array-like of bool or int
        The selected features, in either form.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The value when nothing is selected; see :func:`support_scores`.

    Returns
    -------
    precision : float
        Fraction of the selected features that are in the true support.

    Examples
    --------
    >>> from sgdselect.metrics import support_precision
    >>> support_precision([True, True, False, False], [True, False, True, False])
    0.5
    """
    return support_scores(true_support, selected, zero_division=zero_division)[0]


def support_recall(true_support, selected):
    """Fraction of the true support that is selected.

    Parameters
    ----------
    true_support : array-like of bool or int
        The relevant features, as a boolean mask or indices. Must not be empty.
    selected : array-like of bool or int
        The selected features, in either form.

    Returns
    -------
    recall : float
        Fraction of the true support that is selected.

    Examples
    --------
    >>> from sgdselect.metrics import support_recall
    >>> support_recall([0, 1, 2, 3], [1, 2, 9])
    0.5
    """
    return support_scores(true_support, selected, zero_division=0.0)[1]


def support_f1(true_support, selected, *, zero_division="warn"):
    """Harmonic mean of the support precision and recall.

    Parameters
    ----------
    true_support : array-like of bool or int
        The relevant features, as a boolean mask or indices. Must not be empty.
    selected : array-like of bool or int
        The selected features, in either form.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The precision when nothing is selected; see :func:`support_scores`.

    Returns
    -------
    f1 : float
        Harmonic mean of support precision and recall.

    Examples
    --------
    >>> from sgdselect.metrics import support_f1
    >>> support_f1([0, 1, 2, 3], [0, 1, 2, 3])
    1.0
    """
    return support_scores(true_support, selected, zero_division=zero_division)[2]


def ranking_auc(true_support, importances):
    """ROC AUC of the importances as scores for membership in the true support.

    The probability that a relevant feature, drawn at random, has a higher
    importance than an irrelevant one (ties count one half). 1.0: every
    relevant feature ranks above every irrelevant one, whatever the threshold;
    0.5: no better than chance. It judges the ranking alone, not the cut.

    Parameters
    ----------
    true_support : array-like of bool or int
        The relevant features: a mask of shape (n_features,) or indices into
        ``importances``. Must hold at least one relevant and one irrelevant
        feature.
    importances : array-like of shape (n_features,)
        One finite score per feature, larger meaning more important (for
        instance ``feature_importances_``).

    Returns
    -------
    auc : float
        Probability that a relevant feature outranks an irrelevant one (ties
        count half); 1.0 is a perfect ranking, 0.5 a random one.

    See Also
    --------
    sklearn.metrics.roc_auc_score : The computation.

    Examples
    --------
    >>> from sgdselect.metrics import ranking_auc
    >>> ranking_auc([0, 1], [0.9, 0.5, 0.7, 0.1])  # 0.5 < 0.7: 3 pairs of 4
    0.75
    """
    scores = np.asarray(importances, dtype=np.float64)
    if scores.ndim != 1:
        raise ValueError(
            f"importances must be 1-d, one score per feature; got shape {scores.shape}."
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError("importances contains NaN or infinite values.")
    truth, _ = _check_pair(
        true_support, np.ones(scores.size, dtype=bool), "true_support", "importances"
    )
    if truth.size == scores.size:
        raise ValueError(
            "true_support holds every feature: the ranking AUC needs at least one "
            "irrelevant feature."
        )
    labels = np.zeros(scores.size, dtype=bool)
    labels[truth] = True
    return float(roc_auc_score(labels, scores))


def probe_false_positive_rate(probe_mask, selected):
    """Fraction of the probe (known-irrelevant) features that are selected.

    Parameters
    ----------
    probe_mask : array-like of bool or int
        The probe features, as a boolean mask or indices (for instance the
        mask returned by :func:`sgdselect.datasets.load_with_probes`). Must not
        be empty.
    selected : array-like of bool or int
        The selected features, in either form.

    Returns
    -------
    rate : float
        0.0: no probe selected; 1.0: all of them.

    Examples
    --------
    >>> from sgdselect.metrics import probe_false_positive_rate
    >>> probe_false_positive_rate([False, False, True, True], [0, 1, 3])
    0.5
    """
    probes, sel = _check_pair(probe_mask, selected, "probe_mask", "selected")
    return float(np.intersect1d(probes, sel).size / probes.size)
