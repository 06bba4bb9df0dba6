"""The two cases ``benchmarks/recovery.py`` discusses at length, measured.

    PYTHONPATH=. python benchmarks/recovery_misses.py     # ~2 min

``docs/benchmarks/recovery.md`` explains two results of the default
``SGDSupportSelector`` with numbers that its own tables do not hold. This
script measures them, on the same cases and standardization, one thread:

* **diabetes_probes** (442 rows, 10 real columns, 10 permutation probes): the
  downstream score of each method's selection, on the page's single 5-fold
  split and over 20 repeats of 5-fold CV, with gradient boosting (the page's
  model) and with ridge regression; and the boosting score of every cut of
  SGD's ranking (its top k columns), with the probes marked; and, for the
  default fit at network seeds 0 to 4, where each column's importance lies
  among the shadows'.
* **highdim_additive** (1000 x 500, 5 relevant): for data and network seeds
  0, 1 and 2, with ``weight_decay="auto"`` (2 / n) and the former fixed 1e-3,
  how many robust SDs above the median log-importance the weakest relevant
  column (x0, ``sin(2x)``) and the strongest noise column stand, the F1 of
  ``threshold="auto"`` and whether the shadow step ran.

It writes ``docs/benchmarks/recovery_misses.md``.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import command_line, limit_threads, machine_lines, table, write_page  # noqa: E402
from recovery import METHODS, SEED, standardized  # noqa: E402

OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "docs",
    "benchmarks",
    "recovery_misses.md",
)
DIABETES_METHODS = ("SGD", "GD", "SGD-CV", "L1", "RF", "MI", "MLP-sgd")
REPEATS = 20
HIGHDIM_SEEDS = (0, 1, 2)
QUANTILE_SEEDS = (0, 1, 2, 3, 4)
# Hand-written from the recorded run; rerunning does not rewrite it.
FINDINGS = [
    "## What the recorded run shows",
    "",
    "Written by hand from the run recorded on this page.",
    "",
    "- **diabetes: the miss is in the downstream model as much as in the "
    "selection.** SGD keeps five real columns and no probe; gradient "
    "boosting on 442 rows scores them below bmi and s5 alone (0.326 against "
    "0.356 over 20 repeats; one 5-fold mean moves by about 0.02 between "
    "repeats). The selections that score best with boosting keep probes "
    "(MLP-sgd 0.387 with 3, L1 0.369 with 2) or a different four (MI "
    "0.372). No cut of SGD's ranking that keeps no probe reaches the best "
    "peer's 0.378 on the page's split (0.26 to 0.356 for its top 1 to 6, all "
    "real); its 7th and 8th columns are probes. With ridge regression, "
    "which fits this nearly linear target better than boosting (0.482 "
    "against 0.381 on the ten real columns), SGD's five score 0.473, second "
    "to L1's nine (0.486, two of them probes) and ahead of every other "
    "selection.",
    "- **diabetes: no cut of SGD's importances keeps `sex` without a probe.** "
    "`sex` is in both of the best peers' sets (MLP-sgd, L1); among the "
    "shadows it lies at the 0.71 to 0.78 quantile on the four seeds that "
    "trained them, and on each of them a probe lies higher (0.83, 0.90, 0.90 "
    "and 0.88). The other columns they add (s1, s2, s6) lie at 0.59 to 0.97 "
    "and pass every probe on some seeds only. What the shadow rule keeps is "
    "what beats every shadow: bmi, bp and s5 on each of the four, s3 and s4 "
    "on seed 0, age on seed 4.",
    "- **diabetes, seed 1: one column, and no shadow step.** The first "
    "network's s5 stood out enough for the outlier and gap rules to cut on "
    "their own, so no shadows were trained and only s5 is kept. On a graded "
    "real mass a lone strong column is not evidence that the rest are "
    "noise; the rule has no guard for it.",
    "- **highdim_additive: the weight decay moved x0 over the cut.** With "
    "2 / n (2e-3 at n = 1000) x0 stands 4.6 to 6.1 robust SDs out and the "
    "strongest noise column 2.7 to 3.2, and all five are kept on the three "
    "seeds; with the former 1e-3, x0 is at 3.9 and 4.0 on seeds 0 and 2, "
    "under the 4 SDs the rule asks below a clear gap (four kept, F1 0.89). "
    "On seed 1 at 1e-3 the strongest noise column lies 3.4 SDs out but not "
    "1.5 times the median (the outlier floor), so the rule keeps the five on "
    "its own (F1 1.00); before the floor it sent this fit to the shadow "
    "step, which kept the same five.",
    "",
]


def _case(name, seed):
    from sgdselect.datasets import benchmark_suite

    return next(c for c in benchmark_suite(random_state=seed) if c.name == name)


def _scores(X, y, cols, model, cv):
    from sklearn.model_selection import cross_val_score

    return cross_val_score(model, X[:, cols], y, cv=cv)


def diabetes(repeats):
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import KFold, RepeatedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    case = _case("diabetes_probes", SEED)
    X, y, probe = standardized(case), case.y, case.probe_mask
    # The page's downstream scores are on the raw columns (trees and the
    # scaler in the ridge pipeline do not mind).
    raw = case.X
    hgb = HistGradientBoostingRegressor(random_state=SEED)
    ridge = make_pipeline(StandardScaler(), RidgeCV())
    once = KFold(5, shuffle=True, random_state=SEED)
    many = RepeatedKFold(n_splits=5, n_repeats=repeats, random_state=SEED)
    rows = []
    sgd_importances = None
    sets = {"all real columns": np.flatnonzero(~probe)}
    for name in DIABETES_METHODS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kept, importances, _ = METHODS[name][0](X, y, "regression")
        sets[name] = np.flatnonzero(kept)
        if name == "SGD":
            sgd_importances = np.asarray(importances)
    for name, cols in sets.items():
        boost = _scores(raw, y, cols, hgb, many).reshape(repeats, 5).mean(axis=1)
        rows.append(
            dict(
                method=name,
                columns=[int(c) for c in cols],
                probes=int(probe[cols].sum()),
                boosting_once=float(_scores(raw, y, cols, hgb, once).mean()),
                boosting=float(boost.mean()),
                boosting_sd=float(boost.std()),
                ridge=float(_scores(raw, y, cols, ridge, many).mean()),
            )
        )
    order = np.argsort(-sgd_importances, kind="mergesort")
    cuts = [
        dict(
            k=k,
            column=int(order[k - 1]),
            probe=bool(probe[order[k - 1]]),
            boosting_once=float(_scores(raw, y, order[:k], hgb, once).mean()),
        )
        for k in range(1, 11)
    ]
    return rows, cuts


def shadow_quantiles():
    """For the default fit on diabetes at network seeds ``QUANTILE_SEEDS``
    (the page's data): where each column's importance lies among the
    shadows' (the fraction of shadows below it), and whether it was kept."""
    from sgdselect import SGDSupportSelector

    case = _case("diabetes_probes", SEED)
    X = standardized(case)
    rows = []
    for seed in QUANTILE_SEEDS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            selector = SGDSupportSelector(task="regression", random_state=seed)
            selector.fit(X, case.y)
        shadows = selector.shadow_importances_
        rows.append(
            dict(
                seed=seed,
                quantiles=None
                if shadows is None
                else [
                    float(np.mean(shadows < v)) for v in selector.feature_importances_
                ],
                kept=[bool(k) for k in selector.get_support()],
            )
        )
    return rows


def highdim():
    from sgdselect import SGDSupportSelector
    from sgdselect.metrics import support_f1

    rows = []
    for seed in HIGHDIM_SEEDS:
        case = _case("highdim_additive", seed)
        X, support = standardized(case), case.support
        for decay in ("auto", 1e-3):
            selector = SGDSupportSelector(
                weight_decay=decay, task="regression", random_state=seed
            ).fit(X, case.y)
            # The z-scores of the network the cut was made on: the first one
            # unless the shadow step trained another.
            logs = np.log(selector.feature_importances_)
            median = np.median(logs)
            z = (logs - median) / (1.4826 * np.median(np.abs(logs - median)))
            rows.append(
                dict(
                    seed=seed,
                    weight_decay=str(decay),
                    x0=float(z[0]),
                    weakest=float(z[support].min()),
                    noise=float(z[~support].max()),
                    f1=float(support_f1(support, selector.get_support())),
                    kept=int(selector.get_support().sum()),
                    shadows=selector.shadow_importances_ is not None,
                )
            )
    return rows


def report(diab, cuts, quantiles, hd, wall, repeats):
    names = {0: "age", 1: "sex", 2: "bmi", 3: "bp", 4: "s1", 5: "s2", 6: "s3"}
    names.update({7: "s4", 8: "s5", 9: "s6"})

    def label(c):
        return names.get(c, f"probe {c - 10}")

    lines = [
        "# Two cases of the recovery benchmark, measured closer",
        "",
        f"Generated by `benchmarks/recovery_misses.py`; the whole run took "
        f"{wall / 60:.1f} minutes.",
        "",
        *machine_lines(command_line()),
        "",
        "Same cases, standardization and seeds as "
        "[recovery.md](recovery.md) (`benchmark_suite(random_state=0)`, "
        "estimators at `random_state=0`), one thread.",
        "",
        "## diabetes_probes: the downstream score of each selection",
        "",
        "Boosting: `HistGradientBoostingRegressor(random_state=0)`, the "
        "downstream model of recovery.md, on the page's 5-fold split (once) and "
        f"as the mean over {repeats} repeats of shuffled 5-fold CV (with the "
        "standard deviation of one 5-fold mean across the repeats). Ridge: "
        "`StandardScaler` + `RidgeCV`, same repeats. R^2.",
        "",
        *table(
            [
                "selection",
                "columns",
                "probes",
                "boosting, once",
                f"boosting, {repeats} x 5-fold",
                f"ridge, {repeats} x 5-fold",
            ],
            [
                [
                    r["method"],
                    ", ".join(label(c) for c in r["columns"]),
                    r["probes"],
                    f"{r['boosting_once']:.3f}",
                    f"{r['boosting']:.3f} ± {r['boosting_sd']:.3f}",
                    f"{r['ridge']:.3f}",
                ]
                for r in diab
            ],
        ),
        "",
        "Every cut of SGD's ranking: its top k columns, boosting on the page's split.",
        "",
        *table(
            ["k", "k-th column", "boosting, once"],
            [
                [
                    c["k"],
                    label(c["column"]) + (" (probe)" if c["probe"] else ""),
                    f"{c['boosting_once']:.3f}",
                ]
                for c in cuts
            ],
        ),
        "",
        *_quantile_section(quantiles, label),
        "## highdim_additive: how far x0 stands out",
        "",
        "Robust z-scores of the log-importances (median, 1.4826 MAD) of the "
        "network the cut was made on: x0 (`sin(2x)`, the weakest relevant "
        "column), the weakest relevant column, the strongest of the 495 noise "
        'columns; F1 and columns kept by `threshold="auto"`; whether the '
        "shadow step ran (then the z-scores are the second network's).",
        "",
        *table(
            [
                "seed",
                "weight_decay",
                "x0",
                "weakest relevant",
                "strongest noise",
                "F1",
                "kept",
                "shadow step",
            ],
            [
                [
                    r["seed"],
                    r["weight_decay"],
                    f"{r['x0']:.1f}",
                    f"{r['weakest']:.1f}",
                    f"{r['noise']:.1f}",
                    f"{r['f1']:.2f}",
                    r["kept"],
                    "yes" if r["shadows"] else "no",
                ]
                for r in hd
            ],
        ),
        "",
        *FINDINGS,
    ]
    return "\n".join(lines) + "\n"


def _quantile_section(rows, label):
    if not rows:
        return []
    n = len(rows[0]["kept"])
    header = ["column", *(f"seed {r['seed']}" for r in rows)]

    def cell(r, j):
        kept = "kept" if r["kept"][j] else ""
        if r["quantiles"] is None:
            return kept or "-"
        return f"{r['quantiles'][j]:.2f} {kept}".strip()

    return [
        "## diabetes_probes: where each column stands among the shadows",
        "",
        "`SGDSupportSelector()` on the page's diabetes case at network seeds "
        f"{', '.join(str(r['seed']) for r in rows)} (seed 0 is recovery.md's "
        "fit): the fraction of the shadows (permuted copies of the columns "
        "trained beside them) whose importance is below the column's, and "
        '"kept" where `threshold="auto"` kept it (it keeps what beats every '
        "shadow: 1.00). A seed whose first network the outlier and gap rules "
        "cut on their own trains no shadows: its column shows only what it "
        "kept.",
        "",
        *table(header, [[label(j), *(cell(r, j) for r in rows)] for j in range(n)]),
        "",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=OUT, help="Markdown file to write")
    parser.add_argument(
        "--quick", action="store_true", help="2 repeats, no high-d case"
    )
    args = parser.parse_args()
    controller = limit_threads(1)  # noqa: F841  (kept alive)
    start = time.perf_counter()
    repeats = 2 if args.quick else REPEATS
    diab, cuts = diabetes(repeats)
    quantiles = shadow_quantiles()
    hd = [] if args.quick else highdim()
    wall = time.perf_counter() - start
    write_page(report(diab, cuts, quantiles, hd, wall, repeats), args.out, wall)


if __name__ == "__main__":
    main()
