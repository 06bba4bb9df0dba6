"""Properties that hold for every input the selectors accept (hypothesis).

Shapes, dtypes, magnitudes and parameters are drawn at random; whatever is
drawn, ``fit`` either succeeds with finite importances and a consistent
selection, or fails with one of the documented errors (divergence, a single
class), never with NaN or a stray exception from the engine.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sgdselect import GDSupportSelector, SGDSupportSelector

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.bool_]


@st.composite
def problems(draw):
    """(X, y, params) over shapes, dtypes, magnitudes and parameters."""
    n = draw(st.integers(2, 40))
    d = draw(st.integers(1, 6))
    dtype = draw(st.sampled_from(DTYPES))
    if dtype is np.bool_:
        X = draw(hnp.arrays(np.bool_, (n, d)))
    elif dtype is np.int64:
        X = draw(hnp.arrays(np.int64, (n, d), elements=st.integers(-1000, 1000)))
    else:
        base = draw(hnp.arrays(np.float64, (n, d), elements=st.floats(-1, 1)))
        exponent = {np.float64: 300, np.float32: 30, np.float16: 4}[dtype]
        magnitude = 10.0 ** draw(st.integers(-exponent, exponent))
        X = (base * magnitude).astype(dtype)
    if draw(st.booleans()) and d > 1:
        X[:, draw(st.integers(0, d - 1))] = X[0, 0]  # a constant column
    task = draw(st.sampled_from(["regression", "classification"]))
    if task == "regression":
        y = draw(hnp.arrays(np.float64, n, elements=st.floats(-1e6, 1e6)))
    else:
        y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 2)))
    hidden = draw(
        st.one_of(
            st.integers(1, 8),
            st.lists(st.integers(1, 6), min_size=1, max_size=2).map(tuple),
        )
    )
    params = dict(
        hidden_layer_sizes=hidden,
        activation=draw(st.sampled_from(["relu", "tanh", "linear"])),
        batch_size=draw(st.one_of(st.none(), st.integers(1, n + 3))),
        learning_rate=draw(st.sampled_from([1e-4, 0.01, 0.2, 1.0, 5.0])),
        max_iter=draw(st.integers(1, 4)),
        max_grad_norm=draw(st.sampled_from([None, 1.0])),
        init_scale=draw(st.sampled_from([0.01, 0.3, 3.0])),
        label_noise=draw(st.sampled_from([0.0, 0.5])),
        threshold=draw(st.sampled_from(["auto", "mean", "median", 0.0])),
        max_features=draw(st.one_of(st.none(), st.integers(0, d))),
        task=task,
        random_state=draw(st.integers(0, 2**31 - 1)),
    )
    return X, y, params


def fit_or_documented_error(X, y, params):
    """The fitted selector, or None when fit raised a documented error."""
    with warnings.catch_warnings():
        # Capped batch sizes, empty selections: warnings, not failures.
        warnings.simplefilter("ignore", UserWarning)
        try:
            return SGDSupportSelector(**params).fit(X, y)
        except FloatingPointError as exc:
            assert "lower learning_rate" in str(exc)
        except ValueError as exc:
            documented = ("at least 2 classes", "vary by less than 1e-300")
            assert any(text in str(exc) for text in documented), exc
    return None


@SETTINGS
@given(problems())
def test_accepted_inputs_give_finite_importances_and_consistent_selection(problem):
    X, y, params = problem
    selector = fit_or_documented_error(X, y, params)
    if selector is None:
        return
    importances = selector.feature_importances_
    assert importances.shape == (X.shape[1],)
    assert np.isfinite(importances).all() and (importances >= 0).all()
    assert np.isfinite(selector.importances_history_).all()

    mask = selector.get_support()
    reduced = selector.transform(X)
    assert reduced.shape == (X.shape[0], mask.sum())
    if params["max_features"] is not None:
        assert mask.sum() <= params["max_features"]

    if not mask.any():
        return  # (SelectorMixin.inverse_transform refuses zero columns)
    restored = selector.inverse_transform(reduced)
    assert restored.shape == X.shape
    assert not restored[:, ~mask].any()
    np.testing.assert_array_equal(restored[:, mask], X[:, mask])


@SETTINGS
@given(problems())
def test_the_same_seed_gives_the_same_result(problem):
    X, y, params = problem
    first = fit_or_documented_error(X, y, params)
    second = fit_or_documented_error(X, y, params)
    if first is None:
        assert second is None
        return
    np.testing.assert_array_equal(
        first.feature_importances_, second.feature_importances_
    )
    np.testing.assert_array_equal(first.get_support(), second.get_support())


@pytest.mark.parametrize("Selector", [SGDSupportSelector, GDSupportSelector])
@settings(max_examples=15, deadline=None, derandomize=True)
@given(
    shift=st.floats(-1e6, 1e6),
    log_scale=st.floats(-6, 6),
    column=st.integers(0, 3),
)
def test_importances_are_invariant_to_shifting_and_scaling_a_column(
    Selector, shift, log_scale, column
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    y = np.sin(X[:, 0]) + X[:, 1]
    params = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    reference = Selector(**params).fit(X, y).feature_importances_
    moved = X.copy()
    moved[:, column] = moved[:, column] * 10.0**log_scale + shift
    importances = Selector(**params).fit(moved, y).feature_importances_
    np.testing.assert_allclose(importances, reference, rtol=2e-3, atol=1e-5)
