"""The estimators: SGD and full-batch GD support selectors.

This module speaks scikit-learn: parameters and their constraints, input
validation, fitted attributes and the support mask. What the network reads
lives in ``_preprocessing``, what it predicts in ``_targets``, how it trains
in ``_trainer`` (on an engine of ``_engine``), the shadow refit in
``_shadows`` and the threshold rules in ``_support``.
"""

import copy
import dataclasses
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from sgdselect._columns import is_dataframe, make_grouping
from sgdselect._docstrings import PARTIAL_FIT, format_docstring
from sgdselect._engine import resolve_device
from sgdselect._network import (
    Layout,
    column_norms,
    forward,
    hidden_sizes,
    pack,
    reexpress_inputs,
    reexpress_outputs,
    unpack,
)
from sgdselect._preprocessing import (
    RankGauss,
    check_stream_stays_numeric,
    table_frame_inputs,
    validate_table_chunk,
    validate_training_input,
    validate_training_X_y,
)
from sgdselect._shadows import fit_with_shadows, rounds_of_networks
from sgdselect._support import (
    auto_fell_back,
    auto_needs_shadows,
    late_mean,
    network_mean,
    resolve_threshold,
    selection_mask,
    shadow_pvalues,
)
from sgdselect._targets import encode_stream_targets, encode_targets
from sgdselect._trainer import Trainer, TrainState, draw_seed, fit_batch_size

PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": [
        "array-like",
        Interval(Integral, 1, None, closed="left"),
    ],
    "activation": [StrOptions({"relu", "tanh", "linear"})],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "weight_decay": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
    "max_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
    "init_scale": [Interval(Real, 0, None, closed="neither")],
    "input_squares": ["boolean"],
    "input_map": [StrOptions({"standardize", "rank_gauss"})],
    "label_noise": [Interval(Real, 0, None, closed="left")],
    "early_stopping": ["boolean"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "task": [StrOptions({"auto", "regression", "classification"})],
    "threshold": [None, Interval(Real, None, None, closed="neither"), str],
    "max_features": [None, Interval(Integral, 0, None, closed="left")],
    "device": [str],
    "n_jobs": [None, Integral],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "feature_groups": [None, list, tuple],
}


def decision_scores(fitted):
    """A fitted selector's importances and p-values per decision of the
    selection: per column, or one per group of ``feature_groups`` (the
    columns of a group share their group's values)."""
    importances = fitted.feature_importances_
    pvalues = getattr(fitted, "pvalues_", None)
    grouping = getattr(fitted, "_grouping", None)
    if grouping is None:
        return importances, pvalues
    first = grouping.first_column
    return importances[first], None if pvalues is None else pvalues[first]


def fitted_support(fitted, threshold, max_features):
    """The support mask over the input columns of a fitted selector under
    ``threshold`` and ``max_features``: the decisions are made per group of
    ``feature_groups``, and every column of a kept group is kept."""
    importances, pvalues = decision_scores(fitted)
    mask = selection_mask(importances, threshold, max_features, pvalues)
    grouping = getattr(fitted, "_grouping", None)
    return mask if grouping is None else mask[grouping.of_column]


def table_transform(selector, X):
    """``transform`` of a selector fitted on a raw table: the kept columns of
    ``X`` as they are (a DataFrame stays one, with its dtypes; new levels and
    missing cells are fine, as nothing is computed from them)."""
    X = validate_data(
        selector,
        X,
        dtype=None,
        ensure_all_finite=False,
        skip_check_array=is_dataframe(X),
        reset=False,
    )
    return selector._transform(X)


def table_inputs(selector, columns, X):
    """The network's inputs for ``X``, read as the raw table fitted on."""
    X = validate_data(selector, X, skip_check_array=True, reset=False)
    return table_frame_inputs(columns, X)


def selector_tags(tags):
    """The tags the selectors share: ``y`` required, several outputs
    allowed, no NaN in ``X``, ``transform`` keeps float32 and float64."""
    tags.target_tags.required = True
    tags.target_tags.multi_output = True
    tags.input_tags.allow_nan = False
    tags.transformer_tags.preserves_dtype = ["float64", "float32"]
    return tags


class _BaseSupportSelector(SelectorMixin, BaseEstimator):
    """Shared machinery of the SGD and GD selectors (not public)."""

    _parameter_constraints = PARAMETER_CONSTRAINTS

    # ---------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network and compute the feature importances.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data. Columns are mapped internally (``input_map``), so
            a feature's importance does not depend on its units. A DataFrame
            may hold text, category and boolean columns and missing cells
            (see Notes).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: class labels (classification) or real values (regression).
            See the ``task`` parameter.

        Returns
        -------
        self : object
            The fitted selector.
        """
        trainer = Trainer.from_estimator(self, resolve_device(self.device))
        hidden = hidden_sizes(self.hidden_layer_sizes)
        warm = self.warm_start and hasattr(self, "coefs_")
        X, y, columns = validate_training_input(
            self, X, y, columns=getattr(self, "_columns", None) if warm else None
        )
        grouping = make_grouping(
            columns,
            self.feature_groups,
            self.n_features_in_,
            getattr(self, "feature_names_in_", None),
        )
        if grouping is not None:
            trainer = dataclasses.replace(trainer, groups=grouping)
        targets, Y = encode_targets(y, self.task)
        layout = Layout.for_features(X.shape[1], hidden, Y.shape[1], self.input_squares)
        if warm and self._layout != layout:
            raise ValueError(
                "warm_start=True but the network shape changed since the last fit "
                f"({self._layout} -> {layout}); refit with warm_start=False."
            )
        # Everything below is local until training succeeds, so that a failed
        # or diverged fit leaves the estimator as it was.
        if warm:
            state = self._current_state()
            if targets.task == "regression" == self._targets.task:
                # The network's outputs are in the units it was trained in.
                targets = self._targets
            X = state.inputs.ranked(X)
        else:
            ranks = self._rank_map(X)
            X = X if ranks is None else ranks.transform(X)
            seed = draw_seed(self.random_state)
            state = trainer.fresh_state(layout, X, seed, ranks)
        batch_size = fit_batch_size(self._batch_size, X.shape[0])
        interrupted = trainer.train(
            X, Y, layout, targets, state, batch_size, self.max_iter
        )
        shadow = None
        if not (warm or interrupted) and self._needs_shadows(state, grouping):
            shadow = fit_with_shadows(
                trainer,
                X,
                Y,
                layout,
                targets,
                batch_size,
                self.max_iter,
                seed=draw_seed(self.random_state),
                groups=grouping,
            )
        self._commit(layout, targets, state, shadow, grouping, columns)
        self._warn_about_selection()
        return self

    def _rank_map(self, X):
        """The rank-Gauss map of ``X`` for ``input_map="rank_gauss"``, else
        None."""
        return RankGauss.fit(X) if self.input_map == "rank_gauss" else None

    def _needs_shadows(self, state, grouping=None):
        """Whether ``threshold="auto"`` found nothing standing out clearly in
        a finished training run (:func:`auto_needs_shadows`, over the
        decisions of ``grouping`` if any), so that shadows must settle the
        cut."""
        if self.threshold not in (None, "auto") or not state.history:
            return False
        importances = late_mean(state.history)
        if grouping is not None:
            importances = grouping.reduce(importances)
        return auto_needs_shadows(importances)

    def _current_state(self):
        """The fitted network, input map and batch order, as copies to train
        on."""
        return TrainState(
            params=pack(self._layout, self.coefs_, self.intercepts_),
            inputs=self._inputs,
            shuffle_rng=copy.deepcopy(self._shuffle_rng),
            curve=list(self.loss_curve_),
            history=list(self._network_history()),
        )

    def _network_history(self):
        """The column norms of each epoch per network input, as training
        records them (``importances_history_`` is per column or group)."""
        history = getattr(self, "_input_history", None)
        return self.importances_history_ if history is None else history

    def _commit(self, layout, targets, state, shadow=None, grouping=None, columns=None):
        """Set the fitted attributes from a successful training run
        (``shadow``: the real columns' and the shadows' importances in each
        network trained beside shadows, if any; ``state`` is the network
        trained without them). With ``grouping``, the network's per-input
        importances become per decision (the root mean square over its
        inputs), spread to the original columns; ``columns`` is the encoder
        of a raw table, if any."""
        self._grouping, self._columns = grouping, columns
        self._targets = targets
        self.task_ = targets.task
        if targets.classes is not None:
            self.classes_ = targets.classes
        elif hasattr(self, "classes_"):
            del self.classes_
        self._inputs = inputs = state.inputs
        self.mean_, self.scale_ = inputs.mean, inputs.scale
        self.square_scale_ = inputs.square_scale
        self.n_samples_seen_ = inputs.n_seen
        self._layout = layout
        self._shuffle_rng = state.shuffle_rng
        self.coefs_, self.intercepts_ = unpack(layout, state.params[0])
        self.loss_curve_ = state.curve
        self.weight_decay_ = state.weight_decay
        self.n_iter_ = len(state.curve)
        history = np.asarray(state.history).reshape(-1, layout.n_features)
        # Per input, then per decision and column: the identity without groups.
        spread = (lambda v: v) if grouping is None else grouping.per_column
        reduce = (lambda v: v) if grouping is None else grouping.reduce
        self.importances_history_ = spread(reduce(history))
        self._input_history = None if grouping is None else history
        self.shadow_importances_ = self.pvalues_ = None
        if shadow is not None:
            # The geometric mean over the networks trained beside shadows:
            # the score the shadow test compares.
            importances, self.shadow_importances_ = shadow
            self.feature_importances_ = spread(network_mean(importances))
            self.pvalues_ = spread(
                shadow_pvalues(importances, self.shadow_importances_)
            )
        elif len(history):
            # The column norms averaged over the last epochs: SGD's floor is
            # noisy.
            self.feature_importances_ = spread(reduce(late_mean(history)))
        else:
            self.feature_importances_ = spread(
                reduce(column_norms(layout, state.params)[0])
            )

    def _forward(self, X):
        """Network output for raw ``X`` (standardized here), float64."""
        A = self._inputs.transform(X)
        return forward(self.coefs_, self.intercepts_, A, self.activation)

    # ------------------------------------------------------------ scoring
    def score(self, X, y):
        """Score of the trained network: accuracy (classification) or R².

        This lets ``GridSearchCV`` tune the selector on its own, without a
        downstream model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels or values.

        Returns
        -------
        score : float
            Accuracy for classification, R² (uniform average over outputs) for
            regression.
        """
        check_is_fitted(self)
        columns = getattr(self, "_columns", None)
        if columns is None:
            X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        else:
            X = table_inputs(self, columns, X)
        return self._targets.score(self._forward(X), y)

    def transform(self, X):
        """Reduce ``X`` to the selected features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples. After a fit on a DataFrame with text,
            category or missing cells, a DataFrame is returned as one, with
            its dtypes, and may hold new levels and missing cells.

        Returns
        -------
        X_r : array-like of shape (n_samples, n_selected_features)
            The input samples with only the selected features.
        """
        check_is_fitted(self)
        if getattr(self, "_columns", None) is None:
            return super().transform(X)
        return table_transform(self, X)

    # ------------------------------------------------------------ support
    @property
    def threshold_(self):
        """The importance cut actually used (from ``threshold``)."""
        check_is_fitted(self)
        importances, pvalues = decision_scores(self)
        return resolve_threshold(importances, self.threshold, pvalues)

    def _get_support_mask(self):
        check_is_fitted(self)
        return fitted_support(self, self.threshold, self.max_features)

    def _warn_about_selection(self, fall_back=True):
        # stacklevel 4: this method, fit, scikit-learn's fit wrapper, the caller.
        if not self.feature_importances_.any():
            warnings.warn(
                "every importance is 0, so no feature is selected: every column "
                "of X is constant (nothing to learn from).",
                UserWarning,
                stacklevel=4,
            )
        elif self.max_features == 0:
            warnings.warn(
                "max_features=0: no feature is selected; raise max_features or "
                "set it to None.",
                UserWarning,
                stacklevel=4,
            )
        elif not self._get_support_mask().any():
            warnings.warn(
                f"no feature reached the threshold ({self.threshold!r} -> "
                f"{self.threshold_:.4g}; the largest importance is "
                f"{self.feature_importances_.max():.4g}); lower threshold or use "
                "threshold='auto'.",
                UserWarning,
                stacklevel=4,
            )
        elif (
            fall_back
            and self.threshold in (None, "auto")
            and auto_fell_back(
                decision_scores(self)[0], pvalues=decision_scores(self)[1]
            )
        ):
            if self.pvalues_ is None:
                message = (
                    "threshold='auto' found no feature standing out (none 3 "
                    "robust SDs and 1.5x above the median importance, no 1.5x "
                    "gap), so it keeps only the most important one: the "
                    "importances do not separate. See importances_history_; "
                    "train longer or with a larger learning_rate, or set "
                    "threshold or max_features."
                )
            else:
                message = (
                    "threshold='auto' found no feature standing out: none beat "
                    "the permuted copies of the columns in "
                    f"{rounds_of_networks(self.shadow_importances_)}. Either y "
                    "does "
                    "not depend on X or training did not fit it (see "
                    "loss_curve_; train longer or with a larger learning_rate)."
                    " The one feature kept is a fall-back, not a finding; or "
                    "set threshold or max_features."
                )
            warnings.warn(message, UserWarning, stacklevel=4)

    def __sklearn_tags__(self):
        return selector_tags(super().__sklearn_tags__())


class _IncrementalSupportSelector(_BaseSupportSelector):
    """A selector that also trains on a stream of chunks (not public)."""

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        trainer = Trainer.from_estimator(self, resolve_device(self.device))
        hidden = hidden_sizes(self.hidden_layer_sizes)
        first = not hasattr(self, "coefs_")
        columns = None if first else getattr(self, "_columns", None)
        if first:
            X, y, columns = validate_training_input(
                self, X, y, ensure_min_samples=1, declared=True
            )
        elif columns is not None:
            X, y = validate_table_chunk(self, X, y, columns)
        else:
            check_stream_stays_numeric(X)
            X, y = validate_training_X_y(self, X, y, reset=False)
        grouping = make_grouping(
            columns,
            self.feature_groups,
            self.n_features_in_,
            getattr(self, "feature_names_in_", None),
        )
        if grouping is not None:
            trainer = dataclasses.replace(trainer, groups=grouping)
        if first:
            targets, Y = encode_stream_targets(y, self.task, classes)
            layout = Layout.for_features(
                X.shape[1], hidden, Y.shape[1], self.input_squares
            )
            ranks = self._rank_map(X)
            X = X if ranks is None else ranks.transform(X)
            seed = draw_seed(self.random_state)
            state = trainer.fresh_state(layout, X, seed, ranks)
        else:
            layout, targets = self._layout, self._targets
            Y = targets.next_chunk(y, classes)
            state = self._current_state()
            X = state.inputs.ranked(X)
            targets = self._update_statistics(layout, X, Y, targets, state)
        batch_size = min(self._batch_size or X.shape[0], X.shape[0])
        trainer.train(X, Y, layout, targets, state, batch_size, 1)
        self._commit(layout, targets, state, grouping=grouping, columns=columns)
        # No fall-back warning while streaming: early chunks have not yet
        # separated anything, and the caller decides when training is done.
        self._warn_about_selection(fall_back=False)
        return self

    @staticmethod
    def _update_statistics(layout, X, Y, targets, state):
        """Pool a new chunk into the input map and target statistics of
        ``state`` and ``targets``, re-expressing the network in the new units
        so that its function does not change; return the new targets."""
        inputs = state.inputs.update(X)
        reexpress_inputs(layout, state.params, state.inputs, inputs)
        pooled = targets.pooled(Y, state.inputs.n_seen)
        if pooled is not targets:
            reexpress_outputs(
                layout,
                state.params,
                targets.y_mean,
                targets.y_scale,
                pooled.y_mean,
                pooled.y_scale,
            )
        state.inputs = inputs
        return pooled


class SGDSupportSelector(_IncrementalSupportSelector):
    """Feature selection by the implicit regularization of mini-batch SGD.

    Trains a multilayer perceptron with plain mini-batch SGD (no momentum;
    batches drawn without replacement, reshuffled every epoch) on standardized
    inputs, and reads each feature's importance as the norm of its
    first-layer weight column. Mini-batch noise drives the columns of
    irrelevant inputs toward zero, while those of the support stay large
    (Beneventano, Pinto & Poggio, 2024); the features whose norm stands out
    are kept.

    {matter}

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(16,)
        Widths of the hidden layers.
    batch_size : int or None, default=4
        Mini-batch size. Smaller batches regularize more strongly (η / b).
        ``None`` trains on the full batch (gradient descent), as
        :class:`GDSupportSelector`.
    {common}
    {attributes}
    See Also
    --------
    GDSupportSelector : The same network trained by full-batch gradient descent.
    sklearn.feature_selection.SelectFromModel : Selection from a fitted model's
        importances.

    Notes
    -----
    The effect is an implicit regularization of strength proportional to
    η / b that acts after the loss has been fitted, driven by gradient noise
    (Beneventano et al., 2024). It fades once the loss reaches zero, so the
    regime that finds the support is a large step size with clipping, a small
    batch and enough epochs.

    {auto_notes}

    {table_notes}

    References
    ----------
    A. Beneventano, A. Pinto and T. Poggio, "How Neural Networks Learn the
    Support is an Implicit Regularization Effect of SGD", arXiv:2406.11110,
    2024.

    Examples
    --------
    >>> import numpy as np
    >>> from sgdselect import SGDSupportSelector
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 6))
    >>> y = np.sin(X[:, 0]) + X[:, 1] ** 2
    >>> selector = SGDSupportSelector(random_state=0).fit(X, y)
    >>> selector.get_support(indices=True)
    array([0, 1])
    >>> selector.transform(X).shape
    (300, 2)
    """

    _parameter_constraints = {
        **PARAMETER_CONSTRAINTS,
        "batch_size": [None, Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(16,),
        *,
        batch_size=4,
        activation="tanh",
        learning_rate=0.2,
        max_iter=300,
        weight_decay="auto",
        max_grad_norm=1.0,
        init_scale=0.3,
        input_squares=True,
        input_map="rank_gauss",
        label_noise=0.0,
        early_stopping=False,
        tol=1e-3,
        n_iter_no_change=10,
        task="auto",
        threshold="auto",
        max_features=None,
        device="cpu",
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        feature_groups=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm
        self.init_scale = init_scale
        self.input_squares = input_squares
        self.input_map = input_map
        self.label_noise = label_noise
        self.early_stopping = early_stopping
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.task = task
        self.threshold = threshold
        self.max_features = max_features
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.feature_groups = feature_groups

    @property
    def _batch_size(self):
        return self.batch_size


class GDSupportSelector(_IncrementalSupportSelector):
    """The full-batch gradient-descent baseline of :class:`SGDSupportSelector`.

    The same network, initialization, loss, clipping and support rule, trained
    on the whole data at every step. Gradient descent fits the target as well
    as SGD but, without gradient noise, leaves the first-layer columns of
    irrelevant inputs near their initialization (Beneventano et al., 2024):
    compare its ``feature_importances_`` with SGD's from the same seed to see
    the implicit regularization. Add ``weight_decay`` for the paper's
    explicit-regularization reference.

    {matter}

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(16,)
        Widths of the hidden layers.
    {common}
    {attributes}
    See Also
    --------
    SGDSupportSelector : The same model trained by mini-batch SGD.

    Notes
    -----
    Each epoch is one gradient step, so ``max_iter`` counts steps. A step over
    many rows is computed in chunks, so its memory does not grow with the data.

    {table_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from sgdselect import GDSupportSelector
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 5))
    >>> y = X[:, 0] - 2 * X[:, 1]

    Only the first two columns matter, but plain gradient descent (the
    paper's baseline, no weight decay) leaves the noise columns about as
    large as the relevant ones: nothing stands out.

    >>> plain = GDSupportSelector(threshold=0.0, weight_decay=0.0, random_state=0)
    >>> importances = plain.fit(X, y).feature_importances_
    >>> bool(importances[2:].min() > importances[:2].min() / 2)
    True

    The default weight decay, 2 / n, is explicit regularization: over 2000
    full steps it pulls the noise columns down on its own, and the two
    columns stand out.

    >>> gd = GDSupportSelector(random_state=0).fit(X, y)
    >>> gd.weight_decay_
    0.01
    >>> gd.get_support(indices=True)
    array([0, 1])
    """

    def __init__(
        self,
        hidden_layer_sizes=(16,),
        *,
        activation="tanh",
        learning_rate=0.2,
        max_iter=2000,
        weight_decay="auto",
        max_grad_norm=1.0,
        init_scale=0.3,
        input_squares=True,
        input_map="rank_gauss",
        label_noise=0.0,
        early_stopping=False,
        tol=1e-3,
        n_iter_no_change=10,
        task="auto",
        threshold="auto",
        max_features=None,
        device="cpu",
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        feature_groups=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm
        self.init_scale = init_scale
        self.input_squares = input_squares
        self.input_map = input_map
        self.label_noise = label_noise
        self.early_stopping = early_stopping
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.task = task
        self.threshold = threshold
        self.max_features = max_features
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.feature_groups = feature_groups

    @property
    def _batch_size(self):
        return None


_IncrementalSupportSelector.partial_fit.__doc__ = PARTIAL_FIT

format_docstring(
    SGDSupportSelector,
    lr=0.2,
    max_iter=300,
    epochs_note="Steps per epoch: ceil(n / batch_size).",
)
format_docstring(
    GDSupportSelector,
    lr=0.2,
    max_iter=2000,
    epochs_note="Each epoch is one gradient step.",
)
