"""The maintained benchmarks (``benchmarks/``) measure through the public API
and render their pages from their data.

The runs themselves take minutes and are not made here. Each measuring
function runs once on tiny data (a few seconds in all), so that a change to
the public API breaks this test, not the next benchmark run.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    """The benchmark modules, imported from ``benchmarks/``."""
    import importlib

    sys.path.insert(0, str(BENCHMARKS))
    try:
        names = ("harness", "speed", "scaling", "large_fit", "recovery")
        return {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_no_private_names(bench):
    for path in BENCHMARKS.glob("*.py"):
        text = path.read_text()
        assert "sgdselect._" not in text, path
        assert "from sgdselect import _" not in text, path


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_speed_measures_through_the_estimators(bench):
    speed = bench["speed"]
    # Epochs long enough (2000 steps) that their difference stands out of
    # the noise of a shared machine.
    X, y = speed.make_data(2000, 8)
    ours = speed.time_sgdselect(X, y, 1, target_s=0.05)
    assert ours["epochs"] >= 3 and ours["per_step"] > 0
    X, y = X[:200], y[:200]
    assert np.isfinite(speed.time_torch_loop(X, y, 8, target_s=0.01)["per_step"])
    assert "per_step" in speed.time_mlp_regressor(X, y, 8, target_s=0.01)
    gd = speed.worker_gd({"n": 500, "d": 8, "max_iter": 3, "matmul_size": 64}, 1)
    assert gd["ideal"] > 0 and np.isfinite(gd["per_step"])
    cv = speed.worker_cv(
        {
            "n": 120,
            "n_features": 6,
            "learning_rates": [0.1, 0.2],
            "batch_sizes": [16],
            "cv": 2,
            "max_iter": 2,
        },
        1,
    )
    assert cv["n_configs"] == 2 and isinstance(cv["agree"], bool)


def test_scaling_and_large_fit_workers(bench, tmp_path):
    scaling, large_fit = bench["scaling"], bench["large_fit"]
    assert scaling.worker_time({"n": 300, "d": 5, "repeat": 1}, 1)["time"] > 0
    for kind in ("sgd", "gd"):
        memory = scaling.worker_memory({"n": 300, "d": 5, "kind": kind}, 1)
        assert memory["x_bytes"] == 300 * 5 * 4
    job = {"n": 300, "d": 6, "chunk": 100, "tmp": str(tmp_path), "kind": "stream"}
    assert large_fit.worker(job, 1)["finite"]


def test_recovery_methods_run(bench):
    from sgdselect.datasets import benchmark_suite

    recovery = bench["recovery"]
    case = next(c for c in benchmark_suite(quick=True) if c.name == "wine_probes")
    X = recovery.standardized(case)
    downstream = recovery.Downstream()
    for name in ("SGD", "L1", "MI"):
        fn = recovery.METHODS[name][0]
        result = recovery.evaluate(
            case, recovery.run_fit(fn, X, case.y, case.task, 60), downstream
        )
        assert 0 <= result["probe_fpr"] <= 1, (name, result)


def test_recovery_lassonet_missing_is_reported(bench, monkeypatch):
    recovery = bench["recovery"]
    args = argparse.Namespace(
        cases="wine_probes",
        methods="LassoNet",
        lassonet_cases=None,
        lassonet_limit=None,
    )
    monkeypatch.setattr(recovery, "installed", lambda module: False)
    results = recovery.measure(recovery.config(quick=True), args)
    assert results["fits"] == {"wine_probes|LassoNet": {"error": "not installed"}}


@pytest.mark.parametrize("name", ["speed", "scaling", "large_fit", "recovery"])
def test_page_renders_from_its_data(bench, name, tmp_path):
    """Each committed page is its template filled from its committed data:
    the template and the data agree, and nothing was edited by hand."""
    import json

    pages = BENCHMARKS.parent / "docs" / "benchmarks"
    data = json.loads((pages / f"{name}.json").read_text())
    fields = bench[name].fields(data, str(tmp_path))
    page = bench["harness"].render(name, fields)
    assert page == (pages / f"{name}.md").read_text()
