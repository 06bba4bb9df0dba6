"""Shadows: the permuted copies, and the refit beside them."""

import numpy as np
import pytest
from test_selector import FAST, probe_data

from sgdselect import SGDSupportSelector
from sgdselect._shadows import n_shadow_copies, with_shadows


def test_with_shadows_permutes_each_column():
    X = np.arange(40, dtype=np.float32).reshape(10, 4)
    assert n_shadow_copies(4) == 25 and n_shadow_copies(60) == 2
    assert n_shadow_copies(100) == 1 and n_shadow_copies(4, min_shadows=50) == 13
    out = with_shadows(X, np.random.default_rng(0), n_copies=2)
    assert out.shape == (10, 12) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, :4], X)
    for k in range(4, 12):
        np.testing.assert_array_equal(np.sort(out[:, k]), X[:, k % 4])
        assert not np.array_equal(out[:, k], X[:, k % 4])


def test_shadow_copy_out_of_memory_says_what_to_do(monkeypatch):
    import sgdselect._shadows as shadows_module

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(shadows_module, "with_shadows", no_memory)
    X, y = probe_data()
    with pytest.raises(MemoryError, match="Pass a numeric threshold or max_features"):
        SGDSupportSelector(**FAST).fit(X, y)
    # A numeric threshold never builds the copy.
    SGDSupportSelector(threshold=0.5, **FAST).fit(X, y)


def test_shadow_rounds_spend_the_budget_between_their_bounds():
    from sgdselect._support import (
        SHADOW_MAX_ROUNDS,
        SHADOW_ROUNDS,
        SHADOW_WORK,
        shadow_rounds,
    )

    assert (SHADOW_ROUNDS, SHADOW_MAX_ROUNDS) == (3, 8)
    # A small table trains the most rounds, a large one the least (never 0).
    assert shadow_rounds(189, 128, 75) == SHADOW_MAX_ROUNDS
    assert shadow_rounds(10**6, 10**4, 75) == SHADOW_ROUNDS
    # In between, as many as fit in the budget.
    per_round = SHADOW_WORK / 5.5
    assert shadow_rounds(1, 1, per_round) == 5
    # More rows, columns or epochs never train more rounds.
    sizes = [(n, d, e) for n in (100, 3000, 50000) for d in (10, 300) for e in (8, 75)]
    for n, d, e in sizes:
        rounds = shadow_rounds(n, d, e)
        assert SHADOW_ROUNDS <= rounds <= SHADOW_MAX_ROUNDS
        assert shadow_rounds(2 * n, d, e) <= rounds
        assert shadow_rounds(n, 2 * d, e) <= rounds
        assert shadow_rounds(n, d, 2 * e) <= rounds


def test_the_selector_trains_the_rounds_the_budget_allows(monkeypatch):
    import sgdselect._support as support

    monkeypatch.setattr(
        SGDSupportSelector, "_needs_shadows", lambda self, state, grouping=None: True
    )
    X, y = probe_data()
    # probe_data's 400 rows x 24 columns with 5 shadows each, at FAST's
    # epochs: 8 rounds at the shipped budget (the selector's tests), 3 at
    # none, 4 where 4 rounds' work just fits.
    monkeypatch.setattr(support, "SHADOW_WORK", 1.0)
    fitted = SGDSupportSelector(**FAST).fit(X, y)
    assert fitted.shadow_importances_.shape[:2] == (3, 3)
    epochs = support.shadow_epochs(FAST["max_iter"], 0.2, 0.8)
    monkeypatch.setattr(support, "SHADOW_WORK", 4 * 400 * 144 * epochs + 1)
    fitted = SGDSupportSelector(**FAST).fit(X, y)
    assert fitted.shadow_importances_.shape[:2] == (4, 3)
