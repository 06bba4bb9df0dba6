"""partial_fit (streaming), and saving and loading fitted selectors."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification

from sgdselect import GDSupportSelector, SGDSupportSelector

FAST = dict(hidden_layer_sizes=(16,), random_state=0)


def regression(n=1200, d=8, seed=0):
    rng = np.random.RandomState(seed)
    # Columns with their own units and offsets: standardization must handle them.
    X = rng.normal(size=(n, d)) * np.arange(1, d + 1) + 10
    y = np.sin(X[:, 0]) + (X[:, 1] - 10) / 2 + 50
    return X, y


def chunks(n, size):
    return [slice(start, start + size) for start in range(0, n, size)]


@pytest.mark.trajectory  # two code paths, held to rtol 1e-6
@pytest.mark.parametrize("Selector", [SGDSupportSelector, GDSupportSelector])
def test_one_partial_fit_is_one_epoch_of_fit(Selector):
    X, y = regression(n=200)
    streamed = Selector(**FAST).partial_fit(X, y)
    # threshold="auto" would train one epoch again beside shadows: nothing
    # stands out after one epoch.
    fitted = Selector(max_iter=1, threshold=0.0, **FAST).fit(X, y)
    np.testing.assert_allclose(
        streamed.feature_importances_, fitted.feature_importances_, rtol=1e-6
    )
    assert streamed.n_iter_ == 1 and streamed.n_samples_seen_ == 200


def test_running_statistics_equal_those_of_the_whole_data():
    # Of the raw columns, where the network standardizes them (through the
    # rank map, they are those of the mapped columns).
    X, y = regression()
    selector = SGDSupportSelector(input_map="standardize", **FAST)
    for part in chunks(len(X), 250):
        selector.partial_fit(X[part], y[part])
    assert selector.n_samples_seen_ == len(X)
    np.testing.assert_allclose(selector.mean_, X.mean(axis=0))
    np.testing.assert_allclose(selector.scale_, X.std(axis=0))
    np.testing.assert_allclose(selector._targets.y_mean, [y.mean()])
    np.testing.assert_allclose(selector._targets.y_scale, [y.std()])


@pytest.mark.trajectory  # float32 re-expression, held to rtol 1e-5
@pytest.mark.parametrize("squares", [True, False], ids=["x-and-squares", "x"])
def test_new_statistics_do_not_change_what_the_network_computes(squares):
    X, y = regression()
    selector = SGDSupportSelector(input_squares=squares, **FAST)
    selector.partial_fit(X[:100], y[:100])
    before = (
        selector._forward(X[:50]) * selector._targets.y_scale + selector._targets.y_mean
    )
    # A step too small to move the weights: only the re-expression acts.
    selector.set_params(learning_rate=1e-12)
    selector.partial_fit(X[100:400] * 2 + 3, y[100:400] * 5 - 1)
    after = (
        selector._forward(X[:50]) * selector._targets.y_scale + selector._targets.y_mean
    )
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-5)


@pytest.mark.trajectory
def test_streamed_chunks_find_the_support():
    # Seeds 0-9: the two 3.4-3.7x the cut, the cut 3.4-3.7x the rest; R²
    # 0.97-0.99.
    X, y = regression(n=2000)
    selector = SGDSupportSelector(**FAST)
    for _ in range(40):
        for part in chunks(len(X), 500):
            selector.partial_fit(X[part], y[part])
    assert selector.n_iter_ == 160
    np.testing.assert_array_equal(selector.get_support(indices=True), [0, 1])
    assert selector.score(X, y) > 0.9


def test_partial_fit_after_fit_continues_and_fit_starts_over():
    X, y = regression(n=300)
    selector = SGDSupportSelector(max_iter=3, **FAST).fit(X, y)
    selector.partial_fit(X, y)
    assert selector.n_iter_ == 4 and selector.n_samples_seen_ == 600
    selector.fit(X, y)
    assert selector.n_iter_ == 3 and selector.n_samples_seen_ == 300


def test_classification_stream_with_classes_given_first():
    X, y = make_classification(
        600, 8, n_informative=3, n_redundant=0, n_classes=3, random_state=0
    )
    order = np.argsort(y, kind="stable")  # chunks see one class at a time
    X, y = X[order], y[order]
    selector = SGDSupportSelector(**FAST)
    for _ in range(15):
        for part in chunks(len(X), 200):
            selector.partial_fit(X[part], y[part], classes=[0, 1, 2])
    np.testing.assert_array_equal(selector.classes_, [0, 1, 2])
    assert selector.task_ == "classification"
    assert np.isfinite(selector.feature_importances_).all()


def test_classes_must_not_change():
    X, y = make_classification(100, 5, random_state=0)
    selector = SGDSupportSelector(**FAST).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="differs from the classes of the first"):
        selector.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="task='regression'"):
        SGDSupportSelector(task="regression").partial_fit(X, y, classes=[0, 1])


def test_a_single_row_chunk_is_accepted():
    X, y = regression(n=50)
    selector = SGDSupportSelector(**FAST).partial_fit(X[:10], y[:10])
    selector.partial_fit(X[10:11], y[10:11])
    assert selector.n_samples_seen_ == 11
    assert np.isfinite(selector.feature_importances_).all()


# ---------------------------------------------------------------- persistence


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_save_and_load_give_identical_transforms(tmp_path, dump):
    X, y = regression(n=300)
    selector = SGDSupportSelector(max_iter=20, **FAST).fit(X, y)
    path = tmp_path / "selector.bin"
    if dump == "pickle":
        path.write_bytes(pickle.dumps(selector))
        loaded = pickle.loads(path.read_bytes())
    else:
        joblib.dump(selector, path)
        loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.transform(X), selector.transform(X))
    np.testing.assert_array_equal(
        loaded.feature_importances_, selector.feature_importances_
    )
    assert loaded.score(X, y) == selector.score(X, y)


def test_a_selector_trained_for_a_gpu_loads_and_transforms_without_one():
    # Fitted state is NumPy only; ``device`` is read by fit alone. A selector
    # trained with device="cuda" (simulated: its parameter set after a CPU fit)
    # loads on a machine without CUDA and transforms there.
    X, y = regression(n=300)
    selector = SGDSupportSelector(max_iter=5, **FAST).fit(X, y)
    selector.set_params(device="cuda")
    loaded = pickle.loads(pickle.dumps(selector))
    np.testing.assert_array_equal(loaded.transform(X), selector.transform(X))
    for name, value in vars(loaded).items():
        assert "torch" not in type(value).__module__, name
