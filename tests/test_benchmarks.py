"""The maintained benchmarks (``benchmarks/``) measure through the public API
and render their pages from their data.

The runs themselves take minutes and are not made here. Each measuring
function runs once on tiny data (a few seconds in all), so that a change to
the public API breaks this test, not the next benchmark run.
"""

import argparse
import re
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
        names = ("harness", "speed", "scaling", "large_fit", "recovery", "raw_tables")
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


@pytest.mark.parametrize(
    "name", ["speed", "scaling", "large_fit", "recovery", "raw_tables"]
)
def test_page_renders_from_its_data(bench, name, tmp_path):
    """Each committed page is its template filled from its committed data:
    the template and the data agree, and nothing was edited by hand."""
    import json

    pages = BENCHMARKS.parent / "docs" / "benchmarks"
    data = json.loads((pages / f"{name}.json").read_text())
    fields = bench[name].fields(data, str(tmp_path))
    page = bench["harness"].render(name, fields)
    assert page == (pages / f"{name}.md").read_text()


def _real_args(recovery, *argv):
    """The real suite's command line, parsed as ``recovery.py`` parses it."""
    parser = argparse.ArgumentParser()
    recovery.real_add_arguments(parser)
    return parser.parse_args(["--suite", "real", *argv])


@pytest.fixture(scope="module")
def real_run(bench, tmp_path_factory):
    """The real suite's measuring path on birthwt (189 rows): two SGD seeds
    and two cheap peers, two fits at once, cached as it goes."""
    recovery = bench["recovery"]
    cache = tmp_path_factory.mktemp("real") / "cache.jsonl"
    cfg = recovery.real_config(quick=True)
    argv = ["--cases", "birthwt", "--methods", "SGD,forest,MI", "--seeds", "0,1"]
    argv += ["--jobs", "2", "--cache", str(cache)]
    results = recovery.measure_real(cfg, _real_args(recovery, *argv))
    machine = bench["harness"].machine()
    data = {"machine": machine, "quick": True, "wall": 1.0, "config": cfg}
    return {"data": {**data, "results": results}, "cache": cache, "argv": argv}


def test_real_suite_measures(bench, real_run):
    results = real_run["data"]["results"]
    assert set(results["fits"]) == {
        "birthwt|SGD|0",
        "birthwt|SGD|1",
        "birthwt|forest|0",
        "birthwt|MI|0",
    }
    [case] = results["cases"]
    assert (case["name"], case["d"], case["probes"]) == ("birthwt", 8, 8)
    assert set(results["refs"]["birthwt"]) == {"all_real", "none"}
    for fit in results["fits"].values():
        assert "error" not in fit, fit
        assert fit["n_real_kept"] + fit["n_probes_kept"] == len(fit["selected"])
        assert fit["time"] > 0 and fit["cpu"] >= 0
        assert fit["downstream"] is None or np.isfinite(fit["downstream"])
    # task stays "auto": the selector's own reading of the target is recorded
    assert results["fits"]["birthwt|SGD|0"]["info"]["task_"] == "regression"


def test_real_suite_resumes_from_its_cache(bench, real_run):
    recovery = bench["recovery"]
    cfg = recovery.real_config(quick=True)
    again = recovery.measure_real(cfg, _real_args(recovery, *real_run["argv"]))
    assert again["from_cache"] == again["n_jobs"] == 5
    assert again["fits"] == real_run["data"]["results"]["fits"]


def test_real_suite_page_renders_from_its_data(bench, real_run, tmp_path):
    import json

    recovery, harness = bench["recovery"], bench["harness"]
    data = real_run["data"]
    page = harness.render("real_tables", recovery.real_fields(data, str(tmp_path)))
    saved = json.loads(json.dumps(data))
    assert harness.render("real_tables", recovery.real_fields(saved, "")) == page
    assert "**PASS** share of probes kept" in page or "**FAIL** share" in page
    # Boruta did not run: its targets are not evaluated, not failed
    assert "Boruta was not run" in page
    # Two SGD seeds: a Jaccard is reported (its value is the run's).
    assert re.search(
        r"\| Jaccard over seeds \(mean over tables\) \| [01]\.\d\d \|", page
    )


def test_real_suite_reports_a_fit_cut_off(bench, tmp_path):
    recovery, harness = bench["recovery"], bench["harness"]
    cfg = recovery.real_config(quick=True)
    # A forest on fgl takes about 0.15 s: a limit of 1 ms cuts it off on any
    # machine (the boruta package, which the benchmark's own runs use, is not
    # a test dependency).
    argv = ["--cases", "fgl", "--methods", "forest", "--seeds", "0"]
    args = _real_args(recovery, *argv, "--time-limit", "0.001", "--cache", "none")
    results = recovery.measure_real(cfg, args)
    fit = results["fits"]["fgl|forest|0"]
    assert fit["error"] == "timeout" and fit["limit"] == 0.001
    machine = harness.machine()
    data = {"machine": machine, "quick": True, "wall": 1.0, "config": cfg}
    fields = recovery.real_fields({**data, "results": results}, str(tmp_path))
    assert "| fits cut off / failed | 1 / 0 |" in fields["summary"]
    assert "timeout" in harness.render("real_tables", fields)


def test_real_suite_command_line(bench, tmp_path):
    """``--suite real`` writes real_tables.json and .md; ``--from-json`` on
    that data renders the same page (it knows the suite from the data)."""
    import subprocess

    script = str(BENCHMARKS / "recovery.py")
    out = tmp_path / "run"
    run = [sys.executable, script, "--suite", "real", "--quick", "--cases", "birthwt"]
    run += ["--methods", "MI", "--out-dir", str(out)]
    subprocess.run(run, check=True, capture_output=True)
    page = (out / "real_tables.md").read_text()
    assert not (out / "recovery.md").exists()
    again = tmp_path / "again"
    render = [sys.executable, script, "--from-json", str(out / "real_tables.json")]
    subprocess.run([*render, "--out-dir", str(again)], check=True, capture_output=True)
    assert (again / "real_tables.md").read_text() == page
    json_path = str(out / "real_tables.json")
    assert bench["recovery"].suite_of(["--from-json", json_path]) == "real"


def _raw_args(raw_tables, *argv):
    """``raw_tables.py``'s command line, parsed as the script parses it."""
    parser = argparse.ArgumentParser()
    raw_tables.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.fixture(scope="module")
def raw_run(bench, tmp_path_factory):
    """raw_tables.py's measuring path on penguins (344 rows, categories and
    missing cells): both variants, two seeds, two fits at once, cached."""
    raw_tables = bench["raw_tables"]
    cache = tmp_path_factory.mktemp("raw") / "cache.jsonl"
    cfg = raw_tables.config(quick=True)
    argv = ["--cases", "penguins", "--seeds", "0,1", "--jobs", "2"]
    argv += ["--cache", str(cache)]
    results = raw_tables.measure(cfg, _raw_args(raw_tables, *argv))
    machine = bench["harness"].machine()
    data = {"machine": machine, "quick": True, "wall": 1.0, "config": cfg}
    return {"data": {**data, "results": results}, "argv": argv}


def test_raw_tables_measures(bench, raw_run):
    from sgdselect.datasets import load_real_table

    results = raw_run["data"]["results"]
    assert set(results["fits"]) == {
        f"penguins|{variant}|{seed}"
        for variant in ("one-hot", "raw")
        for seed in (0, 1)
    }
    [case] = results["cases"]
    assert (case["columns"], case["encoded"], case["missing_columns"]) == (7, 15, 5)
    assert set(results["refs"]["penguins"]) == {"all_real", "none"}
    columns = set(load_real_table("penguins").X.columns)
    for key, fit in results["fits"].items():
        assert "error" not in fit, (key, fit)
        assert set(fit["kept"]) <= columns
        assert {p.removesuffix(" (probe)") for p in fit["probes_kept"]} <= columns
        n_kept = fit["n_encoded_kept"] + fit["n_encoded_probes_kept"]
        assert len(fit["selected"]) == n_kept
        assert fit["time"] > 0 and np.isfinite(fit["downstream"])
        assert fit["info"]["task_"] == "classification"


def test_raw_tables_scores_the_encoded_columns_of_a_raw_selection(bench):
    from sgdselect.datasets import real_table_suite

    raw_tables, recovery = bench["raw_tables"], bench["recovery"]
    [encoded] = real_table_suite(names=["penguins"])
    [raw] = real_table_suite(names=["penguins"], raw=True)
    # A raw fit's column counts with all of its encoded columns.
    selected = np.isin(raw.columns, ["island", "sex (probe)"])
    chosen = raw_tables.encoded_selection("raw", raw, encoded, selected)
    np.testing.assert_array_equal(
        chosen, np.isin(encoded.groups, ["island", "sex (probe)"])
    )
    scored = raw_tables.score_selection(encoded, chosen, recovery.Downstream())
    assert scored["kept"] == ["island"] and scored["probes_kept"] == ["sex (probe)"]
    assert scored["n_encoded_kept"] == 3  # Biscoe, Dream, Torgersen
    assert scored["n_encoded_probes_kept"] == 3  # female, male, missing
    # A one-hot fit's column counts as kept with one of its levels, and only
    # that level is scored.
    one = np.isin(encoded.columns, ["island=Dream"])
    chosen = raw_tables.encoded_selection("one-hot", encoded, encoded, one)
    scored = raw_tables.score_selection(encoded, chosen, recovery.Downstream())
    assert scored["kept"] == ["island"] and scored["n_encoded_kept"] == 1


def test_raw_tables_resumes_from_its_cache(bench, raw_run):
    raw_tables = bench["raw_tables"]
    cfg = raw_tables.config(quick=True)
    again = raw_tables.measure(cfg, _raw_args(raw_tables, *raw_run["argv"]))
    assert again["from_cache"] == again["n_jobs"] == 5
    assert again["fits"] == raw_run["data"]["results"]["fits"]


def test_raw_tables_page_renders_from_its_data(bench, raw_run, tmp_path):
    import json
    import subprocess

    raw_tables, harness = bench["raw_tables"], bench["harness"]
    data = raw_run["data"]
    page = harness.render("raw_tables", raw_tables.fields(data, str(tmp_path)))
    saved = json.loads(json.dumps(data))
    assert harness.render("raw_tables", raw_tables.fields(saved, "")) == page
    assert re.search(r"\*\*Verdict: (PASS|FAIL)\.\*\*", page)
    assert "| probes kept, per original column (pooled) |" in page
    # The command line renders the same page from the saved data.
    path = tmp_path / "raw_tables.json"
    path.write_text(json.dumps(data))
    script = str(BENCHMARKS / "raw_tables.py")
    out = tmp_path / "out"
    render = [sys.executable, script, "--from-json", str(path), "--out-dir", str(out)]
    subprocess.run(render, check=True, capture_output=True)
    assert (out / "raw_tables.md").read_text() == page


def test_raw_tables_page_shows_losses(bench, raw_run):
    """A raw fit that scores lower and one that failed are on the page, and
    fail the criterion."""
    import copy

    raw_tables = bench["raw_tables"]
    data = copy.deepcopy(raw_run["data"])
    fits = data["results"]["fits"]
    fits["penguins|raw|0"]["downstream"] = (
        fits["penguins|one-hot|0"]["downstream"] - 0.1
    )
    fields = raw_tables.fields(data, "")
    assert "| penguins | -0.050 | **yes** |" in fields["losses"]
    assert "**FAIL** mean downstream score" in fields["verdict"]
    assert "**Verdict: FAIL.**" in fields["verdict"]
    fits["penguins|raw|1"] = {"error": "ValueError: too many levels", "time": 0.1}
    fields = raw_tables.fields(data, "")
    assert "**FAIL** the raw variant fits every table: 1 raw fits" in fields["verdict"]
    assert "| fits cut off / failed | 0 / 0 | 0 / 1 |" in fields["summary"]
