"""How many rounds the shadow test trains, table by table: stability against
rounds, on the real tables.

    cd benchmarks/archive
    PYTHONPATH=../.. python shadow_budget_check.py fit OUTDIR [TABLES]
    PYTHONPATH=../.. python shadow_budget_check.py page OUTDIR OUT.md

``fit``: for each table of ``real_table_suite(random_state=0)`` (all but
ames unless TABLES, comma-separated, names it) and seeds 0-9,
``SGDSupportSelector(random_state=seed)`` at its defaults, its shadow test
trained for ``MAX_ROUNDS`` rounds (``sgdselect._support.SHADOW_ROUNDS`` and
``SHADOW_MAX_ROUNDS`` set to it: round ``r``'s shadows and networks are
those the package draws whatever the number of rounds, so the first R
rounds of a fit are exactly the test with R rounds). It stores per fit every
column's importance in each network of each round, and the shadows'
(``OUTDIR/<table>_<seed>.npz``). One thread; two processes at once, so no
time is read here (``docs/benchmarks/real_tables.md`` times the defaults).

``page``: the rule of ``threshold="auto"`` as shipped
(:func:`sgdselect._support.shadow_pvalues` over the rounds, p <= 0.01 and
Benjamini-Hochberg at 0.2) applied to the first R rounds of each fit, for R
= 1 to ``MAX_ROUNDS`` and for the rounds :func:`sgdselect._support.
shadow_rounds` gives the table; per table the mean pairwise Jaccard
similarity of the real columns kept over seeds 0-4 (the protocol of
``docs/benchmarks/real_tables.md``) and over seeds 0-9, the probes kept and
the downstream score of that page (5-fold HistGradientBoosting on the real
columns kept). ames trains 3 rounds at the defaults; without it in OUTDIR,
its row is read from that page's json (seeds 0-4, the rounds as shipped).
"""

import glob
import itertools
import json
import os
import sys
import time
from multiprocessing import Pool

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

MAX_ROUNDS = 12
SEEDS = range(10)
PAGE_SEEDS = range(5)
FIXED = (1, 2, 3, 4, 5, 6, 8, 10, 12)
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def _fit(job):
    """One table and seed: the selector at its defaults, its shadow test
    trained for MAX_ROUNDS rounds; the importances of every network."""
    name, seed, out_dir = job
    import torch

    torch.set_num_threads(1)
    import sgdselect._selector as selector_module
    import sgdselect._support as support
    from sgdselect import SGDSupportSelector
    from sgdselect.datasets import real_table_suite

    support.SHADOW_ROUNDS = support.SHADOW_MAX_ROUNDS = MAX_ROUNDS
    caught = {}
    shipped = selector_module.fit_with_shadows

    def recording(*args, **kwargs):
        caught["shadow"] = out = shipped(*args, **kwargs)
        return out

    selector_module.fit_with_shadows = recording
    [case] = real_table_suite(random_state=0, names=[name])
    start = time.perf_counter()
    selector = SGDSupportSelector(random_state=seed).fit(case.X, case.y)
    took = time.perf_counter() - start
    arrays = {"selected": selector.get_support(), "time": took}
    if "shadow" in caught:
        arrays["importances"], arrays["shadows"] = caught["shadow"]
    np.savez(os.path.join(out_dir, f"{name}_{seed}.npz"), **arrays)
    return name, seed, took


def fit(out_dir, tables=None):
    from sgdselect.datasets import real_table_names

    os.makedirs(out_dir, exist_ok=True)
    names = tables or [t for t in real_table_names() if t != "ames"]
    jobs = [(name, seed, out_dir) for name in names for seed in SEEDS]
    with Pool(2) as pool:
        for name, seed, took in pool.imap_unordered(_fit, jobs):
            print(f"{name} seed {seed}: {took:.1f} s", flush=True)


def _jaccard(sets):
    pairs = list(itertools.combinations(sets, 2))
    return float(np.mean([len(a & b) / len(a | b) if a | b else 1.0 for a, b in pairs]))


def page(out_dir, out_md):
    sys.path.insert(0, os.path.join(REPO, "benchmarks"))
    from recovery import Downstream

    from sgdselect._shadows import n_shadow_copies
    from sgdselect._support import (
        network_mean,
        shadow_epochs,
        shadow_learning_rate,
        shadow_pvalues,
        shadow_rounds,
        shadow_support,
    )
    from sgdselect.datasets import real_table_suite

    downstream = Downstream()
    with open(os.path.join(REPO, "docs", "benchmarks", "real_tables.json")) as fh:
        shipped = json.load(fh)["results"]["fits"]
    epochs = shadow_epochs(300, 0.2, shadow_learning_rate(0.2))
    rows, per_rule = [], {}
    for case in real_table_suite(random_state=0):
        n, d = case.X.shape
        rule = shadow_rounds(n, (1 + n_shadow_copies(d)) * d, epochs)
        files = sorted(glob.glob(os.path.join(out_dir, f"{case.name}_[0-9]*.npz")))
        fits = {int(f.rsplit("_", 1)[1][:-4]): dict(np.load(f)) for f in files}

        def selection(seed, rounds, fits=fits, case=case):
            if not fits:  # ames: the page's fits, at the rounds as shipped
                mask = np.zeros(case.X.shape[1], dtype=bool)
                mask[shipped[f"{case.name}|SGD|{seed}"]["selected"]] = True
                return mask
            one = fits[seed]
            if "importances" not in one:  # the first network's cut stood alone
                return one["selected"]
            imp, sh = one["importances"][:rounds], one["shadows"][:rounds]
            return shadow_support(network_mean(imp), shadow_pvalues(imp, sh))

        def figures(rounds, seeds, case=case, selection=selection):
            masks = [selection(s, rounds) for s in seeds]
            real = [m & ~case.probe_mask for m in masks]
            scores = [downstream.score(case, r) for r in real]
            return {
                "jaccard": _jaccard([frozenset(np.flatnonzero(r)) for r in real]),
                "kept": float(np.mean([r.sum() for r in real])),
                "probes": int(sum((m & case.probe_mask).sum() for m in masks)),
                "offered": int(case.probe_mask.sum()) * len(masks),
                "downstream": float(np.mean([s for s in scores if s is not None])),
            }

        ten = list(SEEDS) if fits else list(PAGE_SEEDS)
        per_rule[case.name] = {
            "rounds": rule,
            "rule": figures(rule, PAGE_SEEDS),
            "three": figures(3, PAGE_SEEDS),
            "fixed": {r: figures(r, ten) for r in FIXED} if fits else None,
            "ten": len(ten),
        }
        rows.append(case.name)
    lines = _render(per_rule, rows)
    with open(out_md, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def _render(res, names):
    cmd = "PYTHONPATH=../.. python shadow_budget_check.py"
    lines = [
        "# Rounds of the shadow test, table by table",
        "",
        "Written by `benchmarks/archive/shadow_budget_check.py` (see its "
        f"docstring): `{cmd} fit OUTDIR`, then `{cmd} page OUTDIR OUT.md`. "
        "On each real table of `real_table_suite(random_state=0)` but ames, "
        f"seeds {SEEDS[0]}-{SEEDS[-1]}, the selector at its defaults trained "
        f"its shadow test for {MAX_ROUNDS} rounds of 3 networks; the rule as "
        "shipped then read the first R rounds of each fit (exactly the test "
        "with R rounds: the package draws round r's shadows and networks "
        "from the seed and r alone). ames: the selections of "
        "`docs/benchmarks/real_tables.md` (3 rounds, seeds 0-4). Jaccard: "
        "the mean pairwise similarity of the real columns kept over the "
        "seeds; downstream: that page's score (5-fold HistGradientBoosting "
        "on the real columns kept).",
        "",
        "## Stability against the number of rounds (seeds 0-9)",
        "",
        "| table | " + " | ".join(f"{r} rounds" for r in FIXED) + " |",
        "|---|" + "---|" * len(FIXED),
    ]
    with_fits = [n for n in names if res[n]["fixed"]]
    for name in with_fits:
        fixed = res[name]["fixed"]
        cells = [f"{fixed[r]['jaccard']:.2f} ({fixed[r]['kept']:.1f})" for r in FIXED]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    means = [np.mean([res[n]["fixed"][r]["jaccard"] for n in with_fits]) for r in FIXED]
    probes = [
        sum(res[n]["fixed"][r]["probes"] for n in with_fits)
        / sum(res[n]["fixed"][r]["offered"] for n in with_fits)
        for r in FIXED
    ]
    scores = [
        np.mean([res[n]["fixed"][r]["downstream"] for n in with_fits]) for r in FIXED
    ]
    lines += [
        f"| mean Jaccard ({len(with_fits)} tables) | "
        + " | ".join(f"{m:.3f}" for m in means)
        + " |",
        "| probes kept (pooled) | " + " | ".join(f"{p:.2%}" for p in probes) + " |",
        "| mean downstream | " + " | ".join(f"{s:.4f}" for s in scores) + " |",
        "",
        "*Jaccard (mean real columns kept)* over the ten seeds.",
        "",
        "## The rounds `shadow_rounds` gives each table (seeds 0-4)",
        "",
        "The rounds as shipped: as many as fit in `SHADOW_WORK` rows x network "
        "inputs x epochs, between 3 and 8; against 3 rounds on every table "
        "(the test before). Seeds 0-4, the protocol of "
        "`docs/benchmarks/real_tables.md`.",
        "",
        "| table | rounds | Jaccard, 3 rounds | Jaccard, as shipped "
        "| real kept, 3 / shipped | downstream, 3 / shipped |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        one = res[name]
        three, rule = one["three"], one["rule"]
        lines.append(
            f"| {name} | {one['rounds']} | {three['jaccard']:.2f} | "
            f"{rule['jaccard']:.2f} | "
            f"{three['kept']:.1f} / {rule['kept']:.1f} | "
            f"{three['downstream']:.3f} / {rule['downstream']:.3f} |"
        )
    for key, label in (("three", "3 rounds"), ("rule", "as shipped")):
        j = np.mean([res[n][key]["jaccard"] for n in names])
        s = np.mean([res[n][key]["downstream"] for n in names])
        p = sum(res[n][key]["probes"] for n in names)
        o = sum(res[n][key]["offered"] for n in names)
        lines.append(
            f"| **mean, {label}** | | Jaccard {j:.3f} | | probes {p} of {o} | "
            f"downstream {s:.4f} |"
        )
    return lines + ["", *DECISION]


# The page's last paragraph: what it shows, and the decision.
DECISION = [
    "What it shows. Every round more steadies the columns whose p-values lie"
    " near the bar (log10 p about -2), which flip from seed to seed: over ten"
    " seeds the mean Jaccard climbs from 0.93 at 3 rounds to about 0.97 at 8"
    " and stays there at 10 and 12, with no more probes kept and the same"
    " downstream score; birth weights (189 rows, its weak columns at the bar)"
    " settle on fewer columns, the rest on the same ones. Each round costs"
    " 3/4 of the first network's steps, so 8 rounds on every table would have"
    " brought the largest (ames, 2930 x 628 with probes, whose rounds already"
    " take most of its fit) over the random forest's time.",
    "",
    "Decision: the test trains from 3 (`SHADOW_ROUNDS`) to 8"
    " (`SHADOW_MAX_ROUNDS`) rounds, as many as fit in `SHADOW_WORK` = 5e8"
    " rows x network inputs x epochs (`sgdselect._support.shadow_rounds`):"
    " 8 on every real table but customer churn (4), credit scoring (7) and"
    " ames (3). The suite's time and the defaults against Boruta and the"
    " forest are in `docs/benchmarks/real_tables.md`.",
]


if __name__ == "__main__":
    if sys.argv[1] == "fit":
        fit(sys.argv[2], sys.argv[3].split(",") if len(sys.argv) > 3 else None)
    else:
        page(sys.argv[2], sys.argv[3])
