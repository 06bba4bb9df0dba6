"""Shadows: permuted copies of the columns, and the refits beside them.

A shadow is a copy of a column with its rows permuted: it keeps the column's
distribution and loses any relation to the target. When ``threshold="auto"``
finds its cut too weak to stand on its own, the selector trains rounds of
fresh networks on ``X`` with shadows appended (the same in a round, drawn
anew for each), and tests each feature against them (the test itself is
:func:`sgdselect._support.shadow_pvalues` and
:func:`sgdselect._support.shadow_support`).
"""

from dataclasses import replace

import numpy as np

from sgdselect._network import Layout
from sgdselect._support import (
    MIN_SHADOWS,
    SHADOW_NETWORKS,
    late_mean,
    shadow_epochs,
    shadow_learning_rate,
    shadow_rounds,
)


def n_shadow_copies(n_features, min_shadows=MIN_SHADOWS):
    """Shadows per column: enough for at least ``min_shadows`` in all."""
    return max(1, -(-min_shadows // n_features))


def rounds_of_networks(shadow_importances):
    """The networks of a shadow test, in words, from its shadows'
    importances ``(n_rounds, n_networks, n_shadows)``: "3 rounds of 3
    networks" (one round: "3 networks")."""
    shape = np.shape(shadow_importances)
    n_rounds, n_networks = (1, *shape[:1]) if len(shape) == 2 else shape[:2]
    networks = f"{n_networks} network{'' if n_networks == 1 else 's'}"
    if n_rounds == 1:
        return networks
    return f"{n_rounds} rounds of {networks}"


def with_shadows(X, rng, n_copies=1, groups=None):
    """``X`` with ``n_copies`` shadows of every column appended:
    ``(n, (1 + n_copies) d)``, copy ``c`` of column ``j`` at ``(1 + c) d + j``,
    its rows permuted independently by ``rng`` (a
    :class:`numpy.random.Generator`). Same dtype and C order as ``X``.

    With ``groups`` (a :class:`~sgdselect._columns.Grouping`), the columns
    of one decision (a table column's levels and missing indicator, a group
    of ``feature_groups``) share one permutation per copy: a shadow keeps
    how they go together (a missing cell's indicator and fill, one level per
    row) and loses only their relation to the target."""
    n, d = X.shape
    out = np.empty((n, (1 + n_copies) * d), dtype=X.dtype)
    out[:, :d] = X
    if groups is None:
        for k in range(d, out.shape[1]):
            out[:, k] = X[rng.permutation(n), k % d]
        return out
    for c in range(1, 1 + n_copies):
        for members in groups.members:
            out[:, c * d + members] = X[np.ix_(rng.permutation(n), members)]
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
    n_rounds=None,
    n_networks=SHADOW_NETWORKS,
    groups=None,
):
    """Train ``n_rounds`` rounds of ``n_networks`` fresh networks on ``X``
    with shadows of every column appended, the same shadows in every network
    of a round, other shadows in each round (``n_rounds=None``: from 3 to 8,
    as many as :func:`sgdselect._support.shadow_rounds` allows on ``X``'s
    size). Round 0's shadows are permuted
    by ``[seed, 1]`` and its network ``k`` drawn from ``[seed, k]``; round
    ``r > 0`` appends ``r`` to both. The networks train at the learning rate
    of :func:`sgdselect._support.shadow_learning_rate` for the epochs of
    :func:`sgdselect._support.shadow_epochs` (``n_epochs`` at the first
    network's rate). The same shadows in every network of a round make a
    shadow's mean over them comparable with a feature's; the rounds keep
    one draw of the shadows from deciding the features' scores (the test of
    :func:`sgdselect._support.shadow_pvalues`). ``X`` is the data the
    networks read (through the rank map, if any): a shadow of a ranked
    column is the ranked shadow of the raw column.

    Returns the real columns' importances ``(n_rounds, n_networks,
    n_features)`` and the shadows' ``(n_rounds, n_networks, n_shadows)``, or
    None if training was interrupted. A round's networks train side by
    side, on ``trainer``'s threads
    (:meth:`~sgdselect._trainer.Trainer.train_group`), for all their epochs
    (no early stop), and are then dropped: the selector holds the network it
    trained without shadows, at its own learning rate. With ``groups`` (a
    :class:`~sgdselect._columns.Grouping`), the shadows permute each
    decision's columns together and both importances are per decision (the
    root mean square of its columns), ``ceil(100 / n_decisions)`` shadows of
    each.
    """
    n_features = X.shape[1]
    n_copies = n_shadow_copies(n_features if groups is None else groups.n_decisions)
    rate = shadow_learning_rate(trainer.learning_rate, batch_size >= X.shape[0])
    epochs = shadow_epochs(n_epochs, trainer.learning_rate, rate)
    if n_rounds is None:
        n_rounds = shadow_rounds(X.shape[0], (1 + n_copies) * n_features, epochs)
    note = (
        ""
        if rate == trainer.learning_rate
        else f", at learning rate {rate:g} for {epochs} "
        f"epoch{'' if epochs == 1 else 's'}"
    )
    trainer = replace(trainer, learning_rate=rate)
    if trainer.verbose:
        print(
            f"threshold='auto': the cut is weak; training {n_rounds} "
            f"round{'' if n_rounds == 1 else 's'} of {n_networks} networks, "
            f"each round beside its own {n_copies} permuted "
            f"{'copy' if n_copies == 1 else 'copies'} of every column, to "
            "test the features against" + note
        )
    aug = Layout.for_features(
        (1 + n_copies) * n_features,
        layout.sizes[1:-1],
        layout.sizes[-1],
        layout.input_squares,
    )
    importances, shadows = [], []
    for r in range(n_rounds):
        tail = [] if r == 0 else [r]
        X_aug = _augmented(X, np.random.default_rng([seed, 1, *tail]), n_copies, groups)
        states = [
            trainer.fresh_state(aug, X_aug, [seed, k, *tail]) for k in range(n_networks)
        ]
        if trainer.verbose and n_rounds > 1:
            print(f"shadow test, round {r + 1} of {n_rounds}")
        try:
            interrupted = trainer.train_group(
                X_aug,
                Y,
                aug,
                targets,
                states,
                batch_size,
                epochs,
                interrupted_note="the selector keeps the network trained "
                "without shadows, and the cut of its outlier and gap rules",
            )
        except FloatingPointError as exc:
            raise FloatingPointError(
                f"{exc} This was a network of threshold='auto''s shadow test, "
                f"which trained at learning rate {rate:g}; lower "
                "learning_rate, or pass a numeric threshold or max_features "
                "to skip the test."
            ) from exc
        if interrupted:
            return None
        del X_aug
        real, copies = _read(states, n_features, n_copies, groups)
        importances.append(real)
        shadows.append(copies)
    return np.array(importances), np.array(shadows)


def _read(states, n_features, n_copies, groups=None):
    """The real columns' and the shadows' importances in each trained
    network of a round (their late means), per decision with ``groups``."""
    importances, shadows = [], []
    for state in states:
        late = late_mean(state.history)
        real, copies = late[:n_features], late[n_features:]
        if groups is not None:
            real = groups.reduce(real)
            copies = groups.reduce(copies.reshape(n_copies, n_features)).ravel()
        importances.append(real)
        shadows.append(copies)
    return np.array(importances), np.array(shadows)


def _augmented(X, rng, n_copies, groups=None):
    """:func:`with_shadows`, with the memory error said in our words."""
    try:
        return with_shadows(X, rng, n_copies, groups)
    except MemoryError as exc:
        raise MemoryError(
            "threshold='auto' found its cut weak and needs a copy of X with "
            f"{n_copies} shadow(s) of every column to test against "
            f"({(1 + n_copies) * X.nbytes / 2**30:.2f} GiB), which did not "
            "fit in memory. Pass a numeric threshold or max_features, or fit "
            "on fewer rows."
        ) from exc
