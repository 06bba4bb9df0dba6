"""When ``threshold="auto"`` trains beside shadows: the old rule against the new.

    PYTHONPATH=. python benchmarks/shadow_rule_check.py            # ~5 min
    PYTHONPATH=. python benchmarks/shadow_rule_check.py --quick    # ~30 s

``threshold="auto"`` cuts the log-importances with an outlier rule and a gap
rule, and trains a second network beside shadows (permuted copies of the
columns) when they leave the cut unsettled. The old rule ran the shadow step
only when *nothing* stood out. The new one
(:func:`sgdselect._support.auto_needs_shadows`) also runs it when there is no
clear gap and the weakest feature standing out lies under 4 robust SDs above
the median: a graded mass with a column or two at its edge, which is what
real data looks like, where the outlier rule alone had kept one or two
columns and stopped. This script fits ``SGDSupportSelector`` with each rule,
at the defaults and at ``batch_size=8, learning_rate=0.4`` (where the old
rule failed on digits), on the cases of ``benchmarks/weight_decay_size.py``
(the suite and Friedman #1 at n = 500 / 800), seeds 0 to 4, one thread, and
lists every fit whose selection the rule changed. It writes
``docs/benchmarks/shadow_rule.md``.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    page_head,
    rows_page_main,
    table,
)
from weight_decay_size import by_kind, measure  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
SETTINGS = {
    "defaults": {},
    "b = 8, learning_rate 0.4": dict(batch_size=8, learning_rate=0.4),
}
RULES = ("old: only when nothing stands out", "new (shipped)")
OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "docs",
    "benchmarks",
    "shadow_rule.md",
)
# Hand-written from the recorded run; rerunning does not rewrite it.
FINDINGS = [
    "## What the recorded run shows",
    "",
    "Written by hand from the run recorded on this page.",
    "",
    "- **It only ever helped.** The new rule changed 1 of 90 fits at the "
    "defaults and 4 of 90 at b = 8 / learning rate 0.4, each for the better "
    "and none with a probe: diabetes from 1 real column (the one at 3.5 "
    "robust SDs) to 3-4, digits at b = 8 from 2 real columns to 41, and "
    "`highdim_additive`, seed 4, at b = 8 from F1 0.91 to 1.00 (its shadow "
    "step dropped a noise column the outlier rule had kept). No synthetic "
    "or small-n fit got worse, and the probe count is unchanged (6 of 585).",
    "- **The cost is a few more shadow steps**: 21 of 90 fits at the "
    "defaults against 19, 21 against 17 at b = 8: every real-data fit, and "
    "`highdim_additive`, seed 4 (at the defaults its shadow step kept the "
    "same six columns, one of them noise). A shadow step is a second fit on "
    "`1 + ceil(100 / d)` times "
    "the columns. The time column does not show it: the old rule's fits ran "
    "first, while another benchmark shared the machine.",
    '- It is the rule `threshold="auto"` ships with '
    "(`sgdselect._support.auto_needs_shadows`).",
    "",
]


def old_rule(self, state):
    """The rule before ``auto_needs_shadows``: shadows only when nothing
    stands out."""
    from sgdselect._support import auto_fell_back, late_mean

    if self.threshold not in (None, "auto") or not state["history"]:
        return False
    return auto_fell_back(late_mean(state["history"]))


def run(quick):
    from sgdselect._selector import _BaseSupportSelector

    rows = []
    shipped = _BaseSupportSelector._needs_shadows
    for rule in RULES:
        _BaseSupportSelector._needs_shadows = shipped if rule == RULES[1] else old_rule
        try:
            configs = {
                f"{setting} | {rule}": (lambda n, p=params: p)
                for setting, params in SETTINGS.items()
            }
            rows += measure(quick, SEEDS, configs)
        finally:
            _BaseSupportSelector._needs_shadows = shipped
    return rows


def _outcome(row):
    if "f1" in row:
        return f"F1 {row['f1']:.2f}"
    return f"{row['real']} real + {row['probes']} probes"


def summary_rows(rows, settings, rules):
    """One row per (setting, rule) of the pages that compare rules: F1 on the
    synthetic cases, probes and real columns kept, small-n F1, shadow steps
    and time."""
    out = []
    for setting in settings:
        for rule in rules:
            mine = [r for r in rows if r["config"] == f"{setting} | {rule}"]
            syn, probe, small = by_kind(mine)
            out.append(
                [
                    setting,
                    rule,
                    f"{np.mean([r['f1'] for r in syn]):.3f}",
                    f"{sum(r['f1'] == 1.0 for r in syn)} / {len(syn)}",
                    f"{sum(r['probes'] for r in probe)} / "
                    f"{sum(r['n_probes'] for r in probe)}",
                    f"{np.mean([r['real'] for r in probe]):.1f}",
                    f"{np.mean([r['f1'] for r in small]):.2f}",
                    f"{sum(r['shadows'] for r in mine)} / {len(mine)}",
                    f"{sum(r['time'] for r in mine):.1f} s",
                ]
            )
    return out


SUMMARY_HEADER = [
    "setting",
    "rule",
    "synthetic F1",
    "F1 = 1",
    "probes kept",
    "real kept",
    "small n F1",
    "shadow step",
    "time",
]


SUMMARY_LEGEND = (
    "Synthetic: support F1 over the synthetic cases and seeds, and the fits "
    "with F1 = 1. Probes / real kept: on the real datasets with "
    "permutation probes (probes over all fits; real columns, mean per "
    "fit). Small n: mean F1 on Friedman #1 at n = 500 and 800. Shadow "
    "step: fits where it ran."
)


def changed_rows(rows, settings, before, after):
    """The fits whose outcome differs between rule ``before`` and ``after``."""
    changed = []
    for setting in settings:
        old = {
            (r["case"], r["seed"]): r
            for r in rows
            if r["config"] == f"{setting} | {before}"
        }
        for r in rows:
            if r["config"] != f"{setting} | {after}":
                continue
            o = old[(r["case"], r["seed"])]
            if _outcome(o) != _outcome(r):
                changed.append(
                    [setting, r["case"], r["seed"], _outcome(o), _outcome(r)]
                )
    return changed


def report(rows, wall, quick, machine=None):
    summary = summary_rows(rows, SETTINGS, RULES)
    changed = changed_rows(rows, SETTINGS, *RULES)
    seeds = "seed 0" if quick else "seeds 0 to 4"
    lines = [
        *page_head(
            'When threshold="auto" trains beside shadows',
            "shadow_rule_check.py",
            quick,
            wall,
            machine,
        ),
        "`SGDSupportSelector` with the old rule for the shadow step (only when "
        "nothing stands out) and the new one (also when there is no clear gap "
        "and the weakest feature standing out is under 4 robust SDs), at the "
        "defaults and at `batch_size=8, learning_rate=0.4`. Cases of "
        "`benchmark_suite` and Friedman #1 with 20 noise columns cut to 500 and "
        f"800 rows, {seeds} (data and network), one thread, X standardized "
        "and `task` given.",
        "",
        "## Summary",
        "",
        SUMMARY_LEGEND,
        "",
        *table(SUMMARY_HEADER, summary),
        "",
        "## Fits the rule changed",
        "",
        *(
            table(["setting", "case", "seed", "old rule", "new rule"], changed)
            if changed
            else ["None."]
        ),
        "",
        *FINDINGS,
    ]
    return "\n".join(lines) + "\n"


def main():
    rows_page_main(__doc__, OUT, "shadow-rule", run, report)


if __name__ == "__main__":
    main()
