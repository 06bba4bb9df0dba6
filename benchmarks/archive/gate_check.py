"""What the first network's importances show, on both suites: the shape the
gate of ``threshold="auto"`` (:func:`sgdselect._support.auto_needs_shadows`)
reads to decide whether the cut stands alone or the shadow test settles it.

    cd benchmarks/archive
    PYTHONPATH=../.. python gate_check.py fit SUITE PART N_PARTS OUTDIR
    PYTHONPATH=../.. python gate_check.py page OUT.md OUTDIR

``fit``: for every PART-th of N_PARTS cases of SUITE (``real``:
``real_table_suite(random_state=0)``; ``synthetic``:
``benchmark_suite(random_state=0)``) and seeds 0-4,
``SGDSupportSelector(threshold=0.0, random_state=seed)``: the defaults'
first network, without the shadow test (its training does not depend on
the threshold). From its ``feature_importances_`` (the late means the gate
reads) it stores the Otsu split of the log-importances, whether it is a
clear gap (``AUTO_GAP``), the ratio across it, the number of features
standing out (``_count_standing_out``), the robust z of the weakest of them,
and the gate's decision before this study and as shipped since (see the
page). One thread per process; run the parts side by side.

``page``: the table per case and seed, and the counts of each shape.
"""

import json
import os
import sys

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

SEEDS = range(5)


def _old_gate(logs, S):
    """The gate before this study: without a clear gap, outliers all beyond
    ``AUTO_Z_BELOW_GAP`` robust SDs settled the cut too."""
    if S._count_standing_out(logs, S.AUTO_Z, S.AUTO_GAP) <= 1:
        return True
    median, spread, _, clear = S._mass(logs, S.AUTO_GAP)
    if clear:
        return False
    k = S._count_outliers(logs, median, spread, S.AUTO_Z)
    return not logs[k - 1] > median + S.AUTO_Z_BELOW_GAP * spread


def fit(suite, part, n_parts, outdir):
    import warnings

    import threadpoolctl
    import torch

    from sgdselect import SGDSupportSelector
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
        for seed in SEEDS:
            sel = SGDSupportSelector(threshold=0.0, random_state=seed)
            imp = sel.fit(case.X, case.y).feature_importances_
            logs = np.log(S._sorted_positive(imp))
            median, spread, split, clear = S._mass(logs, S.AUTO_GAP)
            k = S._count_standing_out(logs, S.AUTO_Z, S.AUTO_GAP)
            rec = dict(
                suite=suite,
                case=case.name,
                seed=seed,
                d=int(imp.size),
                split=int(split),
                clear=bool(clear),
                ratio=float(np.exp(logs[split - 1] - logs[split])),
                k=int(k),
                z_weakest=float((logs[max(k, 1) - 1] - median) / spread),
                old_gate=bool(_old_gate(logs, S)),
                gate=bool(S.auto_needs_shadows(imp)),
            )
            print(rec, flush=True)
            out.append(rec)
    with open(os.path.join(outdir, f"gate_{suite}_{part}.json"), "w") as f:
        json.dump(out, f)


def page(out_md, outdir):
    import glob

    recs = []
    for path in sorted(glob.glob(os.path.join(outdir, "gate_*.json"))):
        with open(path) as f:
            recs += json.load(f)
    lines = [
        "# What the first network shows: the gate of the shadow test",
        "",
        "Written by `benchmarks/archive/gate_check.py` (see its docstring and "
        "`benchmarks/archive/README.md`): per case and seed, the defaults' "
        "first network (`SGDSupportSelector(threshold=0.0, random_state=seed)`,"
        ' the network `threshold="auto"` reads before it decides whether to '
        "train the shadow test), on the 16 tables of "
        "`real_table_suite(random_state=0)` and the 18 cases of "
        "`benchmark_suite(random_state=0)`, seeds 0-4. *split*: the size of "
        "the top group of the Otsu split of the log-importances; *clear*: the "
        "split is a clear gap (top group at most half the features, at least "
        "`AUTO_GAP` = 1.5 times the strongest below); *ratio*: across the "
        "split; *k*: features standing out (`_count_standing_out`); *z*: robust"
        " z of the weakest of them (of the top feature when none does); "
        "*before*: the gate before this study (outliers without a clear gap, all "
        "beyond 4 robust SDs, settled the cut alone); *now*: the gate as "
        "shipped (only a clear gap does). *test* = the shadow test runs, "
        "*cut* = the cut stands alone.",
        "",
    ]
    for suite in ("real", "synthetic"):
        rows = [r for r in recs if r["suite"] == suite]
        if not rows:
            continue
        shapes = {}
        for r in rows:
            key = (
                "clear gap" if r["clear"] else "no clear gap",
                "test" if r["old_gate"] else "cut",
                "test" if r["gate"] else "cut",
            )
            shapes[key] = shapes.get(key, 0) + 1
        lines += [f"## {suite.capitalize()} suite", ""]
        lines += ["| shape | before | now | fits |", "|---|---|---|---|"]
        for (shape, before, now), n in sorted(shapes.items()):
            lines.append(f"| {shape} | {before} | {now} | {n} |")
        lines += [
            "",
            "| case | seed | d | split | clear | ratio | k | z | before | now |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in sorted(rows, key=lambda r: (r["case"], r["seed"])):
            lines.append(
                f"| {r['case']} | {r['seed']} | {r['d']} | {r['split']} | "
                f"{'yes' if r['clear'] else 'no'} | {r['ratio']:.2f} | {r['k']} | "
                f"{r['z_weakest']:.1f} | {'test' if r['old_gate'] else 'cut'} | "
                f"{'test' if r['gate'] else 'cut'} |"
            )
        lines.append("")
    lines += DECISION
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")


DECISION = [
    "## Decision",
    "",
    "Only a clear gap lets the cut stand alone, since this study. Before, outliers"
    " of a graded mass (no clear gap) all beyond 4 robust SDs did too. On"
    " the synthetic suite no fit had that shape: every cut that stood alone"
    " was a clear gap, so no synthetic selection of SGDSupportSelector moves"
    " (GDSupportSelector's first networks are not measured here:"
    " `docs/benchmarks/recovery.md` gives its figures after the change). On"
    " the real tables"
    " one fit had it, mlc_churn at seed 2, its weakest outlier at z = 4.0,"
    " on the bar, where the other four seeds' were at 3.2-4.2 or only one"
    " column stood out: that seed kept the 3 columns of the cut, the other"
    " four the 14-15 of the shadow test (`docs/benchmarks/real_tables.md`"
    " on 77c55da: mlc_churn's Jaccard over seeds 0.66, downstream 0.946"
    " against 0.961). A graded mass is what real tables give (a clear gap"
    " with more than one column above it showed only on credit), and the"
    " shadow test is the rule made for it; a bar on z only moves where the"
    " seeds split.",
    "",
    "Left as it is: credit's clear gap (ratio 3.3-3.8, 3 columns, every"
    " seed) stands alone, where Boruta keeps 6 columns and scores 0.926"
    " against our 0.848. Synthetic clear gaps span ratios of 1.6-13, so no"
    " bar on the ratio separates credit from them.",
]


if __name__ == "__main__":
    if sys.argv[1] == "fit":
        fit(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        page(sys.argv[2], sys.argv[3])
