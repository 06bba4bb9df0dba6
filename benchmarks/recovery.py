"""Support recovery: sgdselect's selectors against the usual peers.

    PYTHONPATH=. python benchmarks/recovery.py           # ~15 min on 2 cores
    PYTHONPATH=. python benchmarks/recovery.py --quick   # smoke test, < 1 min
    PYTHONPATH=. python benchmarks/recovery.py --cases xor,wine_probes --methods SGD,L1
    PYTHONPATH=. python benchmarks/recovery.py --from-json docs/benchmarks/recovery.json

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
"""

import importlib.util
import json
import multiprocessing
import os
import sys
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
        # The task is given, as the peers get a Regressor or a Classifier: "auto"
        # reads diabetes' integer-valued target as 214 classes, as scikit-learn's
        # type_of_target does.
        estimator.set_params(task=task).fit(X, y)
        info = {}
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


def fit_l1(X, y, task):
    """LassoCV, or L1 logistic regression with C chosen by CV; SelectFromModel
    with threshold 1e-5 (its own default for L1 models): the nonzero
    coefficients."""
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import LassoCV, LogisticRegressionCV

    if task == "regression":
        model = LassoCV(random_state=SEED)
    else:
        # saga at its default max_iter (100): liblinear took 200 s on the
        # 1500 x 500 case (the weakly penalized end of the C grid converges
        # slowly), saga with max_iter=1000 as long.
        model = LogisticRegressionCV(
            l1_ratios=(1.0,),
            solver="saga",
            scoring="accuracy",
            use_legacy_attributes=False,
            random_state=SEED,
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


def evaluate(case, result, downstream):
    """The metrics of one fit result (in place)."""
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
    result["downstream"] = downstream.score(case, selected)
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
    X = case.X - case.X.mean(axis=0)
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


if __name__ == "__main__":
    h.main(__file__, __doc__, config, measure, fields, add_arguments=add_arguments)
