"""threshold="auto" with and without a floor on what counts as an outlier.

    PYTHONPATH=. nice -n 5 python benchmarks/floor_check.py          # ~8 min
    PYTHONPATH=. python benchmarks/floor_check.py --quick            # ~30 s

The outlier rule of ``threshold="auto"`` keeps the features that lie more
than 3 robust SDs above the median log-importance (4 below a clear gap). That
measures how far a feature stands from the mass in units of the mass's own
spread, and a mass that training has barely spread is tight: in a network
that has moved little from its initialization (a small step, few epochs), a
column 1.3 times the median importance can lie 5 robust SDs out. Such a fit
kept that one column and trained no shadows (diabetes with permutation
probes at ``learning_rate=0.05``: one column, its importance 1.47 times the
median). The floor (``sgdselect._support.AUTO_FLOOR``) also asks an outlier
to be at least 1.5 times the median importance; when nothing passes both,
the shadow step settles the cut.

This script fits ``SGDSupportSelector`` without the floor (the rule before)
and with it (shipped), at the defaults, at ``batch_size=8,
learning_rate=0.4`` and at ``learning_rate=0.05`` (a weakly trained
network), on the cases of ``benchmarks/weight_decay_size.py`` (the suite and
Friedman #1 at n = 500 / 800), seeds 0 to 4, one thread per fit (one worker
process per core), and lists every fit whose selection the floor changed. It
writes ``docs/benchmarks/outlier_floor.md``.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    page_head,
    pool_map,
    rows_page_main,
    table,
)
from shadow_rule_check import (  # noqa: E402
    SUMMARY_HEADER,
    SUMMARY_LEGEND,
    changed_rows,
    summary_rows,
)
from weight_decay_size import measure  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
SETTINGS = {
    "defaults": {},
    "b = 8, learning_rate 0.4": dict(batch_size=8, learning_rate=0.4),
    "learning_rate 0.05": dict(learning_rate=0.05),
}
# Rule name -> the floor, in times the median importance (1: none).
RULES = {"no floor (before)": 1.0, "1.5 x median (shipped)": 1.5}
OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "docs",
    "benchmarks",
    "outlier_floor.md",
)
# Hand-written from the recorded run; rerunning does not rewrite it.
FINDINGS = [
    "## What the recorded run shows",
    "",
    "Written by hand from the run recorded on this page.",
    "",
    "- **The example is fixed.** Without the floor, the weakly trained "
    "network's largest column, `age` at 1.47 times the median and 4.5 robust "
    "SDs, was kept alone and no shadows were trained; with it, nothing counts "
    "as an outlier, the shadow step runs and keeps bmi, bp and s5, no probe.",
    "- **Over the suite it changed 3 of 270 fits, each for the better**, and "
    "no probe count: at the defaults `highdim_additive`, seed 4 (F1 0.91 to "
    "1.00: the outlier under the floor had sent the fit to the shadow step, "
    "which kept a noise column; without it the strong outliers decide, five "
    "kept); at b = 8 / learning rate 0.4 `highdim_additive`, seed 0 (0.91 "
    "to 1.00) and `correlated_additive`, seed 2 (0.83 to 0.91), where a "
    "noise column the outlier rule had kept lay under 1.5 times the median. "
    "Synthetic F1 0.972 to 0.974 at the defaults, 0.973 to 0.976 at b = 8.",
    "- **At learning rate 0.05 it changed nothing on the suite**: the tight "
    "mass of the example is not common at 300 epochs, and there the floor "
    "only sends a fit to the shadow step it would otherwise have skipped.",
    "- It costs nothing measurable: one more comparison per decision, and "
    "one shadow step fewer at the defaults (20 of 90 against 21).",
    "",
]


def _seed_rows(seed, rule, quick):
    """Every fit of one seed under one rule (in a worker process)."""
    from sgdselect import _support

    _support.AUTO_FLOOR = RULES[rule]
    configs = {
        f"{setting} | {rule}": (lambda n, p=params: p)
        for setting, params in SETTINGS.items()
    }
    return measure(quick, (seed,), configs)


def _example_rows(rule, quick):
    """The fit that showed the problem: diabetes with permutation probes
    (``benchmark_suite(random_state=0)``) at ``learning_rate=0.05``,
    ``random_state=1``; and where its network's largest importance lies."""
    import warnings

    from sklearn.preprocessing import StandardScaler

    from sgdselect import SGDSupportSelector, _support
    from sgdselect.datasets import benchmark_suite

    _support.AUTO_FLOOR = RULES[rule]
    case = {c.name: c for c in benchmark_suite(random_state=0)}["diabetes_probes"]
    X = StandardScaler().fit_transform(case.X)
    params = dict(
        learning_rate=0.05,
        random_state=1,
        task="regression",
        max_iter=50 if quick else 300,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        network = SGDSupportSelector(threshold=0.0, **params).fit(X, case.y)
        selector = SGDSupportSelector(**params).fit(X, case.y)
    logs = np.log(network.feature_importances_)
    median = np.median(logs)
    spread = 1.4826 * np.median(np.abs(logs - median))
    kept = selector.get_support()
    return [
        dict(
            case="diabetes_probes",
            kind="example",
            config=f"example | {rule}",
            top=int(np.argmax(logs)),
            top_ratio=float(np.exp(logs.max() - median)),
            top_z=float((logs.max() - median) / spread),
            kept=[int(j) for j in np.flatnonzero(kept)],
            probes=int((kept & case.probe_mask).sum()),
            shadows=selector.shadow_importances_ is not None,
        )
    ]


def run(quick):
    seeds = SEEDS[:1] if quick else SEEDS
    jobs = [(seed, rule, quick) for seed in seeds for rule in RULES]
    rows = pool_map(_seed_rows, jobs) + pool_map(
        _example_rows, [(rule, quick) for rule in RULES]
    )
    return [row for part in rows for row in part]


def _example_section(rows):
    from sklearn.datasets import load_diabetes

    names = list(load_diabetes().feature_names)

    def name(j):
        return names[j] if j < len(names) else f"probe {j - len(names)}"

    examples = [r for r in rows if r["kind"] == "example"]
    if not examples:
        return []
    first = examples[0]
    return [
        "## The fit that showed the problem",
        "",
        "Diabetes with permutation probes (`benchmark_suite(random_state=0)`), "
        "`SGDSupportSelector(learning_rate=0.05, random_state=1)`: a weakly "
        f"trained network whose largest importance, `{name(first['top'])}`'s, "
        f"is {first['top_ratio']:.2f} times the median and lies "
        f"{first['top_z']:.1f} robust SDs above it (from a fit with "
        "`threshold=0.0`, the same network).",
        "",
        *table(
            ["rule", "columns kept", "probes kept", "shadow step"],
            [
                [
                    r["config"].split(" | ")[1],
                    ", ".join(name(j) for j in r["kept"]),
                    r["probes"],
                    "yes" if r["shadows"] else "no",
                ]
                for r in examples
            ],
        ),
        "",
    ]


def report(rows, wall, quick, machine=None):
    rules = list(RULES)
    seeds = "seed 0" if quick else "seeds 0 to 4"
    changed = changed_rows(rows, SETTINGS, *rules)
    lines = [
        *page_head(
            'threshold="auto": a floor on what counts as an outlier',
            "floor_check.py",
            quick,
            wall,
            machine,
        ),
        "`SGDSupportSelector` with the outlier rule alone (before) and with "
        "the floor (an outlier must also be more than 1.5 times the median "
        "importance; shipped), at the defaults, at `batch_size=8, "
        "learning_rate=0.4` and at `learning_rate=0.05`. Cases of "
        "`benchmark_suite` and Friedman #1 with 20 noise columns cut to 500 and "
        f"800 rows, {seeds} (data and network), one thread per fit, X "
        "standardized and `task` given.",
        "",
        "## Summary",
        "",
        SUMMARY_LEGEND + " Time: the fits' sum (two fits ran at a time, one per core).",
        "",
        *table(SUMMARY_HEADER, summary_rows(rows, SETTINGS, rules)),
        "",
        *_example_section(rows),
        "## Fits the floor changed",
        "",
        *(
            table(["setting", "case", "seed", "no floor", "floor"], changed)
            if changed
            else ["None."]
        ),
        "",
        *FINDINGS,
    ]
    return "\n".join(lines) + "\n"


def main():
    rows_page_main(__doc__, OUT, "outlier-floor", run, report)


if __name__ == "__main__":
    main()
