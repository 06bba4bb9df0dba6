"""Target encoding: what task="auto" reads, and says, from y."""

import warnings

import numpy as np
import pytest

from sgdselect import GDSupportSelector, SGDSupportSelector, SGDSupportSelectorCV
from sgdselect._targets import MAX_CLASSES, encode_targets

FAST = dict(max_iter=5, threshold=0.0, random_state=0)


def quiet_task(y, task="auto"):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return encode_targets(y, task)[0].task


@pytest.mark.parametrize(
    "make",
    [
        lambda: SGDSupportSelector(**FAST),
        lambda: GDSupportSelector(**FAST),
        lambda: SGDSupportSelectorCV(
            learning_rates=[0.1],
            batch_sizes=[8],
            cv=2,
            max_iter=5,
            threshold=0.0,
            random_state=0,
        ),
    ],
    ids=["SGD", "GD", "CV"],
)
def test_integer_quantity_is_a_regression_everywhere(make):
    """A count with hundreds of values trains as a quantity, not as classes."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    counts = rng.poisson(np.exp(3 + X[:, 0]))  # hundreds of distinct counts
    assert np.unique(counts).size > 2 * MAX_CLASSES
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert make().fit(X, counts).task_ == "regression"


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint16, np.float64])
def test_many_whole_values_of_any_numeric_dtype_are_a_quantity(dtype):
    y = (np.arange(400) % 200).astype(dtype)
    assert quiet_task(y) == "regression"
    assert quiet_task(y, "classification") == "classification"


def test_few_values_and_labels_are_classes():
    assert quiet_task(np.arange(100) % 7) == "classification"
    assert quiet_task(np.arange(100) % 2 == 0) == "classification"
    labels = np.array([f"c{i}" for i in np.arange(400) % 200])
    assert quiet_task(labels) == "classification"  # text is never a quantity
    assert quiet_task(np.linspace(0, 1, 15).repeat(2)) == "regression"


@pytest.mark.parametrize(
    "n, task, advice",
    [
        (15, "classification", "task='regression'"),
        (MAX_CLASSES, "classification", "task='regression'"),
        (MAX_CLASSES + 1, "regression", "task='classification'"),
        (35, "regression", "task='classification'"),
    ],
)
def test_a_close_call_is_said(n, task, advice):
    y = np.arange(200) % n
    with pytest.warns(UserWarning, match=f"y holds {n} distinct whole numbers") as w:
        assert encode_targets(y, "auto")[0].task == task
    assert advice in str(w[0].message)
    # Said only when asked to infer.
    assert quiet_task(y, task) == task


def test_far_calls_are_quiet():
    assert quiet_task(np.arange(200) % (MAX_CLASSES // 2)) == "classification"
    assert quiet_task(np.arange(200) % (2 * MAX_CLASSES + 1)) == "regression"


def test_close_call_warning_points_at_the_caller():
    X = np.random.RandomState(0).normal(size=(60, 3))
    with pytest.warns(UserWarning, match="distinct whole numbers") as w:
        SGDSupportSelector(**FAST).fit(X, np.arange(60) % 15)
    assert w[0].filename == __file__
