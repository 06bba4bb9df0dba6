"""Weight decay against the size of the data: a fixed 1e-3 or 2 / n?

    PYTHONPATH=. nice -n 5 python benchmarks/weight_decay_size.py          # ~8 min
    PYTHONPATH=. python benchmarks/weight_decay_size.py --quick            # ~30 s

The defaults study (``benchmarks/defaults_study.py``) chose ``weight_decay=1e-3``
on a suite whose synthetic cases have n = 1000 to 2000 rows. Two things seen
after it suggest the best strength depends on n: on Friedman #1 with 20 noise
columns, ``SGDSupportSelector()`` finds the support at n = 2000 but nothing
stands out at n = 500; and on the real datasets with permutation probes
(n = 178 to 1797) a stronger decay ranks the real columns above the probes
better. Penalized least squares suggests a strength falling like 1/n (the
loss is a mean over rows, the penalty is not).

This script compares fixed strengths (1e-3, 3e-3, 1e-2) with strengths scaled
by the number of rows (c / n for c = 2, 5; 2 / n is 1e-3 at n = 2000) at the
other defaults, on the cases of :func:`sgdselect.datasets.benchmark_suite`
(seeds 0 to 4: data and network) plus Friedman #1 with 20 noise columns cut
to its first 500 and 800 rows. Every fit runs on one thread, with
``threshold="auto"``; X is standardized first and ``task`` is given, as in
``benchmarks/recovery.py``. It writes ``docs/benchmarks/weight_decay.md``.
It chose the default, ``weight_decay="auto"`` (2 / n; 1e-3 was the default
before), whose column runs the selector as shipped (no ``weight_decay``
passed).
"""

import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    page_head,
    rows_page_main,
    table,
)

# Strength as a function of the rows; None: the default, passed as nothing.
CONFIGS = {
    "1e-3 (former default)": lambda n: 1e-3,
    "3e-3": lambda n: 3e-3,
    "1e-2": lambda n: 1e-2,
    '2 / n (default, "auto")': None,
    "5 / n": lambda n: 5.0 / n,
}
SEEDS = (0, 1, 2, 3, 4)
OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "docs",
    "benchmarks",
    "weight_decay.md",
)


def cases(seed, quick):
    """(name, kind, task, X, y, truth, probe_mask) of every case for a seed."""
    from sklearn.datasets import make_friedman1
    from sklearn.preprocessing import StandardScaler

    from sgdselect.datasets import benchmark_suite

    out = []
    for c in benchmark_suite(random_state=seed, quick=quick):
        X = StandardScaler().fit_transform(c.X)
        if c.kind == "synthetic":
            out.append((c.name, "synthetic", c.task, X, c.y, c.support, None))
        else:
            out.append((c.name, "probe", c.task, X, c.y, ~c.probe_mask, c.probe_mask))
    X, y = make_friedman1(n_samples=2000, n_features=25, random_state=seed)
    X = StandardScaler().fit_transform(X)
    support = np.arange(25) < 5
    for n in (500, 800):
        out.append(
            (f"friedman1_n{n}", "small", "regression", X[:n], y[:n], support, None)
        )
    return out


def selection_outcome(kept, truth, probes):
    """What a selection ``kept`` scores: support F1 against ``truth`` on a
    synthetic case; on a case with permutation ``probes``, the probes and
    real columns kept."""
    from sgdselect.metrics import support_f1

    if probes is None:
        return {"f1": float(support_f1(truth, kept, zero_division=0.0))}
    n_probes, kept_probes = int(probes.sum()), int((kept & probes).sum())
    return dict(
        probes=kept_probes,
        n_probes=n_probes,
        real=int((kept & ~probes).sum()),
        fpr=kept_probes / n_probes,
    )


def measure(quick, seeds, configs):
    """Fit ``SGDSupportSelector`` on every case of every seed for every
    config (name -> function of the number of rows giving the parameters that
    differ from the defaults); one row of metrics per fit."""
    from sgdselect import SGDSupportSelector
    from sgdselect.metrics import ranking_auc

    rows = []
    for seed in seeds[:1] if quick else seeds:
        for name, kind, task, X, y, truth, probes in cases(seed, quick):
            for config, params in configs.items():
                selector = SGDSupportSelector(
                    **params(len(X)),
                    task=task,
                    random_state=seed,
                    max_iter=50 if quick else 300,
                )
                start = time.perf_counter()
                with warnings.catch_warnings():
                    # The fall-back warning is not what these pages count.
                    warnings.simplefilter("ignore", UserWarning)
                    selector.fit(X, y)
                elapsed = time.perf_counter() - start
                kept = selector.get_support()
                row = dict(
                    case=name,
                    kind=kind,
                    seed=seed,
                    config=config,
                    time=elapsed,
                    auc=float(ranking_auc(truth, selector.feature_importances_)),
                    kept=int(kept.sum()),
                    shadows=selector.shadow_importances_ is not None,
                )
                row.update(selection_outcome(kept, truth, probes))
                rows.append(row)
            print(
                f"seed {seed} {name}: "
                + ", ".join(
                    f"{r['config']} {r.get('f1', r['auc']):.2f}"
                    for r in rows
                    if r["case"] == name and r["seed"] == seed
                ),
                flush=True,
            )
    return rows


def run(quick):
    configs = {
        name: (
            (lambda n: {})
            if strength is None
            else (lambda n, strength=strength: dict(weight_decay=strength(n)))
        )
        for name, strength in CONFIGS.items()
    }
    return measure(quick, SEEDS, configs)


def _mean(rows, key):
    values = [r[key] for r in rows]
    return float(np.mean(values)) if values else float("nan")


def small_n_cell(small):
    """Mean F1 on Friedman #1 at n = 500 and 800, as "a / b"."""
    return " / ".join(
        f"{_mean([r for r in small if r['case'] == k], 'f1'):.2f}"
        for k in ("friedman1_n500", "friedman1_n800")
    )


def case_order(rows):
    """The cases of ``measure()`` rows: synthetic and small n, then probes."""
    return sorted({r["case"] for r in rows}, key=lambda k: (k.endswith("probes"), k))


def by_kind(rows):
    """``measure()`` rows split into synthetic, probe and small-n cases."""
    return tuple(
        [r for r in rows if r["kind"] == k] for k in ("synthetic", "probe", "small")
    )


def report(rows, wall, quick, machine=None):
    configs = list(CONFIGS)
    by = {c: [r for r in rows if r["config"] == c] for c in configs}
    summary = []
    for c in configs:
        syn, probe, small = by_kind(by[c])
        per_case = {}
        for r in syn:
            per_case.setdefault(r["case"], []).append(r["f1"])
        worst = min(per_case, key=lambda k: np.mean(per_case[k]))
        summary.append(
            [
                c,
                f"{_mean(syn, 'f1'):.3f}",
                f"{np.mean(per_case[worst]):.2f} ({worst})",
                f"{_mean(syn, 'auc'):.3f}",
                f"{_mean(probe, 'auc'):.3f}",
                f"{_mean(probe, 'real'):.1f}",
                f"{_mean(probe, 'fpr'):.3f}",
                small_n_cell(small),
                f"{sum(r['time'] for r in by[c]):.1f} s",
            ]
        )
    names = case_order(rows)
    detail = []
    for name in names:
        cells = []
        for c in configs:
            rs = [r for r in by[c] if r["case"] == name]
            if rs[0]["kind"] == "probe":
                cells.append(
                    f"{_mean(rs, 'auc'):.2f} ({_mean(rs, 'real'):.1f} real, "
                    f"{_mean(rs, 'probes'):.1f} probes)"
                )
            else:
                cells.append(f"{_mean(rs, 'f1'):.2f}")
        detail.append([name, *cells])
    seeds = "seed 0" if quick else "seeds 0 to 4"
    lines = [
        *page_head(
            "Weight decay against the size of the data",
            "weight_decay_size.py",
            quick,
            wall,
            machine,
        ),
        "`SGDSupportSelector` at its defaults except `weight_decay`: fixed "
        "strengths, and strengths scaled by the number of rows n (the default, "
        '`weight_decay="auto"`, is 2 / n: 1e-3, the former default, at '
        "n = 2000). Cases of `benchmark_suite` and Friedman #1 with 20 noise "
        f"columns cut to 500 and 800 rows, {seeds} (data and network), one "
        'thread, `threshold="auto"`.',
        "",
        "## Summary",
        "",
        "Synthetic F1: support F1 on the 12 synthetic cases (mean, worst case). "
        "Probe AUC: ranking AUC of the real columns against the permutation "
        "probes on the 4 real datasets; real kept / probe rate: what "
        '`threshold="auto"` keeps there. Friedman small n: support F1 at '
        "n = 500 / 800.",
        "",
        *table(
            [
                "weight_decay",
                "synthetic F1",
                "worst F1 (case)",
                "synthetic AUC",
                "probe AUC",
                "real kept",
                "probe rate",
                "Friedman n=500 / 800",
                "fit time, all",
            ],
            summary,
        ),
        "",
        "## Per case",
        "",
        "Synthetic and small-n cases: support F1. Probe cases: ranking AUC "
        "(real columns and probes kept). Means over the seeds.",
        "",
        *table(["case", *configs], detail),
        "",
        *FINDINGS,
    ]
    return "\n".join(lines) + "\n"


FINDINGS = [
    "## What it shows",
    "",
    "Written by hand after the run recorded on this page; check it against the "
    "tables when they change. The previous version of this page (two seeds) "
    'left the choice open; this one chose the default, `weight_decay="auto"` '
    "= 2 / n, and [recovery.md](recovery.md) was rerun with it. It ran with "
    "the shadow step also taken on marginal outliers "
    "([shadow_rule.md](shadow_rule.md)).",
    "",
    "- **2 / n fixes small data without losing elsewhere.** Friedman #1 with "
    "20 noise columns: F1 1.00 at n = 500 and 800 on all five seeds, against "
    "0.88 / 0.95 for the fixed 1e-3 (at n = 500 it misses on 3 of 5 seeds). "
    "The synthetic suite (n = 1000-2000, where 2 / n is 1e-3 to 2e-3): mean "
    "F1 0.972 against 0.970, the best of the five strengths, F1 = 1 in 51 of "
    "60 fits against 50; `highdim_additive` (n = 1000) 0.96 against 0.93 "
    "(F1 = 1 on 3 of 5 seeds against 2). Probe cases: the same real columns "
    "kept (19.7 a fit against 19.6) and fewer probes (6 of 585 over the "
    "seeds, 1.0%, against 8).",
    "- **A fixed larger strength also fixes small n but breaks large n.** "
    "3e-3 and 1e-2 reach 1.00 on the small Friedman cases too (and "
    "`highdim_additive` on every seed), but at n = 2000 they over-regularize: "
    "3e-3 drops `correlated_additive` to 0.81 and `correlated_linear` to "
    "0.93 (synthetic mean 0.956); 1e-2 loses the interactions (xor 0.60, "
    "product 0.88) and `correlated_additive` (0.69), mean 0.909. That is the "
    "case for a strength that falls with n. 5 / n is too strong at n = 2000 "
    "the same way, less so (`correlated_additive` 0.88, mean 0.966, probe "
    "rate 1.8%).",
    "- **Why 2 / n.** A penalty that does not grow with the data while the "
    "data term does is how scikit-learn's `MLPRegressor` scales `alpha` "
    "(`alpha / (2 n)` times the squared weights). For SGD it also fixes the "
    "decay of one epoch: n / b steps of learning_rate * 2 / n is "
    "2 learning_rate / b whatever n, the same eta / b shape as the implicit "
    "regularization. At n = 2000 it is the 1e-3 that "
    "`benchmarks/defaults_study.py` chose.",
    "- **Not fixed by it:** `paper_staircase` stays at 0.75 for every "
    "strength but 1e-2 (its higher-order terms carry 0.2% of the variance), "
    "and diabetes keeps 2 to 5 of its 10 real columns at every strength "
    "(2 / n: 5, 3, 3, 3, 3 over the seeds).",
    "",
]


def main():
    rows_page_main(__doc__, OUT, "weight-decay", run, report)


if __name__ == "__main__":
    main()
