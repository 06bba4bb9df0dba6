"""Figures of fitted selectors: importances, their history, the CV map.

matplotlib is an optional dependency (``pip install "sgdselect[plot]"``): it is
imported when a function of this module is called, not when ``sgdselect`` is.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from sgdselect._shadows import rounds_of_networks

__all__ = ["plot_cv_map", "plot_importance_history", "plot_importances"]

# Colors: selected or relevant features stand out, the rest is grey.
_HIGHLIGHT = "tab:blue"
_MUTED = "0.7"
_THRESHOLD = "tab:red"
_TRUTH = "black"
# Beyond this many features, bars go without a name each (column indices on
# the axis instead).
_MAX_TICK_LABELS = 50
# The importance axis reaches this many times the tallest bar: the band above
# it holds the legend.
_HEADROOM = 1.45


def _pyplot():
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            'sgdselect.plotting needs matplotlib: pip install "sgdselect[plot]"'
        ) from exc
    return plt


def _axes(ax):
    """``ax``, or the Axes of a new figure when ``ax`` is None."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _mask(support, n_features, name="support"):
    """A boolean mask of length ``n_features`` from a mask or column indices."""
    support = np.asarray(support)
    if support.dtype == bool:
        if support.shape != (n_features,):
            raise ValueError(
                f"{name} must be a boolean mask of shape ({n_features},) or "
                f"column indices, got shape {support.shape}."
            )
        return support
    mask = np.zeros(n_features, dtype=bool)
    mask[support.astype(int).ravel()] = True
    return mask


def _feature_names(selector, feature_names, n_features):
    if feature_names is None:
        feature_names = getattr(selector, "feature_names_in_", None)
    if feature_names is None:
        return [f"x{i}" for i in range(n_features)]
    names = [str(name) for name in feature_names]
    if len(names) != n_features:
        raise ValueError(
            f"feature_names has {len(names)} entries but the selector was fitted "
            f"on {n_features} features."
        )
    return names


def plot_importances(selector, *, feature_names=None, support=None, ax=None):
    """Bar chart of a fitted selector's feature importances and its threshold.

    One bar per feature of ``selector.feature_importances_``: the selected
    features in color, the others in grey, and the importance cut
    ``selector.threshold_`` as a horizontal line (its label says when
    ``threshold="auto"`` cut against shadows). When the true support is
    known, its features are marked with a star above their bars.

    Parameters
    ----------
    selector : SGDSupportSelector, GDSupportSelector or SGDSupportSelectorCV
        A fitted selector.
    feature_names : array-like of str or None, default=None
        Tick labels, one per feature. ``None`` uses ``feature_names_in_`` when
        the selector was fitted on a DataFrame, else ``x0``, ``x1``, ...
        Beyond 50 features the axis shows column indices instead.
    support : array-like of bool or int, or None, default=None
        The true support, as a boolean mask or column indices, to mark.
    ax : matplotlib.axes.Axes or None, default=None
        Where to draw. ``None`` creates a new figure.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes with the chart.

    See Also
    --------
    plot_importance_history : The same importances over the epochs of training.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sgdselect import SGDSupportSelector
    >>> from sgdselect.plotting import plot_importances
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 6))
    >>> y = X[:, 0] + np.sin(X[:, 1])
    >>> selector = SGDSupportSelector(max_iter=50, random_state=0).fit(X, y)
    >>> ax = plot_importances(selector, support=[0, 1])
    >>> len(ax.patches)
    6
    """
    check_is_fitted(selector, "feature_importances_")
    ax = _axes(ax)
    importances = np.asarray(selector.feature_importances_, dtype=float)
    n_features = importances.shape[0]
    names = _feature_names(selector, feature_names, n_features)
    selected = selector.get_support()
    positions = np.arange(n_features)
    ax.bar(positions, importances, color=np.where(selected, _HIGHLIGHT, _MUTED))
    handles = [
        _patch(_HIGHLIGHT, "selected"),
        _patch(_MUTED, "not selected"),
    ]
    threshold = float(selector.threshold_)
    shadows = getattr(selector, "shadow_importances_", None)
    if np.isfinite(threshold):
        label = f"threshold ({threshold:.3g})"
        if shadows is not None and getattr(selector, "threshold", None) in (
            None,
            "auto",
        ):
            label = (
                f"threshold ({threshold:.3g}, tested against "
                f"{np.shape(shadows)[-1]} shadows in {rounds_of_networks(shadows)})"
            )
        handles.append(
            ax.axhline(
                threshold,
                color=_THRESHOLD,
                linestyle="--",
                linewidth=1,
                label=label,
            )
        )
    top = max(
        np.max(importances, initial=0.0), threshold if np.isfinite(threshold) else 0
    )
    if support is not None:
        truth = _mask(support, n_features)
        (marks,) = ax.plot(
            positions[truth],
            importances[truth] + 0.04 * np.max(importances, initial=0.0),
            linestyle="none",
            marker="*",
            color=_TRUTH,
            label="true support",
        )
        handles.append(marks)
    if n_features <= _MAX_TICK_LABELS:
        ax.set_xticks(positions)
        ax.set_xticklabels(names, rotation=90 if n_features > 12 else 0)
    ax.set_xlim(-0.6, n_features - 0.4)
    ax.set_xlabel("feature")
    ax.set_ylabel("importance (first-layer column norm)")
    # The legend in a band of its own above the tallest bar (two entries a
    # row), so that it covers no bar, whatever the bars' order.
    if top > 0:
        ax.set_ylim(0, top * _HEADROOM)
    ax.legend(handles=handles, loc="upper center", ncol=2, fontsize="small")
    return ax


def plot_importance_history(selector, *, support=None, ax=None, log=True):
    """Each feature's first-layer column norm over the epochs of training.

    Draws one line per feature from ``selector.importances_history_``: the
    relevant features (the true support when given, else the selected ones)
    in color, the others in grey. Under SGD the grey lines keep falling after
    the loss has been fitted, the second phase of training that Beneventano,
    Pinto & Poggio (2024) describe; under gradient descent they stay near
    their initial values.

    Parameters
    ----------
    selector : SGDSupportSelector, GDSupportSelector or SGDSupportSelectorCV
        A fitted selector.
    support : array-like of bool or int, or None, default=None
        The true support, as a boolean mask or column indices. ``None`` uses
        the selected features, ``selector.get_support()``.
    ax : matplotlib.axes.Axes or None, default=None
        Where to draw. ``None`` creates a new figure.
    log : bool, default=True
        Logarithmic axes for both the epochs and the norms, where the
        multiplicative shrinkage of irrelevant columns is a straight decline.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes with one line per feature.

    See Also
    --------
    plot_importances : The importances at the end of training.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sgdselect import SGDSupportSelector
    >>> from sgdselect.plotting import plot_importance_history
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 6))
    >>> y = X[:, 0] + np.sin(X[:, 1])
    >>> selector = SGDSupportSelector(max_iter=50, random_state=0).fit(X, y)
    >>> ax = plot_importance_history(selector, support=[0, 1])
    >>> len(ax.lines)
    6
    """
    check_is_fitted(selector, "importances_history_")
    ax = _axes(ax)
    history = np.asarray(selector.importances_history_, dtype=float)
    n_iter, n_features = history.shape
    if support is None:
        relevant, name = selector.get_support(), "selected"
    else:
        relevant, name = _mask(support, n_features), "relevant"
    epochs = np.arange(1, n_iter + 1)
    # Grey first, so that the relevant lines are drawn on top.
    for j in np.concatenate([np.flatnonzero(~relevant), np.flatnonzero(relevant)]):
        ax.plot(
            epochs,
            history[:, j],
            color=_HIGHLIGHT if relevant[j] else _MUTED,
            linewidth=1.5 if relevant[j] else 1.0,
            label=f"x{j}",
        )
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("first-layer column norm")
    ax.legend(
        handles=[
            _line(_HIGHLIGHT, f"{name} ({relevant.sum()})"),
            _line(_MUTED, f"other ({(~relevant).sum()})"),
        ],
        loc="best",
    )
    return ax


def plot_cv_map(cv_selector, *, ax=None):
    """Map of the mean validation score over batch size and learning rate.

    One cell per candidate of a fitted :class:`~sgdselect.SGDSupportSelectorCV`
    (``cv_results_["mean_test_score"]``), batch sizes as rows and learning
    rates as columns, each cell annotated with its score; the best candidate
    (``best_index_``) is outlined. Diverged candidates (NaN) are left blank.

    Parameters
    ----------
    cv_selector : SGDSupportSelectorCV
        A fitted search. Any fitted search whose ``cv_results_`` holds one
        candidate per (``param_batch_size``, ``param_learning_rate``) pair,
        such as a ``GridSearchCV`` over those two parameters of
        :class:`~sgdselect.SGDSupportSelector`, works too.
    ax : matplotlib.axes.Axes or None, default=None
        Where to draw. ``None`` creates a new figure.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes with the map; its image holds the scores, rows in increasing
        batch size and columns in increasing learning rate.

    See Also
    --------
    plot_importances : The importances of the refitted best candidate.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sgdselect import SGDSupportSelectorCV
    >>> from sgdselect.plotting import plot_cv_map
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 6))
    >>> y = X[:, 0] + np.sin(X[:, 1])
    >>> search = SGDSupportSelectorCV(
    ...     learning_rates=[0.05, 0.2], batch_sizes=[8, 32, 64], max_iter=30,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> ax = plot_cv_map(search)
    >>> ax.images[0].get_array().shape
    (3, 2)
    """
    check_is_fitted(cv_selector, "cv_results_")
    ax = _axes(ax)
    results = cv_selector.cv_results_
    try:
        batch = np.asarray(results["param_batch_size"], dtype=float)
        lr = np.asarray(results["param_learning_rate"], dtype=float)
    except KeyError as exc:
        raise ValueError(
            "plot_cv_map needs cv_results_ with param_batch_size and "
            "param_learning_rate, as SGDSupportSelectorCV writes them."
        ) from exc
    scores = np.asarray(results["mean_test_score"], dtype=float)
    batches, rows = np.unique(batch, return_inverse=True)
    rates, cols = np.unique(lr, return_inverse=True)
    if len(set(zip(rows, cols, strict=True))) != len(scores):
        raise ValueError(
            "plot_cv_map needs one candidate per (batch size, learning rate) "
            "pair; cv_results_ has several for some pair."
        )
    grid = np.full((len(batches), len(rates)), np.nan)
    grid[rows, cols] = scores
    image = ax.imshow(
        np.ma.masked_invalid(grid), origin="lower", aspect="auto", cmap="viridis"
    )
    ax.figure.colorbar(image, ax=ax, label="mean validation score")
    for i, j in zip(rows, cols, strict=True):
        if np.isfinite(grid[i, j]):
            # Dark text on the bright end of the colormap, light on the dark.
            color = "k" if image.norm(grid[i, j]) > 0.6 else "w"
            ax.text(j, i, f"{grid[i, j]:.3f}", ha="center", va="center", color=color)
    best = getattr(cv_selector, "best_index_", None)
    if best is not None:
        ax.add_patch(_outline(cols[best], rows[best]))
    ax.set_xticks(np.arange(len(rates)))
    ax.set_xticklabels([f"{r:g}" for r in rates])
    ax.set_yticks(np.arange(len(batches)))
    ax.set_yticklabels([f"{b:g}" for b in batches])
    ax.set_xlabel("learning rate")
    ax.set_ylabel("batch size")
    return ax


def _patch(color, label):
    from matplotlib.patches import Patch

    return Patch(color=color, label=label)


def _line(color, label):
    from matplotlib.lines import Line2D

    return Line2D([], [], color=color, label=label)


def _outline(x, y):
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x - 0.5, y - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5
    )
