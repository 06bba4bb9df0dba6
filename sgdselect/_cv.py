"""SGDSupportSelectorCV: a learning-rate x batch-size search in batched passes."""

import time
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_selection import SelectorMixin
from sklearn.model_selection import check_cv
from sklearn.utils.validation import check_is_fitted

from sgdselect._columns import make_grouping
from sgdselect._docstrings import format_docstring
from sgdselect._engine import resolve_device
from sgdselect._network import Layout, forward, hidden_sizes
from sgdselect._preprocessing import InputMap, RankGauss, validate_training_input
from sgdselect._selector import (
    SGDSupportSelector,
    decision_scores,
    fitted_support,
    selector_tags,
    table_transform,
)
from sgdselect._support import late_mean, resolve_threshold
from sgdselect._targets import Targets, encode_targets
from sgdselect._trainer import Trainer, draw_seed, fit_batch_size, rngs_from_seed

# Fitted attributes read from the refitted SGDSupportSelector.
_DELEGATED = (
    "feature_importances_",
    "shadow_importances_",
    "pvalues_",
    "importances_history_",
    "loss_curve_",
    "weight_decay_",
    "n_iter_",
    "coefs_",
    "intercepts_",
    "mean_",
    "scale_",
    "square_scale_",
    "n_samples_seen_",
    "task_",
    "classes_",
)


def _runs(labels):
    """(start, stop) of each run of equal consecutive labels."""
    edges = [0] + [i for i in range(1, len(labels)) if labels[i] != labels[i - 1]]
    return list(zip(edges, edges[1:] + [len(labels)], strict=True))


class _Fold(NamedTuple):
    """One fold: its rows, and the input map and target encoding a lone fit
    on ``X[train]`` would train under."""

    train: np.ndarray
    test: np.ndarray
    inputs: InputMap
    targets: Targets


def _fold(X, Y, targets, train, test, squares, rank_gauss):
    """The :class:`_Fold` of ``train`` and ``test``; with ``rank_gauss``, its
    input map reads ``X`` through a rank map of the training rows, as a lone
    fit on them would."""
    if targets.task == "regression":
        targets = Targets.for_values(Y[train])
    ranks = RankGauss.fit(X[train]) if rank_gauss else None
    X_train = X[train] if ranks is None else ranks.transform(X[train])
    return _Fold(train, test, InputMap.fit(X_train, squares, ranks), targets)


def _delegated(name):
    def get(self):
        return getattr(self.best_estimator_, name)

    get.__doc__ = f"``best_estimator_.{name}``."
    return property(get)


class SGDSupportSelectorCV(SelectorMixin, BaseEstimator):
    """SGD support selection with the step size and batch size chosen by CV.

    For each batch size, every (learning rate x fold) network is trained in one
    batched pass of the training engine: the networks of a group share the
    data and the batch size, and differ in step size and training rows (with
    ``input_map="rank_gauss"``, a group is one fold's networks, which read
    the data through that fold's rank map). Each network starts from the
    initialization, batch order and input map it would have had as
    ``SGDSupportSelector(learning_rate=lr, batch_size=b,
    random_state=random_state).fit(X[train], y[train])``, so its importances
    are those of that fit. The configuration with the best mean
    validation score (accuracy or R²) is refitted on all the data, and its
    importances select the features, as :class:`SGDSupportSelector` does:
    the fitted attributes of a single selector (``feature_importances_``,
    ``coefs_``, ...) are those of ``best_estimator_``, and ``threshold`` and
    ``max_features`` apply to them without refitting.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(16,)
        Widths of the hidden layers.
    learning_rates : array-like of float, default=(0.05, 0.1, 0.2, 0.4)
        Step sizes to try.
    batch_sizes : array-like of int, default=(4, 16, 64)
        Mini-batch sizes to try.
    cv : int, cross-validation generator or iterable, default=3
        Folds, as in :func:`~sklearn.model_selection.check_cv` (stratified for
        classification).
    n_jobs : int or None, default=None
        CPU threads that share out the networks of a group during the search
        (``-1``: all cores), and the rows of large batches in the refit (see
        :class:`SGDSupportSelector`). ``None`` means 1.
    {common}
    {attributes}
    cv_results_ : dict of ndarray
        One entry per (batch size, learning rate) candidate, as in
        ``GridSearchCV``: ``params``, ``param_batch_size``,
        ``param_learning_rate``, ``split{{k}}_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``mean_fit_time`` (time of the candidate's share of its batched pass),
        and ``mean_feature_importances`` (n_candidates, n_features): the
        importances averaged over folds.
    cv_importances_ : ndarray of shape (n_candidates, n_splits, n_features)
        Importances of every network trained during the search.
    best_params_ : dict
        ``{{"batch_size": ..., "learning_rate": ...}}`` of the best candidate.
    best_score_ : float
        Its mean validation score.
    best_index_ : int
        Its index in ``cv_results_``.
    best_estimator_ : SGDSupportSelector
        The best configuration refitted on all the data.
    n_splits_ : int
        Number of folds.

    See Also
    --------
    SGDSupportSelector : One configuration, no search.
    sklearn.model_selection.GridSearchCV : The generic search this replaces.

    Notes
    -----
    A network whose training diverges scores NaN (with a warning) and ranks
    last, as ``GridSearchCV(error_score=np.nan)`` would rank it.

    The search reads a DataFrame's columns through one encoding fitted on
    all of ``X``, so that every fold's networks share their inputs; the
    refit encodes ``X`` as a lone fit does.

    {table_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from sgdselect import SGDSupportSelectorCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 6))
    >>> y = np.sin(X[:, 0]) + X[:, 1] ** 2
    >>> search = SGDSupportSelectorCV(
    ...     learning_rates=[0.05, 0.2], batch_sizes=[8, 32], max_iter=100,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> sorted(search.best_params_)
    ['batch_size', 'learning_rate']
    >>> search.cv_results_["mean_test_score"].shape
    (4,)
    """

    _parameter_constraints = {
        **{
            k: v
            for k, v in SGDSupportSelector._parameter_constraints.items()
            if k
            not in (
                "batch_size",
                "learning_rate",
                "early_stopping",
                "tol",
                "n_iter_no_change",
                "warm_start",
            )
        },
        "learning_rates": ["array-like"],
        "batch_sizes": ["array-like"],
        "cv": ["cv_object"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(16,),
        *,
        learning_rates=(0.05, 0.1, 0.2, 0.4),
        batch_sizes=(4, 16, 64),
        cv=3,
        n_jobs=None,
        activation="tanh",
        max_iter=300,
        weight_decay="auto",
        max_grad_norm=1.0,
        init_scale=0.3,
        input_squares=True,
        input_map="rank_gauss",
        label_noise=0.0,
        task="auto",
        threshold="auto",
        max_features=None,
        device="cpu",
        random_state=None,
        verbose=0,
        feature_groups=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rates = learning_rates
        self.batch_sizes = batch_sizes
        self.cv = cv
        self.n_jobs = n_jobs
        self.activation = activation
        self.max_iter = max_iter
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm
        self.init_scale = init_scale
        self.input_squares = input_squares
        self.input_map = input_map
        self.label_noise = label_noise
        self.task = task
        self.threshold = threshold
        self.max_features = max_features
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.feature_groups = feature_groups

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Search the grid in batched passes, then refit the best configuration.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data; a DataFrame may hold text, category and boolean
            columns and missing cells (see Notes).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: class labels (classification) or real values (regression).

        Returns
        -------
        self : object
            The fitted selector.
        """
        learning_rates = self._grid("learning_rates", float)
        batch_sizes = self._grid("batch_sizes", int)
        trainer = Trainer.from_estimator(self, resolve_device(self.device))
        hidden = hidden_sizes(self.hidden_layer_sizes)
        raw = X
        X, y, columns = validate_training_input(self, X, y)
        grouping = make_grouping(
            columns,
            self.feature_groups,
            self.n_features_in_,
            getattr(self, "feature_names_in_", None),
        )
        targets, Y = encode_targets(y, self.task)
        cv = check_cv(self.cv, y, classifier=targets.task == "classification")
        splits = list(cv.split(X, y))
        seed = draw_seed(self.random_state)
        layout = Layout.for_features(X.shape[1], hidden, Y.shape[1], self.input_squares)
        rank_gauss = self.input_map == "rank_gauss"
        folds = [
            _fold(X, Y, targets, train, test, self.input_squares, rank_gauss)
            for train, test in splits
        ]

        candidates = [(b, lr) for b in batch_sizes for lr in learning_rates]
        scores = np.full((len(candidates), len(splits)), np.nan)
        importances = np.zeros((len(candidates), len(splits), X.shape[1]))
        fit_time = np.zeros(len(candidates))
        for b in batch_sizes:
            # Fold-major: the networks of one fold share rows, statistics and
            # seed, so the engine trains each fold's step sizes as one block.
            members = [
                (c, f)
                for f in range(len(splits))
                for c, (cb, _) in enumerate(candidates)
                if cb == b
            ]
            for group in self._groups(members, folds, trainer.device):
                start = time.perf_counter()
                # With a rank map, a group is one fold's: its data, through
                # that fold's map.
                ranks = folds[group[0][1]].inputs.ranks
                params, norms = self._train_group(
                    trainer,
                    X if ranks is None else ranks.transform(X),
                    Y,
                    targets.loss,
                    layout,
                    b,
                    group,
                    candidates,
                    folds,
                    seed,
                )
                share = (time.perf_counter() - start) / len(group)
                for (c, f), p, imp in zip(group, params, norms, strict=True):
                    importances[c, f] = imp
                    fit_time[c] += share / len(splits)
                    scores[c, f] = self._validation_score(X, y, layout, p, folds[f])
        if grouping is not None:
            # Per decision (root mean square of its inputs), spread to the columns.
            importances = grouping.per_column(grouping.reduce(importances))
        self._store_search(candidates, scores, importances, fit_time, len(splits))
        # The refit reads the table as given, and encodes it as the search did.
        self.best_estimator_ = self._refit(X if columns is None else raw, y)
        return self

    # ------------------------------------------------------------ search
    def _grid(self, name, kind):
        values = np.atleast_1d(np.asarray(getattr(self, name)))
        if values.size == 0 or not np.all(np.isfinite(values.astype(float))):
            raise ValueError(f"{name} must be a non-empty list of finite numbers.")
        if np.any(values <= 0) or (kind is int and np.any(values != values.round())):
            noun = "positive integers" if kind is int else "positive numbers"
            raise ValueError(f"{name} must hold {noun}, got {list(values)}.")
        return [kind(v) for v in values]

    @staticmethod
    def _groups(members, folds, device):
        """The batched passes for one batch size: one on CPU; on a torch
        device, one per training-set size (its engine stacks equal shapes);
        with a rank map, one per fold (a fold's networks read the data
        through that fold's map)."""
        per_fold = folds[0].inputs.ranks is not None
        if device == "cpu" and not per_fold:
            return [members]
        groups = {}
        for c, f in members:
            at = f if per_fold else len(folds[f].train)
            groups.setdefault(at, []).append((c, f))
        return list(groups.values())

    def _train_group(
        self, trainer, X, Y, loss, layout, b, group, candidates, folds, seed
    ):
        n_train = min(len(folds[f].train) for _, f in group)
        batch_size = fit_batch_size(b, n_train)
        engine = trainer.engine(X, Y, layout, loss, batch_size)
        rngs = [rngs_from_seed(seed) for _ in group]
        maps = [folds[f].inputs for _, f in group]
        fold_targets = [folds[f].targets for _, f in group]
        params = np.concatenate(
            [
                trainer.initial_params(layout, init_rng, inputs)
                for inputs, (init_rng, _) in zip(maps, rngs, strict=True)
            ]
        )
        engine.set_group(
            params,
            learning_rates=[candidates[c][1] for c, _ in group],
            weight_decays=[
                trainer.weight_decay_for(len(folds[f].train)) for _, f in group
            ],
            rows=[folds[f].train for _, f in group],
            rngs=[shuffle_rng for _, shuffle_rng in rngs],
            x_mean=[inputs.mean for inputs in maps],
            x_inv_scale=[inputs.inv_scale for inputs in maps],
            x_square_inv=(
                [inputs.square_inv for inputs in maps] if layout.input_squares else None
            ),
            y_mean=[t.y_mean for t in fold_targets],
            y_inv_scale=[1.0 / t.y_scale for t in fold_targets],
            label_noise=trainer.label_noise,
            shared=_runs([f for _, f in group]),
        )
        # As a lone fit: importances are the norms of the last epochs, averaged.
        curve, history = [], []
        with engine.session():
            trainer.run_epochs(
                engine, self.max_iter, curve, history, batch_size=batch_size, group=True
            )
        params = engine.get_params()
        importances = late_mean(history)
        for i in np.flatnonzero(~engine.active):
            c, f = group[i]
            warnings.warn(
                f"training diverged for batch_size={b}, "
                f"learning_rate={candidates[c][1]} on fold {f}; it scores NaN. "
                "Lower the learning rates or set max_grad_norm.",
                UserWarning,
                stacklevel=4,
            )
            params[i] = np.nan
            importances[i] = np.nan
        return params, importances

    def _validation_score(self, X, y, layout, flat, fold):
        if not np.all(np.isfinite(flat)):
            return np.nan
        _, test, inputs, targets = fold
        coefs = [layout.weight(flat, i) for i in range(layout.n_layers)]
        intercepts = [layout.bias(flat, i) for i in range(layout.n_layers)]
        out = forward(coefs, intercepts, inputs.transform(X[test]), self.activation)
        return targets.score(out, y[test])

    def _store_search(self, candidates, scores, importances, fit_time, n_splits):
        # A candidate that diverged on any fold scores NaN and ranks last.
        mean = scores.mean(axis=1)
        ranked = np.where(np.isnan(mean), -np.inf, mean)
        order = np.argsort(-ranked, kind="mergesort")
        rank = np.empty(len(candidates), dtype=np.int32)
        rank[order] = np.arange(1, len(candidates) + 1)
        results = {
            "params": [{"batch_size": b, "learning_rate": lr} for b, lr in candidates],
            "param_batch_size": np.array([b for b, _ in candidates]),
            "param_learning_rate": np.array([lr for _, lr in candidates]),
        }
        for k in range(n_splits):
            results[f"split{k}_test_score"] = scores[:, k]
        results.update(
            mean_test_score=mean,
            std_test_score=np.std(scores, axis=1),
            rank_test_score=rank,
            mean_fit_time=fit_time,
            mean_feature_importances=importances.mean(axis=1),
        )
        if np.all(np.isnan(mean)):
            raise FloatingPointError(
                "training diverged for every candidate; lower learning_rates or "
                "set max_grad_norm."
            )
        self.cv_results_ = results
        self.cv_importances_ = importances
        self.n_splits_ = n_splits
        self.best_index_ = int(order[0])
        self.best_params_ = results["params"][self.best_index_]
        self.best_score_ = float(mean[self.best_index_])

    def _refit(self, X, y):
        """The best configuration, fitted on all the data (with the search's
        seed stream when ``random_state`` is an int)."""
        params = {
            name: getattr(self, name)
            for name in SGDSupportSelector._get_param_names()
            if hasattr(self, name)
        }
        params.update(self.best_params_)
        return SGDSupportSelector(**params).fit(X, y)

    # ------------------------------------------------------------ delegation
    def score(self, X, y):
        """Score of the refitted network (see :meth:`SGDSupportSelector.score`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels or values.

        Returns
        -------
        score : float
            Accuracy for classification, R² for regression.
        """
        check_is_fitted(self)
        return self.best_estimator_.score(X, y)

    @property
    def threshold_(self):
        """The importance cut actually used (from ``threshold``)."""
        check_is_fitted(self)
        importances, pvalues = decision_scores(self.best_estimator_)
        return resolve_threshold(importances, self.threshold, pvalues)

    def _get_support_mask(self):
        check_is_fitted(self)
        return fitted_support(self.best_estimator_, self.threshold, self.max_features)

    def transform(self, X):
        """Reduce ``X`` to the selected features.

        As :meth:`SGDSupportSelector.transform` does, through
        ``best_estimator_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        X_r : array-like of shape (n_samples, n_selected_features)
            The input samples with only the selected features.
        """
        check_is_fitted(self)
        if getattr(self.best_estimator_, "_columns", None) is None:
            return super().transform(X)
        return table_transform(self, X)

    def __sklearn_tags__(self):
        return selector_tags(super().__sklearn_tags__())


for _name in _DELEGATED:
    setattr(SGDSupportSelectorCV, _name, _delegated(_name))

format_docstring(
    SGDSupportSelectorCV,
    exclude=(
        "learning_rate",
        "n_jobs",
        "early_stopping",
        "tol",
        "n_iter_no_change",
        "warm_start",
    ),
    lr="",
    max_iter=300,
    epochs_note="Every network of the search trains this many epochs.",
)
