"""SGDSupportSelectorCV: batched search equals one fit per configuration."""

import numpy as np
import pytest
from sklearn.datasets import make_friedman1
from sklearn.model_selection import GridSearchCV, KFold

from sgdselect import SGDSupportSelector, SGDSupportSelectorCV

GRID = dict(learning_rates=[0.05, 0.2], batch_sizes=[8, 32])
# A fixed cut: twenty epochs separate nothing on this data, and
# threshold="auto" would then train each lone fit again beside shadows, which
# the search's networks are not (see test_refit_calibrates_like_a_lone_fit).
COMMON = dict(hidden_layer_sizes=(16,), max_iter=20, random_state=0, threshold=0.5)


@pytest.fixture(scope="module")
def data():
    return make_friedman1(n_samples=240, n_features=8, random_state=0)


@pytest.fixture(scope="module")
def search(data):
    X, y = data
    return SGDSupportSelectorCV(cv=3, **GRID, **COMMON).fit(X, y)


@pytest.mark.trajectory  # two code paths (a batched block, a lone network)
def test_every_network_equals_its_lone_fit(data, search):
    X, y = data
    splits = list(KFold(3).split(X))
    for c, params in enumerate(search.cv_results_["params"]):
        for f, (train, test) in enumerate(splits):
            alone = SGDSupportSelector(**params, **COMMON).fit(X[train], y[train])
            np.testing.assert_allclose(
                search.cv_importances_[c, f], alone.feature_importances_, rtol=1e-4
            )
            assert search.cv_results_[f"split{f}_test_score"][c] == pytest.approx(
                alone.score(X[test], y[test]), rel=1e-4
            )


@pytest.mark.trajectory
def test_same_choice_as_grid_search(data, search):
    # The networks are the lone fits' (previous test), so the scores are too:
    # the best beat the second by 0.011-0.039 over seeds 0-9.
    X, y = data
    grid = GridSearchCV(
        SGDSupportSelector(**COMMON),
        {"learning_rate": GRID["learning_rates"], "batch_size": GRID["batch_sizes"]},
        cv=3,
    ).fit(X, y)
    assert grid.best_params_ == search.best_params_
    assert grid.best_score_ == pytest.approx(search.best_score_)


def test_refit_selects_like_the_best_configuration(data, search):
    X, y = data
    best = SGDSupportSelector(**search.best_params_, **COMMON).fit(X, y)
    np.testing.assert_array_equal(
        search.feature_importances_, best.feature_importances_
    )
    np.testing.assert_array_equal(search.get_support(), best.get_support())
    assert search.transform(X).shape[1] == best.get_support().sum()
    assert search.score(X, y) == pytest.approx(best.score(X, y))


# Twenty epochs on this data: no column beats the shadows either, which the
# refit and the lone fit both say.
@pytest.mark.filterwarnings("ignore:threshold='auto' found no feature")
def test_refit_calibrates_like_a_lone_fit(data):
    # Where nothing stands out, the refit trains again beside shadows, exactly
    # as the lone fit of the best configuration does.
    X, y = data
    # weight_decay=1e-3 (2 / 2000 rows): "auto" would give these 240 rows
    # 2 / 240, under which something already stands out after 20 epochs.
    auto = {**COMMON, "threshold": "auto", "weight_decay": 1e-3}
    search = SGDSupportSelectorCV(cv=3, **GRID, **auto).fit(X, y)
    best = SGDSupportSelector(**search.best_params_, **auto).fit(X, y)
    assert best.shadow_importances_ is not None
    np.testing.assert_array_equal(search.shadow_importances_, best.shadow_importances_)
    np.testing.assert_array_equal(search.get_support(), best.get_support())


def test_cv_results_layout(search):
    results = search.cv_results_
    assert len(results["params"]) == 4
    assert sorted(results["rank_test_score"]) == [1, 2, 3, 4]
    assert results["mean_feature_importances"].shape == (4, 8)
    assert search.cv_importances_.shape == (4, 3, 8)
    assert search.n_splits_ == 3


def test_threads_give_the_same_result(data, search):
    X, y = data
    threaded = SGDSupportSelectorCV(cv=3, n_jobs=2, **GRID, **COMMON).fit(X, y)
    np.testing.assert_array_equal(threaded.cv_importances_, search.cv_importances_)


def test_diverging_candidate_scores_nan_and_ranks_last(data):
    X, y = data
    with pytest.warns(UserWarning, match="training diverged for batch_size=8"):
        search = SGDSupportSelectorCV(
            learning_rates=[0.05, 1e12], batch_sizes=[8], max_grad_norm=None, **COMMON
        ).fit(X, y)
    assert np.isnan(search.cv_results_["mean_test_score"][1])
    assert search.cv_results_["rank_test_score"][1] == 2
    assert search.best_params_["learning_rate"] == 0.05


@pytest.mark.trajectory
def test_classification_uses_stratified_folds():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 5))
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    search = SGDSupportSelectorCV(**GRID, **COMMON).fit(X, y)
    assert list(search.classes_) == ["no", "yes"]
    assert search.best_score_ > 0.8  # 0.95-0.98 over seeds 0-9


@pytest.mark.parametrize("bad", [[], [0.1, -1.0], [np.nan]])
def test_bad_grid(data, bad):
    X, y = data
    with pytest.raises(ValueError, match="learning_rates must"):
        SGDSupportSelectorCV(learning_rates=bad, **COMMON).fit(X, y)


def test_gpu_groups_split_by_training_size():
    """On a torch device the search stacks equal shapes: one batched pass per
    training-set size (run without a GPU: the grouping is plain Python)."""
    from sgdselect._cv import _fold
    from sgdselect._targets import encode_targets

    X = np.random.RandomState(0).normal(size=(30, 3))
    targets, Y = encode_targets(X[:, 0], "auto")
    folds = [
        _fold(X, Y, targets, np.arange(20), np.arange(20, 30), True, False),
        _fold(X, Y, targets, np.arange(15), np.arange(15, 30), True, False),
        _fold(X, Y, targets, np.arange(10, 30), np.arange(10), True, False),
    ]
    members = [(c, f) for f in range(3) for c in range(2)]
    groups = SGDSupportSelectorCV._groups(members, folds, "cuda")
    assert groups == [[(0, 0), (1, 0), (0, 2), (1, 2)], [(0, 1), (1, 1)]]
    assert SGDSupportSelectorCV._groups(members, folds, "cpu") == [members]
    # Through a rank map, each fold's networks read the data through the
    # fold's own: a pass per fold, on any device.
    ranked = [_fold(X, Y, targets, fold.train, fold.test, True, True) for fold in folds]
    per_fold = [[(0, f), (1, f)] for f in range(3)]
    for device in ("cpu", "cuda"):
        assert SGDSupportSelectorCV._groups(members, ranked, device) == per_fold
