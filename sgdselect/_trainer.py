"""The one training loop: epochs, progress, early stop, interrupt, divergence.

:class:`Trainer` holds what an estimator's parameters say about training and
runs epochs of an engine (``_engine``) for ``fit``, ``partial_fit``, the
shadow refit and the cross-validated search alike; :class:`TrainState` is
one network's training in progress, what a warm start or the next chunk of a
stream continues from.
"""

import os
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.utils import check_random_state

from sgdselect._engine import make_engine
from sgdselect._network import initial_params
from sgdselect._preprocessing import InputMap, inverse
from sgdselect._support import resolve_threshold, support_mask

# weight_decay="auto": this strength over the number of training rows.
AUTO_WEIGHT_DECAY = 2.0


def resolve_weight_decay(weight_decay, n_samples):
    """The L2 strength for a training call on ``n_samples`` rows:
    ``AUTO_WEIGHT_DECAY / n_samples`` for ``"auto"``, else ``weight_decay``.

    Scaled by the rows as scikit-learn's ``MLPRegressor`` scales ``alpha``:
    the penalty is a fixed amount beside a data term that grows with ``n``.
    For SGD it also makes one epoch's decay ``2 learning_rate / b`` whatever
    ``n``, the shape of the implicit regularization, ``learning_rate / b``.
    """
    if isinstance(weight_decay, str):
        return AUTO_WEIGHT_DECAY / max(int(n_samples), 1)
    return float(weight_decay)


def fit_batch_size(batch_size, n_samples):
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


def draw_seed(random_state):
    """One int seed from ``random_state``, for a network's generators."""
    return check_random_state(random_state).randint(np.iinfo(np.int32).max)


def rngs_from_seed(seed):
    """Independent generators for initialization and batch order."""
    init_seq, shuffle_seq = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(init_seq), np.random.default_rng(shuffle_seq)


def n_threads(n_jobs):
    """Threads for ``n_jobs`` (None: 1; negative: counted back from all cores)."""
    if n_jobs is None:
        return 1
    if n_jobs == 0:
        raise ValueError(
            "n_jobs=0 would train on no thread; use None or 1 for one "
            "thread, k > 1 for k threads, or -1 for all cores."
        )
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, n_jobs)


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


@dataclass
class TrainState:
    """One network in training: its flat parameters (1, n_params), the input
    map it reads, its batch-order generator, the loss and column norms of
    each epoch so far, and the weight decay of its last training call."""

    params: np.ndarray
    inputs: InputMap
    shuffle_rng: np.random.Generator
    curve: list = field(default_factory=list)
    history: list = field(default_factory=list)
    weight_decay: float | None = None


@dataclass(frozen=True)
class Trainer:
    """How to train, as an estimator's parameters say it (see
    :meth:`from_estimator`), and the epoch loop that does it."""

    activation: str
    learning_rate: float
    weight_decay: object
    max_grad_norm: float | None
    init_scale: float
    label_noise: float
    device: str
    n_threads: int = 1
    early_stopping: bool = False
    tol: float = 0.0
    n_iter_no_change: int = 1
    threshold: object = "auto"
    max_features: int | None = None
    verbose: int = 0
    name: str = ""
    # The decisions of the selection over the network's inputs (a
    # sgdselect._columns.Grouping), or None: one per input.
    groups: object = None

    @classmethod
    def from_estimator(cls, estimator, device):
        params = estimator.get_params()
        fields = set(cls.__dataclass_fields__) - {
            "device",
            "n_threads",
            "name",
            "groups",
        }
        values = {k: v for k, v in params.items() if k in fields}
        values["learning_rate"] = params.get("learning_rate", 0.0)
        return cls(
            **values,
            device=device,
            n_threads=n_threads(params.get("n_jobs")),
            name=type(estimator).__name__,
        )

    # ------------------------------------------------------------ networks
    def weight_decay_for(self, n_samples):
        """The weight decay of a training call on ``n_samples`` rows."""
        return resolve_weight_decay(self.weight_decay, n_samples)

    def fresh_state(self, layout, X, seed, ranks=None):
        """A new network drawn from ``seed``, reading ``X``'s input map
        (``X`` already through the rank map ``ranks``, if any)."""
        inputs = InputMap.fit(X, layout.input_squares, ranks)
        init_rng, shuffle_rng = rngs_from_seed(seed)
        params = self.initial_params(layout, init_rng, inputs)
        return TrainState(params, inputs, shuffle_rng)

    def initial_params(self, layout, init_rng, inputs):
        return initial_params(
            layout,
            init_rng,
            inputs,
            activation=self.activation,
            init_scale=self.init_scale,
        )

    def engine(self, X, Y, layout, loss, batch_size):
        return make_engine(
            X,
            Y,
            layout,
            activation=self.activation,
            loss=loss,
            batch_size=batch_size,
            clip=self.max_grad_norm,
            device=self.device,
            n_threads=self.n_threads,
        )

    def train(
        self, X, Y, layout, targets, state, batch_size, n_epochs, interrupted_note=None
    ):
        """Train ``state`` in place for up to ``n_epochs`` epochs on all of
        ``X``; return whether Ctrl-C cut it short."""
        engine = self.engine(X, Y, layout, targets.loss, batch_size)
        state.weight_decay = self.weight_decay_for(X.shape[0])
        inputs = state.inputs
        engine.set_group(
            state.params,
            learning_rates=[self.learning_rate],
            weight_decays=[state.weight_decay],
            rows=[np.arange(X.shape[0])],
            rngs=[state.shuffle_rng],
            x_mean=inputs.mean,
            x_inv_scale=inputs.inv_scale,
            x_square_inv=inputs.square_inv,
            y_mean=targets.y_mean,
            y_inv_scale=inverse(targets.y_scale),
            label_noise=self.label_noise,
        )
        with engine.session():
            interrupted = self.run_epochs(
                engine,
                n_epochs,
                state.curve,
                state.history,
                batch_size=batch_size,
                interrupted_note=interrupted_note,
            )
        state.params = engine.get_params()
        return interrupted

    def train_group(
        self, X, Y, layout, targets, states, batch_size, n_epochs, interrupted_note=None
    ):
        """Train the independent networks ``states`` in place, each for
        ``n_epochs`` epochs on all of ``X`` from its own initialization, input
        map and batch order: what a :meth:`train` of each without early
        stopping would do, bit for bit, as one group of the engine, which
        runs them on ``n_threads`` threads at once. Returns whether Ctrl-C
        cut it short; a network that diverges raises as in :meth:`train`,
        once the others have trained."""
        n = len(states)
        engine = self.engine(X, Y, layout, targets.loss, batch_size)
        weight_decay = self.weight_decay_for(X.shape[0])
        engine.set_group(
            np.concatenate([state.params for state in states]),
            learning_rates=[self.learning_rate] * n,
            weight_decays=[weight_decay] * n,
            rows=[np.arange(X.shape[0])] * n,
            rngs=[state.shuffle_rng for state in states],
            x_mean=[state.inputs.mean for state in states],
            x_inv_scale=[state.inputs.inv_scale for state in states],
            x_square_inv=(
                [state.inputs.square_inv for state in states]
                if layout.input_squares
                else None
            ),
            y_mean=[targets.y_mean] * n,
            y_inv_scale=[inverse(targets.y_scale)] * n,
            label_noise=self.label_noise,
        )
        curve, history = [], []
        try:
            with engine.session():
                self.run_epochs(
                    engine, n_epochs, curve, history, batch_size=batch_size, group=True
                )
        except KeyboardInterrupt:
            self._warn_interrupted(len(curve) + 1, interrupted_note)
            return True
        for epoch, losses in enumerate(curve, start=1):
            for loss in losses:
                self._check_finite(float(loss), epoch, batch_size)
        params = engine.get_params()
        for k, state in enumerate(states):
            state.params = params[k : k + 1]
            state.weight_decay = weight_decay
            state.curve.extend(float(losses[k]) for losses in curve)
            state.history.extend(norms[k] for norms in history)
        return False

    # ------------------------------------------------------------ the loop
    def run_epochs(
        self,
        engine,
        n_epochs,
        curve,
        history,
        *,
        batch_size,
        interrupted_note=None,
        group=False,
    ):
        """Run epochs until ``n_epochs`` or the support stops changing.

        Appends each epoch's loss to ``curve`` and column norms to
        ``history``: the first network's, or with ``group`` every network's
        (a diverged network of a group is frozen by the engine and reports
        NaN; a lone one raises). Returns whether Ctrl-C cut it short (a
        group lets it through): the network keeps what it had learned, and
        ``interrupted_note`` says what the selector keeps then.
        """
        start = time.perf_counter()
        stable, previous = 0, None
        with _progress_bar(self.verbose, n_epochs, self.name) as bar:
            for _ in range(n_epochs):
                epoch = len(curve) + 1
                try:
                    losses = engine.epoch()
                except KeyboardInterrupt:
                    if group:
                        raise
                    self._warn_interrupted(epoch, interrupted_note)
                    return True
                if group:
                    active = engine.active
                    loss = float(losses[active].mean()) if active.any() else np.nan
                    curve.append(losses)
                    history.append(engine.first_layer_norms())
                else:
                    loss = float(losses[0])
                    self._check_finite(loss, epoch, batch_size)
                    curve.append(loss)
                    history.append(engine.first_layer_norms()[0])
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
                if self.verbose >= 2:
                    print(
                        f"epoch {epoch}: loss={loss:.6g}, "
                        f"{time.perf_counter() - start:.2f}s"
                    )
                if self.early_stopping and not group:
                    stable, previous = self._stability(history[-1], previous, stable)
                    if stable >= self.n_iter_no_change:
                        if self.verbose >= 2:
                            print(f"support unchanged for {stable} epochs; stopping")
                        break
        return False

    def _warn_interrupted(self, epoch, note):
        kept = note or (
            f"the selector keeps the network as trained for {epoch - 1} epochs"
        )
        # stacklevel: here, run_epochs, train, the estimator's fit, its
        # scikit-learn wrapper, the caller.
        warnings.warn(
            f"training interrupted at epoch {epoch}; {kept}.",
            UserWarning,
            stacklevel=6,
        )

    def _check_finite(self, loss, epoch, batch_size):
        if not np.isfinite(loss):
            raise FloatingPointError(
                f"training diverged at epoch {epoch} (loss={loss}); "
                f"lower learning_rate (now {self.learning_rate}), raise "
                f"batch_size (now {batch_size}) or set max_grad_norm "
                f"(now {self.max_grad_norm})."
            )

    def _stability(self, norms, previous, stable):
        """Count consecutive epochs whose support and relative norms held still."""
        if self.groups is not None:
            norms = self.groups.reduce(norms)
        mask = support_mask(
            norms, resolve_threshold(norms, self.threshold), self.max_features
        )
        scaled = norms / max(norms.max(), np.finfo(float).tiny)
        if previous is not None:
            same = np.array_equal(mask, previous[0])
            still = np.max(np.abs(scaled - previous[1])) <= self.tol
            stable = stable + 1 if same and still else 0
        return stable, (mask, scaled)
