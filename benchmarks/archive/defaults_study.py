"""Defaults study for SGDSupportSelector (issue 4): which defaults, and why.

    PYTHONPATH=. nice -n 10 python benchmarks/defaults_study.py            # ~35 min
    PYTHONPATH=. nice -n 10 python benchmarks/defaults_study.py --quick    # ~1 min
    PYTHONPATH=. python benchmarks/defaults_study.py --report-only         # page only

A staged, budgeted sweep over the whole :func:`sgdselect.datasets.benchmark_suite`
(12 synthetic cases with a known support, 2 seeds each: the data and the
network are drawn from ``random_state = seed``; 4 real-data cases with
permutation probes, seed 0), one CPU thread, nothing tuned on a single case:

1. ``coord0``: one factor at a time around the current defaults.
2. ``coord1``: one factor at a time around a new centre, the current defaults
   plus the best single change of stage 1 (plus a learning rate x batch size
   grid for the figure).
3. ``joint``: the best values of stage 2 combined, greedily, a few candidates.

Every fit records its support F1 (``threshold="auto"``), ranking AUC, fit time,
final loss, and two importance profiles: the final column norms and their
average over the last 20% of epochs (``importances_history_``; the
"late-checkpoint average" of the paper, at no extra cost). The ``threshold``
study re-reads those profiles with alternative rules (``RULES``).

Rows are appended to ``docs/benchmarks/defaults.csv`` as they finish; a rerun
skips the configurations already there (delete the CSV to start over). The
page ``docs/benchmarks/defaults.md`` and the figures ``defaults_*.png`` are
written from the CSV at the end (or alone with ``--report-only``).
"""

import argparse
import csv
import json
import math
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import REPO, limit_threads, log  # noqa: E402

DOCS = os.path.join(REPO, "docs", "benchmarks")
CSV = os.path.join(DOCS, "defaults.csv")
CONFIRM_CSV = os.path.join(DOCS, "defaults_confirm.csv")
PAGE = os.path.join(DOCS, "defaults.md")
LATE = 0.2  # fraction of the last epochs averaged for the "late" profile

CURRENT = dict(
    hidden_layer_sizes=(64,),
    activation="tanh",
    batch_size=4,
    learning_rate=0.2,
    max_iter=600,
    init_scale=0.3,
    max_grad_norm=1.0,
    label_noise=0.0,
    weight_decay=0.0,
    early_stopping=False,
)
# A training budget: "epochs:E" (max_iter=E) or "steps:S" (max_iter chosen per
# case so that about S SGD steps are taken, max_iter = ceil(S * b / n)).
BUDGET0 = "epochs:600"

STAGE0 = {
    "weight_decay": [1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
    "learning_rate": [0.05, 0.1, 0.5],
    "batch_size": [2, 16],
    "budget": ["epochs:150", "steps:100000"],
    "label_noise": [0.3, 1.0],
    "hidden_layer_sizes": [(16,), (128,)],
    "activation": ["relu"],
    "init_scale": [0.1, 1.0],
    "max_grad_norm": [None],
    "early_stopping": [True],
}
STAGE1 = {
    "weight_decay": ["x0.3", "x3"],
    "learning_rate": [0.1, 0.5],
    "batch_size": [16],
    "budget": ["epochs:100", "epochs:300", "steps:30000", "steps:100000"],
    "label_noise": [0.3],
    "init_scale": [0.1, 1.0],
    "hidden_layer_sizes": [(16,), (128,), (64, 64)],
    "max_grad_norm": [None, 0.3],
    "activation": ["relu"],
    "early_stopping": [True],
}
# Stage "final": candidates around the best configuration under today's rule
# (weight_decay=1e-3 from stage coord0), at lower budgets and the other step
# sizes, added after reading stages coord0-joint.
FINAL = [
    dict(weight_decay=1e-3, budget="epochs:300"),
    dict(weight_decay=1e-3, budget="epochs:150"),
    dict(weight_decay=1e-3, budget="epochs:300", learning_rate=0.5),
    dict(weight_decay=1e-3, budget="epochs:300", learning_rate=0.1),
    dict(weight_decay=1e-3, budget="epochs:300", hidden_layer_sizes=[16]),
]
GRID_LR = (0.05, 0.1, 0.2, 0.5)
GRID_B = (2, 4, 16)


# --------------------------------------------------------------- configs
def config_key(cfg):
    return json.dumps(cfg, sort_keys=True)


def estimator_params(cfg, n_samples):
    """SGDSupportSelector keyword arguments of ``cfg`` for ``n_samples`` rows."""
    params = {k: v for k, v in cfg.items() if k != "budget"}
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    kind, value = cfg["budget"].split(":")
    if kind == "epochs":
        params["max_iter"] = int(value)
    else:
        steps_per_epoch = math.ceil(n_samples / params["batch_size"])
        params["max_iter"] = max(1, math.ceil(int(value) / steps_per_epoch))
    return params


def with_change(center, factor, value):
    cfg = dict(center)
    if factor == "weight_decay" and isinstance(value, str):
        base = center["weight_decay"] or 1e-3
        value = float(f"{base * float(value[1:]):.3g}")
    cfg[factor] = list(value) if isinstance(value, tuple) else value
    return cfg


def base_config():
    cfg = {k: v for k, v in CURRENT.items() if k != "max_iter"}
    cfg["hidden_layer_sizes"] = list(cfg["hidden_layer_sizes"])
    cfg["budget"] = BUDGET0
    return cfg


# --------------------------------------------------------------- fitting
def load_suites(seeds, quick):
    from sgdselect.datasets import benchmark_suite

    return {seed: benchmark_suite(random_state=seed, quick=quick) for seed in seeds}


def fit_case(cfg, case, seed):
    from sgdselect import SGDSupportSelector
    from sgdselect.metrics import (
        probe_false_positive_rate,
        ranking_auc,
        support_f1,
    )

    params = estimator_params(cfg, case.X.shape[0])
    est = SGDSupportSelector(random_state=seed, **params)
    start = time.perf_counter()
    error = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(case.X, case.y)
    except FloatingPointError as exc:
        error = str(exc).split(";")[0]
    seconds = time.perf_counter() - start
    row = dict(
        case=case.name,
        kind=case.kind,
        seed=seed,
        n=case.X.shape[0],
        d=case.X.shape[1],
        max_iter=params["max_iter"],
        seconds=round(seconds, 4),
        error=error,
    )
    if error:
        return row
    imp = est.feature_importances_
    hist = est.importances_history_
    late = hist[-max(1, int(round(LATE * len(hist)))) :].mean(axis=0)
    sel = est.get_support()
    row.update(
        n_iter=est.n_iter_,
        loss=float(est.loss_curve_[-1]),
        n_selected=int(sel.sum()),
        imp=" ".join(f"{v:.4g}" for v in imp),
        imp_late=" ".join(f"{v:.4g}" for v in late),
    )
    if case.kind == "synthetic":
        row["f1"] = support_f1(case.support, sel, zero_division=0.0)
        row["auc"] = ranking_auc(case.support, imp)
        row["auc_late"] = ranking_auc(case.support, late)
        row["truth"] = " ".join(map(str, np.flatnonzero(case.support)))
    else:
        row["probe_fpr"] = probe_false_positive_rate(case.probe_mask, sel)
        row["truth"] = " ".join(map(str, np.flatnonzero(case.probe_mask)))
    return row


FIELDS = [
    "stage",
    "factor",
    "value",
    "config",
    "case",
    "kind",
    "seed",
    "n",
    "d",
    "max_iter",
    "n_iter",
    "seconds",
    "loss",
    "n_selected",
    "f1",
    "auc",
    "auc_late",
    "probe_fpr",
    "error",
    "truth",
    "imp",
    "imp_late",
]


def read_rows(path=CSV):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


class Runner:
    """Evaluates configurations on the suite, appending rows to the CSV."""

    def __init__(self, path, seeds, quick, deadline):
        self.path, self.seeds, self.deadline = path, seeds, deadline
        self.suites = load_suites(seeds, quick)
        self.done = {}
        for r in read_rows(path):
            self.done.setdefault(r["config"], []).append(r)

    def out_of_time(self):
        return time.monotonic() > self.deadline

    def evaluate(self, cfg, stage, factor, value):
        """Rows of ``cfg`` (from the CSV when already run); None when the
        budget ran out first."""
        key = config_key(cfg)
        if key in self.done:
            return self.done[key]
        if self.out_of_time():
            return None
        rows, start = [], time.perf_counter()
        for seed in self.seeds:
            for case in self.suites[seed]:
                if case.kind == "probe" and seed != self.seeds[0]:
                    continue
                row = fit_case(cfg, case, seed)
                row.update(stage=stage, factor=factor, value=str(value), config=key)
                rows.append(row)
        new = not os.path.exists(self.path)
        with open(self.path, "a", newline="") as fh:
            writer = csv.DictWriter(fh, FIELDS)
            if new:
                writer.writeheader()
            writer.writerows(rows)
        rows = [{k: str(r.get(k, "")) for k in FIELDS} for r in rows]
        self.done[key] = rows
        s = summarize(rows)
        log(
            f"[{stage}] {factor}={value}: F1 {s['f1']:.3f} (min {s['f1_min']:.2f}) "
            f"AUC {s['auc']:.3f} probes {s['fpr']:.3f} "
            f"{time.perf_counter() - start:.0f}s"
        )
        return rows


# --------------------------------------------------------------- summaries
def _num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def summarize(rows, f1_of=None):
    """Mean/min over synthetic cases (each case first averaged over seeds)."""
    f1_of = f1_of or (lambda r: _num(r["f1"]) if not r["error"] else 0.0)
    per_case, auc, fpr, times, big = {}, {}, [], [], []
    for r in rows:
        if r["kind"] == "synthetic":
            per_case.setdefault(r["case"], []).append(f1_of(r))
            auc.setdefault(r["case"], []).append(
                _num(r["auc"]) if not r["error"] else 0.5
            )
            if r["case"].startswith("highdim"):
                big.append(_num(r["seconds"]))
        elif r["kind"] == "probe":
            fpr.append(_num(r["probe_fpr"]))
        times.append(_num(r["seconds"]))
    means = {c: float(np.mean(v)) for c, v in per_case.items()}
    return dict(
        f1=float(np.mean(list(means.values()))) if means else float("nan"),
        f1_min=min(means.values()) if means else float("nan"),
        worst=min(means, key=means.get) if means else "",
        per_case=means,
        auc=float(np.mean([np.mean(v) for v in auc.values()])) if auc else np.nan,
        fpr=float(np.mean(fpr)) if fpr else float("nan"),
        fpr_max=float(np.max(fpr)) if fpr else float("nan"),
        seconds=float(np.sum(times)) / max(1, len({r["seed"] for r in rows})),
        big=float(np.max(big)) if big else float("nan"),
    )


def score(summary):
    """What the sweep maximizes: mean synthetic F1, minus a penalty for probe
    selection above the 2% target."""
    return summary["f1"] - max(0.0, summary["fpr"] - 0.02)


# --------------------------------------------------------------- the sweep
def coordinate_stage(runner, stage, center, factors):
    results = [("center", "-", center, runner.evaluate(center, stage, "center", "-"))]
    for factor, values in factors.items():
        for value in values:
            cfg = with_change(center, factor, value)
            if cfg == center:
                continue
            rows = runner.evaluate(cfg, stage, factor, value)
            results.append((factor, value, cfg, rows))
    return [r for r in results if r[3] is not None]


def config_score(rows):
    """The better score of the configuration under today's rule and ALT_RULE
    (the defaults and the rule are chosen together)."""
    return max(score(summarize(rows)), score(rule_scores(rows, RULES[ALT_RULE])))


def best_single_changes(results):
    """Per factor, the value whose score beats the centre most (if any)."""
    base = config_score(results[0][3])
    best = {}
    for factor, value, cfg, rows in results[1:]:
        s = config_score(rows)
        if s > base + 0.005 and s > best.get(factor, (None, -1, None))[1]:
            best[factor] = (value, s, cfg)
    return base, best


def run_sweep(runner, quick):
    center0 = base_config()
    stage0 = STAGE0
    stage1 = STAGE1
    if quick:
        stage0 = {"weight_decay": [1e-3], "learning_rate": [0.5]}
        stage1 = {"budget": ["epochs:100"]}
    res0 = coordinate_stage(runner, "coord0", center0, stage0)
    _, best0 = best_single_changes(res0)
    center1 = dict(center0)
    if best0:
        factor = max(best0, key=lambda f: best0[f][1])
        center1 = best0[factor][2]
    res1 = coordinate_stage(runner, "coord1", center1, stage1)
    # learning rate x batch size grid at the new centre (budget in epochs)
    if not quick:
        for b in GRID_B:
            for lr in GRID_LR:
                cfg = dict(center1, batch_size=b, learning_rate=lr)
                if cfg != center1:
                    runner.evaluate(cfg, "grid", "lr x b", f"{lr} x {b}")
    base1, best1 = best_single_changes(res1)
    # joint: add the helpful changes greedily, best first
    ranked = sorted(best1.items(), key=lambda kv: -kv[1][1])
    current, current_score = center1, base1
    for factor, (value, _, _) in ranked[: 2 if quick else 6]:
        cfg = with_change(current, factor, value)
        rows = runner.evaluate(cfg, "joint", f"+{factor}", value)
        if rows is None:
            break
        s = config_score(rows)
        if s > current_score:
            current, current_score = cfg, s
    if not quick:
        for change in FINAL:
            cfg = dict(center0, **change)
            label = ", ".join(f"{k}={v}" for k, v in change.items())
            runner.evaluate(cfg, "final", "candidate", label)
    return current


# --------------------------------------------------------------- threshold rules
def _floats(text):
    return np.array([float(v) for v in text.split()]) if text else np.zeros(0)


def _otsu_outlier(logs, z):
    from sgdselect._support import _otsu_split

    k = _otsu_split(logs)
    while logs.size - k >= 3:
        mass = logs[k:]
        med = np.median(mass)
        spread = 1.4826 * np.median(np.abs(mass - med))
        if logs[k] <= med + z * spread:
            break
        k += 1
    return k


def make_rule(min_ratio=1.5, z=3.0, fallback="all"):
    """The auto rule with another minimum gap and another fallback when the
    gap is too small: "all" (today), "none", "top" (the Otsu group anyway)."""

    def rule(imp):
        pos = np.sort(imp[imp > 0])[::-1]
        if pos.size < 2:
            return imp > 0
        logs = np.log(pos)
        k = _otsu_outlier(logs, z)
        if logs[k - 1] - logs[k] < np.log(min_ratio):
            if fallback == "all":
                return imp > 0
            if fallback == "none":
                return np.zeros(imp.size, dtype=bool)
        return imp >= np.exp(0.5 * (logs[k - 1] + logs[k]))

    return rule


def make_mad_rule(z):
    """Keep features more than ``z`` robust SDs (1.4826 MAD) above the median
    of all log-importances (at least one feature)."""

    def rule(imp):
        logs = np.log(np.maximum(imp, 1e-300))
        med = np.median(logs)
        spread = 1.4826 * np.median(np.abs(logs - med))
        mask = logs > med + z * spread
        if not mask.any():
            mask = imp == imp.max()
        return mask

    return rule


RULES = {
    "auto (today: Otsu+outlier, gap 1.5, else all)": make_rule(1.5, 3.0, "all"),
    "Otsu+outlier, gap 1.5, else top group": make_rule(1.5, 3.0, "top"),
    "Otsu+outlier, no gap test": make_rule(1.0, 3.0, "top"),
    "Otsu+outlier, gap 1.2, else all": make_rule(1.2, 3.0, "all"),
    "Otsu+outlier, gap 2, else none": make_rule(2.0, 3.0, "none"),
    "Otsu+outlier z=5, gap 1.5, else top group": make_rule(1.5, 5.0, "top"),
    "median + 3 MAD (log)": make_mad_rule(3.0),
    "median + 5 MAD (log)": make_mad_rule(5.0),
    "mean (SelectFromModel)": lambda imp: imp >= imp.mean(),
}

FINDINGS = """\
## Summary and recommendation

*Added after this study:* where the median + 3 MAD and gap rules find
nothing (the "at least one" fallback below, which kept a single feature on
every probe case), `threshold="auto"` now trains a second network with
shadows (permuted copies of the columns, at least 100) and keeps the features
that beat every shadow. That step needs a second training run, which this
study's offline re-reading of profiles cannot evaluate; it is measured by
`benchmarks/recovery.py` (see `recovery.md`). It does not run on any
synthetic case of the suite at the recommended defaults.

*Also added after this study (every row below predates them):* the network
reads each feature's square beside it (`input_squares=True`), which lifts
the two d = 500 cases this study could not fix (their even components), and
below a clear gap the outlier rule counts only at 4 robust SDs. Both were
measured on three draws of the synthetic suite and on `recovery.md`'s run,
not by this sweep; the other defaults were not re-swept with them.

Measured on this machine (2 shared cores, one thread per fit), 12 synthetic
cases x 2 seeds and 4 probe cases x 1 seed, 50 configurations. Numbers below
are from the tables further down.

**Today's defaults fail the targets.** `SGDSupportSelector()` gets mean
support F1 0.585 (min 0.02) on the synthetic cases and selects 98.8% of the
probes. The ranking is mostly right (mean AUC 0.965); the cut is not: when
the gap between kept and dropped features is under 1.5x, `threshold="auto"`
keeps *every* feature, which is what happens on the probe cases, on the d=500
cases and on half of the others.

**Recommended defaults** (exact values; everything else unchanged):

| parameter | today | recommended |
|---|---|---|
| hidden_layer_sizes | (64,) | **(16,)** |
| weight_decay | 0.0 | **1e-3** |
| max_iter (epochs) | 600 | **300** |
| threshold="auto" | Otsu + outliers, else all | **median + 3 MAD, log** |
| importances read from | last epoch | **mean, last 20% of epochs** |
| all the others | see `_selector.py` | unchanged |

(Unchanged: batch_size 4, learning_rate 0.2, activation tanh, init_scale
0.3, max_grad_norm 1.0, label_noise 0, early_stopping False.)

The new rule, exactly: with `l = log(importances)` (all features, importance
averaged over the last 20% of epochs), keep feature j when
`l_j > median(l) + 3 * 1.4826 * median(|l - median(l)|)`; if none passes,
keep the single largest. ("median + 3 MAD (log)" in the rule table; the
threshold in importance units is `exp(median + 3 * 1.4826 * MAD)`.)

With these, on the synthetic suite: **mean F1 0.899, min 0.45
(highdim_additive)**; probe FPR **0.000** on all four probe cases (but see
the first failure below: it keeps a single feature there); ranking AUC
0.964; a fit on the largest case (highdim_classification, 1500 x 500) takes
**1.0 s** on one thread (today: 3.7 s); the whole suite 3.8 s per seed (today
16 s). The same training defaults with today's rule: mean F1 0.787, probe
FPR 0.99; today's training defaults with the new rule: F1 0.779, min 0.31,
probe FPR 0.025. Both changes are needed; the rule also needs the late
average (final importances: F1 0.875).

Why each value (coordinate tables below; F1 under today's rule unless said):

* **weight_decay 1e-3**: the single largest effect. 0 -> 1e-4, 3e-4, 1e-3,
  3e-3, 1e-2 gives F1 0.585, 0.669, 0.741, **0.802**, 0.670, 0.621. Without it
  the loss is driven near zero (classification: 4e-5), SGD noise dies (the
  paper's failure mode) and the irrelevant columns stay at their initial
  size or grow by fitting noise. (Since replaced by `weight_decay="auto"`,
  2 / n for n rows, which is this 1e-3 at the suite's 2000 rows: it does
  better with fewer rows; `benchmarks/weight_decay_size.py`.)
* **max_grad_norm 1.0**: removing clipping wrecks everything (F1 0.14, AUC
  0.60); 0.3 is no better than 1.0.
* **learning_rate 0.2, batch_size 4**: at b=4, eta 0.05/0.1/0.2/0.5 give
  0.49/0.44/0.59/0.55; b=2 helps a little (0.67) at twice the time, b=16 hurts
  (0.43): consistent with the eta/b strength of the paper; see the figure.
* **300 epochs** (budget): 150 epochs or ~10^5 steps are as good as 600 or
  better (0.652, 0.673 vs 0.585): the extra epochs only let the net overfit.
  A steps budget was not better than an epoch budget on this suite; 300 epochs
  keeps d=500 fits at about a second. `early_stopping=True` (support
  stability) changes nothing in F1 and saves ~40% of the time at today's
  settings; it could be turned on, but was not tested with the new rule.
* **width 16**: (16,) beats (64,) and (128,) (0.659 vs 0.585, 0.580) and is 3x
  faster at d=500 (~2x); (64, 64) is no better. Under the recommended rule
  width 16 beats (64,) at the same settings (0.899 vs 0.829).
  If a 16-unit net is judged too small for real data, the runner-up is
  (64,), wd 1e-3, 300 epochs, lr 0.5: F1 0.878, min 0.48, probe FPR 0.
* **activation tanh**: relu ranks well (AUC 0.973) but cuts worse (0.463).
* **init_scale 0.3**: 0.1 and 1.0 are within noise (0.576, 0.621).
* **label_noise 0**: 0.3 and 1.0 do not help here (0.574, 0.600); weight
  decay already keeps the loss from collapsing.
* **Late-checkpoint average**: free (it reads `importances_history_`); with
  the median+MAD rule it lifts F1 on most configurations (over all 50:
  0.743 -> 0.783) and it is what makes the rule work on the d=15 paper cases.
  With the Otsu rules it is neutral.

**Threshold rule.** Keeping everything when no gap is found is the main cause
of both the low F1 and the probe selection. Replacing that fallback by
"keep the Otsu top group" raises F1 (0.787 -> 0.806 on the recommended net)
but still keeps 14% of the probes (27-57% on the other nets). Only the
rules that measure the noise floor from the whole profile (median + z robust
SDs in log space) keep the probes out: mean probe FPR 1.4% over *all* 50
configurations (at most 2.5% per configuration: one probe case at 10%), 0 on
the recommended one. z = 3 was best (2.5: similar; 4 and 5: lower recall).

**Where the recommended defaults fail.**

* **The probe target is met only degenerately.** On all four probe cases the
  median + 3 MAD rule keeps exactly one feature (its "at least one" fallback;
  over all 50 configurations the median is 1 kept, at most 13 on digits).
  Half of each probe case's columns are probes, so the median sits inside the
  real columns and almost nothing clears 3 robust SDs. On digits the top 48
  columns by importance are all real and 1 is kept, so real-data recall is
  poor. The rules that keep more (Otsu top group: 12 of diabetes' 20 columns,
  24 of breast_cancer's 60, 48 of digits' 128) keep 0-30% of the probes,
  because on diabetes and breast_cancer the probes are interleaved with the
  real columns in the *ranking* (a probe ranks 4th and 3rd). So no rule on
  these profiles gets probe FPR <= 2% while keeping a useful number of real
  features: **the probe target fails** for a non-trivial selection. That
  ranking problem (small n, the network still fits noise with probes) is for
  the training side, not the rule.

* The two d=500 cases: F1 0.45 (highdim_additive) and 0.71
  (highdim_classification). On highdim_additive (n = 1000, half of its
  components even functions) the network's ranking itself is poor (AUC 0.56
  and 0.76 over the two seeds), and no setting tried fixed it (weight decay up
  to 3e-2, init 0.03, widths 8-128, lr 0.02-0.5, b up to 32, GD + weight
  decay: AUC 0.6-0.8). A random forest ranks it perfectly (AUC 1.0, F1 0.71
  with the mean threshold, seed 0; Lasso F1 0.57), so the target
  "F1 = 1 wherever a peer gets it" is unlikely to hold there, and the
  "highest mean F1" target depends on how the peers do on these two cases
  (benchmarks/recovery.py, not run here).
* paper_staircase 0.89 (y = sum x_i^i: x_1 is weak), classification 0.83,
  additive and correlated_linear 0.95: one feature missed or added on one seed.
* Selection bias: the rule and the width were picked after seeing these same
  fits (2 seeds). On fresh seeds 2 and 3 (last table) the recommended
  defaults hold up: F1 0.892 with the new rule (0.899 in the sweep), 0.808
  with today's rule, against 0.770 / 0.606 for today's defaults; the
  runner-up gets 0.868 with a better worst case (0.52 vs 0.33, on
  highdim_additive). Differences under ~0.03 in mean F1 are within seed noise.
* The probe cases need the late average *and* the weight decay: without weight
  decay the networks interpolate (breast_cancer loss 2e-3) and probes rank
  among the real columns.
* Timing note: at today's settings diabetes_probes (442 x 20) took ~5 s, 10x
  longer per step than larger cases; not investigated (gone with wd 1e-3).
"""

# ALT_RULE: the rule the sweep scored besides today's (config_score).
ALT_RULE = "Otsu+outlier, gap 1.5, else top group"
# REC_RULE, on the late-averaged profile: the rule this study recommends.
REC_RULE = "median + 3 MAD (log)"
# The recommended defaults (chosen after the sweep; see FINDINGS).
RECOMMENDED = dict(
    hidden_layer_sizes=[16],
    activation="tanh",
    batch_size=4,
    learning_rate=0.2,
    init_scale=0.3,
    max_grad_norm=1.0,
    label_noise=0.0,
    weight_decay=1e-3,
    early_stopping=False,
    budget="epochs:300",
)


def rule_scores(rows, rule, profile="imp"):
    from sgdselect.metrics import probe_false_positive_rate, support_f1

    def f1_of(r):
        if r["error"]:
            return 0.0
        imp, truth = _floats(r[profile]), _floats(r["truth"]).astype(int)
        mask = rule(imp)
        if r["kind"] == "probe":
            return probe_false_positive_rate(truth, mask)
        return support_f1(truth, mask, zero_division=0.0)

    def fpr_of(r):
        return f1_of(r)

    synth = summarize([r for r in rows if r["kind"] == "synthetic"], f1_of)
    probe = [fpr_of(r) for r in rows if r["kind"] == "probe" and not r["error"]]
    synth["fpr"] = float(np.mean(probe)) if probe else float("nan")
    synth["fpr_max"] = float(np.max(probe)) if probe else float("nan")
    return synth


# --------------------------------------------------------------- the page
def fmt_cfg_change(cfg, center):
    diff = [f"{k}={cfg[k]}" for k in cfg if cfg[k] != center.get(k)]
    return ", ".join(diff) or "(centre)"


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def group_by_config(rows):
    groups = {}
    for r in rows:
        groups.setdefault(r["config"], []).append(r)
    return groups


def stage_table(groups, stage):
    lines = []
    for rows in groups.values():
        if rows[0]["stage"] != stage:
            continue
        s = summarize(rows)
        alt = rule_scores(rows, RULES[ALT_RULE])
        mad = rule_scores(rows, RULES[REC_RULE], "imp_late")
        lines.append(
            (
                rows[0]["factor"],
                rows[0]["value"],
                f"{s['f1']:.3f}",
                f"{s['f1_min']:.2f} ({s['worst']})",
                f"{s['fpr']:.3f}",
                f"{alt['f1']:.3f}",
                f"{alt['f1_min']:.2f} ({alt['worst']})",
                f"{alt['fpr']:.3f}",
                f"{mad['f1']:.3f}",
                f"{mad['f1_min']:.2f} ({mad['worst']})",
                f"{mad['fpr']:.3f}",
                f"{s['auc']:.3f}",
                f"{s['seconds']:.1f}",
                f"{s['big']:.2f}",
            )
        )
    header = (
        "factor",
        "value",
        "mean F1",
        "min F1 (case)",
        "probe FPR",
        "mean F1 (alt)",
        "min F1 (alt)",
        "probe FPR (alt)",
        "mean F1 (rec)",
        "min F1 (rec)",
        "probe FPR (rec)",
        "mean AUC",
        "suite s/seed",
        "d=500 fit s",
    )
    return md_table(header, lines)


def figures(groups, center1):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rec_rule = RULES[REC_RULE]
    paths = []
    # F1 vs learning rate per batch size (grid stage + centre)
    fig, ax = plt.subplots(1, 3, figsize=(13, 4))
    for b in GRID_B:
        pts = []
        for lr in GRID_LR:
            rows = groups.get(config_key(dict(center1, batch_size=b, learning_rate=lr)))
            if rows:
                s = summarize(rows)
                m = rule_scores(rows, rec_rule, "imp_late")
                pts.append((lr, s["f1"], m["f1"], s["auc"]))
        if pts:
            xs, *ys = zip(*pts, strict=True)
            for a, y in zip(ax, ys, strict=True):
                a.plot(xs, y, "o-", label=f"b={b}")
    names = (
        "mean support F1, today's auto rule",
        "mean support F1, median+3MAD on late avg",
        "mean ranking AUC",
    )
    for a, name in zip(ax, names, strict=True):
        a.set_xscale("log")
        a.set_xticks(GRID_LR, [str(v) for v in GRID_LR])
        a.minorticks_off()
        a.set_xlabel("learning rate")
        a.set_title(name, fontsize=10)
        a.grid(alpha=0.3)
        a.legend()
    fig.suptitle(
        "12 synthetic cases x 2 seeds; tanh (64,), 600 epochs, clip 1.0, no weight "
        "decay",
        fontsize=10,
    )
    fig.tight_layout()
    path = os.path.join(DOCS, "defaults_lr_batch.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    paths.append(path)
    # F1 vs cost: every configuration, by the time of its slowest d=500 fit
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for rows in groups.values():
        s = summarize(rows)
        m = rule_scores(rows, rec_rule, "imp_late")
        budget = json.loads(rows[0]["config"])["budget"]
        color = {"600": "C0", "300": "C1", "150": "C2", "100": "C3"}.get(
            budget.split(":")[1], "C4"
        )
        ax.scatter(s["big"], m["f1"], color=color, s=18)
        ax.scatter(s["big"], s["f1"], color=color, s=18, marker="x")
    rows = groups.get(config_key(RECOMMENDED))
    if rows:
        m = rule_scores(rows, rec_rule, "imp_late")
        ax.annotate("recommended", (summarize(rows)["big"], m["f1"]), fontsize=8)
    for label, color in (
        ("600 epochs", "C0"),
        ("300 epochs", "C1"),
        ("150 epochs", "C2"),
        ("100 epochs", "C3"),
        ("steps budget", "C4"),
    ):
        ax.scatter([], [], color=color, label=label)
    ax.scatter([], [], color="k", marker="o", label="median+3MAD, late avg")
    ax.scatter([], [], color="k", marker="x", label="today's auto rule")
    ax.set_xscale("log")
    ax.set_xlabel("seconds of the slowest d=500 fit (one thread)")
    ax.set_ylabel("mean support F1 (12 synthetic cases x 2 seeds)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(DOCS, "defaults_budget.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    paths.append(path)
    return paths


def short(cfg):
    return ", ".join(
        f"{k}={v}" for k, v in cfg.items() if k not in ("batch_size", "learning_rate")
    )


def confirm_configs():
    center0 = base_config()
    return {
        "current defaults": center0,
        "recommended": RECOMMENDED,
        "runner-up: (64,), lr 0.5, wd 1e-3, 300 epochs": dict(
            center0, weight_decay=1e-3, learning_rate=0.5, budget="epochs:300"
        ),
    }


def run_confirm(minutes):
    """The recommended, runner-up and current defaults on seeds the sweep
    never saw (2 and 3), to measure the selection bias of the sweep."""
    runner = Runner(CONFIRM_CSV, [2, 3], False, time.monotonic() + 60 * minutes)
    for name, cfg in confirm_configs().items():
        runner.evaluate(cfg, "confirm", name, "-")


def confirm_section():
    rows = read_rows(CONFIRM_CSV)
    if not rows:
        return []
    groups = group_by_config(rows)
    lines = []
    for name, cfg in confirm_configs().items():
        got = groups.get(config_key(cfg))
        if not got:
            continue
        s = summarize(got)
        m = rule_scores(got, RULES[REC_RULE], "imp_late")
        lines.append(
            (
                name,
                f"{s['f1']:.3f}",
                f"{s['f1_min']:.2f} ({s['worst']})",
                f"{s['fpr']:.3f}",
                f"{m['f1']:.3f}",
                f"{m['f1_min']:.2f} ({m['worst']})",
                f"{m['fpr']:.3f}",
                f"{s['auc']:.3f}",
                f"{s['big']:.2f}",
            )
        )
    header = (
        "configuration",
        "F1, auto",
        "min F1, auto",
        "probe FPR, auto",
        "F1, rec rule",
        "min F1, rec rule",
        "probe FPR, rec rule",
        "AUC",
        "d=500 fit s",
    )
    return [
        "",
        "## Fresh seeds (2 and 3): the selection bias of the sweep",
        "",
        "`defaults_confirm.csv` (`--confirm`): suites and networks drawn from "
        "seeds 2 and 3, never seen by the sweep; probe cases with seed 2.",
        "",
        md_table(header, lines),
    ]


def write_page(rows, chosen, note=""):
    groups = group_by_config(rows)
    if not groups:
        return
    stages = [
        s
        for s in ("coord0", "coord1", "grid", "joint", "final")
        if any(g[0]["stage"] == s for g in groups.values())
    ]
    centers = {
        g[0]["stage"]: json.loads(k)
        for k, g in groups.items()
        if g[0]["factor"] == "center"
    }
    center1 = centers.get("coord1", base_config())
    figs = figures(groups, center1)
    parts = ["# Defaults study (issue 4)", "", note, ""]
    parts.append(
        "Generated by `benchmarks/defaults_study.py` from `defaults.csv` "
        "(one row per fit). Synthetic cases: the 12 of `benchmark_suite`, "
        "seeds 0 and 1 (data and network); probe cases: the 4 real data sets "
        "with permutation probes, seed 0. F1 = support F1 with "
        "`threshold='auto'`; min F1 = the worst case (mean over seeds); "
        "AUC = ranking AUC of the final importances; d=500 fit s = the slowest "
        "fit on a d=500 case (one thread)."
    )
    for stage in stages:
        center = centers.get(stage)
        parts += ["", f"## Stage {stage}", ""]
        if center:
            parts.append(f"Centre: `{json.dumps(center)}`")
            parts.append("")
        parts.append(stage_table(groups, stage))
    # per-case table of the chosen and the current defaults
    cur, cho = groups.get(config_key(base_config())), groups.get(config_key(chosen))
    if cur and cho:
        a, b = summarize(cur), summarize(cho)
        m = rule_scores(cho, RULES[REC_RULE], "imp_late")
        parts += ["", "## Per case: current vs recommended defaults", ""]
        parts.append(f"Recommended: `{json.dumps(chosen)}`")
        parts.append("")
        lines = [
            (
                c,
                f"{a['per_case'][c]:.2f}",
                f"{b['per_case'].get(c, float('nan')):.2f}",
                f"{m['per_case'].get(c, float('nan')):.2f}",
            )
            for c in a["per_case"]
        ]
        header = (
            "case",
            "current defaults, auto",
            "recommended, auto (today's rule)",
            "recommended, median+3MAD on late average",
        )
        parts.append(md_table(header, lines))
        fp = []
        for r in cho:
            if r["kind"] == "probe":
                late = RULES[REC_RULE](_floats(r["imp_late"]))
                probes = _floats(r["truth"]).astype(int)
                fp.append(
                    (
                        r["case"],
                        r["d"],
                        f"{_num(r['probe_fpr']):.3f} ({r['n_selected']} kept)",
                        f"{late[probes].mean():.3f} ({late.sum()} kept)",
                        r["seconds"],
                    )
                )
        header = ("probe case", "d", "FPR, auto", "FPR, rec rule", "fit s")
        parts += ["", md_table(header, fp)]
    # threshold rules on the profiles of the chosen config and every config
    parts += ["", "## The threshold rule", ""]
    lines = []
    for name, rule in RULES.items():
        for profile in ("imp", "imp_late"):
            s = rule_scores(cho or cur, rule, profile)
            allf1 = [rule_scores(g, rule, profile)["f1"] for g in groups.values()]
            lines.append(
                (
                    name,
                    "late avg" if profile == "imp_late" else "final",
                    f"{s['f1']:.3f}",
                    f"{s['f1_min']:.2f} ({s['worst']})",
                    f"{s['fpr']:.3f} (max {s['fpr_max']:.2f})",
                    f"{np.mean(allf1):.3f}",
                )
            )
    parts.append(
        md_table(
            (
                "rule",
                "profile",
                "mean F1 (chosen)",
                "min F1 (chosen)",
                "probe FPR (chosen)",
                "mean F1 over all configs",
            ),
            lines,
        )
    )
    parts += confirm_section()
    parts += [""] + [f"![{os.path.basename(p)}]({os.path.basename(p)})" for p in figs]
    with open(PAGE, "w") as fh:
        fh.write("\n".join(parts) + "\n")
    log(f"wrote {PAGE}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--minutes", type=float, default=35.0)
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--csv", default=None)
    parser.add_argument(
        "--confirm", action="store_true", help="only the fresh-seed check"
    )
    args = parser.parse_args(argv)
    global CSV, CONFIRM_CSV, DOCS, PAGE
    if args.quick:
        DOCS = os.path.join("/tmp", "defaults_quick")
        os.makedirs(DOCS, exist_ok=True)
        CSV = os.path.join(DOCS, "defaults.csv")
        CONFIRM_CSV = os.path.join(DOCS, "defaults_confirm.csv")
        PAGE = os.path.join(DOCS, "defaults.md")
    if args.csv:
        CSV = args.csv
    controller = limit_threads(1)  # noqa: F841  (kept alive)
    seeds = [0, 1]
    chosen = None
    if args.confirm:
        run_confirm(args.minutes)
        args.report_only = True
    if not args.report_only:
        deadline = time.monotonic() + 60 * args.minutes
        runner = Runner(CSV, seeds, args.quick, deadline)
        chosen = run_sweep(runner, args.quick)
    rows = read_rows(CSV)
    if chosen is None:
        groups = group_by_config(rows)
        chosen = json.loads(max(groups, key=lambda k: config_score(groups[k])))
    log("sweep's own pick (config_score):", json.dumps(chosen))
    if not args.quick:
        chosen = RECOMMENDED
    write_page(rows, chosen, FINDINGS if not args.quick else "")


if __name__ == "__main__":
    main()
