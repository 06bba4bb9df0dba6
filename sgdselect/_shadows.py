"""Shadows: permuted copies of the columns, and the refit beside them.

A shadow is a copy of a column with its rows permuted: it keeps the column's
distribution and loses any relation to the target. When ``threshold="auto"``
finds nothing standing out clearly, the selector trains a fresh network on
``X`` with shadows appended and keeps the features that beat every shadow
(Boruta's rule, one round; the cut itself is
:func:`sgdselect._support.shadow_threshold`).
"""

from dataclasses import replace

import numpy as np

from sgdselect._network import Layout
from sgdselect._support import MIN_SHADOWS, late_mean


def n_shadow_copies(n_features, min_shadows=MIN_SHADOWS):
    """Shadows per column: enough for at least ``min_shadows`` in all."""
    return max(1, -(-min_shadows // n_features))


def with_shadows(X, rng, n_copies=1):
    """``X`` with ``n_copies`` shadows of every column appended:
    ``(n, (1 + n_copies) d)``, copy ``c`` of column ``j`` at ``(1 + c) d + j``,
    its rows permuted independently by ``rng`` (a
    :class:`numpy.random.Generator`). Same dtype and C order as ``X``."""
    n, d = X.shape
    out = np.empty((n, (1 + n_copies) * d), dtype=X.dtype)
    out[:, :d] = X
    for k in range(d, out.shape[1]):
        out[:, k] = X[rng.permutation(n), k % d]
    return out


def fit_with_shadows(
    trainer,
    X,
    Y,
    layout,
    targets,
    batch_size,
    n_epochs,
    *,
    seed,
    network_seed,
    ranks=None,
):
    """Train a fresh network (drawn from ``network_seed``) on ``X`` with
    shadows of every column appended (permuted by ``seed``). ``X`` is the
    data the network reads, through the rank map ``ranks`` if any: a
    shadow of a ranked column is the ranked shadow of the raw column.

    Returns the training state restricted to the real columns (the network's
    shadow inputs fixed at their mean, which standardized is 0: their
    first-layer rows dropped) and the shadows' importances; or None if this
    training was interrupted.
    """
    n_features = X.shape[1]
    n_copies = n_shadow_copies(n_features)
    if trainer.verbose:
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
    state = trainer.fresh_state(aug, X_aug, network_seed)
    interrupted = trainer.train(
        X_aug,
        Y,
        aug,
        targets,
        state,
        batch_size,
        n_epochs,
        interrupted_note="the selector keeps the network trained without "
        "shadows, and the cut of its outlier and gap rules",
    )
    del X_aug
    if interrupted:
        return None
    history = np.asarray(state.history)
    state.params = _real_inputs(state.params, aug, layout)
    state.inputs = replace(state.inputs.restrict(n_features), ranks=ranks)
    state.history = list(history[:, :n_features])
    return state, late_mean(history[:, n_features:])


def _real_inputs(params, aug, layout):
    """The parameters of network ``aug`` with its shadow inputs dropped: a
    network of ``layout``, reading the real columns only."""
    out = np.zeros((1, layout.n_params), dtype=np.float32)
    for i in range(layout.n_layers):
        rows = aug.input_rows(slice(0, layout.n_features)) if i == 0 else slice(None)
        layout.weight(out, i)[...] = aug.weight(params, i)[:, rows]
        layout.bias(out, i)[...] = aug.bias(params, i)
    return out
