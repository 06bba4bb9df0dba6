"""Selection on raw tables against the same tables one-hot encoded by hand.

    PYTHONPATH=. python benchmarks/raw_tables.py --jobs 2    # ~25 min on 2 cores
    PYTHONPATH=. python benchmarks/raw_tables.py --quick     # smoke test, < 1 min
    PYTHONPATH=. python benchmarks/raw_tables.py --cases penguins,chile --seeds 0,1
    PYTHONPATH=. python benchmarks/raw_tables.py \\
        --from-json docs/benchmarks/raw_tables.json

The acceptance criterion of raw-table support: on the real-table suite, run
on the raw tables (categories and holes left in, probes being permuted copies
of the original columns), the selection is at least as good (probe share,
downstream score) as on the same tables one-hot encoded and imputed by hand.

Each table of :func:`sgdselect.datasets.real_table_suite` runs twice in one
run, with ``SGDSupportSelector(random_state=seed)`` at its defaults:
*one-hot*, on the encoded case (``real_table_suite()``: ``encode_table``'s
one-hot levels, missing indicators and medians, a probe per encoded column),
and *raw*, on the raw case (``real_table_suite(raw=True)``: the DataFrame as
distributed, a probe per original column, shuffled with the same rows). Both
variants are scored alike, on the encoded columns: a downstream model on the
encoded columns of the real original columns kept (every encoded column of a
column the raw fit kept; exactly the encoded columns the one-hot fit kept),
and the probes counted per encoded column and per original column.

Every fit runs in a forked child on one thread (``recovery.run_jobs``), is
appended to a cache file as soon as it finishes (``--cache``; a rerun of the
same code and data takes it from there), and ``--jobs 2`` runs two at once.
Writes ``docs/benchmarks/raw_tables.json`` and ``raw_tables.md`` (from
``templates/raw_tables.md``).
"""

import inspect
import itertools
import json
import os
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

for _var in h.THREAD_VARS:  # before NumPy, torch or Numba start their pools
    os.environ[_var] = "1"

import numpy as np  # noqa: E402
import recovery as rec  # noqa: E402

VARIANTS = ("one-hot", "raw")
SEEDS = (0, 1, 2, 3, 4)
PROBE_SEED = 0  # the probes: real_table_suite(random_state=0) for every seed
TIME_LIMIT = 1800  # seconds per fit
SCORE_LIMIT = 900  # seconds for the downstream score of one fit
# The criterion: raw's probe share at most one-hot's (or both at most
# PROBE_FLOOR), raw's mean downstream score at least one-hot's - TOLERANCE.
TOLERANCE = 0.005
PROBE_FLOOR = 0.01
CACHE = os.path.join(tempfile.gettempdir(), "sgdselect-raw-tables-cache.jsonl")
CACHE_VERSION = 1  # bump to invalidate every cached fit
QUICK_CASES = ("penguins", "birthwt")
QUICK_SEEDS = (0, 1)
QUICK_LIMIT = 60
MAX_LISTED = 6  # columns listed per table where raw loses


# ------------------------------------------------------- one fit
def encoded_selection(variant, case, encoded, selected):
    """The encoded columns a fit kept, as a mask over ``encoded.X``: the
    one-hot fit's own selection; for the raw fit, every encoded column of
    each original column (or probe) it kept."""
    selected = np.asarray(selected, dtype=bool)
    if variant == "one-hot":
        return selected
    kept = np.asarray(case.groups, dtype=object)[selected]
    return np.isin(encoded.groups, kept)


def score_selection(encoded, chosen, downstream):
    """What a selection of encoded columns keeps, counted per encoded and
    per original column, and the downstream score of its real columns."""
    probes, groups = encoded.probe_mask, np.asarray(encoded.groups, dtype=object)
    real = set(groups[~probes])
    kept = list(dict.fromkeys(groups[chosen]))
    return {
        "kept": [g for g in kept if g in real],
        "probes_kept": [g for g in kept if g not in real],
        "n_encoded_kept": int((chosen & ~probes).sum()),
        "n_encoded_probes_kept": int((chosen & probes).sum()),
        "selected": np.flatnonzero(chosen).tolist(),
        "downstream": downstream.score(encoded, chosen & ~probes),
    }


def child(job, case, downstream, conn):
    """One job in a forked child (``recovery.run_jobs``): a fit, timed here
    with its warnings recorded, then its score; or the table's references."""
    encoded = job["encoded"]
    try:
        if job["variant"] is None:
            conn.send({"fit": {}})
            warnings.simplefilter("ignore")
            ref = {
                "all_real": downstream.score(encoded, ~encoded.probe_mask),
                "none": downstream.constant(encoded),
            }
            conn.send({"scored": ref, "scores": downstream.fresh()})
            return
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cpu, start = rec.cpu_seconds(), time.perf_counter()
            selected, _, info = rec.real_sgd(case.X, case.y, case.task, job["seed"])
            wall = time.perf_counter() - start
            cpu = rec.cpu_seconds() - cpu
        conn.send({"fit": {"time": wall}})
        warnings.simplefilter("ignore")
        chosen = encoded_selection(job["variant"], case, encoded, selected)
        result = {
            "time": wall,
            "cpu": cpu,
            "info": info,
            "warnings": rec.warning_counts(caught),
        }
        result.update(score_selection(encoded, chosen, downstream))
        conn.send({"scored": result, "scores": downstream.fresh()})
    except Exception as exc:  # noqa: BLE001 - reported on the page
        conn.send({"error": f"{type(exc).__name__}: {exc}"[:300]})
    finally:
        conn.close()


# ------------------------------------------------------- the cache keys
def data_digest(case):
    """The data of a case: an array's bytes, or a DataFrame's cells, names
    and dtypes (a category dtype's repr lists its levels)."""
    X = case.X
    if hasattr(X, "dtypes"):
        import pandas as pd

        cells = pd.util.hash_pandas_object(X, index=False).to_numpy().tobytes()
        parts = [cells, *map(str, X.columns), *map(repr, X.dtypes)]
    else:
        parts = [X.tobytes()]
    return rec.digest(*parts, "\n".join(map(str, case.y)), case.task)


def score_digest():
    """What the downstream scores depend on besides the data."""
    code = [rec.Downstream, rec.RealDownstream, score_selection]
    code = [inspect.getsource(f) for f in code]
    return rec.digest(*code, rec.CV_FOLDS, rec.SEED, rec.version("scikit-learn"))


def fit_digest():
    """What a fit depends on: the code that runs it and sgdselect's source."""
    code = [rec.real_sgd, child, encoded_selection]
    parts = [inspect.getsource(f) for f in code] + [rec.package_digest()]
    dists = ("numpy", "scipy", "scikit-learn", "torch", "pandas")
    return rec.digest(*parts, *(rec.version(d) for d in dists))


# ------------------------------------------------------- the run
def config(quick):
    return {
        "probe_seed": PROBE_SEED,
        "cases": list(QUICK_CASES) if quick else None,
        "variants": list(VARIANTS),
        "seeds": list(QUICK_SEEDS if quick else SEEDS),
        "time_limit": QUICK_LIMIT if quick else TIME_LIMIT,
        "score_limit": QUICK_LIMIT if quick else SCORE_LIMIT,
        "jobs": 1,
        "cache": None if quick else CACHE,
        "tolerance": TOLERANCE,
        "probe_floor": PROBE_FLOOR,
    }


def add_arguments(parser):
    parser.add_argument("--cases", help="comma-separated tables (default: all sixteen)")
    parser.add_argument("--seeds", help="seeds of the selector (default 0-4)")
    rec.add_run_arguments(parser, TIME_LIMIT, QUICK_LIMIT, SCORE_LIMIT, CACHE)


def apply_args(cfg, args):
    """The command line's choices into ``cfg`` (what the page reports)."""
    rec.apply_cases(cfg, args)
    if args.seeds:
        cfg["seeds"] = rec.seed_list(args.seeds)
    rec.apply_run_args(cfg, args)


def describe(encoded, raw):
    X = raw.X.iloc[:, ~raw.probe_mask]
    real = ~encoded.probe_mask
    return {
        "name": encoded.name,
        "task": encoded.task,
        "n": int(X.shape[0]),
        "columns": int(X.shape[1]),
        "encoded": int(real.sum()),
        "category_columns": int((X.dtypes == "category").sum()),
        "missing_columns": int(X.isna().any().sum()),
        "classes": None if encoded.task == "regression" else len(np.unique(raw.y)),
        "description": raw.description,
    }


def plan(cfg, pairs):
    """The jobs (each table's references, then a fit per variant and seed),
    each with its cache key."""
    scores, fits = score_digest(), fit_digest()
    jobs = []
    for encoded, raw in pairs:
        data = data_digest(encoded)
        ref_key = ["ref", CACHE_VERSION, encoded.name, data, scores]
        jobs.append(
            {
                "case": encoded,
                "encoded": encoded,
                "variant": None,
                "seed": None,
                "limit": cfg["score_limit"],
                "key": json.dumps(ref_key),
            }
        )
        for seed, variant in itertools.product(cfg["seeds"], cfg["variants"]):
            case = raw if variant == "raw" else encoded
            key = [
                "fit",
                CACHE_VERSION,
                encoded.name,
                variant,
                seed,
                data_digest(case),
                data,
                scores,
                fits,
            ]
            jobs.append(
                {
                    "case": case,
                    "encoded": encoded,
                    "variant": variant,
                    "seed": seed,
                    "limit": cfg["time_limit"],
                    "key": json.dumps(key),
                }
            )
    return jobs


def measure(cfg, args):
    from sgdselect.datasets import real_table_suite

    controller = h.limit_threads(1)  # noqa: F841  (kept alive)
    apply_args(cfg, args)
    seed, names = cfg["probe_seed"], cfg["cases"]
    pairs = list(
        zip(
            real_table_suite(seed, names=names),
            real_table_suite(seed, names=names, raw=True),
            strict=True,
        )
    )
    cache = rec.FitCache(cfg["cache"], fresh=cfg["fresh"])
    h.log(f"cache: {cfg['cache'] or 'none'} ({len(cache.entries)} entries read)")
    refs, fits, todo = {}, {}, []
    jobs = plan(cfg, pairs)
    for job in jobs:
        cached = None if cfg["fresh"] else cache.get(job["key"])
        if not rec.reusable(cached, job["limit"]):
            todo.append(job)
        elif job["variant"] is None:
            refs[job["case"].name] = cached
        else:
            fits[f"{job['case'].name}|{job['variant']}|{job['seed']}"] = cached
    from_cache = len(jobs) - len(todo)
    # The references first (cheap, their scores shared), then the largest
    # tables first, the two variants of a seed next to each other (with two
    # jobs at once they run side by side, under the same load).
    todo.sort(key=lambda j: (j["variant"] is not None, -j["encoded"].X.size))
    h.log(f"{len(jobs)} jobs, {from_cache} from the cache, {len(todo)} to run")
    if any(j["variant"] for j in todo):
        rec.warm_up()
    count = itertools.count(1)

    def done(job, result):
        name = job["case"].name
        if job["variant"] is None:
            refs[name] = result
            what = f"{name} references"
        else:
            fits[f"{name}|{job['variant']}|{job['seed']}"] = result
            what = f"{name} {job['variant']} seed {job['seed']}"
        if "error" not in result or result["error"] == "timeout":
            cache.put(job["key"], result)
        if "error" in result:
            outcome = result["error"]
        elif job["variant"] is None:
            outcome = f"all real {_num(result['all_real'])}"
        else:
            outcome = (
                f"{len(result['kept'])} real + {len(result['probes_kept'])} probes, "
                f"downstream {_num(result['downstream'])}"
            )
        took = h.fmt_time(result.get("time"))
        h.log(f"[{next(count)}/{len(todo)}] {what}: {outcome} ({took})")

    with h.Background() as load:
        rec.run_jobs(
            todo,
            cfg["jobs"],
            cfg["score_limit"],
            rec.RealDownstream(),
            done,
            child=child,
        )
    return {
        "cases": [describe(encoded, raw) for encoded, raw in pairs],
        "refs": refs,
        "fits": fits,
        "from_cache": from_cache,
        "n_jobs": len(jobs),
        "background_cores": load.cores,
    }


# ------------------------------------------------------- the page
def _num(x, digits=3):
    return "n/a" if x is None else f"{x:.{digits}f}"


def _share(kept, offered):
    return f"{kept / offered:.2%} ({kept} of {offered})" if offered else "n/a"


def _count(x):
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


class Page:
    """The numbers of the page, from the run's data.

    Per table, a variant's figures are means over its seeds that finished; a
    selection without a real column scores the constant model's score. The
    comparisons are over the tables where both variants finished."""

    def __init__(self, data):
        self.cfg, res = data["config"], data["results"]
        self.variants, self.seeds = self.cfg["variants"], self.cfg["seeds"]
        self.cases, self.refs, self.fits = res["cases"], res["refs"], res["fits"]

    # one table
    def runs(self, variant, case):
        name = case["name"]
        return [(seed, self.fits[f"{name}|{variant}|{seed}"]) for seed in self.seeds]

    def done(self, variant, case):
        return [r for _, r in self.runs(variant, case) if "error" not in r]

    def score(self, result, case):
        value = result["downstream"]
        return self.refs[case["name"]]["none"] if value is None else value

    def per_table(self, variant, case, key):
        """The mean over seeds of ``key``: ``downstream``, ``kept`` and
        ``probes_kept`` (how many), ``n_encoded_kept``,
        ``n_encoded_probes_kept``; or ``jaccard``, of the real original
        columns kept. None where no seed finished."""
        done = self.done(variant, case)
        if not done:
            return None
        if key == "jaccard":
            return rec.jaccard([set(r["kept"]) for r in done])
        if key == "downstream":
            values = [self.score(r, case) for r in done]
        elif key in ("kept", "probes_kept"):
            values = [len(r[key]) for r in done]
        else:
            values = [r[key] for r in done]
        return float(np.mean(values))

    def kept_counts(self, variant, case):
        """How many seeds kept each real original column."""
        counts = {}
        for r in self.done(variant, case):
            for column in r["kept"]:
                counts[column] = counts.get(column, 0) + 1
        return counts

    def fit_time(self, variant, case):
        """Mean fit time over the seeds (a fit cut off counts at the time it
        ran), and whether one was cut off; None where no seed has a time."""
        runs = [r for _, r in self.runs(variant, case) if "time" in r]
        if not runs:
            return None, False
        cut = any(r.get("error") == "timeout" for r in runs)
        return float(np.mean([r["time"] for r in runs])), cut

    # over tables
    def common(self):
        """The tables where every variant has a finished fit."""
        return [c for c in self.cases if all(self.done(v, c) for v in self.variants)]

    def mean(self, variant, key, tables):
        values = [self.per_table(variant, c, key) for c in tables]
        values = [v for v in values if v is not None]
        return float(np.mean(values)) if values else None

    def probes(self, variant, unit, tables):
        """Probes kept and offered, pooled over ``tables`` and the seeds that
        finished; ``unit``: "encoded" or "original" columns."""
        kept = offered = 0
        for case in tables:
            for r in self.done(variant, case):
                if unit == "encoded":
                    kept += r["n_encoded_probes_kept"]
                    offered += case["encoded"]
                else:
                    kept += len(r["probes_kept"])
                    offered += case["columns"]
        return kept, offered

    def total_time(self, variant, tables):
        total, cut = 0.0, 0
        for case in tables:
            t, was_cut = self.fit_time(variant, case)
            total += t or 0.0
            cut += was_cut
        return total, cut

    def failures(self, variant):
        """``(table, seed, error)`` of every fit that did not finish."""
        return [
            (case["name"], seed, r["error"])
            for case in self.cases
            for seed, r in self.runs(variant, case)
            if "error" in r
        ]

    def other_task(self, variant):
        """Fits whose inferred task (``task_``) is not the table's."""
        return [
            f"{case['name']} ({r['info']['task_']})"
            for case in self.cases
            for r in self.done(variant, case)
            if r["info"]["task_"] != case["task"]
        ]


def verdict(page):
    """The criterion, PASS or FAIL per part and overall."""
    cfg, tables = page.cfg, page.common()
    if not tables:
        return "**not evaluated**: no table where both variants finished a fit."
    lines, verdicts = [], []

    def line(text, ok, detail):
        verdicts.append(ok)
        lines.append(f"- {h.passfail(ok)} {text}: {detail}.")

    floor, tolerance = cfg["probe_floor"], cfg["tolerance"]
    for unit in ("encoded", "original"):
        (k1, n1), (k2, n2) = (page.probes(v, unit, tables) for v in VARIANTS)
        ours, theirs = k2 / n2, k1 / n1
        line(
            f"share of probes kept, per {unit} column, raw ≤ one-hot "
            f"(or both ≤ {floor:.0%})",
            ours <= theirs or max(ours, theirs) <= floor,
            f"raw {_share(k2, n2)} against one-hot {_share(k1, n1)}",
        )
    theirs, ours = (page.mean(v, "downstream", tables) for v in VARIANTS)
    line(
        f"mean downstream score, raw ≥ one-hot - {tolerance:g}",
        ours >= theirs - tolerance,
        f"raw {ours:.4f} against one-hot {theirs:.4f} over {len(tables)} tables "
        f"(raw - one-hot = {ours - theirs:+.4f})",
    )
    failed = page.failures("raw")
    errors = {}
    for name, _, error in failed:
        errors.setdefault(name, set()).add(error)
    detail = (
        f"{len(failed)} raw fits did not finish: "
        + "; ".join(f"{name} ({', '.join(sorted(e))})" for name, e in errors.items())
        if failed
        else f"every raw fit finished ({len(page.cases)} tables x "
        f"{len(page.seeds)} seeds)"
    )
    line("the raw variant fits every table", not failed, detail)
    overall = "PASS" if all(verdicts) else "FAIL"
    return f"**Verdict: {overall}.**\n\n" + "\n".join(lines)


def summary(page):
    tables, n = page.common(), len(page.cases)
    part = "" if len(tables) == n else f" (on the {len(tables)} of {n} tables both ran)"
    rows = []
    for unit in ("encoded", "original"):
        cells = [_share(*page.probes(v, unit, tables)) for v in VARIANTS]
        rows.append([f"probes kept, per {unit} column (pooled)", *cells, "0.00%"])
    mean_columns = float(np.mean([c["columns"] for c in tables]))
    mean_encoded = float(np.mean([c["encoded"] for c in tables]))
    rows.append(
        [
            "real original columns kept (mean)",
            *(_num(page.mean(v, "kept", tables), 1) for v in VARIANTS),
            f"{mean_columns:.1f}",
        ]
    )
    rows.append(
        [
            "real encoded columns scored (mean)",
            *(_num(page.mean(v, "n_encoded_kept", tables), 1) for v in VARIANTS),
            f"{mean_encoded:.1f}",
        ]
    )
    all_real = float(np.mean([page.refs[c["name"]]["all_real"] for c in tables]))
    rows.append(
        [
            "downstream score (mean over tables)",
            *(_num(page.mean(v, "downstream", tables), 4) for v in VARIANTS),
            f"{all_real:.4f}",
        ]
    )
    rows.append(
        [
            "Jaccard over seeds, original columns kept (mean over tables)",
            *(
                _num(page.mean(v, "jaccard", tables), 3)
                if len(page.seeds) > 1
                else "1 seed"
                for v in VARIANTS
            ),
            "",
        ]
    )
    times = [page.total_time(v, tables) for v in VARIANTS]
    rows.append(
        [
            "fit time over the suite, per seed",
            *(("≥ " if cut else "") + h.fmt_time(t) for t, cut in times),
            "",
        ]
    )
    ratio = times[1][0] / times[0][0] if times[0][0] > 0 else None
    rows.append(["fit time / one-hot's", "1.00x", h.fmt_ratio(ratio, 2), ""])
    rows.append(
        [
            "fits cut off / failed",
            *(
                " / ".join(
                    str(sum((e == "timeout") == cut for _, _, e in page.failures(v)))
                    for cut in (True, False)
                )
                for v in VARIANTS
            ),
            "",
        ]
    )
    rows.append(
        [
            "fits whose task_ is not the table's",
            *(", ".join(page.other_task(v)) or "none" for v in VARIANTS),
            "",
        ]
    )
    return part, h.table(["", *VARIANTS, "all real columns"], rows)


def _cell(page, variant, case):
    done, runs = page.done(variant, case), page.runs(variant, case)
    if not done:
        return "; ".join(sorted({r["error"] for _, r in runs}))[:80]
    keys = ("kept", "probes_kept", "n_encoded_probes_kept")
    cell = " / ".join(_count(page.per_table(variant, case, k)) for k in keys)
    cell += f" / {page.per_table(variant, case, 'downstream'):.3f}"
    if len(done) > 1:
        cell += f" / {page.per_table(variant, case, 'jaccard'):.2f}"
    if len(done) < len(runs):
        cell += f" ({len(done)} of {len(runs)} seeds)"
    return cell


def _gap(page, case):
    theirs, ours = (page.per_table(v, case, "downstream") for v in VARIANTS)
    return None if ours is None or theirs is None else ours - theirs


def matrix(page):
    rows = []
    for case in page.cases:
        ref = page.refs[case["name"]]
        gap = _gap(page, case)
        rows.append(
            [
                case["name"],
                case["task"][:5] + ".",
                f"{case['columns']} → {case['encoded']}",
                *(_cell(page, v, case) for v in VARIANTS),
                "n/a" if gap is None else f"{gap:+.3f}",
                f"{ref['all_real']:.3f}",
                f"{ref['none']:.3f}",
            ]
        )
    header = ["table", "task", "columns → encoded", *VARIANTS, "raw - one-hot"]
    return h.table([*header, "all real", "none kept"], rows)


def _differences(page, case):
    """The real columns one variant kept on more seeds than the other."""
    ours, theirs = page.kept_counts("raw", case), page.kept_counts("one-hot", case)
    n_ours, n_theirs = len(page.done("raw", case)), len(page.done("one-hot", case))
    out = {}
    for side, more, fewer in (("one-hot", theirs, ours), ("raw", ours, theirs)):
        diff = {c: more[c] - fewer.get(c, 0) for c in more if more[c] > fewer.get(c, 0)}
        listed = sorted(diff, key=lambda c: (-diff[c], c))
        cells = [
            f"{c} ({theirs.get(c, 0)}/{n_theirs} vs {ours.get(c, 0)}/{n_ours})"
            for c in listed[:MAX_LISTED]
        ]
        if len(listed) > MAX_LISTED:
            cells.append(f"{len(listed) - MAX_LISTED} more")
        out[side] = ", ".join(cells) or "none"
    return out


def losses(page):
    """Every table where raw scores lower, keeps more probes, or did not
    finish, with the columns the two variants kept differently."""
    tolerance, rows = page.cfg["tolerance"], []
    for case in page.cases:
        if not page.done("raw", case) or not page.done("one-hot", case):
            if page.done("one-hot", case):
                rows.append([case["name"], "raw did not finish", "**yes**"])
                rows[-1] += ["", "", ""]
            continue
        gap = _gap(page, case)
        probes = [page.per_table(v, case, "probes_kept") for v in VARIANTS]
        encoded = [page.per_table(v, case, "n_encoded_probes_kept") for v in VARIANTS]
        if gap >= 0 and probes[1] <= probes[0] and encoded[1] <= encoded[0]:
            continue
        diff = _differences(page, case)
        rows.append(
            [
                case["name"],
                f"{gap:+.3f}",
                "**yes**" if gap < -tolerance else "no",
                f"{_count(probes[1])} / {_count(encoded[1])} against "
                f"{_count(probes[0])} / {_count(encoded[0])}",
                diff["one-hot"],
                diff["raw"],
            ]
        )
    if not rows:
        return (
            "None: on every table raw scores at least as well and keeps no more probes."
        )
    header = [
        "table",
        "raw - one-hot (downstream)",
        f"beyond {tolerance:g}",
        "probes kept, raw against one-hot (original / encoded)",
        "kept on more seeds by one-hot (one-hot vs raw seeds)",
        "kept on more seeds by raw",
    ]
    return h.table(header, rows)


def times(page):
    rows = []
    for case in page.cases:
        t = [page.fit_time(v, case) for v in VARIANTS]
        cells = [
            "n/a" if s is None else h.fmt_time(s) + (" (cut off)" if cut else "")
            for s, cut in t
        ]
        ratio = t[1][0] / t[0][0] if t[0][0] and t[1][0] is not None else None
        size = f"{case['n']} x {2 * case['columns']} / {2 * case['encoded']}"
        rows.append([case["name"], size, *cells, h.fmt_ratio(ratio, 2)])
    header = ["table", "n x columns (raw / one-hot, probes in)", *VARIANTS]
    return h.table([*header, "raw / one-hot"], rows)


def tables_cell(page):
    rows = [
        [
            c["name"],
            c["task"] + ("" if c["classes"] is None else f" ({c['classes']} classes)"),
            c["n"],
            c["columns"],
            c["category_columns"],
            c["missing_columns"],
            c["encoded"],
            c["description"].replace("|", "\\|"),
        ]
        for c in page.cases
    ]
    header = ["table", "task", "n", "columns", "category", "with missing cells"]
    return h.table([*header, "encoded", "description"], rows)


def warnings_list(page):
    """The warnings each variant's fits raised, with the tables."""
    lines = []
    for variant in VARIANTS:
        seen = {}
        for case in page.cases:
            for r in page.done(variant, case):
                for w in r.get("warnings", ()):
                    entry = seen.setdefault(w["warning"], [0, []])
                    entry[0] += w["count"]
                    if case["name"] not in entry[1]:
                        entry[1].append(case["name"])
        if not seen:
            lines.append(f"- {variant}: none.")
            continue
        lines.append(f"- {variant}:")
        for text, (count, names) in seen.items():
            text = text.replace("\n", " ").replace("|", "\\|")
            lines.append(f"  - `{text}` ({count} times; {', '.join(names)})")
    return "\n".join(lines)


def details(page):
    rows = []
    for case in page.cases:
        for seed, variant in itertools.product(page.seeds, VARIANTS):
            r = page.fits[f"{case['name']}|{variant}|{seed}"]
            if "error" in r:
                t = h.fmt_time(r["time"]) if "time" in r else ""
                rows.append(
                    [case["name"], variant, seed, r["error"], "", "", t, "", ""]
                )
                continue
            note = [f"{k} {v}" for k, v in (r.get("info") or {}).items()]
            said = sum(w["count"] for w in r.get("warnings", ()))
            if said:
                note.append(f"{said} warning{'s' if said > 1 else ''}")
            rows.append(
                [
                    case["name"],
                    variant,
                    seed,
                    f"{len(r['kept'])} ({r['n_encoded_kept']})",
                    f"{len(r['probes_kept'])} ({r['n_encoded_probes_kept']})",
                    f"{page.score(r, case):.3f}",
                    h.fmt_time(r["time"]),
                    f"{r['cpu'] / r['time']:.2f}" if r["time"] > 0 else "n/a",
                    ", ".join(note),
                ]
            )
    header = [
        "table",
        "variant",
        "seed",
        "real kept (encoded)",
        "probes kept (encoded)",
    ]
    return h.table([*header, "downstream", "fit time", "CPU / wall", "notes"], rows)


def fields(data, out_dir):
    cfg, res, page = data["config"], data["results"], Page(data)
    jobs = cfg["jobs"]
    at_once = (
        "one fit at a time"
        if jobs == 1
        else f"{jobs} fits at once (each in its own process, on one thread)"
    )
    cached = res["from_cache"]
    cache_note = (
        f"{cached} of the {res['n_jobs']} results (fits and reference scores) came "
        "from the cache of an earlier run of the same code and data."
        if cached
        else "Every result was measured in this run."
    )
    on_tables, table = summary(page)
    return {
        "header": h.header(data, "raw_tables.py"),
        "time_limit": f"{cfg['time_limit']:g}",
        "score_limit": f"{cfg['score_limit']:g}",
        "at_once": at_once,
        "load": h.load_note([("the fits", jobs, res["background_cores"])]),
        "cache": cache_note,
        "seeds": rec._seed_text(cfg["seeds"]),
        "probe_seed": str(cfg["probe_seed"]),
        "tolerance": f"{cfg['tolerance']:g}",
        "floor": f"{cfg['probe_floor']:.0%}",
        "verdict": verdict(page),
        "on_tables": on_tables,
        "summary": table,
        "matrix": matrix(page),
        "losses": losses(page),
        "times": times(page),
        "tables": tables_cell(page),
        "warnings": warnings_list(page),
        "details": details(page),
    }


if __name__ == "__main__":
    h.main(__file__, __doc__, config, measure, fields, add_arguments=add_arguments)
