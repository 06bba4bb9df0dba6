"""The input map: column statistics in blocks, streaming updates, transform."""

import numpy as np
import pytest

from sgdselect._network import Layout, forward, init_params, reexpress_inputs
from sgdselect._preprocessing import InputMap, validate_training_X_y


def test_column_stats_in_blocks(monkeypatch):
    from sgdselect import _preprocessing

    monkeypatch.setattr(_preprocessing, "_STATS_BLOCK", 50)  # 10 rows per block
    rng = np.random.RandomState(0)
    X = (rng.normal(size=(123, 5)) * [1, 10, 1e-3, 1, 1] + 1e4).astype(np.float32)
    mean, std = _preprocessing.column_stats(X)
    np.testing.assert_allclose(mean, X.astype(np.float64).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(std, X.astype(np.float64).std(axis=0), rtol=1e-9)


def test_square_stats_in_blocks(monkeypatch):
    from sgdselect import _preprocessing

    monkeypatch.setattr(_preprocessing, "_STATS_BLOCK", 50)  # 10 rows per block
    rng = np.random.RandomState(0)
    X = rng.standard_exponential(size=(123, 4)) * [1, 10, 1, 1]
    X[:, 2] = 3.0  # constant: no square input
    X[:, 3] = np.where(np.arange(123) < 61, -2.0, 5.0)  # two values: |z| varies
    mean, std = _preprocessing.column_stats(X)
    z = (X - mean) / np.where(std > 0, std, 1.0)
    expected = (z**2).std(axis=0)
    expected[2] = 0.0
    np.testing.assert_allclose(_preprocessing.square_stats(X, mean, std), expected)
    # A balanced two-valued column has |z| = 1 everywhere: its square is
    # constant, and gets a zero input rather than a huge scale.
    balanced = np.tile([-2.0, 5.0], 62).reshape(-1, 1)
    mean_b, std_b = _preprocessing.column_stats(balanced)
    assert _preprocessing.square_stats(balanced, mean_b, std_b)[0] == 0.0


@pytest.mark.parametrize("squares", [False, True])
def test_update_pools_chunks_and_reexpression_keeps_the_function(squares):
    """Pooled statistics equal those of the whole data; the network
    re-expressed in them computes the same function of raw X."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4)) * [1, 5, 0.1, 2] + [0, 10, -3, 1e3]
    first = InputMap.fit(X[:100], squares)
    pooled = first.update(X[100:])
    whole = InputMap.fit(X, squares)
    assert pooled.n_seen == 300
    np.testing.assert_allclose(pooled.mean, whole.mean, rtol=1e-12)
    np.testing.assert_allclose(pooled.scale, whole.scale, rtol=1e-10)
    layout = Layout.for_features(4, (8,), 1, squares)
    params = init_params(
        layout, [np.random.default_rng(0)], activation="tanh", init_scale=1.0
    ).astype(np.float64)
    coefs = [layout.weight(params[0], i) for i in range(layout.n_layers)]
    intercepts = [layout.bias(params[0], i) for i in range(layout.n_layers)]
    before = forward(coefs, intercepts, first.transform(X), "tanh")
    reexpress_inputs(layout, params, first, pooled)
    after = forward(coefs, intercepts, pooled.transform(X), "tanh")
    np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-9)


def test_restrict_keeps_the_first_columns():
    X = np.random.RandomState(0).normal(size=(50, 6))
    full = InputMap.fit(X, squares=True)
    part = full.restrict(2)
    np.testing.assert_array_equal(part.mean, full.mean[:2])
    np.testing.assert_array_equal(part.square_scale, full.square_scale[:2])
    np.testing.assert_allclose(
        part.transform(X[:, :2]), full.transform(X)[:, [0, 1, 6, 7]]
    )


def test_validation_names_text_columns():
    pd = pytest.importorskip("pandas")
    from sgdselect import SGDSupportSelector

    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]})
    with pytest.raises(ValueError, match=r"non-numeric values in columns \['b'\]"):
        validate_training_X_y(SGDSupportSelector(), X, [1, 2, 3], reset=True)
