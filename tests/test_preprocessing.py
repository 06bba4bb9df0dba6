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


def test_validation_names_text_columns():
    pd = pytest.importorskip("pandas")
    from sgdselect import SGDSupportSelector

    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]})
    with pytest.raises(ValueError, match=r"non-numeric values in columns \['b'\]"):
        validate_training_X_y(SGDSupportSelector(), X, [1, 2, 3], reset=True)


def test_rank_gauss_scores_mid_ranks():
    from scipy.stats import norm

    from sgdselect._preprocessing import RankGauss

    X = np.c_[
        np.ones(10),  # constant: 0 everywhere
        np.r_[np.zeros(7), np.ones(3)],  # ties share their mean rank
        np.arange(10.0) ** 3,
        np.r_[np.arange(9.0), 1e12],  # an outlying cell is just the top rank
    ]
    ranks = RankGauss.fit(X)
    Z = ranks.transform(X)
    np.testing.assert_array_equal(Z[:, 0], 0.0)
    np.testing.assert_allclose(Z[:, 1], norm.ppf(np.r_[[3.5 / 10] * 7, [8.5 / 10] * 3]))
    expected = norm.ppf((np.arange(10) + 0.5) / 10)
    np.testing.assert_allclose(Z[:, 2], expected)
    np.testing.assert_allclose(Z[:, 3], expected)
    # Unseen values: interpolated between scores, clamped beyond the ends.
    new = ranks.transform(np.array([[5.0, 0.5, 4.0, -1e300]]))
    assert new[0, 0] == 0.0 and Z[0, 1] < new[0, 1] < Z[-1, 1]
    assert Z[1, 2] < new[0, 2] < Z[2, 2] and new[0, 3] == Z[0, 3]
    assert ranks.transform(X.astype(np.float32)).dtype == np.float32


def test_rank_gauss_is_bounded_in_memory():
    from sgdselect._preprocessing import RANK_KNOTS, RankGauss

    X = np.random.RandomState(0).standard_cauchy(size=(5000, 2))
    ranks = RankGauss.fit(X)
    assert all(len(k) <= RANK_KNOTS for k in ranks.knots)
    Z = ranks.transform(X)
    assert np.all(np.isfinite(Z)) and np.abs(Z).max() < 4
    # Knots sit at ranks 0.1% apart: a value off the knots scores within
    # that much of its exact mid-rank score.
    from scipy.stats import norm, rankdata

    exact = norm.ppf((rankdata(X[:, 0]) - 0.5) / len(X))
    inner = np.abs(exact) < 2.5
    np.testing.assert_allclose(Z[inner, 0], exact[inner], atol=0.02)


@pytest.mark.parametrize(
    "change",
    [np.exp, lambda c: c**3, lambda c: np.argsort(np.argsort(c)) * 1.0],
    ids=["exp", "cube", "ranks"],
)
@pytest.mark.parametrize("column", [0, 3])
def test_rank_gauss_importances_ignore_monotone_transforms(change, column):
    """With input_map="rank_gauss" (the default) a column's order is all the
    network reads: replacing it by its exp, cube or ranks trains the same
    network, bit for bit (fewer than 1,000 distinct values: every value is a
    knot)."""
    from sgdselect import SGDSupportSelector

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    params = dict(max_iter=40, random_state=0)  # input_map="rank_gauss"
    ref = SGDSupportSelector(**params).fit(X, y)
    X2 = X.copy()
    X2[:, column] = change(X[:, column])
    other = SGDSupportSelector(**params).fit(X2, y)
    np.testing.assert_array_equal(other.feature_importances_, ref.feature_importances_)
    np.testing.assert_array_equal(other.get_support(), ref.get_support())
    # Scoring reads raw columns through the same map.
    assert other.score(X2, y) == ref.score(X, y)


@pytest.mark.trajectory
@pytest.mark.parametrize(
    "change",
    [np.exp, lambda c: c**3, lambda c: np.argsort(np.argsort(c)) * 1.0],
    ids=["exp", "cube", "ranks"],
)
def test_the_default_support_ignores_monotone_transforms(change):
    """At the defaults, with more distinct values than the map keeps knots
    (1,500 rows: values between knots are interpolated, so the networks are
    no longer bit for bit the same), the support does not move when any
    column, relevant or not, is replaced by its exp, cube or ranks: the
    relevant columns end 9.8-10.3x the strongest noise column here."""
    from sgdselect import SGDSupportSelector

    rng = np.random.RandomState(0)
    X = rng.normal(size=(1500, 8))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + np.tanh(2 * X[:, 2])
    ref = SGDSupportSelector(random_state=0).fit(X, y)
    assert ref.get_support(indices=True).tolist() == [0, 1, 2]
    for column in range(8):
        X2 = X.copy()
        X2[:, column] = change(X[:, column])
        other = SGDSupportSelector(random_state=0).fit(X2, y)
        np.testing.assert_array_equal(other.get_support(), ref.get_support())


def test_rank_gauss_streams_and_searches():
    """partial_fit places later chunks among the first chunk's quantiles; the
    CV search and its refit read the same map."""
    from sgdselect import SGDSupportSelector, SGDSupportSelectorCV

    rng = np.random.RandomState(0)
    X = np.exp(rng.normal(size=(600, 4)))  # lognormal: heavy right tails
    y = np.log(X[:, 0]) - np.log(X[:, 1])
    streamed = SGDSupportSelector(input_map="rank_gauss", random_state=0)
    for _ in range(10):
        for chunk in np.array_split(np.arange(600), 3):
            streamed.partial_fit(X[chunk], y[chunk])
    first = SGDSupportSelector(input_map="rank_gauss").fit(X[:200], y[:200])
    assert streamed._inputs.ranks.knots[0].size == first._inputs.ranks.knots[0].size
    assert np.all(np.isfinite(streamed.feature_importances_))
    search = SGDSupportSelectorCV(
        input_map="rank_gauss",
        learning_rates=[0.2],
        batch_sizes=[8],
        cv=2,
        max_iter=20,
        threshold=0.0,
        random_state=0,
    ).fit(X, y)
    assert search.best_estimator_.input_map == "rank_gauss"
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
