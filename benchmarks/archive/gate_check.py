"""What the first network's importances show, on both suites: the shape the
gate of ``threshold="auto"`` (:func:`sgdselect._support.auto_needs_shadows`)
reads to decide whether the cut stands alone or the shadow test settles it.

    cd benchmarks/archive
    PYTHONPATH=../.. python gate_check.py fit SUITE PART N_PARTS OUTDIR [gd]
    PYTHONPATH=../.. python gate_check.py page OUT.md OUTDIR

``fit``: for every PART-th of N_PARTS cases of SUITE (``real``:
``real_table_suite(random_state=0)``; ``synthetic``:
``benchmark_suite(random_state=0)``) and seeds 0-4,
``SGDSupportSelector(threshold=0.0, random_state=seed)``: the defaults'
first network, without the shadow test (its training does not depend on
the threshold); with ``gd``, ``GDSupportSelector``'s, seed 0 only (the
seed of ``docs/benchmarks/recovery.md``). From its ``feature_importances_``
(the late means the gate reads) it stores the Otsu split of the
log-importances, whether it is a
clear gap (``AUTO_GAP``), the ratio across it, the number of features
standing out (``_count_standing_out``), the robust z of the weakest of them,
and the package's gate decision. One thread per process; run the parts
side by side.

``page``: the table per case and seed, and the counts of each shape.
"""

import json
import os
import sys

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

SEEDS = range(5)


# The bar the weakest outlier must pass, without a clear gap, for the cut to
# stand alone: before this study (AUTO_Z_BELOW_GAP), as shipped since
# (AUTO_Z_ALONE), and with no bar (only a clear gap stands alone).
BARS = {"4 (before)": 4.0, "6 (now)": 6.0, "none": np.inf}


def _tests(rec, bar):
    """Whether the gate sends the fit to the shadow test at this bar."""
    if rec["k"] <= 1:
        return True
    if rec["clear"]:
        return False
    return not rec["z_weakest"] >= bar if np.isfinite(bar) else True


def fit(suite, part, n_parts, outdir, method="sgd"):
    import warnings

    import threadpoolctl
    import torch

    from sgdselect import GDSupportSelector, SGDSupportSelector
    from sgdselect import _support as S
    from sgdselect.datasets import benchmark_suite, real_table_suite

    torch.set_num_threads(1)
    threadpoolctl.threadpool_limits(1)
    warnings.simplefilter("ignore")
    cases = (real_table_suite if suite == "real" else benchmark_suite)(random_state=0)
    os.makedirs(outdir, exist_ok=True)
    out = []
    for i, case in enumerate(cases):
        if i % n_parts != part:
            continue
        for seed in SEEDS if method == "sgd" else [0]:
            cls = SGDSupportSelector if method == "sgd" else GDSupportSelector
            sel = cls(threshold=0.0, random_state=seed)
            imp = sel.fit(case.X, case.y).feature_importances_
            logs = np.log(S._sorted_positive(imp))
            median, spread, split, clear = S._mass(logs, S.AUTO_GAP)
            k = S._count_standing_out(logs, S.AUTO_Z, S.AUTO_GAP)
            rec = dict(
                method=method,
                suite=suite,
                case=case.name,
                seed=seed,
                d=int(imp.size),
                split=int(split),
                clear=bool(clear),
                ratio=float(np.exp(logs[split - 1] - logs[split])),
                k=int(k),
                z_weakest=float((logs[max(k, 1) - 1] - median) / spread),
                gate=bool(S.auto_needs_shadows(imp)),
            )
            print(rec, flush=True)
            out.append(rec)
    name = f"gate_{method}_{suite}_{part}.json"
    with open(os.path.join(outdir, name), "w") as f:
        json.dump(out, f)


def page(out_md, outdir):
    import glob

    recs = []
    for path in sorted(glob.glob(os.path.join(outdir, "gate_*.json"))):
        with open(path) as f:
            recs += json.load(f)
    bars = list(BARS)
    lines = [
        "# What the first network shows: the gate of the shadow test",
        "",
        "Written by `benchmarks/archive/gate_check.py` (see its docstring and "
        "`benchmarks/archive/README.md`): per case and seed, the defaults' "
        "first network (`SGDSupportSelector(threshold=0.0, random_state=seed)`,"
        ' the network `threshold="auto"` reads before it decides whether to '
        "train the shadow test), on the 16 tables of "
        "`real_table_suite(random_state=0)` and the 18 cases of "
        "`benchmark_suite(random_state=0)`, seeds 0-4; and "
        "`GDSupportSelector`'s on the synthetic suite, seed 0. *split*: the "
        "size of the top group of the Otsu split of the log-importances; "
        "*clear*: the split is a clear gap (top group at most half the "
        "features, at least `AUTO_GAP` = 1.5 times the strongest below); "
        "*ratio*: across the split; *k*: features standing out "
        "(`_count_standing_out`); *z*: robust z of the weakest of them (of "
        "the top feature when none does). The gate sends a fit to the shadow "
        "test (*test*) when k <= 1, or when there is no clear gap and z is "
        "under a bar; otherwise the cut stands alone (*cut*). The last "
        "columns give the decision at each bar: 4 (before this study), 6 "
        "(`AUTO_Z_ALONE`, shipped since), none (only a clear gap stands "
        "alone). *package*: the decision of the package the fits ran on.",
        "",
    ]
    groups = [("sgd", "real"), ("sgd", "synthetic"), ("gd", "synthetic")]
    for method, suite in groups:
        rows = [
            r for r in recs if r.get("method", "sgd") == method and r["suite"] == suite
        ]
        if not rows:
            continue
        name = "SGDSupportSelector" if method == "sgd" else "GDSupportSelector"
        lines += [f"## {name}, {suite} suite", ""]
        shapes = {}
        for r in rows:
            key = ("clear gap" if r["clear"] else "no clear gap",) + tuple(
                "test" if _tests(r, BARS[b]) else "cut" for b in bars
            )
            shapes[key] = shapes.get(key, 0) + 1
        head = "| shape | " + " | ".join(f"bar {b}" for b in bars) + " | fits |"
        lines += [head, "|---" * (len(bars) + 2) + "|"]
        for key, n in sorted(shapes.items()):
            lines.append("| " + " | ".join(key) + f" | {n} |")
        lines += [
            "",
            "| case | seed | d | split | clear | ratio | k | z | "
            + " | ".join(f"bar {b}" for b in bars)
            + " | package |",
            "|---" * (9 + len(bars)) + "|",
        ]
        for r in sorted(rows, key=lambda r: (r["case"], r["seed"])):
            decisions = " | ".join(
                "test" if _tests(r, BARS[b]) else "cut" for b in bars
            )
            lines.append(
                f"| {r['case']} | {r['seed']} | {r['d']} | {r['split']} | "
                f"{'yes' if r['clear'] else 'no'} | {r['ratio']:.2f} | {r['k']} | "
                f"{r['z_weakest']:.1f} | {decisions} | "
                f"{'test' if r['gate'] else 'cut'} |"
            )
        lines.append("")
    lines += DECISION
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")


DECISION = [
    "## Decision",
    "",
    "Without a clear gap, outliers settle the cut alone only at 6 robust SDs"
    " (`AUTO_Z_ALONE`; before, at the 4 of `AUTO_Z_BELOW_GAP`). On the real"
    " tables one fit changes: mlc_churn at seed 2, its weakest outlier at"
    " z = 4.0 on the old bar, where the other four seeds' were at 3.2-4.2 or"
    " only one column stood out. That seed kept the 3 columns of the cut, the"
    " other four the 14-15 of the shadow test (`docs/benchmarks/real_tables.md`"
    " on 77c55da: mlc_churn's Jaccard over seeds 0.66, downstream 0.946"
    " against 0.961; on e6dd9af, with the test: 0.96 and 0.961). No real fit"
    " without a clear gap came near 6, so the bar sits between the graded"
    " masses of real tables and the far outliers below.",
    "",
    "No bar at all (only a clear gap stands alone, e6dd9af) decides every"
    " SGDSupportSelector fit here as the bar of 6 does, but not"
    " GDSupportSelector's first network on highdim_classification: four"
    " features 7.7-8.1 robust SDs over its tight mass (the fifth at 2.6), no"
    " clear gap by the Otsu split (the mass's own shape dominates it). Sent to"
    " the test, GD kept the same 4 features in 122 s instead of 6.6 s"
    " (`docs/benchmarks/recovery.md` run on e6dd9af, not kept). The bar of 6"
    " keeps that cut.",
    "",
    "Left as it is: credit's clear gap (ratio 3.3-3.8, 3 columns, every"
    " seed) stands alone, where Boruta keeps 6 columns and scores 0.926"
    " against our 0.848. Synthetic clear gaps span ratios of 1.6-13, so no"
    " bar on the ratio separates credit from them.",
]


if __name__ == "__main__":
    if sys.argv[1] == "fit":
        method = sys.argv[6] if len(sys.argv) > 6 else "sgd"
        fit(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], method)
    else:
        page(sys.argv[2], sys.argv[3])
