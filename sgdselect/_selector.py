"""The estimators: SGD and full-batch GD support selectors.

This module speaks scikit-learn: parameters and their constraints, input
validation, targets, fitted attributes and the support mask. The arithmetic of
training lives in ``_engine`` and the threshold rules in ``_support``.
"""

import copy
import sys
import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_selection import SelectorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from sgdselect._cpu_kernel import column_moments
from sgdselect._engine import make_engine, resolve_device
from sgdselect._network import (
    Layout,
    column_norms,
    forward,
    init_params,
    network_inputs,
)
from sgdselect._support import (
    auto_fell_back,
    auto_needs_shadows,
    late_mean,
    n_shadow_copies,
    resolve_threshold,
    support_mask,
    with_shadows,
)

_CLASSIFICATION_TARGETS = ("binary", "multiclass")
_REGRESSION_TARGETS = ("continuous", "continuous-multioutput")
# Above this many distinct whole values, a float target is a quantity.
_MAX_FLOAT_CLASSES = 20
# Elements per block of the column statistics (float64): 8 MiB of scratch.
_STATS_BLOCK = 1 << 20


_TARGET_ATTRIBUTES = ("task_", "classes_", "_y_mean", "_y_scale")
_Y_STATISTICS = ("_y_mean", "_y_scale", "_y_std")


def _score_output(out, y, targets):
    """Accuracy or R² of the network output ``out`` against ``y``."""
    if targets["task_"] == "classification":
        return accuracy_score(y, targets["classes_"][np.argmax(out, axis=1)])
    pred = out * targets["_y_scale"] + targets["_y_mean"]
    y = np.asarray(y, dtype=np.float64)
    return r2_score(y, pred.reshape(y.shape) if y.ndim == 1 else pred)


def _fit_batch_size(batch_size, n_samples):
    """``batch_size`` (None: full batch) capped at ``n_samples``, with a warning
    when it had to be capped."""
    if batch_size is None:
        return n_samples
    if batch_size > n_samples:
        warnings.warn(
            f"batch_size={batch_size} is larger than the {n_samples} training "
            "samples; training uses full batches (gradient descent). Lower "
            "batch_size to get SGD's implicit regularization.",
            UserWarning,
            stacklevel=4,
        )
        return n_samples
    return batch_size


# weight_decay="auto": this strength over the number of training rows.
AUTO_WEIGHT_DECAY = 2.0


def resolve_weight_decay(weight_decay, n_samples):
    """The L2 strength for a training call on ``n_samples`` rows:
    ``AUTO_WEIGHT_DECAY / n_samples`` for ``"auto"``, else ``weight_decay``.

    Scaled by the rows as scikit-learn's ``MLPRegressor`` scales ``alpha``
    (its penalty is ``alpha / (2 n)`` times the squared weights): the
    penalty is a fixed amount beside a data term that grows with ``n``. For
    SGD it also makes the decay of one epoch (``n / b`` steps of
    ``learning_rate * 2 / n``) equal ``2 learning_rate / b`` whatever ``n``,
    the same shape as the implicit regularization, ``learning_rate / b``.
    """
    if isinstance(weight_decay, str):
        return AUTO_WEIGHT_DECAY / max(int(n_samples), 1)
    return float(weight_decay)


def _combine_moments(a, b):
    """Mean and standard deviation of two samples pooled, from each one's
    ``(count, mean, std)`` (Chan et al.'s update), in units of the largest
    value so that nothing overflows."""
    (n_a, mean_a, std_a), (n_b, mean_b, std_b) = a, b
    unit = np.max(np.abs([mean_a, mean_b, std_a, std_b]), axis=0)
    unit = np.where(unit > 0, unit, 1.0)
    mean_a, mean_b, std_a, std_b = (v / unit for v in (mean_a, mean_b, std_a, std_b))
    n = n_a + n_b
    delta = mean_b - mean_a
    mean = mean_a + delta * (n_b / n)
    var = (std_a**2 * n_a + std_b**2 * n_b + delta**2 * (n_a * n_b / n)) / n
    return mean * unit, np.sqrt(var) * unit


def _target_type(y):
    """``type_of_target``, quiet about huge values (it casts them to int), with
    float targets of many distinct whole values read as real values: a
    measured quantity that happens to be rounded (diabetes' 151.0, 75.0, ...)
    is not a classification with hundreds of classes."""
    with np.errstate(invalid="ignore", over="ignore"):
        kind = type_of_target(y, input_name="y")
    y = np.asarray(y)
    if kind == "multiclass" and y.dtype.kind == "f":
        if np.unique(y).size > _MAX_FLOAT_CLASSES:
            return "continuous"
    return kind


def _check_numeric_columns(X):
    """Refuse the categorical columns of a DataFrame, with the remedy: their
    values are labels, not quantities to standardize."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return
    categorical = [str(c) for c, dt in dtypes.items() if str(dt) == "category"]
    if categorical:
        raise ValueError(
            f"X has categorical columns {categorical[:10]}; the selector needs "
            "numbers it can standardize. Encode them (OneHotEncoder or "
            "OrdinalEncoder in a ColumnTransformer), or cast numeric ones with "
            ".astype(float)."
        )


def _progress_bar(verbose, total, name):
    """A tqdm bar over epochs on stderr when ``verbose == 1``, else a no-op."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=name,
        unit="epoch",
        file=sys.stderr,
        leave=False,
        disable=verbose != 1,
        dynamic_ncols=True,
    )


def _rngs_from_seed(seed):
    """Independent generators for initialization and batch order."""
    init_seq, shuffle_seq = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(init_seq), np.random.default_rng(shuffle_seq)


def _inverse(scale):
    """1 / scale, with 0 for a zero scale (a constant column stays at 0)."""
    return 1.0 / np.where(scale == 0, np.inf, scale)


def _square_inverse(square_scale):
    """The squares' ``1 / std(z**2)``, or None for a network without them."""
    return None if square_scale is None else _inverse(square_scale)


def column_stats(X, name="X"):
    """Per-column mean and standard deviation in float64.

    Compiled passes over the rows of ``X`` (``_cpu_kernel.column_moments``)
    with no copy: the two-pass formula avoids the cancellation of the
    one-pass one, and each column is divided by its largest magnitude first,
    so that values near the limits of float64 (1e300 or 1e-300) neither
    overflow nor underflow. (About 5x faster than the same passes in NumPy
    through a float64 buffer: 5 against 26 ms on 10**5 x 50 float32, where it
    was a fifth of a full-batch GD step's fixed cost.)
    """
    from sgdselect._arrays import kernel_array

    n, d = X.shape
    # float32 or float64, C order, writeable (e.g. not a big-endian, integer
    # or read-only array): one compiled column_moments for every input.
    X = kernel_array(X)
    unit, mean, sq = np.empty(d), np.empty(d), np.empty(d)
    column_moments(X, unit, mean, sq)
    scale = np.sqrt(sq / n) * unit
    tiny = (scale > 0) & (scale < 1 / np.finfo(np.float64).max)
    if tiny.any():
        raise ValueError(
            f"columns {np.flatnonzero(tiny)[:10].tolist()} of {name} vary by less "
            "than 1e-300: their standardization would overflow float64. Rescale "
            f"{name} (e.g. multiply those columns by 1e300) or drop them."
        )
    return mean * unit, scale


def square_stats(X, mean, scale):
    """Standard deviation of each standardized column's square, ``z**2`` with
    ``z = (x - mean) / scale``, in float64 and row blocks (as
    :func:`column_stats`); 0 for a constant column, and for one whose square
    does not vary (``|z|`` constant: a balanced two-valued column, whose
    square would only repeat it)."""
    n, d = X.shape
    inv = _inverse(scale)
    rows = max(1, min(n, _STATS_BLOCK // max(d, 1)))
    buffer = np.empty((rows, d))
    blocks = [slice(start, start + rows) for start in range(0, n, rows)]

    def squares(part):
        block = buffer[: len(range(n)[part])]
        np.subtract(X[part], mean, out=block)
        block *= inv
        return np.square(block, out=block)

    centre = sum(squares(part).sum(axis=0) for part in blocks) / n
    spread = np.zeros(d)
    for part in blocks:
        block = squares(part)
        block -= centre
        spread += np.einsum("ij,ij->j", block, block)
    std = np.sqrt(spread / n)
    return np.where(std > 1e-6 * np.maximum(centre, 1.0), std, 0.0)


class _BaseSupportSelector(SelectorMixin, BaseEstimator):
    """Shared machinery of the SGD and GD selectors (not public)."""

    _parameter_constraints = {
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
    }

    # ---------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network and compute the feature importances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. Columns are standardized internally, so a feature's
            importance does not depend on its units.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: class labels (classification) or real values (regression).
            See the ``task`` parameter.

        Returns
        -------
        self : object
            The fitted selector.
        """
        device = resolve_device(self.device)
        hidden = self._hidden_sizes()
        X, y, Y, loss, targets = self._validate_training_data(X, y)
        warm = self.warm_start and hasattr(self, "coefs_")
        layout = Layout.for_features(
            X.shape[1], hidden, Y.shape[1], self.input_squares
        )
        if warm and self._layout != layout:
            raise ValueError(
                "warm_start=True but the network shape changed since the last fit "
                f"({self._layout} -> {layout}); refit with warm_start=False."
            )
        # Everything below is local until training succeeds, so that a failed
        # or diverged fit leaves the estimator as it was.
        if warm:
            state = self._current_state(layout)
            if targets["task_"] == "regression" == self.task_:
                # The network's outputs are in the units it was trained in.
                targets.update((name, getattr(self, name)) for name in _Y_STATISTICS)
        else:
            state = self._fresh_state(layout, X, targets)
        batch_size = self._effective_batch_size(X.shape[0])
        interrupted = self._run_epochs(
            X, Y, layout, loss, targets, state, batch_size, device, self.max_iter
        )
        shadow = None
        if not (warm or interrupted) and self._needs_shadows(state):
            calibrated = self._fit_with_shadows(
                X, Y, layout, loss, targets, batch_size, device
            )
            if calibrated is not None:
                state, shadow = calibrated
        self._commit(layout, targets, state, shadow)
        self._warn_about_selection()
        return self

    def _needs_shadows(self, state):
        """Whether ``threshold="auto"`` found nothing standing out clearly in
        a finished training run (:func:`auto_needs_shadows`), so that
        shadows must settle the cut."""
        if self.threshold not in (None, "auto") or not state["history"]:
            return False
        return auto_needs_shadows(late_mean(state["history"]))

    def _fit_with_shadows(self, X, Y, layout, loss, targets, batch_size, device):
        """Train afresh on ``X`` with a shadow of every column appended.

        Returns the training state restricted to the real columns (the
        network's shadow inputs fixed at their mean, which standardized is 0:
        their first-layer rows dropped) and the shadows' importances; or None
        if this training was interrupted.
        """
        seed = self._draw_seed()
        n_features = X.shape[1]
        n_copies = n_shadow_copies(n_features)
        if self.verbose:
            print(
                "threshold='auto': no feature stands out clearly; training again "
                "beside "
                f"{n_copies} permuted {'copy' if n_copies == 1 else 'copies'} of "
                "every column, to cut against"
            )
        try:
            X_aug = with_shadows(X, np.random.default_rng([seed, 1]), n_copies)
        except MemoryError as exc:
            raise MemoryError(
                "threshold='auto' found no feature standing out clearly and needs a "
                f"copy of X with {n_copies} shadow(s) of every column to cut "
                f"against ({(1 + n_copies) * X.nbytes / 2**30:.2f} GiB), which "
                "did not fit in memory. Pass a numeric threshold or "
                "max_features, or fit on fewer rows."
            ) from exc
        aug = Layout.for_features(
            (1 + n_copies) * n_features,
            layout.sizes[1:-1],
            layout.sizes[-1],
            layout.input_squares,
        )
        state = self._fresh_state(aug, X_aug, targets)
        interrupted = self._run_epochs(
            X_aug,
            Y,
            aug,
            loss,
            targets,
            state,
            batch_size,
            device,
            self.max_iter,
            interrupted_note="the selector keeps the network trained without "
            "shadows, and the cut of its outlier and gap rules",
        )
        del X_aug
        if interrupted:
            return None
        params = np.zeros((1, layout.n_params), dtype=np.float32)
        for i in range(layout.n_layers):
            rows = aug.input_rows(slice(0, n_features)) if i == 0 else slice(None)
            layout.weight(params, i)[...] = aug.weight(state["params"], i)[:, rows]
            layout.bias(params, i)[...] = aug.bias(state["params"], i)
        history = np.asarray(state["history"])
        state.update(
            params=params,
            mean=state["mean"][:n_features],
            scale=state["scale"][:n_features],
            square_scale=(
                None
                if state["square_scale"] is None
                else state["square_scale"][:n_features]
            ),
            history=list(history[:, :n_features]),
        )
        return state, late_mean(history[:, n_features:])

    # ------------------------------------------------------------ training
    def _effective_batch_size(self, n_samples):
        return _fit_batch_size(self._batch_size, n_samples)

    def _fresh_state(self, layout, X, targets):
        """A new network drawn from ``random_state``, with ``X``'s statistics."""
        mean, scale = column_stats(X)
        squares = square_stats(X, mean, scale) if layout.input_squares else None
        init_rng, shuffle_rng = _rngs_from_seed(self._draw_seed())
        return {
            "params": self._initial_params(layout, scale, init_rng, squares),
            "mean": mean,
            "scale": scale,
            "square_scale": squares,
            "n_seen": X.shape[0],
            "shuffle_rng": shuffle_rng,
            "curve": [],
            "history": [],
        }

    def _current_state(self, layout):
        """The fitted network and statistics, as copies to train on."""
        return {
            "params": self._flat_params(layout),
            "mean": self.mean_.copy(),
            "scale": self.scale_.copy(),
            "square_scale": (
                None if self.square_scale_ is None else self.square_scale_.copy()
            ),
            "n_seen": self.n_samples_seen_,
            "shuffle_rng": copy.deepcopy(self._shuffle_rng),
            "curve": list(self.loss_curve_),
            "history": list(self.importances_history_),
        }

    def _run_epochs(
        self,
        X,
        Y,
        layout,
        loss,
        targets,
        state,
        batch_size,
        device,
        n_epochs,
        interrupted_note=None,
    ):
        """Train ``state["params"]`` in place for up to ``n_epochs`` epochs;
        return whether Ctrl-C cut it short."""
        engine = self._make_engine(
            X, Y, layout, loss, batch_size, device, n_threads=self._n_threads()
        )
        state["weight_decay"] = resolve_weight_decay(self.weight_decay, X.shape[0])
        engine.set_group(
            state["params"],
            learning_rates=[self.learning_rate],
            weight_decays=[state["weight_decay"]],
            rows=[np.arange(X.shape[0])],
            rngs=[state["shuffle_rng"]],
            x_mean=state["mean"],
            x_inv_scale=_inverse(state["scale"]),
            x_square_inv=_square_inverse(state["square_scale"]),
            y_mean=targets["_y_mean"],
            y_inv_scale=_inverse(targets["_y_scale"]),
            label_noise=self.label_noise,
        )
        with engine.session():
            interrupted = self._train(
                engine,
                state["curve"],
                state["history"],
                batch_size,
                n_epochs,
                interrupted_note,
            )
        state["params"] = engine.get_params()
        return interrupted

    def _commit(self, layout, targets, state, shadow=None):
        """Set the fitted attributes from a successful training run
        (``shadow``: the shadows' importances, if it trained beside them)."""
        for name, value in targets.items():
            setattr(self, name, value)
        if "classes_" not in targets and hasattr(self, "classes_"):
            del self.classes_
        self.mean_, self.scale_ = state["mean"], state["scale"]
        self.square_scale_ = state["square_scale"]
        self.n_samples_seen_ = state["n_seen"]
        self._layout = layout
        self._shuffle_rng = state["shuffle_rng"]
        self._store_params(layout, state["params"][0])
        self.loss_curve_ = state["curve"]
        self.weight_decay_ = state["weight_decay"]
        self.n_iter_ = len(state["curve"])
        n_features = layout.n_features
        self.importances_history_ = np.asarray(state["history"]).reshape(-1, n_features)
        # The column norms averaged over the last epochs: SGD's floor is noisy.
        self.feature_importances_ = (
            late_mean(self.importances_history_)
            if len(self.importances_history_)
            else column_norms(layout, state["params"])[0]
        )
        self.shadow_importances_ = shadow

    def _update_statistics(self, layout, X, Y, targets, state):
        """Fold a new chunk into the running statistics, and re-express the
        network in the new units so that its function does not change."""
        params = state["params"]
        n_old, n_new = state["n_seen"], X.shape[0]
        mean_b, scale_b = column_stats(X)
        mean, scale = _combine_moments(
            (n_old, state["mean"], state["scale"]), (n_new, mean_b, scale_b)
        )
        # z_old = (x - m_old) / s_old = a * z_new + c, with a = s_new / s_old and
        # c = (m_new - m_old) / s_old.
        inv_old = _inverse(state["scale"])
        a, c = scale * inv_old, (mean - state["mean"]) * inv_old
        W0, b0 = layout.weight(params, 0)[0], layout.bias(params, 0)[0]
        d = layout.n_features
        b0 += c @ W0[:d]
        W0[:d] *= a[:, None]
        if layout.input_squares:
            # The squares keep the scale of the first chunk, k = 1 / std(z**2):
            # k (z_old**2 - 1) = a**2 k (z_new**2 - 1) + 2 a c k z_new
            #                    + k (a**2 - 1 + c**2).
            k = _inverse(state["square_scale"])
            Ws = W0[d:]
            b0 += (k * (a**2 - 1 + c**2)) @ Ws
            W0[:d] += (2 * k * a * c)[:, None] * Ws
            Ws *= (a**2)[:, None]
        state.update(mean=mean, scale=scale, n_seen=n_old + n_new)
        if targets["task_"] != "regression":
            return
        y_mean, y_std = _combine_moments(
            (n_old, self._y_mean, self._y_std), (n_new, *column_stats(Y, "y"))
        )
        y_scale = np.where(y_std > 0, y_std, 1.0)
        # out_new = (out_old * s_old + m_old - m_new) / s_new
        last = layout.n_layers - 1
        W, b = layout.weight(params, last)[0], layout.bias(params, last)[0]
        b[:] = (b * self._y_scale + self._y_mean - y_mean) / y_scale
        W *= self._y_scale / y_scale
        targets.update(_y_mean=y_mean, _y_scale=y_scale, _y_std=y_std)

    def _train(
        self, engine, curve, history, batch_size, n_epochs, interrupted_note=None
    ):
        """Run epochs until ``max_iter`` or the support stops changing.

        Appends each epoch's loss to ``curve`` and column norms to ``history``.
        Returns whether Ctrl-C cut it short (``interrupted_note``: what the
        selector keeps then, if not this network).
        """
        start = time.perf_counter()
        stable, previous = 0, None
        with _progress_bar(self.verbose, n_epochs, type(self).__name__) as bar:
            for _ in range(n_epochs):
                epoch = len(curve) + 1
                try:
                    loss = float(engine.epoch()[0])
                except KeyboardInterrupt:
                    kept = (
                        interrupted_note
                        or f"the selector keeps the network as trained for "
                        f"{epoch - 1} epochs"
                    )
                    warnings.warn(
                        f"training interrupted at epoch {epoch}; {kept}.",
                        UserWarning,
                        stacklevel=4,
                    )
                    return True
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"training diverged at epoch {epoch} (loss={loss}); "
                        f"lower learning_rate (now {self.learning_rate}), raise "
                        f"batch_size (now {batch_size}) or set max_grad_norm "
                        f"(now {self.max_grad_norm})."
                    )
                curve.append(loss)
                norms = engine.first_layer_norms()[0]
                history.append(norms)
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
                if self.verbose >= 2:
                    print(
                        f"epoch {epoch}: loss={loss:.6g}, "
                        f"{time.perf_counter() - start:.2f}s"
                    )
                if self.early_stopping:
                    stable, previous = self._support_stability(norms, previous, stable)
                    if stable >= self.n_iter_no_change:
                        if self.verbose >= 2:
                            print(f"support unchanged for {stable} epochs; stopping")
                        break
        return False

    def _support_stability(self, norms, previous, stable):
        """Count consecutive epochs whose support and relative norms held still."""
        mask = support_mask(
            norms, resolve_threshold(norms, self.threshold), self.max_features
        )
        scaled = norms / max(norms.max(), np.finfo(float).tiny)
        if previous is not None:
            same = np.array_equal(mask, previous[0])
            still = np.max(np.abs(scaled - previous[1])) <= self.tol
            stable = stable + 1 if same and still else 0
        return stable, (mask, scaled)

    # ------------------------------------------------------------ targets
    def _validate_training_data(self, X, y):
        """Validated ``X`` (float, C order) and ``y``, the training targets
        ``Y`` (n_samples, n_outputs), the loss name and the target attributes."""
        X, y = self._validate_X_y(X, y, reset=True, ensure_min_samples=2)
        return X, y, *self._encode_targets(y)

    def _validate_X_y(self, X, y, *, reset, ensure_min_samples=1):
        """``validate_data`` for training, with the remedy named when ``X``
        holds text or categories."""
        from sgdselect._arrays import kernel_array

        _check_numeric_columns(X)
        try:
            X, y = validate_data(
                self,
                X,
                y,
                dtype=[np.float64, np.float32],
                order="C",
                multi_output=True,
                y_numeric=False,
                ensure_min_samples=ensure_min_samples,
                reset=reset,
            )
            # A read-only X (a pandas frame under copy-on-write, a frozen
            # array) would compile the training loop again: a writeable view
            # where the memory allows it, else a copy.
            return kernel_array(X), y
        except ValueError as exc:
            if "could not convert" not in str(exc):
                raise
            dtypes = getattr(X, "dtypes", None)
            where = ""
            if hasattr(dtypes, "items"):
                text = [str(c) for c, t in dtypes.items() if t.kind not in "biuf"]
                where = f" in columns {text[:10]}"
            raise ValueError(
                f"X holds non-numeric values{where} ({exc}); encode text or "
                "categorical columns first (e.g. OneHotEncoder or OrdinalEncoder "
                "in a ColumnTransformer) or drop them."
            ) from exc

    def _encode_targets(self, y):
        """Training targets (n_samples, n_outputs), the loss name, and the
        fitted attributes that describe the targets."""
        kind = _target_type(y)
        task = self.task
        if task == "auto":
            if kind in _CLASSIFICATION_TARGETS:
                task = "classification"
            elif kind in _REGRESSION_TARGETS:
                task = "regression"
            else:
                raise ValueError(
                    f"Unknown label type: the target type {kind!r} is not "
                    "supported; pass class labels (binary or multiclass) or real "
                    "values (one or several columns)."
                )
        if task == "classification":
            if kind not in _CLASSIFICATION_TARGETS:
                raise ValueError(
                    f"task='classification' needs class labels, but y is {kind!r}; "
                    "use task='regression' for real-valued targets."
                )
            y = column_or_1d(y, warn=True)
            encoder = LabelEncoder().fit(y)
            if len(encoder.classes_) < 2:
                raise ValueError(
                    "classification needs samples of at least 2 classes in the "
                    "data, but the data contains only one class: "
                    f"{encoder.classes_[0]!r}."
                )
            k = len(encoder.classes_)
            Y = np.eye(k, dtype=np.float32)[encoder.transform(y)]
            targets = {"task_": task, "classes_": encoder.classes_}
            targets.update(_y_mean=np.zeros(k), _y_scale=np.ones(k))
            return Y, "log_loss", targets
        try:
            Y = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"task='regression' needs numeric targets, but y is {kind!r}."
            ) from exc
        Y = Y.reshape(len(Y), -1)
        y_mean, y_std = column_stats(Y, "y")
        targets = {
            "task_": task,
            "_y_mean": y_mean,
            "_y_scale": np.where(y_std > 0, y_std, 1.0),
            "_y_std": y_std,
        }
        return Y, "squared_error", targets

    def _encode_stream_targets(self, y, classes):
        """``_encode_targets`` for the first chunk of a stream: the classes
        come from ``classes``, since one chunk need not hold them all."""
        if classes is None:
            # As fit: a classification stream takes its classes from the first
            # chunk; a later chunk with a new label is an error.
            return self._encode_targets(y)
        if self.task == "regression":
            raise ValueError(
                "classes was passed to partial_fit but task='regression'; "
                "drop classes, or set task='classification' or 'auto'."
            )
        classes = np.unique(np.asarray(classes))
        if len(classes) < 2:
            raise ValueError(
                f"classes must hold at least 2 labels, got {classes.tolist()!r}."
            )
        targets = {"task_": "classification", "classes_": classes}
        targets.update(_y_mean=np.zeros(len(classes)), _y_scale=np.ones(len(classes)))
        return self._one_hot(y, classes), "log_loss", targets

    def _encode_next_chunk(self, y, classes):
        """Targets of a later chunk, in the fitted task and classes."""
        targets = {name: getattr(self, name) for name in ("task_", "_y_mean")}
        targets["_y_scale"] = self._y_scale
        if self.task_ == "regression":
            if classes is not None:
                raise ValueError(
                    "classes was passed to partial_fit, but the selector was "
                    "first trained for regression."
                )
            try:
                Y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    "the selector was trained for regression, but y is not numeric."
                ) from exc
            if Y.shape[1] != len(self._y_mean):
                raise ValueError(
                    f"y has {Y.shape[1]} output(s), but the selector was trained "
                    f"with {len(self._y_mean)}."
                )
            targets["_y_std"] = self._y_std
            return Y, "squared_error", targets
        if classes is not None and not np.array_equal(
            np.unique(np.asarray(classes)), self.classes_
        ):
            raise ValueError(
                f"classes={list(np.unique(classes))!r} differs from the classes "
                f"of the first call, {self.classes_.tolist()!r}; pass the same "
                "classes to every partial_fit call (or none after the first)."
            )
        targets["classes_"] = self.classes_
        return self._one_hot(y, self.classes_), "log_loss", targets

    @staticmethod
    def _one_hot(y, classes):
        """One-hot targets of labels ``y`` among the sorted ``classes``."""
        y = column_or_1d(y, warn=True)
        unseen = np.setdiff1d(y, classes)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen[:5].tolist()!r} that are not among "
                f"classes={classes.tolist()!r}; pass every label of the stream "
                "in classes on the first call to partial_fit."
            )
        index = np.searchsorted(classes, y)
        return np.eye(len(classes), dtype=np.float32)[index]

    # ------------------------------------------------------------ network
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, Integral) else tuple(sizes)
        if not sizes or any(
            not isinstance(s, Integral) or isinstance(s, bool) or s < 1 for s in sizes
        ):
            raise ValueError(
                "hidden_layer_sizes must be a positive int or a non-empty sequence of "
                f"positive ints, got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _n_threads(self):
        if self.n_jobs is None:
            return 1
        if self.n_jobs == 0:
            raise ValueError(
                "n_jobs=0 would train on no thread; use None or 1 for one "
                "thread, k > 1 for k threads, or -1 for all cores."
            )
        if self.n_jobs < 0:
            import os

            return max(1, (os.cpu_count() or 1) + 1 + self.n_jobs)
        return max(1, self.n_jobs)

    def _make_engine(self, X, Y, layout, loss, batch_size, device, n_threads=1):
        return make_engine(
            X,
            Y,
            layout,
            activation=self.activation,
            loss=loss,
            batch_size=batch_size,
            clip=self.max_grad_norm,
            device=device,
            n_threads=n_threads,
        )

    def _draw_seed(self):
        return check_random_state(self.random_state).randint(np.iinfo(np.int32).max)

    def _initial_params(self, layout, scale, init_rng, square_scale=None):
        """Initial parameters (1, n_params) for inputs with column scales
        ``scale`` (and, with square inputs, square scales ``square_scale``)."""
        params = init_params(
            layout, [init_rng], activation=self.activation, init_scale=self.init_scale
        )
        # An input that never varies (a constant column, or a square that does
        # not vary) reads as 0 and carries no information: its weights start
        # and stay at zero, so it adds nothing to an importance.
        first = layout.weight(params, 0)
        first[:, layout.input_rows(scale == 0), :] = 0.0
        if square_scale is not None:
            first[:, layout.n_features + np.flatnonzero(square_scale == 0), :] = 0.0
        return params

    def _store_params(self, layout, flat):
        self.coefs_ = [layout.weight(flat, i).copy() for i in range(layout.n_layers)]
        self.intercepts_ = [layout.bias(flat, i).copy() for i in range(layout.n_layers)]

    def _flat_params(self, layout):
        flat = np.zeros((1, layout.n_params), dtype=np.float32)
        for i, (w, b) in enumerate(zip(self.coefs_, self.intercepts_, strict=True)):
            layout.weight(flat, i)[0] = w
            layout.bias(flat, i)[0] = b
        return flat

    def _forward(self, X):
        """Network output for raw ``X`` (standardized here), float64."""
        A = network_inputs(
            X, self.mean_, _inverse(self.scale_), _square_inverse(self.square_scale_)
        )
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
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        targets = {name: getattr(self, name, None) for name in _TARGET_ATTRIBUTES}
        return _score_output(self._forward(X), y, targets)

    # ------------------------------------------------------------ support
    @property
    def threshold_(self):
        """The importance cut actually used (from ``threshold``)."""
        check_is_fitted(self)
        return resolve_threshold(
            self.feature_importances_,
            self.threshold,
            getattr(self, "shadow_importances_", None),
        )

    def _get_support_mask(self):
        check_is_fitted(self)
        return support_mask(
            self.feature_importances_, self.threshold_, self.max_features
        )

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
                self.feature_importances_,
                shadow_importances=self.shadow_importances_,
            )
        ):
            against = (
                "none 3 robust SDs and 1.5x above the median importance, no "
                "1.5x gap"
            )
            if self.shadow_importances_ is not None:
                against = "none beat the strongest permuted copy of a column"
            warnings.warn(
                f"threshold='auto' found no feature standing out ({against}), "
                "so it keeps only the most important one: the importances do "
                "not separate. See importances_history_; train longer or with "
                "a larger learning_rate, or set threshold or max_features.",
                UserWarning,
                stacklevel=4,
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class _IncrementalSupportSelector(_BaseSupportSelector):
    """A selector that also trains on a stream of chunks (not public)."""

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train on one chunk of data: a single pass over ``(X, y)``.

        Streams data larger than memory through the network, one chunk per
        call. The first call draws the network from ``random_state``; every
        call updates running standardization statistics of ``X`` (and of
        regression targets) and re-expresses the network in the new units,
        so what it computes is unchanged by the update.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One chunk of training data (a single row is allowed).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.
        classes : array-like of shape (n_classes,), default=None
            Every class label of the whole stream, for classification. Pass it
            on the first call when the first chunk may not hold every class:
            by default the classes are those of the first chunk, and a later
            chunk with a label outside them is an error. It must not change
            on later calls. Leave it out for regression.

        Returns
        -------
        self : object
            The selector, trained one more pass.

        Notes
        -----
        A chunk smaller than ``batch_size`` is one batch. ``early_stopping``
        and ``max_iter`` do not apply: the caller decides how many passes to
        make. ``n_iter_`` counts the passes (calls and epochs of ``fit``).

        Examples
        --------
        >>> import numpy as np
        >>> from sgdselect import SGDSupportSelector
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(1000, 6))
        >>> y = np.sin(X[:, 0]) + X[:, 1] ** 2
        >>> selector = SGDSupportSelector(random_state=0)
        >>> for epoch in range(40):
        ...     for chunk in np.array_split(np.arange(1000), 4):
        ...         selector = selector.partial_fit(X[chunk], y[chunk])
        >>> selector.n_iter_, selector.n_samples_seen_
        (160, 40000)
        >>> selector.get_support(indices=True)
        array([0, 1])
        """
        device = resolve_device(self.device)
        hidden = self._hidden_sizes()
        first = not hasattr(self, "coefs_")
        X, y = self._validate_X_y(X, y, reset=first)
        if first:
            Y, loss, targets = self._encode_stream_targets(y, classes)
            layout = Layout.for_features(
                X.shape[1], hidden, Y.shape[1], self.input_squares
            )
            state = self._fresh_state(layout, X, targets)
        else:
            Y, loss, targets = self._encode_next_chunk(y, classes)
            layout = self._layout
            state = self._current_state(layout)
            self._update_statistics(layout, X, Y, targets, state)
        batch_size = min(self._batch_size or X.shape[0], X.shape[0])
        self._run_epochs(X, Y, layout, loss, targets, state, batch_size, device, 1)
        self._commit(layout, targets, state)
        # No fall-back warning while streaming: early chunks have not yet
        # separated anything, and the caller decides when training is done.
        self._warn_about_selection(fall_back=False)
        return self


_COMMON_PARAMETERS_DOC = """
    activation : {{"relu", "tanh", "linear"}}, default="tanh"
        Activation of the hidden layers. ``"linear"`` gives the deep linear
        network of the paper's synthetic protocol.
    learning_rate : float, default={lr}
        The step size η. The implicit regularization grows with η / batch size.
    max_iter : int, default={max_iter}
        Number of epochs (passes over the data). {epochs_note}
    weight_decay : "auto" or float, default="auto"
        L2 penalty on the weights (not the biases), applied after clipping as
        ``torch.optim.SGD`` does: the paper's explicit-regularization
        reference. A little of it pulls the columns of irrelevant inputs down
        further than the gradient noise alone, the largest gain of
        ``benchmarks/defaults_study.py``. ``"auto"`` uses ``2 / n`` for a
        training call on ``n`` rows (1e-3 at 2000 rows; each fold's rows in
        a cross-validated search; the chunk's rows in ``partial_fit``), as
        scikit-learn's ``MLPRegressor`` divides ``alpha`` by ``n``: with SGD
        the decay of one epoch is then ``2 * learning_rate / batch_size``
        whatever ``n``. Against a fixed 1e-3 it found the support more often
        with few rows (Friedman #1 at n = 500: F1 1.00 on five seeds against
        0.88) and on the d = 500 additive case, the rest unchanged over five
        seeds (``docs/benchmarks/weight_decay.md``). The value used is
        ``weight_decay_``.
    max_grad_norm : float or None, default=1.0
        Clip the gradient of each step to this Euclidean norm, as the paper
        does; ``None`` disables clipping.
    init_scale : float, default=0.3
        Multiplier of the Kaiming-normal initialization of the weights.
    input_squares : bool, default=True
        Feed the network each standardized feature ``z`` and its centred
        square ``z**2 - 1``, scaled to unit variance (``square_scale_``); a
        feature's importance is then the norm of its two first-layer rows
        together. A target that depends on
        a feature through an even function (``x**2``, ``|x|``, a ring) is
        uncorrelated with the feature itself, and a network reading only
        ``z`` must find it through a second-order effect that SGD's
        shrinkage and 500 noise columns drown; its square carries it at
        first order. On ``benchmarks/recovery.py`` this lifts the two
        d = 500 cases from support F1 0.33 / 0.75 to 0.89 / 1.0, and the
        synthetic mean from 0.90 to 0.97. It doubles the first layer's
        inputs (computed on the fly, not stored). ``False`` gives the
        paper's network.
    label_noise : float, default=0.0
        Standard deviation of Gaussian noise added afresh to the standardized
        regression targets at every visit (ignored for classification). It
        keeps the gradient noise that shrinks irrelevant columns alive after
        the loss has been fitted (label-noise SGD, Blanc et al., 2020).
    early_stopping : bool, default=False
        Stop once the selected support has not changed, and the importances
        relative to the largest have moved by at most ``tol``, for
        ``n_iter_no_change`` consecutive epochs.
    tol : float, default=1e-3
        Largest change of the relative importances that counts as still.
    n_iter_no_change : int, default=10
        Epochs the support must hold still before early stopping.
    task : {{"auto", "regression", "classification"}}, default="auto"
        What ``y`` holds. ``"auto"`` infers it as scikit-learn does: binary or
        multiclass labels (strings included) give classification with the
        cross-entropy loss; real values give regression with the squared
        error on standardized targets. A float target of whole values counts
        as class labels up to 20 distinct values, as real values beyond.
        Force ``"regression"`` for an integer target with many values.
    threshold : str or float, default="auto"
        Importance cut. ``"auto"`` finds the gap between the features that
        stand out and the shrunk mass, and where there is none (or what
        stands out does so only marginally), ``fit`` trains again beside
        permuted copies of the columns and keeps the features that beat them
        all (see Notes); a float is an absolute cut;
        ``"mean"``, ``"median"`` and scaled words such as ``"1.5*mean"`` mean
        what they mean in :class:`~sklearn.feature_selection.SelectFromModel`.
    max_features : int or None, default=None
        Keep at most this many features (the most important ones above the
        threshold; ties broken by column order).
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
        Read only in ``fit``; the fitted attributes are NumPy arrays whatever
        the device, so a selector trained on a GPU unpickles without one.
    n_jobs : int or None, default=None
        CPU threads that share out the rows of a step whose batch spans
        several stripes (16 chunks of rows, a few thousand rows): full-batch
        gradient descent and large batches. ``-1`` uses all cores, ``None``
        means 1. Smaller batches run on one thread, their steps being too
        small to share. The result does not depend on it: the stripes'
        gradients are added in the same order whatever the thread count.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialization and the batch order. A fixed value gives
        identical results on CPU.
    verbose : int, default=0
        0: silent. 1: a progress bar over the epochs on stderr (tqdm), with
        the current loss. 2 or more: one line per epoch with the loss and the
        time elapsed, on stdout.
    warm_start : bool, default=False
        Continue training the previous network (and batch order) on ``fit``.
"""

_ATTRIBUTES_DOC = """
    Attributes
    ----------
    feature_importances_ : ndarray of shape (n_features,)
        Euclidean norm of each input's first-layer weight column, in
        standardized units, averaged over the last 20% of the epochs
        (``importances_history_``), which smooths the noisy floor that SGD
        leaves the irrelevant columns on. Constant columns get exactly 0.
    importances_history_ : ndarray of shape (n_epochs, n_features)
        The same norms recorded after every epoch: the second phase of
        training, where the irrelevant columns shrink, made visible.
    shadow_importances_ : ndarray of shape (n_shadows,) or None
        Importances of the shadows (copies of the columns with their rows
        permuted, ``ceil(100 / n_features)`` per column, at least 100 in all)
        when ``threshold="auto"`` found nothing standing out and ``fit``
        trained again beside them; then every other fitted attribute comes
        from that training, restricted to the real columns. None otherwise.
    threshold_ : float
        The importance cut actually used, resolved from ``threshold``.
    weight_decay_ : float
        The L2 strength the last training call used, resolved from
        ``weight_decay`` (``"auto"``: 2 / its number of rows).
    loss_curve_ : list of float
        Mean training loss of each epoch (on standardized targets).
    n_iter_ : int
        Number of epochs run.
    coefs_ : list of ndarray
        Weight matrices of the network, ``coefs_[i]`` of shape
        ``(n_inputs_i, n_outputs_i)``. With ``input_squares``, ``coefs_[0]``
        has ``2 * n_features_in_`` rows: feature ``j``'s at ``j`` and its
        square's at ``n_features_in_ + j``.
    intercepts_ : list of ndarray
        Bias vectors of the network.
    n_samples_seen_ : int
        Number of samples behind ``mean_`` and ``scale_``: those of ``fit``,
        or of every chunk so far with ``partial_fit``.
    mean_ : ndarray of shape (n_features,)
        Column means used to standardize ``X``.
    scale_ : ndarray of shape (n_features,)
        Column standard deviations used to standardize ``X`` (0 for constant
        columns).
    square_scale_ : ndarray of shape (n_features,) or None
        With ``input_squares``: the standard deviation of each standardized
        column's square ``z**2``, which scales the square input ``(z**2 - 1)
        / square_scale_`` to unit variance (0, and a zero input, where the
        square does not vary). From ``fit``'s data, or from the first chunk
        with ``partial_fit``. None without ``input_squares``.
    task_ : str
        ``"classification"`` or ``"regression"``, as resolved from ``task``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classification only).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.
"""


def _parameters_doc(exclude=(), **values):
    """The shared parameter docs, formatted, without the entries in ``exclude``.

    An entry starts at a line indented by four spaces and runs to the next.
    """
    entries, current = [], None
    for line in _COMMON_PARAMETERS_DOC.format(**values).strip("\n").splitlines():
        if not line.startswith("     "):
            current = [line]
            entries.append(current)
        else:
            current.append(line)
    kept = [e for e in entries if e[0].split(" : ")[0].strip() not in exclude]
    # The template's own "    {common}" line gives the first entry its indent.
    return "\n".join(line for entry in kept for line in entry).lstrip()


class SGDSupportSelector(_IncrementalSupportSelector):
    """Feature selection by the implicit regularization of mini-batch SGD.

    Trains a multilayer perceptron with plain mini-batch SGD (no momentum;
    batches drawn without replacement, reshuffled every epoch) on standardized
    inputs, and reads each feature's importance as the norm of its
    first-layer weight column. Mini-batch noise drives the columns of
    irrelevant inputs toward zero, while those of the support stay large
    (Beneventano, Pinto & Poggio, 2024); the features whose norm stands out
    are kept.

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

    ``feature_importances_`` are the first-layer column norms averaged over
    the last 20% of the epochs. ``threshold="auto"`` works on their logs: SGD's
    shrinkage is multiplicative, which makes the shrunk mass a tight cluster
    in log space. It keeps the larger of two sets: the features more than 3
    robust standard deviations (1.4826 times the median absolute deviation)
    above the median and more than 1.5 times the median importance, and the
    upper group of the split into two groups with
    the least within-group variance (Otsu's rule) when that group holds at
    most half the features and its weakest feature is at least 1.5 times the
    strongest one below.

    If both are empty, nothing stands out of the shrunk mass: typical of real
    data whose relevant features are many and of graded strength. The same
    holds when there is no clear gap and the weakest feature standing out
    is less than 4 robust standard deviations above the median: a graded
    mass with a column or two at its upper edge. ``fit`` then trains a
    fresh network (same parameters and seed) on ``X`` with
    shadows appended: copies of every column with their rows permuted, which
    keep each column's distribution and lose its relation to the target,
    enough of them (at least 100) that a feature independent of the target
    and of the other features beats them all with probability at most
    1/101.
    It keeps the features whose importance beats every shadow's (Boruta's
    rule, one round), and reports
    that network, its shadow inputs fixed at their mean (``coefs_``,
    ``feature_importances_``, ``shadow_importances_``). This costs a second
    fit, on ``(1 + ceil(100 / n_features)) * n_features`` columns held in
    memory beside ``X``; ``partial_fit`` and warm-started fits do not do it.
    If no feature beats the shadows, it keeps the most important one and
    warns that nothing stood out.

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
        **_BaseSupportSelector._parameter_constraints,
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

    Examples
    --------
    >>> import numpy as np
    >>> from sgdselect import GDSupportSelector
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 5))
    >>> y = X[:, 0] - 2 * X[:, 1]
    >>> GDSupportSelector(threshold=0.0, weight_decay=0.0, random_state=0).fit(
    ...     X, y
    ... ).feature_importances_.round(2)
    array([0.89, 0.86, 0.83, 0.6 , 0.58])

    Only the first two columns matter, but plain gradient descent (the
    paper's baseline, no weight decay) leaves the noise columns about as
    large: nothing stands out. So ``threshold="auto"`` trains again with 20
    shadows (permuted copies) of every column, and keeps the columns that
    beat every shadow:

    >>> gd = GDSupportSelector(weight_decay=0.0, random_state=0).fit(X, y)
    >>> gd.feature_importances_.round(2)
    array([0.47, 0.74, 0.27, 0.17, 0.22])
    >>> gd.shadow_importances_.shape, gd.shadow_importances_.max().round(2)
    ((100,), np.float64(0.25))
    >>> gd.get_support(indices=True)
    array([0, 1, 2])

    Column 2, noise, beats the strongest shadow by a hair: the shadow step
    bounds such mistakes (at most 1 in 101 per column independent of the
    rest), it does not rule them out. The default weight decay, 2 / n (0.01
    on these 200 rows), is explicit regularization: over 2000 full steps it
    pulls the noise columns down on its own, and the two columns stand out.

    >>> gd = GDSupportSelector(random_state=0).fit(X, y)
    >>> gd.weight_decay_, gd.feature_importances_.round(2)
    (0.01, array([0.43, 0.75, 0.03, 0.03, 0.04]))
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
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm
        self.init_scale = init_scale
        self.input_squares = input_squares
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

    @property
    def _batch_size(self):
        return None


SGDSupportSelector.__doc__ = SGDSupportSelector.__doc__.format(
    common=_parameters_doc(
        lr=0.2,
        max_iter=300,
        epochs_note="Steps per epoch: ceil(n / batch_size).",
    ),
    attributes=_ATTRIBUTES_DOC.rstrip("\n"),
)
GDSupportSelector.__doc__ = GDSupportSelector.__doc__.format(
    common=_parameters_doc(
        lr=0.2,
        max_iter=2000,
        epochs_note="Each epoch is one gradient step.",
    ),
    attributes=_ATTRIBUTES_DOC.rstrip("\n"),
)
