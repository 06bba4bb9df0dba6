"""Decision rules against shadows, measured from the public API only.

    PYTHONPATH=. python benchmarks/decision_rules.py                 # full
    PYTHONPATH=. python benchmarks/decision_rules.py --quick  # seeds 0-1, no ames, K=5
    PYTHONPATH=. python benchmarks/decision_rules.py --seeds 0 1 2 --ames-seeds 0 1 2

What is fitted (one thread, CPU time of this process):

- ``SGDSupportSelector(random_state=seed)``: today's ``threshold="auto"``
  (rule ``today``), and its time, the unit of cost;
- K networks ``SGDSupportSelector(threshold=0.0, random_state=1000 * seed + k)``
  on the case's columns with ``ceil(100 / d)`` fresh shadows of every column
  appended (a shadow: a column with its rows permuted, independently per
  column and per network; the suite's probes are ordinary columns here, they
  get shadows too). ``feature_importances_`` is read for the columns and the
  shadows. Every rule below is then applied offline to these importances:
  rules with K' < K networks use the first K'.

No private module is imported and nothing is patched. The fits are cached
(``--cache``, outside the repository) per case and seed, so a second run
only evaluates. Results go to ``docs/benchmarks/decision_rules.json`` and
the page ``docs/benchmarks/decision_rules.md`` (from
``benchmarks/templates/decision_rules.md``).
"""

import argparse
import os
import sys

# One thread for every pool, set before NumPy or torch start theirs (the
# harness imports neither).
from harness import THREAD_VARS

for _var in THREAD_VARS:
    os.environ[_var] = "1"

import itertools  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import REPO, log, machine  # noqa: E402
from harness import table as _table  # noqa: E402


def table(header_row, cells):
    """A Markdown table, as its lines."""
    return _table(header_row, cells).splitlines()


def machine_lines():
    """The page header's lines on the machine, versions, commit and command."""
    m = machine()
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    return [
        f"- Machine: {m['cpu']}, {m['cores']} cores available "
        f"(os.cpu_count() = {m['cpu_count']}), {m['system']}.",
        f"- Versions: {versions}.",
        f"- BLAS: {m['blas']}.",
        f"- sgdselect {m['sgdselect']} from `{m['sgdselect_path']}`, git {m['git']}.",
        f"- Command: `{m['command']}`",
        f"- Date: {m['date']}.",
    ]


from sgdselect import SGDSupportSelector  # noqa: E402
from sgdselect.datasets import benchmark_suite, real_table_suite  # noqa: E402
from sgdselect.metrics import support_f1  # noqa: E402

MIN_SHADOWS = 100
NO_FIT = [False]
OUT_JSON = os.path.join(REPO, "docs", "benchmarks", "decision_rules.json")
OUT_MD = os.path.join(REPO, "docs", "benchmarks", "decision_rules.md")
TEMPLATE = os.path.join(REPO, "benchmarks", "templates", "decision_rules.md")


# ------------------------------------------------------------------ fitting
def shadows(X, rng, n_copies):
    """``n_copies`` permuted copies of every column of ``X``, copy ``c`` of
    column ``j`` at ``c * d + j``."""
    n, d = X.shape
    out = np.empty((n, n_copies * d), dtype=X.dtype)
    for k in range(out.shape[1]):
        out[:, k] = X[rng.permutation(n), k % d]
    return out


def timed_fit(X, y, **params):
    t = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sel = SGDSupportSelector(**params).fit(X, y)
    return sel, time.process_time() - t


def collect(case, seed, n_nets, shared=False, base=None):
    """The fits of one case and seed: today's default fit and ``n_nets``
    networks beside shadows, fresh ones for each network or (``shared``) one
    set for all. ``base``: a record whose default fits to reuse."""
    X, y = case.X, case.y
    n, d = X.shape
    if base is None:
        sel, t_default = timed_fit(X, y, random_state=seed)
        rec = {
            "t_default": t_default,
            "today": sel.get_support(),
            "today_shadow_step": sel.shadow_importances_ is not None,
        }
        _, rec["t_plain"] = timed_fit(X, y, threshold=0.0, random_state=seed)
    else:
        rec = {
            k: base[k] for k in ("t_default", "today", "today_shadow_step", "t_plain")
        }
    n_copies = -(-MIN_SHADOWS // d)
    imp, sh, t_nets = [], [], []
    for k in range(n_nets):
        rng = np.random.default_rng([seed, 7] if shared else [seed, 7, k])
        X_aug = np.hstack([X, shadows(X, rng, n_copies)])
        sel, t = timed_fit(X_aug, y, threshold=0.0, random_state=1000 * seed + k)
        imp.append(sel.feature_importances_[:d])
        sh.append(sel.feature_importances_[d:].reshape(n_copies, d))
        t_nets.append(t)
    rec.update(imp=np.array(imp), sh=np.array(sh), t_nets=np.array(t_nets))
    return rec


def cached(cache, suite, case, seed, n_nets, shared=False):
    tag = f"{suite}-shared" if shared else suite
    path = os.path.join(cache, f"{tag}-{case.name}-{seed}.npz")
    if os.path.exists(path):
        data = dict(np.load(path))
        if data["imp"].shape[0] >= n_nets or NO_FIT[0]:
            return {k: (v.item() if v.ndim == 0 else v) for k, v in data.items()}
    t = time.perf_counter()
    base_path = os.path.join(cache, f"{suite}-{case.name}-{seed}.npz")
    base = dict(np.load(base_path)) if shared and os.path.exists(base_path) else None
    rec = collect(case, seed, n_nets, shared, base)
    np.savez(path, **rec)
    log(
        f"  {tag} {case.name} seed {seed}: {case.X.shape}, default "
        f"{rec['t_default']:.1f} s, {n_nets} nets {rec['t_nets'].sum():.1f} s "
        f"(wall {time.perf_counter() - t:.0f} s)"
    )
    return rec


# ------------------------------------------------------------------ rules
def _nonempty(mask, score):
    """A selection must not be empty: keep the top column (as today)."""
    if not mask.any():
        mask = np.zeros_like(mask)
        mask[int(np.argmax(score))] = True
    return mask


def _bh(p, q):
    """Benjamini-Hochberg at level ``q``."""
    m = p.size
    order = np.argsort(p)
    ok = p[order] <= q * np.arange(1, m + 1) / m
    keep = np.zeros(m, dtype=bool)
    if ok.any():
        keep[order[: np.flatnonzero(ok).max() + 1]] = True
    return keep


def _flat(sh):
    """Shadows of each network as one row: (K, C * d)."""
    return sh.reshape(sh.shape[0], -1)


def r_one_round(imp, sh):
    """Network 0 only: beat its largest shadow (today's shadow step)."""
    return _nonempty(imp[0] > _flat(sh)[0].max(), imp[0])


def r_boruta(p0):
    def rule(imp, sh):
        K, d = imp.shape
        hits = (imp > _flat(sh).max(axis=1, keepdims=True)).sum(axis=0)
        null = 1.0 / (_flat(sh).shape[1] + 1) if p0 == "cal" else p0
        p = stats.binom.sf(hits - 1, K, null)
        return _nonempty(p <= 0.05 / d, imp.mean(axis=0))

    return rule


def r_vote(frac):
    def rule(imp, sh):
        hits = (imp > _flat(sh).max(axis=1, keepdims=True)).mean(axis=0)
        return _nonempty(hits >= frac, imp.mean(axis=0))

    return rule


def r_mean_max(imp, sh):
    """Mean importance over the networks against the largest mean shadow
    (shadow slot s averaged over the networks; each network has fresh
    permutations in slot s)."""
    m = imp.mean(axis=0)
    return _nonempty(m > _flat(sh).mean(axis=0).max(), m)


def r_gmean_max(imp, sh):
    eps = 1e-12
    m = np.log(imp + eps).mean(axis=0)
    return _nonempty(m > np.log(_flat(sh) + eps).mean(axis=0).max(), m)


def r_median_max(imp, sh):
    m = np.median(imp, axis=0)
    return _nonempty(m > np.median(_flat(sh), axis=0).max(), m)


def pooled_p(imp, sh):
    """Per column: the share of all shadows of all networks at or above its
    importance in the same network, (1 + count) / (1 + total)."""
    flat = np.sort(_flat(sh), axis=1)
    S = flat.shape[1]
    above = np.array(
        [S - np.searchsorted(flat[k], imp[k], side="left") for k in range(len(imp))]
    )
    return (1 + above.sum(axis=0)) / (1 + above.shape[0] * S)


def r_pooled_bh(q):
    def rule(imp, sh):
        return _nonempty(_bh(pooled_p(imp, sh), q), imp.mean(axis=0))

    return rule


def r_own_emp_bh(q):
    """Per column against its own copies (K * C of them), empirical p, BH."""

    def rule(imp, sh):
        count = (sh >= imp[:, None, :]).sum(axis=(0, 1))
        p = (1 + count) / (1 + sh.shape[0] * sh.shape[1])
        return _nonempty(_bh(p, q), imp.mean(axis=0))

    return rule


def r_own_z_bh(q):
    """Per column against its own copies in log space: the mean over the
    networks of its log-importance, z-scored against the mean and SD of its
    copies' log-importances (SD / sqrt(K)); one-sided normal p, BH."""

    def rule(imp, sh):
        eps = 1e-12
        K = imp.shape[0]
        ls = np.log(sh + eps).reshape(-1, imp.shape[1])
        mu, sd = ls.mean(axis=0), ls.std(axis=0, ddof=1) + 1e-9
        z = (np.log(imp + eps).mean(axis=0) - mu) / (sd / np.sqrt(K))
        return _nonempty(_bh(stats.norm.sf(z), q), imp.mean(axis=0))

    return rule


def r_knockoff(q, stat="copy0"):
    """Knockoff+ with W_j = mean over the networks of (importance - that of
    its first shadow) ("copy0", antisymmetric) or - the mean of its shadows
    ("mean")."""

    def rule(imp, sh):
        if stat == "copy0":
            W = (imp - sh[:, 0, :]).mean(axis=0)
        else:
            W = imp.mean(axis=0) - sh.mean(axis=(0, 1))
        keep = np.zeros(W.size, dtype=bool)
        for t in np.sort(np.abs(W[W != 0])):
            if (1 + np.sum(W <= -t)) / max(1, np.sum(W >= t)) <= q:
                keep = W >= t
                break
        return _nonempty(keep, imp.mean(axis=0))

    return rule


def r_and(a, b):
    return lambda imp, sh: _nonempty(a(imp, sh) & b(imp, sh), imp.mean(axis=0))


def r_or(a, b):
    return lambda imp, sh: a(imp, sh) | b(imp, sh)


def rules_for(ks):
    """name -> (K, rule)."""
    out = {"one round (K=1)": (1, r_one_round)}
    for K in ks:
        out[f"Boruta p=0.5, Bonferroni (K={K})"] = (K, r_boruta(0.5))
        out[f"Boruta calibrated p, Bonferroni (K={K})"] = (K, r_boruta("cal"))
        out[f"beats max shadow in >= half (K={K})"] = (K, r_vote(0.5))
        out[f"beats max shadow in >= 2 of {K} rounds"] = (K, r_vote(2 / K - 1e-9))
        out[f"mean vs max mean shadow (K={K})"] = (K, r_mean_max)
        out[f"geo-mean vs max geo-mean shadow (K={K})"] = (K, r_gmean_max)
        out[f"median vs max median shadow (K={K})"] = (K, r_median_max)
        for q in (0.05, 0.1, 0.2, 0.3):
            out[f"pooled-shadow p, BH q={q} (K={K})"] = (K, r_pooled_bh(q))
        out[f"own copies empirical p, BH q=0.1 (K={K})"] = (K, r_own_emp_bh(0.1))
        for q in (0.01, 0.05):
            out[f"own copies log-z, BH q={q} (K={K})"] = (K, r_own_z_bh(q))
        out[f"knockoff+ q=0.1, W=imp-copy (K={K})"] = (K, r_knockoff(0.1))
        out[f"knockoff+ q=0.1, W=imp-mean copies (K={K})"] = (
            K,
            r_knockoff(0.1, "mean"),
        )
        out[f"mean-max AND pooled BH q=0.05 (K={K})"] = (
            K,
            r_and(r_mean_max, r_pooled_bh(0.05)),
        )
        out[f"mean-max OR pooled BH q=0.05 (K={K})"] = (
            K,
            r_or(r_mean_max, r_pooled_bh(0.05)),
        )
    return out


HYBRID = " [hybrid]"
HYBRID1 = " [hybrid, or 1 kept]"


def apply_rule(name, K, rule, rec, hybrid=False):
    """(mask, cost in CPU s). ``hybrid``: today's first network decides, and
    the K networks run only where today's fit went to its shadow step;
    ``hybrid="or 1 kept"``: also where today's outlier / gap cut kept a
    single column."""
    if name == "today":
        return rec["today"].astype(bool), rec["t_default"]
    to_shadows = bool(rec["today_shadow_step"]) or (
        hybrid == "or 1 kept" and int(rec["today"].sum()) <= 1
    )
    if hybrid and not to_shadows:
        return rec["today"].astype(bool), rec["t_plain"]
    mask = rule(rec["imp"][:K], rec["sh"][:K])
    cost = rec["t_nets"][:K].sum() + (rec["t_plain"] if hybrid else 0.0)
    return mask, cost


# ------------------------------------------------------------------ metrics
def jaccard(a, b):
    a, b = set(a), set(b)
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def evaluate(recs_real, recs_syn, real_cases, syn_cases, rule_defs, hybrids):
    """Per rule: summary and per-table numbers."""
    results = {}
    names = ["today"] + list(rule_defs) + list(hybrids)
    for name in names:
        base = name.removesuffix(HYBRID).removesuffix(HYBRID1)
        hybrid = "or 1 kept" if name.endswith(HYBRID1) else name.endswith(HYBRID)
        K, rule = rule_defs.get(base, (0, None))
        per_table, probes_kept, probes_total, cost, cost_default = {}, 0, 0, 0.0, 0.0
        for (tname, seed), rec in recs_real.items():
            case = real_cases[(tname, seed)]
            mask, c = apply_rule(base, K, rule, rec, hybrid)
            real = np.flatnonzero(mask & ~case.probe_mask)
            n_probe = int((mask & case.probe_mask).sum())
            probes_kept += n_probe
            probes_total += int(case.probe_mask.sum())
            cost += c
            cost_default += rec["t_default"]
            row = per_table.setdefault(tname, {"seeds": {}})
            row["seeds"][seed] = {
                "real": real.tolist(),
                "probes": n_probe,
                "cost_s": c,
            }
        for row in per_table.values():
            sel = [v["real"] for v in row["seeds"].values()]
            row["mean_real"] = float(np.mean([len(s) for s in sel]))
            row["probes"] = int(sum(v["probes"] for v in row["seeds"].values()))
            row["jaccard"] = (
                float(
                    np.mean([jaccard(a, b) for a, b in itertools.combinations(sel, 2)])
                )
                if len(sel) > 1
                else None
            )
        f1 = {}
        syn_cost, syn_default = 0.0, 0.0
        for (cname, seed), rec in recs_syn.items():
            case = syn_cases[(cname, seed)]
            if len(rec["imp"]) < K:
                continue  # fewer networks fitted on this case than the rule needs
            mask, c = apply_rule(base, K, rule, rec, hybrid)
            f1.setdefault(cname, []).append(
                float(support_f1(case.support, mask, zero_division=0.0))
            )
            syn_cost += c
            syn_default += rec["t_default"]
        f1 = {k: float(np.mean(v)) for k, v in f1.items()}
        all_seeds = {s for row in per_table.values() for s in row["seeds"]}
        le1 = [
            sum(
                len(row["seeds"][s]["real"]) <= 1
                for row in per_table.values()
                if s in row["seeds"]
            )
            for s in sorted(all_seeds)
        ]
        jac = [
            row["jaccard"] for row in per_table.values() if row["jaccard"] is not None
        ]
        results[name] = {
            "K": K,
            "hybrid": hybrid,
            "probe_share": probes_kept / probes_total if probes_total else None,
            "probes_kept": probes_kept,
            "probes_total": probes_total,
            "mean_real": float(np.mean([r["mean_real"] for r in per_table.values()])),
            "tables_le1_per_seed": float(np.mean(le1)) if le1 else None,
            "mean_jaccard": float(np.mean(jac)) if jac else None,
            "time_rel_real": cost / cost_default if cost_default else None,
            "syn_mean_f1": float(np.mean(list(f1.values()))) if f1 else None,
            "syn_f1_is_1": int(sum(v == 1.0 for v in f1.values())),
            "syn_cases": len(f1),
            "syn_f1": f1,
            "time_rel_syn": syn_cost / syn_default if syn_default else None,
            "per_table": per_table,
        }
    return results


def downstream(results, names, real_cases, tables, seed):
    """HistGradientBoosting's 5-fold CV score (R^2 / accuracy) on the real
    columns each rule kept at ``seed``, and on all real columns."""
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

    out = {}
    for t in tables:
        case = real_cases.get((t, seed))
        if case is None:
            continue
        clf = case.task == "classification"
        model = (
            HistGradientBoostingClassifier if clf else HistGradientBoostingRegressor
        )(random_state=0)
        cv = (StratifiedKFold if clf else KFold)(5, shuffle=True, random_state=0)
        X = case.X[:, ~case.probe_mask]

        def score(cols, model=model, X=X, y=case.y, cv=cv):
            return float(cross_val_score(model, X[:, cols], y, cv=cv).mean())

        row = {"all real columns": score(np.arange(X.shape[1]))}
        for name in names:
            cols = results[name]["per_table"][t]["seeds"][seed]["real"]
            row[name] = score(cols) if cols else None
        out[t] = row
        log(
            f"  downstream {t}: "
            + ", ".join(f"{v:.3f}" if v is not None else "-" for v in row.values())
        )
    return out


# ------------------------------------------------------------------ page
def fmt(x, spec=".3f"):
    return "n/a" if x is None else format(x, spec)


def summary_rows(results, names):
    rows = []
    for name in names:
        r = results[name]
        rows.append(
            [
                name,
                f"{fmt(r['probe_share'], '.4f')} "
                f"({r['probes_kept']}/{r['probes_total']})",
                fmt(r["mean_real"], ".1f"),
                fmt(r["tables_le1_per_seed"], ".1f"),
                fmt(r["mean_jaccard"], ".2f"),
                fmt(r["syn_mean_f1"], ".3f"),
                f"{r['syn_f1_is_1']}/{r['syn_cases']}",
                fmt(r["time_rel_real"], ".1f") + "x",
                fmt(r["time_rel_syn"], ".1f") + "x",
            ]
        )
    return rows


SUMMARY_HEAD = [
    "rule",
    "probes kept (pooled share)",
    "mean real columns kept",
    "tables keeping <= 1 real column (mean over seeds)",
    "mean Jaccard over seeds",
    "synthetic mean F1",
    "synthetic F1 = 1",
    "time vs one default fit (real)",
    "time vs one default fit (synthetic)",
]


def per_table_rows(results, names, tables):
    rows = []
    for t in tables:
        row = [t]
        for name in names:
            pt = results[name]["per_table"].get(t)
            if pt is None:
                row.append("-")
                continue
            j = fmt(pt["jaccard"], ".2f")
            row.append(f"{pt['mean_real']:.1f} / {pt['probes']} / {j}")
        rows.append(row)
    return rows


def render(payload, best, wall):
    results = payload["results"]
    names = list(results)
    tables = [t for t in payload["tables"] if t != "ames"]
    syn_names = payload["synthetic_cases"]
    ctx = {
        "header": "\n".join(payload["machine"]),
        "wall_minutes": f"{wall / 60:.1f}",
        "seeds": ", ".join(map(str, payload["seeds"])),
        "ames_seeds": ", ".join(map(str, payload["ames_seeds"])) or "none",
        "n_nets": str(payload["n_nets"]),
        "summary_table": "\n".join(table(SUMMARY_HEAD, summary_rows(results, names))),
        "best_summary_table": "\n".join(
            table(SUMMARY_HEAD, summary_rows(results, best))
        ),
        "per_table": "\n".join(
            table(["table", *best], per_table_rows(results, best, tables))
        ),
        "synthetic_table": "\n".join(
            table(
                ["case", *best],
                [
                    [c, *(fmt(results[n]["syn_f1"].get(c), ".2f") for n in best)]
                    for c in syn_names
                ],
            )
        ),
    }
    ames = payload.get("ames") or {}
    ames_rows = []
    for name in best:
        if name not in ames:
            continue
        pt = ames[name]["per_table"]["ames"]
        ames_rows.append(
            [
                name,
                ", ".join(str(len(v["real"])) for v in pt["seeds"].values()),
                str(pt["probes"]),
                fmt(pt["jaccard"], ".2f"),
                fmt(ames[name]["time_rel_real"], ".1f") + "x",
            ]
        )
    ctx["ames_table"] = (
        "\n".join(
            table(
                [
                    "rule",
                    "real columns kept, per seed",
                    "probes kept (of 314 per seed)",
                    "Jaccard over seeds",
                    "time vs one default fit",
                ],
                ames_rows,
            )
        )
        if ames_rows
        else "(not run)"
    )
    down = payload.get("downstream") or {}
    if down:
        cols = ["all real columns", *[n for n in best]]
        ctx["downstream_table"] = "\n".join(
            table(
                ["table", *cols],
                [
                    [t, *(fmt(row.get(c), ".3f") for c in cols)]
                    for t, row in down.items()
                ],
            )
        )
    else:
        ctx["downstream_table"] = "(not run)"
    with open(TEMPLATE) as fh:
        text = fh.read()
    for k, v in ctx.items():
        text = text.replace("{{" + k + "}}", v)
    return text


# ------------------------------------------------------------------ main
BEST = [
    "today",
    "one round (K=1)",
    "beats max shadow in >= 2 of 5 rounds",
    "pooled-shadow p, BH q=0.2 (K=5)",
    "pooled-shadow p, BH q=0.3 (K=5)",
    "Boruta calibrated p, Bonferroni (K=10)",
    "shared shadows: mean vs max mean shadow (K=5)",
    "beats max shadow in >= 2 of 5 rounds [hybrid]",
    "pooled-shadow p, BH q=0.2 (K=5) [hybrid]",
    "beats max shadow in >= 2 of 5 rounds [hybrid, or 1 kept]",
    "pooled-shadow p, BH q=0.2 (K=5) [hybrid, or 1 kept]",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--ames-seeds", type=int, nargs="*", default=None)
    parser.add_argument("--syn-seeds", type=int, nargs="*", default=None)
    parser.add_argument("--nets", type=int, default=None, help="K networks fitted")
    parser.add_argument("--ames-nets", type=int, default=5, help="K networks on ames")
    parser.add_argument(
        "--shared-nets",
        type=int,
        default=None,
        help="K networks beside one shared shadow set",
    )
    parser.add_argument(
        "--syn-shared-only",
        action="store_true",
        help="synthetic suite: only the shared-shadow networks",
    )
    parser.add_argument("--best", nargs="*", default=None, help="rules shown per table")
    parser.add_argument("--cache", default="/tmp/decision_rules_cache")
    parser.add_argument("--no-fit", action="store_true", help="evaluate the cache only")
    parser.add_argument(
        "--downstream",
        nargs="*",
        default=[],
        help="tables scored downstream (first seed, rules of --best)",
    )
    parser.add_argument("--out-json", default=None)
    parser.add_argument("--out-md", default=None)
    args = parser.parse_args()
    seeds = args.seeds or ([0, 1] if args.quick else [0, 1, 2])
    ames_seeds = (
        args.ames_seeds
        if args.ames_seeds is not None
        else ([] if args.quick else seeds)
    )
    syn_seeds = args.syn_seeds if args.syn_seeds is not None else [0]
    n_nets = args.nets if args.nets is not None else (5 if args.quick else 10)
    if args.shared_nets is None:
        args.shared_nets = 5
    out_json = args.out_json or ("/tmp/decision_rules.json" if args.quick else OUT_JSON)
    out_md = args.out_md or ("/tmp/decision_rules.md" if args.quick else OUT_MD)
    os.makedirs(args.cache, exist_ok=True)
    NO_FIT[0] = args.no_fit
    start = time.perf_counter()
    if not args.no_fit:  # compile the kernels before anything is timed
        warm = np.random.default_rng(0).normal(size=(64, 6))
        timed_fit(warm, warm[:, 0], random_state=0, max_iter=3)
        timed_fit(warm, warm[:, 0] > 0, random_state=0, max_iter=3)

    modes = {"fresh": n_nets, "shared": args.shared_nets}
    recs_real = {m: {} for m in modes}
    recs_syn = {m: {} for m in modes}
    real_cases, tables, syn_cases, syn_names = {}, [], {}, []
    for mode, k_mode in modes.items():
        if not k_mode:
            continue
        shared = mode == "shared"
        for seed in sorted(set(seeds) | set(ames_seeds)):
            for case in real_table_suite(random_state=seed):
                use = seed in ames_seeds if case.name == "ames" else seed in seeds
                tag = "real-shared" if shared else "real"
                path = os.path.join(args.cache, f"{tag}-{case.name}-{seed}.npz")
                if not use or (args.no_fit and not os.path.exists(path)):
                    continue
                if case.name not in tables:
                    tables.append(case.name)
                k = min(k_mode, args.ames_nets) if case.name == "ames" else k_mode
                recs_real[mode][(case.name, seed)] = cached(
                    args.cache, "real", case, seed, k, shared
                )
                real_cases[(case.name, seed)] = case
        if mode == "fresh" and args.syn_shared_only:
            continue
        for seed in syn_seeds:
            for case in benchmark_suite(random_state=seed):
                tag = "syn-shared" if shared else "syn"
                path = os.path.join(args.cache, f"{tag}-{case.name}-{seed}.npz")
                if case.support is None or (args.no_fit and not os.path.exists(path)):
                    continue
                if case.name not in syn_names:
                    syn_names.append(case.name)
                recs_syn[mode][(case.name, seed)] = cached(
                    args.cache, "syn", case, seed, k_mode, shared
                )
                syn_cases[(case.name, seed)] = case

    best = args.best or BEST
    results, ames = {}, {}
    for mode, k_mode in modes.items():
        if not recs_real[mode]:
            continue
        ks_mode = sorted({k for k in (3, 5, 10) if k <= k_mode} | {k_mode})
        defs = rules_for(ks_mode)
        prefix = "shared shadows: " if mode == "shared" else ""
        hybrids = [
            b.removeprefix(prefix)
            for b in best
            if (b.endswith(HYBRID) or b.endswith(HYBRID1))
            and b.startswith(prefix)
            and (mode == "shared" or not b.startswith("shared shadows: "))
        ]
        main_recs = {k: v for k, v in recs_real[mode].items() if k[0] != "ames"}
        res = evaluate(main_recs, recs_syn[mode], real_cases, syn_cases, defs, hybrids)
        ames_recs = {k: v for k, v in recs_real[mode].items() if k[0] == "ames"}
        res_ames = {}
        if ames_recs:
            k_ames = min(len(r["imp"]) for r in ames_recs.values())
            ames_defs = {n: v for n, v in defs.items() if v[0] <= k_ames}
            res_ames = evaluate(
                ames_recs,
                {},
                real_cases,
                {},
                ames_defs,
                [
                    h
                    for h in hybrids
                    if h.removesuffix(HYBRID).removesuffix(HYBRID1) in ames_defs
                ],
            )
        for name, r in res.items():
            if mode == "shared" and name == "today":
                continue
            results[prefix + name] = r
        for name, r in res_ames.items():
            if mode == "shared" and name == "today":
                continue
            ames[prefix + name] = r
    recs_all = [
        r for m in modes for r in (*recs_real[m].values(), *recs_syn[m].values())
    ]
    shown = [b for b in best if b in results]
    down = (
        downstream(results, shown, real_cases, args.downstream, seeds[0])
        if args.downstream
        else {}
    )
    wall = time.perf_counter() - start
    payload = {
        "downstream": down,
        "machine": machine_lines(),
        "seeds": seeds,
        "ames_seeds": ames_seeds,
        "syn_seeds": syn_seeds,
        "n_nets": n_nets,
        "tables": tables,
        "synthetic_cases": syn_names,
        "wall_s": wall,
        "fit_cpu_s": float(sum(r["t_nets"].sum() for r in recs_all)),
        "results": results,
        "ames": ames,
    }
    os.makedirs(os.path.dirname(out_json), exist_ok=True)
    with open(out_json, "w") as fh:
        json.dump(payload, fh, separators=(",", ":"))
    with open(out_md, "w") as fh:
        fh.write(render(payload, [b for b in best if b in results], wall))
    for row in summary_rows(results, list(results)):
        print(" | ".join(row))
    log(f"wrote {out_json} and {out_md} ({wall:.0f} s)")


if __name__ == "__main__":
    main()
