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
