"""Support recovery: sgdselect's selectors against the usual peers.

    PYTHONPATH=. python benchmarks/recovery.py           # ~15 min on 2 cores
    PYTHONPATH=. python benchmarks/recovery.py --quick   # smoke test, < 1 min
    PYTHONPATH=. python benchmarks/recovery.py --cases xor,wine_probes --methods SGD,L1
    PYTHONPATH=. python benchmarks/recovery.py --from-json docs/benchmarks/recovery.json

    PYTHONPATH=. python benchmarks/recovery.py --suite real            # real tables
    PYTHONPATH=. python benchmarks/recovery.py --suite real --quick    # < 1 min
    PYTHONPATH=. python benchmarks/recovery.py --suite real --jobs 2 \
        --case-seeds Boruta@ames=0,1 --cases college,ames --methods SGD,Boruta
    PYTHONPATH=. python benchmarks/recovery.py \
        --from-json docs/benchmarks/real_tables.json

Runs every method on every case of :func:`sgdselect.datasets.benchmark_suite`
and writes ``docs/benchmarks/recovery.json`` and ``recovery.md`` (from
``templates/recovery.md``; the hand-written reading of the results is
``templates/recovery_analysis.md``, left out of a ``--quick`` page).

Each (case, method) fit runs in a forked child process with a time limit, so
that a slow peer (LassoNet) is cut off and recorded as "timeout" instead of
stalling the run. Every method runs on one thread: the thread environment
variables are set before NumPy is imported, and ``threadpoolctl`` and
``torch.set_num_threads(1)`` pin the pools again.

The methods see the same standardized inputs (each column centred and scaled
to unit variance on the whole case; the sgdselect estimators standardize
internally anyway, and the tree and mutual-information methods do not depend
on the scale). Selection, not prediction, is what is measured: for every
(case, method) the support F1, precision and recall against the true support
(synthetic cases), the ROC AUC of the importances as scores for the true
support, the share of permutation probes kept (probe cases), the 5-fold CV
score of a fixed downstream model on the selected columns, and the fit time.

``--suite real`` runs the sixteen tables of
:func:`sgdselect.datasets.real_table_suite` (real columns and one permuted
copy, a probe, of each) instead, and writes ``docs/benchmarks/real_tables.json``
and ``real_tables.md`` (from ``templates/real_tables.md``): SGDSupportSelector
at its defaults (``task="auto"`` included) against Boruta, a random forest,
mutual information, L1 and HistGradientBoosting's permutation importance, each
on one thread, SGD and Boruta over several seeds (their stability). Every
finished fit is appended to a cache file (``--cache``, in the temporary folder
by default) at once, and a rerun takes what is there: a long run that stops
is resumed by running the same command again. ``--jobs 2`` runs two fits at
once (each a one-thread process; the fit time is still the fit's own).
"""

import argparse
import hashlib
import importlib.metadata
import importlib.util
import inspect
import itertools
import json
import multiprocessing
import multiprocessing.connection
import os
import resource
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

for _var in h.THREAD_VARS:  # before NumPy, torch or Numba start their pools
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

SEED = 0
TIME_LIMIT = 300  # seconds per fit, every method
# LassoNet at its defaults takes minutes per case (153 s on 2000 x 50 on this
# machine): within the run's 15-minute budget it runs on a few cases only,
# with its own cap; --lassonet-cases all runs it everywhere.
LASSONET_LIMIT = 120
LASSONET_CASES = ("paper_sine", "xor", "wine_probes")
QUICK_LASSONET_LIMIT = 10  # the smoke run exercises the timeout path
QUICK_LASSONET_CASES = ("xor",)
CV_FOLDS = 5


# ------------------------------------------------------------------ methods
# Each method maps (X, y, task) to (selected mask, importances, info dict).
def _fit_sgdselect(estimator):
    def fit(X, y, task):
        # At the defaults: task="auto" infers the task (the page records it).
        estimator.fit(X, y)
        info = {"task_": estimator.task_}
        if hasattr(estimator, "best_params_"):
            info["best"] = {k: float(v) for k, v in estimator.best_params_.items()}
        return estimator.get_support(), estimator.feature_importances_, info

    return fit


def fit_sgd(X, y, task):
    from sgdselect import SGDSupportSelector

    return _fit_sgdselect(SGDSupportSelector(random_state=SEED))(X, y, task)


def fit_gd(X, y, task):
    from sgdselect import GDSupportSelector

    return _fit_sgdselect(GDSupportSelector(random_state=SEED))(X, y, task)


def fit_sgd_cv(X, y, task):
    from sgdselect import SGDSupportSelectorCV

    return _fit_sgdselect(SGDSupportSelectorCV(random_state=SEED))(X, y, task)


def fit_l1(X, y, task, seed=SEED):
    """LassoCV, or L1 logistic regression with C chosen by CV; SelectFromModel
    with threshold 1e-5 (its own default for L1 models): the nonzero
    coefficients."""
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import LassoCV, LogisticRegressionCV

    if task == "regression":
        model = LassoCV(random_state=seed)
    else:
        # saga at its default max_iter (100): liblinear took 200 s on the
        # 1500 x 500 case (the weakly penalized end of the C grid converges
        # slowly), saga with max_iter=1000 as long.
        model = LogisticRegressionCV(
            l1_ratios=(1.0,),
            solver="saga",
            scoring="accuracy",
            use_legacy_attributes=False,
            random_state=seed,
        )
    sfm = SelectFromModel(model, threshold=1e-5).fit(X, y)
    coef = np.abs(np.asarray(sfm.estimator_.coef_)).reshape(-1, X.shape[1])
    return sfm.get_support(), coef.sum(axis=0), {}


def fit_forest(X, y, task):
    """Random forest (100 trees, scikit-learn defaults), mean threshold."""
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.feature_selection import SelectFromModel

    forest = (
        RandomForestRegressor if task == "regression" else RandomForestClassifier
    )(random_state=SEED)
    sfm = SelectFromModel(forest).fit(X, y)
    return sfm.get_support(), sfm.estimator_.feature_importances_, {}


def fit_mi(X, y, task):
    """Mutual information of each column with y; a column is kept when its MI
    exceeds the largest MI of a permuted copy of any column (one shadow per
    column, as in Boruta): a rule that does not know the true k."""
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    mi_fn = mutual_info_regression if task == "regression" else mutual_info_classif
    rng = np.random.default_rng(SEED)
    shadows = np.column_stack([rng.permutation(col) for col in X.T])
    mi = mi_fn(np.hstack([X, shadows]), y, random_state=SEED)
    real, shadow = mi[: X.shape[1]], mi[X.shape[1] :]
    return real > shadow.max(), real, {"threshold": float(shadow.max())}


def fit_lassonet(X, y, task):
    """LassoNet with lambda chosen by its own CV (5 folds); the selected set is
    the features active at the chosen lambda. Importance: the lambda at which
    a feature leaves the path (those still in tie at the top)."""
    import torch
    from lassonet import LassoNetClassifierCV, LassoNetRegressorCV

    torch.set_num_threads(1)
    cls = LassoNetRegressorCV if task == "regression" else LassoNetClassifierCV
    model = cls(random_state=SEED, torch_seed=SEED, verbose=0)
    model.fit(X, y.astype(np.float32) if task == "regression" else y)
    selected = np.asarray(model.best_selected_.cpu().numpy(), dtype=bool)
    imp = np.asarray(model.feature_importances_.cpu().numpy(), dtype=np.float64)
    finite = imp[np.isfinite(imp)]
    top = 2 * finite.max() if finite.size and finite.max() > 0 else 1.0
    return selected, np.where(np.isfinite(imp), imp, top), {}


def fit_mlp(X, y, task):
    """scikit-learn's MLP with solver="sgd" (its other defaults); importance:
    the norm of each input's first-layer weights; mean threshold."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    cls = MLPRegressor if task == "regression" else MLPClassifier
    mlp = cls(solver="sgd", random_state=SEED).fit(X, y)
    imp = np.linalg.norm(mlp.coefs_[0], axis=1)
    return imp >= imp.mean(), imp, {}


# name: (function, constructor as shown in the page, time limit)
METHODS = {
    "SGD": (fit_sgd, "SGDSupportSelector(random_state=0)", TIME_LIMIT),
    "GD": (fit_gd, "GDSupportSelector(random_state=0)", TIME_LIMIT),
    "SGD-CV": (fit_sgd_cv, "SGDSupportSelectorCV(random_state=0)", TIME_LIMIT),
    "L1": (
        fit_l1,
        "SelectFromModel(LassoCV()) / SelectFromModel(LogisticRegressionCV("
        'l1_ratios=(1.0,), solver="saga"), threshold=1e-5)',
        TIME_LIMIT,
    ),
    "RF": (
        fit_forest,
        "SelectFromModel(RandomForestRegressor() / RandomForestClassifier()), "
        "mean threshold",
        TIME_LIMIT,
    ),
    "MI": (
        fit_mi,
        "mutual_info_regression / mutual_info_classif, kept when above the "
        "largest MI of a permuted copy of a column",
        TIME_LIMIT,
    ),
    "LassoNet": (
        fit_lassonet,
        "LassoNetRegressorCV() / LassoNetClassifierCV(), features active at the "
        "chosen lambda",
        None,  # LassoNet's limit is chosen in main()
    ),
    "MLP-sgd": (
        fit_mlp,
        'MLPRegressor(solver="sgd") / MLPClassifier(solver="sgd"), first-layer '
        "row norms, mean threshold",
        TIME_LIMIT,
    ),
}
SGDSELECT = ("SGD", "GD", "SGD-CV")


# ------------------------------------------------------- running one fit
def _child(fn, X, y, task, conn):
    warnings.simplefilter("ignore")
    try:
        t0 = time.perf_counter()
        selected, importances, info = fn(X, y, task)
        wall = time.perf_counter() - t0
        conn.send(
            {
                "selected": np.asarray(selected, dtype=bool).tolist(),
                "importances": np.asarray(importances, dtype=float).tolist(),
                "time": wall,
                "info": info,
            }
        )
    except Exception as exc:  # noqa: BLE001 - reported in the table
        conn.send({"error": f"{type(exc).__name__}: {exc}"[:200]})
    finally:
        conn.close()


def run_fit(fn, X, y, task, limit):
    """``fn(X, y, task)`` in a forked child, killed after ``limit`` seconds."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, X, y, task, send))
    t0 = time.perf_counter()
    proc.start()
    send.close()
    try:
        result = recv.recv() if recv.poll(limit) else {"error": "timeout"}
    except EOFError:
        result = {"error": f"child died (exit code {proc.exitcode})"}
    if result.get("error") == "timeout":
        result["time"] = time.perf_counter() - t0
        proc.kill()
    proc.join()
    return result


# ------------------------------------------------------------- scoring
class Downstream:
    """5-fold CV score of HistGradientBoosting on a set of columns, cached by
    (case, columns): methods that select the same set share one score."""

    def __init__(self):
        self._cache = {}

    def score(self, case, columns):
        from sklearn.ensemble import (
            HistGradientBoostingClassifier,
            HistGradientBoostingRegressor,
        )
        from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

        columns = tuple(int(c) for c in np.flatnonzero(columns))
        if not columns:
            return None
        key = (case.name, columns)
        if key not in self._cache:
            if case.task == "regression":
                model = HistGradientBoostingRegressor(random_state=SEED)
                cv = KFold(CV_FOLDS, shuffle=True, random_state=SEED)
            else:
                model = HistGradientBoostingClassifier(random_state=SEED)
                cv = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=SEED)
            scores = cross_val_score(model, case.X[:, list(columns)], case.y, cv=cv)
            self._cache[key] = float(scores.mean())
        return self._cache[key]


def evaluate(case, result, downstream, drop_probes=False):
    """The metrics of one fit result (in place); with ``drop_probes`` the
    downstream score is of the real columns kept only."""
    from sgdselect.metrics import probe_false_positive_rate, ranking_auc, support_scores

    if "error" in result:
        return result
    selected = np.asarray(result["selected"], dtype=bool)
    importances = np.asarray(result["importances"])
    result["n_selected"] = int(selected.sum())
    if case.kind == "synthetic":
        p, r, f1 = support_scores(case.support, selected, zero_division=0.0)
        result.update(precision=p, recall=r, f1=f1)
        result["auc"] = ranking_auc(case.support, importances)
    else:
        result["probe_fpr"] = probe_false_positive_rate(case.probe_mask, selected)
        result["n_probes_kept"] = int((selected & case.probe_mask).sum())
        result["auc"] = ranking_auc(~case.probe_mask, importances)
    scored = selected & ~case.probe_mask if drop_probes else selected
    result["downstream"] = downstream.score(case, scored)
    return result


def references(case, downstream):
    """Downstream scores of all columns and of the true (or real) columns."""
    d = case.X.shape[1]
    truth = case.support if case.kind == "synthetic" else ~case.probe_mask
    return {
        "all": downstream.score(case, np.ones(d, dtype=bool)),
        "truth": downstream.score(case, truth),
    }


def standardized(case):
    return standardize(case.X)


def standardize(X):
    """Each column centred and scaled to unit variance (constant ones kept)."""
    X = X - X.mean(axis=0)
    scale = X.std(axis=0)
    return X / np.where(scale > 0, scale, 1.0)


# ------------------------------------------------------------- the run
def warm_up():
    """Compile the training loop before anything is timed: the kernel is
    compiled on first use and cached on disk, and the forked children load
    it from there instead of each paying the compilation."""
    from sgdselect import GDSupportSelector, SGDSupportSelector

    X = np.random.RandomState(0).normal(size=(32, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # two epochs separate nothing
        for y in (X[:, 0], (X[:, 0] > 0).astype(int)):
            for est in (SGDSupportSelector, GDSupportSelector):
                est(max_iter=2, random_state=0).fit(X, y)


def installed(module):
    return importlib.util.find_spec(module) is not None


def config(quick):
    return {
        "quick_suite": quick,
        "time_limit": TIME_LIMIT,
        "lassonet_limit": QUICK_LASSONET_LIMIT if quick else LASSONET_LIMIT,
        "lassonet_cases": list(QUICK_LASSONET_CASES if quick else LASSONET_CASES),
        "cases": None,
        "methods": list(METHODS),
    }


def add_arguments(parser):
    add_suite(parser)
    parser.add_argument("--cases", help="comma-separated cases (default: all)")
    parser.add_argument(
        "--methods",
        help="comma-separated, from " + ", ".join(METHODS) + " (default: all)",
    )
    parser.add_argument(
        "--lassonet-cases",
        help="comma-separated cases LassoNet runs on, or 'all' (default: "
        + ", ".join(LASSONET_CASES)
        + ")",
    )
    parser.add_argument(
        "--lassonet-limit",
        type=float,
        help=f"seconds per LassoNet fit (default {LASSONET_LIMIT})",
    )


def _describe(case):
    known = case.support if case.kind == "synthetic" else case.probe_mask
    n, d = case.shape
    return {
        "name": case.name,
        "kind": case.kind,
        "task": case.task,
        "n": n,
        "d": d,
        "known": int(known.sum()),
        "description": case.description,
    }


def measure(cfg, args):
    from sgdselect.datasets import benchmark_suite

    controller = h.limit_threads(1)  # noqa: F841  (kept alive)
    cases = benchmark_suite(random_state=SEED, quick=cfg["quick_suite"])
    if args.cases:
        cfg["cases"] = args.cases.split(",")
        unknown = set(cfg["cases"]) - {c.name for c in cases}
        if unknown:
            raise SystemExit(f"unknown cases {sorted(unknown)}")
        cases = [c for c in cases if c.name in cfg["cases"]]
    if args.methods:
        cfg["methods"] = args.methods.split(",")
        unknown = set(cfg["methods"]) - set(METHODS)
        if unknown:
            raise SystemExit(f"unknown methods {sorted(unknown)}")
    if args.lassonet_cases:
        cfg["lassonet_cases"] = (
            None if args.lassonet_cases == "all" else (args.lassonet_cases.split(","))
        )
    if args.lassonet_limit:
        cfg["lassonet_limit"] = args.lassonet_limit
    lassonet = installed("lassonet")
    warm_up()
    downstream = Downstream()
    fits, refs = {}, {}
    with h.Background() as load:
        for case in cases:
            X = standardized(case)
            h.log(f"{case.name} ({X.shape[0]} x {X.shape[1]}, {case.task})")
            for name in cfg["methods"]:
                fn, _, limit = METHODS[name]
                if name == "LassoNet":
                    wanted = cfg["lassonet_cases"]
                    if not lassonet:
                        fits[f"{case.name}|{name}"] = {"error": "not installed"}
                        continue
                    if wanted is not None and case.name not in wanted:
                        fits[f"{case.name}|{name}"] = {"error": "not run"}
                        continue
                    limit = cfg["lassonet_limit"]
                res = evaluate(
                    case, run_fit(fn, X, case.y, case.task, limit), downstream
                )
                if "selected" in res:  # the data keeps the kept columns only
                    res["selected"] = np.flatnonzero(res["selected"]).tolist()
                    del res["importances"]
                fits[f"{case.name}|{name}"] = res
                took = h.fmt_time(res.get("time"))
                h.log(f"  {name:9s} {res.get('error', 'done')} ({took})")
            refs[case.name] = references(case, downstream)
    return {
        "cases": [_describe(c) for c in cases],
        "refs": refs,
        "fits": fits,
        "background_cores": load.cores,
    }


# ------------------------------------------------------------- the page
def _num(x, digits=3):
    return "n/a" if x is None else f"{x:.{digits}f}"


def _ran(res):
    return res.get("error") not in ("not run", "not installed")


def _cell(res, key, digits=2):
    if "error" in res:
        # A timeout, a method not run or not installed; anything else failed.
        known = ("timeout", "not run", "not installed")
        return res["error"] if res["error"] in known else "error"
    value = res.get(key)
    if key == "downstream" and value is None:
        return "none kept"
    return _num(value, digits)


class Page:
    """The tables of the page, from the run's data."""

    def __init__(self, data):
        res = data["results"]
        self.methods = data["config"]["methods"]
        self.cases = res["cases"]
        self.fits, self.refs = res["fits"], res["refs"]
        self.synthetic = [c for c in self.cases if c["kind"] == "synthetic"]
        self.probe = [c for c in self.cases if c["kind"] == "probe"]

    def fit(self, case, method):
        return self.fits[f"{case['name']}|{method}"]

    def matrix(self, cases, key, digits=2, extra=None):
        """One row per case, one column per method; the best in bold."""
        rows = []
        for case in cases:
            values = {m: self.fit(case, m).get(key) for m in self.methods}
            values = {m: v for m, v in values.items() if v is not None}
            best = max(values.values()) if values else None
            row = [case["name"]]
            for m in self.methods:
                cell = _cell(self.fit(case, m), key, digits)
                if m in values and round(values[m], digits) == round(best, digits):
                    cell = f"**{cell}**"
                row.append(cell)
            rows.append(row + (extra(case) if extra else []))
        return rows

    def mean(self, cases, key):
        """The mean of ``key`` per method over the cases it ran on; a timeout,
        an error or an empty selection counts as 0."""
        row = []
        for m in self.methods:
            ran = [self.fit(c, m) for c in cases if _ran(self.fit(c, m))]
            if not ran:
                row.append(self.fit(cases[0], m)["error"] if cases else "n/a")
                continue
            mean = _num(float(np.mean([r.get(key) or 0.0 for r in ran])), 2)
            part = "" if len(ran) == len(cases) else f" ({len(ran)} of {len(cases)})"
            row.append(mean + part)
        return row

    def f1s(self, case):
        """F1 of each method run on ``case`` (a failure counts as 0)."""
        fits = {m: self.fit(case, m) for m in self.methods}
        return {m: r.get("f1", 0.0) for m, r in fits.items() if _ran(r)}

    def summary(self):
        rows = []
        if self.synthetic:
            rows.append(["mean F1, synthetic", *self.mean(self.synthetic, "f1")])
            auc = self.mean(self.synthetic, "auc")
            rows.append(["mean ranking AUC, synthetic", *auc])
            wins = []
            for m in self.methods:
                ran = [c for c in self.synthetic if _ran(self.fit(c, m))]
                best = [
                    round(self.fit(c, m).get("f1", -1.0), 2)
                    == round(max(self.f1s(c).values()), 2)
                    for c in ran
                ]
                wins.append(f"{sum(best)} / {len(ran)}")
            rows.append(["best F1 of its case (ties included)", *wins])
        if self.probe:
            fpr = self.mean(self.probe, "probe_fpr")
            rows.append(["mean probe FPR, probe cases", *fpr])
        everything = self.synthetic + self.probe
        downstream = self.mean(everything, "downstream")
        rows.append(["mean downstream score, all cases", *downstream])
        total = [
            h.fmt_time(sum(self.fit(c, m).get("time", 0.0) for c in everything))
            for m in self.methods
        ]
        rows.append(["total fit time", *total])
        return h.table(["", *self.methods], rows)

    def precision_recall(self):
        rows = []
        for c in self.synthetic:
            row = [c["name"]]
            for m in self.methods:
                r = self.fit(c, m)
                row.append(
                    _cell(r, "f1")
                    if "error" in r
                    else f"{r['precision']:.2f} / {r['recall']:.2f} ({r['n_selected']})"
                )
            rows.append(row)
        return h.table(["case", *self.methods], rows)

    def probes_kept(self):
        rows = []
        for c in self.probe:
            row = [c["name"]]
            for m in self.methods:
                r = self.fit(c, m)
                if "error" in r:
                    row.append(_cell(r, "probe_fpr"))
                    continue
                real = r["n_selected"] - r["n_probes_kept"]
                kept = f"{real} real + {r['n_probes_kept']} probes"
                row.append(f"{r['probe_fpr']:.2f} ({kept})")
            rows.append(row)
        return h.table(["case", *self.methods], rows)

    def times(self):
        rows = []
        for c in self.cases:
            row = [c["name"]]
            for m in self.methods:
                r = self.fit(c, m)
                t = h.fmt_time(r.get("time"))
                if "error" in r:
                    t = _cell(r, "time") + (f" ({t})" if "time" in r else "")
                row.append(t)
            rows.append(row)
        return h.table(["case", *self.methods], rows)

    def wins_losses(self):
        if "SGD" not in self.methods:
            return "SGD was not run."
        wins, losses = [], []
        for c in self.synthetic:
            others = self.f1s(c)
            sgd = others.pop("SGD")
            if not others:
                continue
            best = max(others, key=others.get)
            if round(sgd, 2) >= round(others[best], 2):
                wins.append(f"{c['name']} (F1 {sgd:.2f})")
            else:
                losses.append(
                    f"{c['name']} (F1 {sgd:.2f} against {others[best]:.2f} for {best})"
                )
        return "\n".join(
            [
                f"- Best or tied best on {len(wins)} of {len(self.synthetic)} "
                f"synthetic cases: {', '.join(wins) or 'none'}.",
                f"- Behind on {len(losses)}: {', '.join(losses) or 'none'}.",
            ]
        )

    def details(self):
        rows = []
        for c in self.cases:
            for m in self.methods:
                r = self.fit(c, m)
                if "error" in r:
                    rows.append([c["name"], m, r["error"]] + [""] * 7)
                    continue
                best = (r.get("info") or {}).get("best")
                rows.append(
                    [
                        c["name"],
                        m,
                        _num(r.get("f1"), 2),
                        _num(r.get("precision"), 2),
                        _num(r.get("recall"), 2),
                        _num(r["auc"], 3),
                        _num(r.get("probe_fpr"), 2),
                        r["n_selected"],
                        _cell(r, "downstream", 3),
                        h.fmt_time(r["time"])
                        + (f" {json.dumps(best)}" if best else ""),
                    ]
                )
        header = ["case", "method", "F1", "precision", "recall", "AUC"]
        header += ["probe FPR", "kept", "downstream", "fit time"]
        return h.table(header, rows)


def fields(data, out_dir):
    cfg, page = data["config"], Page(data)
    cases = [
        [c["name"], c["kind"], c["task"], c["n"], c["d"], c["known"]]
        + [f"`{c['description']}`"]
        for c in page.cases
    ]
    fits = page.fits.values()
    if "LassoNet" not in page.methods:
        lassonet = "LassoNet was not run."
    elif any(r.get("error") == "not installed" for r in fits):
        lassonet = (
            "LassoNet is not installed where this ran (`pip install lassonet`): "
            "its column says so."
        )
    else:
        ran = [c["name"] for c in page.cases if _ran(page.fit(c, "LassoNet"))]
        lassonet = (
            f"LassoNet ran on {', '.join(ran) or 'no case'} only: at its defaults "
            "its CV takes 1 to 2.5 minutes per case on this machine, more than the "
            "run's budget for all cases; `--lassonet-cases all` runs it everywhere."
        )
    if data["quick"]:
        analysis = (
            "(The hand-written reading of a full run is left out of a quick run.)"
        )
    else:
        with open(os.path.join(h.TEMPLATES, "recovery_analysis.md")) as fh:
            analysis = fh.read().strip()
    methods = [[m, f"`{METHODS[m][1]}`"] for m in page.methods]
    all_truth = lambda c: [_num(page.refs[c["name"]][k]) for k in ("all", "truth")]  # noqa: E731
    header = ["case", *page.methods]
    return {
        "header": h.header(data, "recovery.py"),
        "time_limit": cfg["time_limit"],
        "lassonet_limit": f"{cfg['lassonet_limit']:g}",
        "load": h.load_note([("the fits", 1, data["results"]["background_cores"])]),
        "methods": h.table(["column", "method"], methods),
        "lassonet": lassonet,
        "cases": h.table(
            ["case", "kind", "task", "n", "d", "support or probes", "made by"], cases
        ),
        "summary": page.summary(),
        "f1": h.table(
            header,
            page.matrix(page.synthetic, "f1")
            + [["**mean**", *page.mean(page.synthetic, "f1")]],
        ),
        "precision_recall": page.precision_recall(),
        "auc": h.table(
            header,
            page.matrix(page.synthetic, "auc", digits=3)
            + [["**mean**", *page.mean(page.synthetic, "auc")]],
        ),
        "probes": page.probes_kept(),
        "probe_auc": h.table(header, page.matrix(page.probe, "auc", digits=3)),
        "downstream": h.table(
            [*header, "all", "truth"],
            page.matrix(page.cases, "downstream", digits=3, extra=all_truth),
        ),
        "times": page.times(),
        "wins_losses": page.wins_losses(),
        "analysis": analysis,
        "details": page.details(),
    }


# =====================================================================
# The real-table suite (--suite real): docs/benchmarks/real_tables.md
# =====================================================================
REAL_NAME = "real_tables"
REAL_SEEDS = (0, 1, 2, 3, 4)  # SGD and Boruta: stability over seeds
REAL_PEER_SEEDS = (0,)  # the other peers
REAL_TIME_LIMIT = 1800  # seconds per fit, every method
REAL_SCORE_LIMIT = 900  # seconds for the downstream score of one fit
REAL_CACHE = os.path.join(tempfile.gettempdir(), "sgdselect-real-tables-cache.jsonl")
QUICK_REAL_CASES = ("birthwt", "fgl")
QUICK_REAL_SEEDS = (0, 1)
QUICK_REAL_LIMIT = 60
PROBE_SEED = 0  # the probes: real_table_suite(random_state=0) for every seed
LARGEST = "ames"
CACHE_VERSION = 1  # bump to invalidate every cached fit


# Each method maps (X, y, task, seed) to (selected mask, importances, info):
# X is the table's encoded columns and probes as they are (not standardized).
def real_sgd(X, y, task, seed):
    """SGDSupportSelector at its defaults: ``task`` stays "auto" (not the
    table's task); the task it infers is recorded."""
    from sgdselect import SGDSupportSelector

    selector = SGDSupportSelector(random_state=seed).fit(X, y)
    info = {"task_": selector.task_, "n_iter_": int(selector.n_iter_)}
    return selector.get_support(), selector.feature_importances_, info


def real_boruta(X, y, task, seed):
    """BorutaPy as in its README, one thread; selected: ``support_`` (the
    confirmed columns, not the tentative ones). Importance: minus the rank."""
    from boruta import BorutaPy
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    forest = (
        RandomForestRegressor if task == "regression" else RandomForestClassifier
    )(n_jobs=1, max_depth=5, random_state=seed)
    boruta = BorutaPy(forest, n_estimators="auto", random_state=seed)
    boruta.fit(np.asarray(X), np.asarray(y))
    info = {
        "tentative": int(boruta.support_weak_.sum()),
        "iterations": int(boruta.importance_history_.shape[0] - 1),
    }
    return boruta.support_, -boruta.ranking_.astype(float), info


def real_forest(X, y, task, seed):
    """Random forest (100 trees), SelectFromModel's default threshold (the
    mean importance)."""
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.feature_selection import SelectFromModel

    forest = (
        RandomForestRegressor if task == "regression" else RandomForestClassifier
    )(n_estimators=100, n_jobs=1, random_state=seed)
    sfm = SelectFromModel(forest).fit(X, y)
    return sfm.get_support(), sfm.estimator_.feature_importances_, {}


def real_mi(X, y, task, seed):
    """Mutual information with y; kept: the columns above the mean MI."""
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    mi_fn = mutual_info_regression if task == "regression" else mutual_info_classif
    mi = mi_fn(X, y, random_state=seed)
    return mi > mi.mean(), mi, {"threshold": float(mi.mean())}


def real_l1(X, y, task, seed):
    """The synthetic suite's L1 (fit_l1) on standardized columns."""
    return fit_l1(standardize(X), y, task, seed=seed)


def real_hgb_perm(X, y, task, seed):
    """HistGradientBoosting fitted on 75% of the rows; permutation importance
    (5 repeats) on the other 25%; kept: mean - 2 std > 0."""
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import train_test_split

    regression = task == "regression"
    X_fit, X_held, y_fit, y_held = train_test_split(
        X,
        y,
        test_size=0.25,
        random_state=seed,
        stratify=None if regression else y,
    )
    model = (
        HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
    )(random_state=seed).fit(X_fit, y_fit)
    perm = permutation_importance(
        model, X_held, y_held, n_repeats=5, random_state=seed, n_jobs=1
    )
    keep = perm.importances_mean - 2 * perm.importances_std > 0
    info = {"held_out_score": float(model.score(X_held, y_held))}
    return keep, perm.importances_mean, info


# name: (function, constructor as shown in the page, functions it runs)
REAL_METHODS = {
    "SGD": (real_sgd, "SGDSupportSelector(random_state=seed)", ()),
    "Boruta": (
        real_boruta,
        "BorutaPy(RandomForestRegressor / RandomForestClassifier(n_jobs=1, "
        'max_depth=5, random_state=seed), n_estimators="auto", '
        "random_state=seed); selected: support_",
        (),
    ),
    "forest": (
        real_forest,
        "SelectFromModel(RandomForestRegressor / RandomForestClassifier("
        "n_estimators=100, n_jobs=1, random_state=seed)), mean threshold",
        (),
    ),
    "MI": (
        real_mi,
        "mutual_info_regression / mutual_info_classif(random_state=seed), kept "
        "when above the mean MI",
        (),
    ),
    "L1": (
        real_l1,
        "standardized X; SelectFromModel(LassoCV(random_state=seed)) / "
        'SelectFromModel(LogisticRegressionCV(l1_ratios=(1.0,), solver="saga", '
        "random_state=seed), threshold=1e-5)",
        (fit_l1, standardize),
    ),
    "HGB-perm": (
        real_hgb_perm,
        "HistGradientBoostingRegressor / Classifier(random_state=seed) on 75% "
        "of the rows; permutation_importance(n_repeats=5) on the other 25%; "
        "kept when mean - 2 std > 0",
        (),
    ),
}
REAL_SEEDED = ("SGD", "Boruta")  # several seeds by default: their stability


# ------------------------------------------------------- scoring
class RealDownstream(Downstream):
    """:class:`Downstream` that also scores the constant model (what keeping
    no real column is worth), and hands the scores a forked child computed
    back to the parent (``fresh`` there, ``add`` here)."""

    def __init__(self):
        super().__init__()
        self._handed = set()

    def constant(self, case):
        """The CV score of predicting the mean (regression) or the most
        frequent class: the score of a selection without a real column."""
        from sklearn.dummy import DummyClassifier, DummyRegressor
        from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

        if case.task == "regression":
            model, cv = (
                DummyRegressor(),
                KFold(CV_FOLDS, shuffle=True, random_state=SEED),
            )
        else:
            model = DummyClassifier()
            cv = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=SEED)
        X = np.zeros((case.X.shape[0], 1))
        return float(cross_val_score(model, X, case.y, cv=cv).mean())

    def fresh(self):
        """The scores not handed over yet: ``[case, columns, score]`` each."""
        new = [key for key in self._cache if key not in self._handed]
        self._handed.update(new)
        return [[name, list(cols), self._cache[(name, cols)]] for name, cols in new]

    def add(self, entries):
        for name, cols, score in entries:
            key = (name, tuple(cols))
            self._cache[key] = score
            self._handed.add(key)


# ------------------------------------------------------- the cache
def digest(*parts):
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else str(part).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()[:16]


def version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def package_digest():
    """The sgdselect source that runs (every file of the imported package)."""
    import sgdselect

    root = os.path.dirname(os.path.abspath(inspect.getfile(sgdselect)))
    parts = []
    for folder, dirs, files in sorted(os.walk(root)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                with open(os.path.join(folder, name), "rb") as fh:
                    parts += [os.path.relpath(os.path.join(folder, name), root)]
                    parts += [fh.read()]
    return digest(*parts)


def _data_digest(case):
    return digest(case.X.tobytes(), "\n".join(map(str, case.y)), case.task)


def _score_digest():
    """What the downstream scores depend on besides the data."""
    code = [inspect.getsource(f) for f in (Downstream, RealDownstream, evaluate)]
    return digest(*code, CV_FOLDS, SEED, version("scikit-learn"))


def _method_digest(method):
    fn, _, helpers = REAL_METHODS[method]
    parts = [inspect.getsource(f) for f in (fn, *helpers)]
    parts += [version(d) for d in ("numpy", "scipy", "scikit-learn")]
    if method == "SGD":
        parts += [package_digest(), version("torch")]
    if method == "Boruta":
        parts += [version("boruta")]
    return digest(*parts)


class FitCache:
    """Each finished fit, appended to a JSON-lines file as soon as it is done:
    a rerun takes what is there and runs the rest. The key holds everything
    the result depends on (the data, the method's code, the library versions,
    sgdselect's source for SGD), so a change reruns what it touches."""

    def __init__(self, path, fresh=False):
        self.path, self.entries = path, {}
        if path and not fresh and os.path.exists(path):
            with open(path) as fh:
                for line in fh:
                    try:
                        item = json.loads(line)
                    except ValueError:  # a line cut short by a crash
                        continue
                    self.entries[item["key"]] = item["value"]

    def get(self, key):
        return self.entries.get(key)

    def put(self, key, value):
        self.entries[key] = value
        if self.path:
            with open(self.path, "a") as fh:
                fh.write(json.dumps({"key": key, "value": value}) + "\n")


def reusable(cached, limit):
    """A cached result is taken unless it was cut by a shorter time limit (a
    fit that failed is not cached: it runs again)."""
    if cached is None:
        return False
    if cached.get("error") == "timeout":
        return cached.get("limit", 0) >= limit
    return "error" not in cached


# ------------------------------------------------------- running the fits
def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def warning_counts(caught):
    counts = {}
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message)[:300]}"
        counts[text] = counts.get(text, 0) + 1
    return [{"warning": text, "count": n} for text, n in counts.items()]


def _real_child(job, case, downstream, conn):
    """One job in a forked child: a fit (timed here, its warnings recorded),
    then its downstream score; or the case's reference scores. Two messages:
    ``{"fit": ...}`` when the fit is done, then ``{"scored": ...}``."""
    try:
        if job["method"] is None:
            conn.send({"fit": {}})
            warnings.simplefilter("ignore")
            ref = {
                "all_real": downstream.score(case, ~case.probe_mask),
                "none": downstream.constant(case),
            }
            conn.send({"scored": ref, "scores": downstream.fresh()})
            return
        fn = REAL_METHODS[job["method"]][0]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cpu, start = cpu_seconds(), time.perf_counter()
            selected, importances, info = fn(case.X, case.y, case.task, job["seed"])
            wall = time.perf_counter() - start
            cpu = cpu_seconds() - cpu
        conn.send({"fit": {"time": wall}})
        warnings.simplefilter("ignore")
        selected = np.asarray(selected, dtype=bool)
        result = {
            "selected": selected,
            "importances": np.nan_to_num(np.asarray(importances, dtype=float)),
            "time": wall,
            "cpu": cpu,
            "info": info,
            "warnings": warning_counts(caught),
        }
        evaluate(case, result, downstream, drop_probes=True)
        result["n_real_kept"] = int((selected & ~case.probe_mask).sum())
        result["selected"] = np.flatnonzero(selected).tolist()
        del result["importances"]
        conn.send({"scored": result, "scores": downstream.fresh()})
    except Exception as exc:  # noqa: BLE001 - reported on the page
        conn.send({"error": f"{type(exc).__name__}: {exc}"[:300]})
    finally:
        conn.close()


def run_jobs(jobs, n_jobs, score_limit, downstream, done, child=_real_child):
    """Each job in a forked child, ``n_jobs`` at a time, each child on one
    thread; a fit still running after ``job["limit"]`` seconds is killed and
    recorded as a timeout. ``done(job, result)`` gets each result as it comes
    (in the order the jobs finish). With ``--wait-quiet``, a job that starts
    alone first waits for other processes to leave the CPU. ``child(job,
    case, downstream, conn)`` runs a job in the child and sends what
    :func:`_real_child` sends: ``{"fit": ...}``, then ``{"scored": ...,
    "scores": ...}`` or ``{"error": ...}``."""
    ctx = multiprocessing.get_context("fork")
    waiting, running = list(jobs), {}

    def finish(conn, result):
        state = running.pop(conn)
        if state["proc"].is_alive():
            state["proc"].kill()
        state["proc"].join()
        conn.close()
        done(state["job"], result)

    while waiting or running:
        while waiting and len(running) < n_jobs:
            if h.QUIET_WAIT[0] > 0 and not running:  # --wait-quiet
                h.wait_for_quiet(h.QUIET_WAIT[0], h.spare_cores(1))
            job = waiting.pop(0)
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=child, args=(job, job["case"], downstream, send))
            proc.start()
            send.close()
            now = time.perf_counter()
            running[recv] = {
                "job": job,
                "proc": proc,
                "start": now,
                "deadline": now + job["limit"],
                "fit": None,
            }
        wake = min(state["deadline"] for state in running.values())
        ready = multiprocessing.connection.wait(
            list(running), timeout=max(0.0, wake - time.perf_counter())
        )
        for conn in ready:
            state = running[conn]
            try:
                message = conn.recv()
            except EOFError:
                state["proc"].join(5)
                code = state["proc"].exitcode
                message = {"error": f"child died (exit code {code})"}
            if "fit" in message:  # the fit is done: its score comes next
                state["fit"] = message["fit"]
                state["deadline"] = time.perf_counter() + score_limit
                continue
            if "scores" in message:
                downstream.add(message["scores"])
            if "error" in message and state["fit"] is not None:
                message = {"error": "scoring: " + message["error"], **state["fit"]}
            finish(conn, message.get("scored", message))
        now = time.perf_counter()
        for conn, state in list(running.items()):
            if now >= state["deadline"]:
                if state["fit"] is None:
                    result = {
                        "error": "timeout",
                        "time": now - state["start"],
                        "limit": state["job"]["limit"],
                    }
                else:
                    result = {"error": "scoring timeout", **state["fit"]}
                finish(conn, result)


# ------------------------------------------------------- the run
def real_config(quick):
    seeds = list(QUICK_REAL_SEEDS if quick else REAL_SEEDS)
    peers = list(REAL_PEER_SEEDS)
    return {
        "suite": "real",
        "quick_suite": quick,
        "probe_seed": PROBE_SEED,
        "cases": list(QUICK_REAL_CASES) if quick else None,
        "methods": list(REAL_METHODS),
        "seeds": {m: seeds if m in REAL_SEEDED else peers for m in REAL_METHODS},
        # "method@case": seeds, e.g. fewer Boruta seeds on ames
        "case_seeds": {"Boruta@fgl": [0]} if quick else {},
        "time_limit": QUICK_REAL_LIMIT if quick else REAL_TIME_LIMIT,
        "score_limit": QUICK_REAL_LIMIT if quick else REAL_SCORE_LIMIT,
        "jobs": 1,
        "cache": None if quick else REAL_CACHE,
    }


def seed_list(text):
    """``0,1,2`` or ``0-4`` (or both: ``0-2,7``) as a list of ints."""
    seeds = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds += range(int(low), int(high or low) + 1)
    return seeds


def real_add_arguments(parser):
    add_suite(parser)
    methods = ", ".join(REAL_METHODS)
    parser.add_argument("--cases", help="comma-separated tables (default: all sixteen)")
    parser.add_argument(
        "--methods", help=f"comma-separated, from {methods} (default: all)"
    )
    parser.add_argument(
        "--seeds",
        help="seeds of " + " and ".join(REAL_SEEDED) + " (default 0-4; e.g. 0,1,2)",
    )
    parser.add_argument("--peer-seeds", help="seeds of the other methods (default 0)")
    parser.add_argument(
        "--method-seeds",
        action="append",
        default=[],
        metavar="METHOD=SEEDS",
        help="seeds of one method, e.g. MI=0-2 (repeatable)",
    )
    parser.add_argument(
        "--case-seeds",
        action="append",
        default=[],
        metavar="METHOD@TABLE=SEEDS",
        help="seeds of one method on one table, e.g. Boruta@ames=0,1 (repeatable)",
    )
    add_run_arguments(
        parser, REAL_TIME_LIMIT, QUICK_REAL_LIMIT, REAL_SCORE_LIMIT, REAL_CACHE
    )


def add_run_arguments(parser, time_limit, quick_limit, score_limit, cache):
    """The options of a run of fits in child processes (the real-table suite
    here, ``raw_tables.py``): their limits, how many at once, the cache."""
    parser.add_argument(
        "--time-limit",
        type=float,
        help=f"seconds per fit (default {time_limit}; --quick: {quick_limit}); "
        "a fit still running is killed and reported",
    )
    parser.add_argument(
        "--score-limit",
        type=float,
        help=f"seconds for the downstream score of a fit (default {score_limit})",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        help="fits run at once, each in its own one-thread process (default 1)",
    )
    parser.add_argument(
        "--cache",
        help=f"JSON-lines file of finished fits, read and appended to (default "
        f"{cache}; none with --quick); 'none': no cache",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="rerun everything (the cache is still appended to)",
    )


def apply_cases(cfg, args):
    """``--cases`` into ``cfg["cases"]`` (all the real tables by default);
    returns every table's name."""
    from sgdselect.datasets import real_table_names

    names = real_table_names()
    if args.cases:
        cfg["cases"] = args.cases.split(",")
    if cfg["cases"] is None:
        cfg["cases"] = list(names)
    unknown = set(cfg["cases"]) - set(names)
    if unknown:
        raise SystemExit(f"unknown tables {sorted(unknown)}; the tables: {names}")
    return names


def apply_run_args(cfg, args):
    """The options of :func:`add_run_arguments` into ``cfg``."""
    for key in ("time_limit", "score_limit", "jobs"):
        if getattr(args, key):
            cfg[key] = getattr(args, key)
    if args.cache:
        cfg["cache"] = None if args.cache == "none" else os.path.abspath(args.cache)
    cfg["fresh"] = bool(args.fresh)


def _apply_real_args(cfg, args):
    """The command line's choices into ``cfg`` (what the page reports)."""
    names = apply_cases(cfg, args)
    if args.methods:
        cfg["methods"] = args.methods.split(",")
        unknown = set(cfg["methods"]) - set(REAL_METHODS)
        if unknown:
            raise SystemExit(f"unknown methods {sorted(unknown)}")
    for method in REAL_METHODS:
        given = args.seeds if method in REAL_SEEDED else args.peer_seeds
        if given:
            cfg["seeds"][method] = seed_list(given)
    for item in args.method_seeds:
        method, _, seeds = item.partition("=")
        if method not in REAL_METHODS:
            raise SystemExit(f"--method-seeds: unknown method {method!r}")
        cfg["seeds"][method] = seed_list(seeds)
    for item in args.case_seeds:
        where, _, seeds = item.partition("=")
        method, _, case = where.partition("@")
        if method not in REAL_METHODS or case not in names:
            raise SystemExit(f"--case-seeds: expected METHOD@TABLE=SEEDS, not {item!r}")
        cfg["case_seeds"][where] = seed_list(seeds)
    cfg["seeds"] = {m: cfg["seeds"][m] for m in cfg["methods"]}
    cfg["case_seeds"] = {
        k: v
        for k, v in cfg["case_seeds"].items()
        if k.split("@")[0] in cfg["methods"] and k.split("@")[1] in cfg["cases"]
    }
    apply_run_args(cfg, args)


def seeds_of(cfg, method, case):
    return cfg["case_seeds"].get(f"{method}@{case}", cfg["seeds"][method])


def _describe_real(case):
    real = ~case.probe_mask
    y = case.y
    integer = case.task == "regression" and bool(np.all(np.round(y) == y))
    return {
        "name": case.name,
        "task": case.task,
        "n": int(case.X.shape[0]),
        "d": int(real.sum()),
        "probes": int(case.probe_mask.sum()),
        "columns": len(set(case.groups[real])),
        "classes": None if case.task == "regression" else len(np.unique(y)),
        "integer_target": integer,
        "description": case.description,
    }


def _cost(case, method):
    """A rough order for the queue: the largest tables, and Boruta, first,
    so that with several workers the longest fits do not come last."""
    return -(case.X.size * (20 if method == "Boruta" else 1))


def measure_real(cfg, args):
    from sgdselect.datasets import real_table_suite

    controller = h.limit_threads(1)  # noqa: F841  (kept alive)
    _apply_real_args(cfg, args)
    cases = real_table_suite(random_state=cfg["probe_seed"], names=cfg["cases"])
    cache = FitCache(cfg["cache"], fresh=cfg["fresh"])
    h.log(f"cache: {cfg['cache'] or 'none'} ({len(cache.entries)} entries read)")
    downstream, score_digest = RealDownstream(), _score_digest()
    digests = {m: _method_digest(m) for m in cfg["methods"]}
    fits, refs, jobs, keys = {}, {}, [], {}
    from_cache = 0
    for case in cases:
        prefix = [CACHE_VERSION, _data_digest(case), score_digest]
        job = {"case": case, "method": None, "seed": None, "limit": cfg["score_limit"]}
        keys[id(job)] = json.dumps(["ref", *prefix, case.name])
        jobs.append(job)
        for method in cfg["methods"]:
            for seed in seeds_of(cfg, method, case.name):
                job = {
                    "case": case,
                    "method": method,
                    "seed": seed,
                    "limit": cfg["time_limit"],
                }
                key = ["fit", *prefix, case.name, method, seed, digests[method]]
                keys[id(job)] = json.dumps(key)
                jobs.append(job)
    todo = []
    for job in jobs:
        cached = None if cfg["fresh"] else cache.get(keys[id(job)])
        if not reusable(cached, job["limit"]):
            todo.append(job)
            continue
        from_cache += 1
        if job["method"] is None:
            refs[job["case"].name] = cached
        else:
            fits[f"{job['case'].name}|{job['method']}|{job['seed']}"] = cached
    # The references first (cheap, and their scores are shared), then the fits.
    todo.sort(key=lambda j: (j["method"] is not None, _cost(j["case"], j["method"])))
    h.log(f"{len(jobs)} jobs, {from_cache} from the cache, {len(todo)} to run")
    if any(j["method"] == "SGD" for j in todo):
        warm_up()
    count = itertools.count(1)

    def done(job, result):
        name = job["case"].name
        if job["method"] is None:
            refs[name] = result
            what = f"{name} references"
        else:
            fits[f"{name}|{job['method']}|{job['seed']}"] = result
            what = f"{name} {job['method']} seed {job['seed']}"
        if "error" not in result or result["error"] == "timeout":
            cache.put(keys[id(job)], result)
        if "error" in result:
            outcome = result["error"]
        elif job["method"] is None:
            outcome = f"all real {_num(result['all_real'])}"
        else:
            outcome = (
                f"{result['n_real_kept']} real + {result['n_probes_kept']} probes, "
                f"downstream {_num(result['downstream'])}"
            )
        took = h.fmt_time(result.get("time"))
        h.log(f"[{next(count)}/{len(todo)}] {what}: {outcome} ({took})")

    with h.Background() as load:
        run_jobs(todo, cfg["jobs"], cfg["score_limit"], downstream, done)
    return {
        "cases": [_describe_real(c) for c in cases],
        "refs": refs,
        "fits": fits,
        "from_cache": from_cache,
        "n_jobs": len(jobs),
        "background_cores": load.cores,
    }


# ------------------------------------------------------- the page
def _seed_text(seeds):
    """``[0, 1, 2, 4]`` as ``0-2, 4``."""
    runs, out = [], []
    for seed in seeds:
        if runs and seed == runs[-1][1] + 1:
            runs[-1][1] = seed
        else:
            runs.append([seed, seed])
    for low, high in runs:
        out.append(str(low) if low == high else f"{low}-{high}")
    return ", ".join(out)


def jaccard(sets):
    """Mean pairwise Jaccard similarity (two empty sets: 1); None under 2."""
    pairs = list(itertools.combinations(sets, 2))
    if not pairs:
        return None
    return float(np.mean([len(a & b) / len(a | b) if a | b else 1.0 for a, b in pairs]))


class RealPage:
    """The numbers of the real-table page, from the run's data.

    Per table, a method's figures are means over its seeds that finished; a
    selection without a real column scores the constant model's score."""

    def __init__(self, data):
        self.cfg, res = data["config"], data["results"]
        self.methods = self.cfg["methods"]
        self.cases = res["cases"]
        self.by_name = {c["name"]: c for c in self.cases}
        self.refs, self.fits = res["refs"], res["fits"]

    # one table
    def runs(self, method, case):
        name = case["name"]
        return [
            (seed, self.fits[f"{name}|{method}|{seed}"])
            for seed in seeds_of(self.cfg, method, name)
        ]

    def done(self, method, case):
        return [r for _, r in self.runs(method, case) if "error" not in r]

    def score(self, res, case):
        value = res["downstream"]
        return self.refs[case["name"]]["none"] if value is None else value

    def per_table(self, method, case, key):
        done = self.done(method, case)
        if not done:
            return None
        if key == "downstream":
            return float(np.mean([self.score(r, case) for r in done]))
        if key == "jaccard":
            return jaccard([{i for i in r["selected"] if i < case["d"]} for r in done])
        return float(np.mean([r[key] for r in done]))

    def fit_time(self, method, case):
        """Mean fit time over the seeds, a timeout counted at its time; and
        whether one was cut off. None where no seed has a time."""
        runs = [r for _, r in self.runs(method, case) if "time" in r]
        if not runs:
            return None, False
        cut = any(r.get("error") == "timeout" for r in runs)
        return float(np.mean([r["time"] for r in runs])), cut

    # over tables
    def tables(self, method, key="downstream"):
        """The tables where ``method`` has a value of ``key``."""
        return [c for c in self.cases if self.per_table(method, c, key) is not None]

    def mean(self, method, key, tables=None):
        tables = self.tables(method, key) if tables is None else tables
        values = [self.per_table(method, c, key) for c in tables]
        values = [v for v in values if v is not None]
        return float(np.mean(values)) if values else None

    def common(self, methods, key="downstream"):
        names = set.intersection(
            *({c["name"] for c in self.tables(m, key)} for m in methods)
        )
        return [c for c in self.cases if c["name"] in names]

    def probes(self, method):
        """Probes kept and offered, pooled over the tables and seeds."""
        kept = offered = 0
        for case in self.cases:
            for r in self.done(method, case):
                kept += r["n_probes_kept"]
                offered += case["probes"]
        return kept, offered

    def total_time(self, method, tables=None):
        """Sum over ``tables`` of the mean fit time per seed; how many tables
        have a fit cut off (the total is then a lower bound), and how many
        tables have no time at all."""
        total, cut, missing = 0.0, 0, 0
        for case in self.cases if tables is None else tables:
            t, was_cut = self.fit_time(method, case)
            if t is None:
                missing += 1
                continue
            total += t
            cut += was_cut
        return total, cut, missing

    def few_real(self, method):
        """Tables where a fit (any seed) kept at most one real column."""
        return [
            c["name"]
            for c in self.cases
            if any(r["n_real_kept"] <= 1 for r in self.done(method, c))
        ]

    def counts(self, method):
        timeouts = errors = 0
        for case in self.cases:
            for _, r in self.runs(method, case):
                timeouts += r.get("error") == "timeout"
                errors += "error" in r and r["error"] != "timeout"
        return timeouts, errors

    def largest(self):
        return max(self.cases, key=lambda c: c["n"] * (c["d"] + c["probes"]))

    def time_ratio(self, method, other):
        """``method``'s total time over ``other``'s, on the tables both have."""
        both = [
            c
            for c in self.cases
            if self.fit_time(method, c)[0] is not None
            and self.fit_time(other, c)[0] is not None
        ]
        if not both:
            return None, both
        ours, theirs = self.total_time(method, both)[0], self.total_time(other, both)[0]
        return (ours / theirs if theirs > 0 else None), both

    def largest_ratio(self, method, other="forest"):
        case = self.largest()
        ours, theirs = self.fit_time(method, case)[0], self.fit_time(other, case)[0]
        if ours is None or theirs is None or theirs <= 0:
            return None
        return ours / theirs


def _mean_cell(page, method, key, digits):
    tables = page.tables(method, key)
    value = page.mean(method, key)
    if value is None:
        return "n/a"
    n = len(page.cases)
    part = "" if len(tables) == n else f" ({len(tables)} of {n} tables)"
    return f"{value:.{digits}f}{part}"


def _time_cell(total, cut, missing, n):
    text = ("≥ " if cut else "") + h.fmt_time(total)
    notes = []
    if cut:
        notes.append(f"{cut} cut off")
    if missing:
        notes.append(f"{n - missing} tables")
    return text + (f" ({', '.join(notes)})" if notes else "")


def real_summary(page):
    methods, n = page.methods, len(page.cases)
    largest = page.largest()["name"]
    rows = []
    row = []
    for m in methods:
        kept, offered = page.probes(m)
        row.append(f"{kept / offered:.1%} ({kept} of {offered})" if offered else "n/a")
    rows.append(["probes kept (pooled over tables and seeds)", *row, "0.0%"])
    all_d = float(np.mean([c["d"] for c in page.cases]))
    rows.append(
        [
            "real columns kept (mean)",
            *(_mean_cell(page, m, "n_real_kept", 1) for m in methods),
            f"{all_d:.1f}",
        ]
    )
    rows.append(
        [
            "tables where a fit kept ≤ 1 real column",
            *(f"{len(page.few_real(m))} of {n}" for m in methods),
            "",
        ]
    )
    all_real = float(np.mean([page.refs[c["name"]]["all_real"] for c in page.cases]))
    rows.append(
        [
            "downstream score (mean over tables)",
            *(_mean_cell(page, m, "downstream", 3) for m in methods),
            f"{all_real:.3f}",
        ]
    )
    rows.append(
        [
            "Jaccard over seeds (mean over tables)",
            *(
                _mean_cell(page, m, "jaccard", 2)
                if page.tables(m, "jaccard")
                else "1 seed"
                for m in methods
            ),
            "",
        ]
    )
    rows.append(
        [
            "fit time over the suite, per seed",
            *(_time_cell(*page.total_time(m), n) for m in methods),
            "",
        ]
    )
    ratios = []
    for m in methods:
        if "Boruta" not in methods:
            ratios.append("n/a")
            continue
        ratio, both = page.time_ratio(m, "Boruta")
        part = "" if len(both) == n else f" ({len(both)} of {n} tables)"
        ratios.append(h.fmt_ratio(ratio, 3) + part if ratio is not None else "n/a")
    rows.append(["fit time / Boruta's", *ratios, ""])
    rows.append(
        [
            f"{largest} fit time / forest's",
            *(
                h.fmt_ratio(page.largest_ratio(m), 2) if "forest" in methods else "n/a"
                for m in methods
            ),
            "",
        ]
    )
    rows.append(
        [
            "fits cut off / failed",
            *(" / ".join(map(str, page.counts(m))) for m in methods),
            "",
        ]
    )
    rows.append(["seeds", *(_seeds_cell(page, m) for m in methods), ""])
    return h.table(["", *methods, "all real columns"], rows)


def _seeds_cell(page, method):
    text = _seed_text(page.cfg["seeds"][method])
    special = [
        f"{k.split('@')[1]}: {_seed_text(v)}"
        for k, v in page.cfg["case_seeds"].items()
        if k.split("@")[0] == method
    ]
    return text + (f" ({'; '.join(special)})" if special else "")


def real_targets(page):
    """PASS / FAIL of the targets for SGDSupportSelector() at its defaults."""
    if "SGD" not in page.methods:
        return "SGD was not run: no target evaluated."
    lines = []

    def line(text, ok, detail):
        verdict = "**not evaluated**" if ok is None else h.passfail(ok)
        lines.append(f"- {verdict} {text}: {detail}.")

    has = set(page.methods)

    def absent(method, what="finished"):
        if method not in has:
            return f"{method} was not run"
        return f"no table where both SGD and {method} {what}"

    kept, offered = page.probes("SGD")
    share = kept / offered if offered else None
    line(
        "share of probes kept ≤ 1%",
        None if share is None else share <= 0.01,
        "no fit finished" if share is None else f"{share:.2%} ({kept} of {offered})",
    )
    # Downstream: against Boruta on the tables both have, and against all
    # real columns on SGD's tables.
    sgd_tables = page.tables("SGD")
    sgd = page.mean("SGD", "downstream")
    all_real = (
        float(np.mean([page.refs[c["name"]]["all_real"] for c in sgd_tables]))
        if sgd_tables
        else None
    )
    if "Boruta" in has and page.common(["SGD", "Boruta"]):
        both = page.common(["SGD", "Boruta"])
        ours, theirs = (
            page.mean("SGD", "downstream", both),
            page.mean("Boruta", "downstream", both),
        )
        ok = ours >= theirs and sgd >= all_real - 0.01
        detail = (
            f"{ours:.3f} against Boruta's {theirs:.3f} on {len(both)} tables; "
            f"{sgd:.3f} against {all_real:.3f} - 0.01 with all real columns "
            f"on {len(sgd_tables)} tables"
        )
    else:
        ok, detail = None, absent("Boruta")
    line("mean downstream score ≥ Boruta's and ≥ all real columns' - 0.01", ok, detail)
    # Stability.
    if not page.tables("SGD", "jaccard"):
        ok, detail = None, "SGD ran with one seed"
    else:
        j = page.mean("SGD", "jaccard")
        detail = f"{j:.3f} on {len(page.tables('SGD', 'jaccard'))} tables"
        ok = j >= 0.8
        if "Boruta" in has and page.common(["SGD", "Boruta"], "jaccard"):
            both = page.common(["SGD", "Boruta"], "jaccard")
            ours = page.mean("SGD", "jaccard", both)
            theirs = page.mean("Boruta", "jaccard", both)
            ok = ok and ours >= theirs
            detail += (
                f"; {ours:.3f} against Boruta's {theirs:.3f} on {len(both)} tables"
            )
        else:
            missing = absent("Boruta", "finished 2 seeds")
            ok, detail = None, f"{detail}; {missing}"
    line("mean Jaccard over seeds ≥ 0.8 and ≥ Boruta's", ok, detail)
    # Time.
    if "Boruta" in has:
        ratio, both = page.time_ratio("SGD", "Boruta")
        if ratio is None:
            ok, detail = None, absent("Boruta", "have a time")
        else:
            ours, _, _ = page.total_time("SGD", both)
            theirs, cut, _ = page.total_time("Boruta", both)
            ok = ratio <= 0.2
            detail = (
                f"{h.fmt_time(ours)} against Boruta's {h.fmt_time(theirs)} per seed "
                f"on {len(both)} tables ({ratio:.3f} of it)"
            )
            if cut:
                detail += (
                    f"; Boruta was cut off on {cut} tables, so its time is a lower "
                    "bound"
                )
                ok = True if ok else None
    else:
        ok, detail = None, absent("Boruta")
    line("fit time over the suite ≤ 1/5 of Boruta's", ok, detail)
    largest = page.largest()
    if "forest" in has:
        ours = page.fit_time("SGD", largest)[0]
        theirs = page.fit_time("forest", largest)[0]
        if ours is None or theirs is None:
            ok, detail = None, f"no time on {largest['name']}"
        else:
            ok = ours <= theirs
            size = f"{largest['n']} x {largest['d'] + largest['probes']}"
            detail = (
                f"{h.fmt_time(ours)} against the forest's {h.fmt_time(theirs)} on "
                f"{largest['name']} ({size})"
            )
    else:
        ok, detail = None, "the forest was not run"
    line(
        f"fit time on the largest table ({largest['name']}) ≤ the forest's", ok, detail
    )
    regression = [c for c in page.cases if c["task"] == "regression"]
    wrong = sorted(
        {
            f"{c['name']} ({r['info']['task_']})"
            for c in regression
            for r in page.done("SGD", c)
            if r["info"]["task_"] != "regression"
        }
    )
    fitted = sum(len(page.done("SGD", c)) for c in regression)
    line(
        'every regression table fitted with `task_ == "regression"`',
        None if not fitted else not wrong,
        f"{fitted} fits on {len(regression)} regression tables"
        + (f"; read otherwise: {', '.join(wrong)}" if wrong else ""),
    )
    return "\n".join(lines)


def _fmt_count(x):
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def real_matrix(page):
    """Per table: real columns kept / probes kept / downstream score / Jaccard."""
    rows = []
    for case in page.cases:
        row = [case["name"], case["task"][:5] + "."]
        for m in page.methods:
            runs = page.runs(m, case)
            done = page.done(m, case)
            if not done:
                errors = {r["error"] for _, r in runs}
                row.append("timeout" if errors == {"timeout"} else "error")
                continue
            cell = " / ".join(
                [
                    _fmt_count(page.per_table(m, case, "n_real_kept")),
                    _fmt_count(page.per_table(m, case, "n_probes_kept")),
                    f"{page.per_table(m, case, 'downstream'):.3f}",
                ]
            )
            j = page.per_table(m, case, "jaccard")
            if j is not None:
                cell += f" / {j:.2f}"
            if len(done) < len(runs):
                cell += f" ({len(done)} of {len(runs)} seeds)"
            row.append(cell)
        ref = page.refs[case["name"]]
        row.append(f"{case['d']} / 0 / {ref['all_real']:.3f}")
        row.append(f"{ref['none']:.3f}")
        rows.append(row)
    return h.table(["table", "task", *page.methods, "all real", "none kept"], rows)


def real_times(page):
    rows = []
    for case in page.cases:
        row = [case["name"], f"{case['n']} x {case['d'] + case['probes']}"]
        for m in page.methods:
            t, cut = page.fit_time(m, case)
            if t is None:
                row.append("error")
                continue
            timeouts = sum(r.get("error") == "timeout" for _, r in page.runs(m, case))
            row.append(
                h.fmt_time(t) + (f" ({timeouts} cut off at the limit)" if cut else "")
            )
        rows.append(row)
    return h.table(["table", "n x d", *page.methods], rows)


def real_tasks(page):
    """The task SGDSupportSelector inferred on each table (task="auto")."""
    if "SGD" not in page.methods:
        return "SGD was not run."
    rows = []
    for case in page.cases:
        inferred = [r["info"]["task_"] for r in page.done("SGD", case)]
        tally = ", ".join(f"{t} x {inferred.count(t)}" for t in dict.fromkeys(inferred))
        if case["task"] == "regression":
            target = "integer-valued" if case["integer_target"] else "real-valued"
        else:
            target = f"{case['classes']} classes"
        ok = all(t == case["task"] for t in inferred) and inferred
        rows.append(
            [
                case["name"],
                case["task"],
                target,
                tally or "none",
                "yes" if ok else "**no**",
            ]
        )
    return h.table(["table", "task", "target", "task_ (per fit)", "as the table"], rows)


def real_warnings(page):
    """The warnings each method raised while fitting, with the tables."""
    lines = []
    for m in page.methods:
        seen = {}
        for case in page.cases:
            for r in page.done(m, case):
                for w in r.get("warnings", ()):
                    entry = seen.setdefault(w["warning"], [0, []])
                    entry[0] += w["count"]
                    if case["name"] not in entry[1]:
                        entry[1].append(case["name"])
        if not seen:
            lines.append(f"- {m}: none.")
            continue
        lines.append(f"- {m}:")
        for text, (count, names) in seen.items():
            text = text.replace("\n", " ").replace("|", "\\|")
            lines.append(f"  - `{text}` ({count} times; {', '.join(names)})")
    return "\n".join(lines)


def real_details(page):
    rows = []
    for case in page.cases:
        for m in page.methods:
            for seed, r in page.runs(m, case):
                if "error" in r:
                    t = h.fmt_time(r.get("time")) if "time" in r else ""
                    rows.append([case["name"], m, seed, r["error"], "", "", t, "", ""])
                    continue
                info = r.get("info") or {}
                note = [
                    f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in info.items()
                ]
                said = sum(w["count"] for w in r.get("warnings", ()))
                if said:
                    note.append(f"{said} warning{'s' if said > 1 else ''}")
                note = ", ".join(note)
                rows.append(
                    [
                        case["name"],
                        m,
                        seed,
                        r["n_real_kept"],
                        r["n_probes_kept"],
                        f"{page.score(r, case):.3f}",
                        h.fmt_time(r["time"]),
                        f"{r['cpu'] / r['time']:.2f}" if r["time"] > 0 else "n/a",
                        note,
                    ]
                )
    header = ["table", "method", "seed", "real kept", "probes kept", "downstream"]
    header += ["fit time", "CPU / wall", "notes"]
    return h.table(header, rows)


def real_fields(data, out_dir):
    cfg, page = data["config"], RealPage(data)
    res = data["results"]
    cases = [
        [
            c["name"],
            c["task"] + ("" if c["classes"] is None else f" ({c['classes']} classes)"),
            c["n"],
            c["columns"],
            c["d"],
            c["probes"],
            f"{page.refs[c['name']]['all_real']:.3f}",
            c["description"].replace("|", "\\|"),
        ]
        for c in page.cases
    ]
    methods = [[m, f"`{REAL_METHODS[m][1]}`"] for m in page.methods]
    jobs = cfg["jobs"]
    at_once = (
        "one fit at a time"
        if jobs == 1
        else f"{jobs} fits at once (each in its own process, on one thread)"
    )
    cached = res["from_cache"]
    cache_note = (
        f"{cached} of the {res['n_jobs']} results (fits and reference scores) came "
        "from the cache of an earlier run of the same code and data."
        if cached
        else "Every result was measured in this run."
    )
    load = h.load_note([("the fits", jobs, res["background_cores"])])
    seeds = "; ".join(f"{m}: {_seeds_cell(page, m)}" for m in page.methods)
    return {
        "header": h.header(data, "recovery.py", notes=["Suite: `--suite real`."]),
        "time_limit": f"{cfg['time_limit']:g}",
        "score_limit": f"{cfg['score_limit']:g}",
        "at_once": at_once,
        "cache": cache_note,
        "load": load,
        "seeds": seeds,
        "methods": h.table(["column", "method"], methods),
        "cases": h.table(
            [
                "table",
                "task",
                "n",
                "columns",
                "encoded",
                "probes",
                "all real",
                "description",
            ],
            cases,
        ),
        "largest": page.largest()["name"],
        "summary": real_summary(page),
        "targets": real_targets(page),
        "matrix": real_matrix(page),
        "times": real_times(page),
        "tasks": real_tasks(page),
        "warnings": real_warnings(page),
        "details": real_details(page),
    }


# ------------------------------------------------------- which suite
def add_suite(parser):
    parser.add_argument(
        "--suite",
        choices=("synthetic", "real"),
        default="synthetic",
        help="synthetic: benchmark_suite, recovery.md (default); real: "
        "real_table_suite, real_tables.md",
    )


def suite_of(argv):
    """The suite a command line asks for: ``--suite``, else the suite of the
    data ``--from-json`` renders, else the synthetic one."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--suite")
    parser.add_argument("--from-json")
    known, _ = parser.parse_known_args(argv)
    if known.suite:
        return known.suite
    if known.from_json:
        with open(known.from_json) as fh:
            return json.load(fh)["config"].get("suite", "synthetic")
    return "synthetic"


if __name__ == "__main__":
    if suite_of(sys.argv[1:]) == "real":
        h.main(
            __file__,
            __doc__,
            real_config,
            measure_real,
            real_fields,
            add_arguments=real_add_arguments,
            name=REAL_NAME,
        )
    else:
        h.main(__file__, __doc__, config, measure, fields, add_arguments=add_arguments)
