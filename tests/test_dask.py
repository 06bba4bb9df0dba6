"""Scale-out under dask, against a real LocalCluster on loopback.

``dask_ml.wrappers.Incremental`` streams the blocks of a dask array through
``partial_fit``; ``GridSearchCV`` sends its fits to the cluster through
joblib's dask backend.
"""

import numpy as np
import pytest

from sgdselect import SGDSupportSelector

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")
wrappers = pytest.importorskip("dask_ml.wrappers")

SMALL = dict(hidden_layer_sizes=(16,), random_state=0)


@pytest.fixture(scope="module")
def client():
    # Two worker processes of one thread each, on loopback only, no dashboard.
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def data(n=2000, d=8, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    return X, np.sin(X[:, 0]) + X[:, 1]


@pytest.mark.trajectory
def test_incremental_streams_the_blocks_of_a_dask_array(client):
    X, y = data()
    Xd, yd = da.from_array(X, chunks=(500, 8)), da.from_array(y, chunks=500)
    # Blocks in order, so the stream can be replayed in process below.
    incremental = wrappers.Incremental(
        SGDSupportSelector(**SMALL), shuffle_blocks=False
    )
    for _ in range(10):
        incremental.partial_fit(Xd, yd)
    selector = incremental.estimator_
    # Each pass over the dask array is one partial_fit per block.
    assert selector.n_iter_ == 10 * Xd.numblocks[0]
    assert selector.n_samples_seen_ == 10 * len(X)
    # The two relevant columns rank first (40 short passes: not yet a clean
    # gap for the auto threshold; see test_streaming for a full stream).
    np.testing.assert_array_equal(
        np.sort(np.argsort(selector.feature_importances_)[-2:]), [0, 1]
    )

    # The same stream of blocks through partial_fit directly, in process.
    direct = SGDSupportSelector(**SMALL)
    for _ in range(10):
        for start in range(0, len(X), 500):
            direct.partial_fit(X[start : start + 500], y[start : start + 500])
    np.testing.assert_allclose(
        selector.feature_importances_, direct.feature_importances_, rtol=1e-5
    )

    reduced = incremental.transform(Xd)
    assert isinstance(reduced, da.Array)
    np.testing.assert_array_equal(reduced.compute(), selector.transform(X))


def test_grid_search_runs_on_the_cluster_through_joblib(client):
    import joblib
    from sklearn.model_selection import GridSearchCV

    X, y = data(n=600)
    grid = {"batch_size": [4, 16], "learning_rate": [0.1, 0.2]}
    search = GridSearchCV(SGDSupportSelector(max_iter=20, **SMALL), grid, cv=2)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_backend("dask"):
            search.fit(X, y)
    local = GridSearchCV(SGDSupportSelector(max_iter=20, **SMALL), grid, cv=2)
    local.fit(X, y)
    # The cluster's workers ran the fits (joblib batches them into tasks),
    # with the results of a local run.
    fits = [task for task in tasks.data if "fit_and_score" in task["key"]]
    assert fits
    assert {task["worker"] for task in fits} <= set(client.scheduler_info()["workers"])
    assert search.best_params_ == local.best_params_
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
