"""How sgdselect's fit time and memory scale with the size of the data.

    PYTHONPATH=. python benchmarks/scaling.py            # full run, ~3 minutes
    PYTHONPATH=. python benchmarks/scaling.py --quick    # smoke test, < 1 minute

Writes ``docs/benchmarks/scaling.md`` and, when matplotlib is installed, the
log-log figures ``docs/benchmarks/scaling_n.png`` and ``scaling_d.png``
(``--quick`` writes to a temporary folder unless ``--out-dir`` is given).

* Time: ``SGDSupportSelector(batch_size=64, max_iter=1, threshold=0.0,
  random_state=0).fit`` (a numeric threshold: one training, see below),
  one epoch, so the number of steps grows with n, against n (d = 50) and
  against d (n = 10**4), one thread; a line fitted to log(time) against
  log(size) gives the scaling exponent (1 is linear).
* Memory: the peak resident memory of ``fit`` beyond what the process held
  just before it (after imports, a warm-up fit and creating X), against the
  size of X, for float32 X with d = 100 and n up to 10**6.

Every point runs in its own fresh subprocess, with one thread for BLAS,
OpenMP, Numba and torch, so that points do not pollute each other (memory
above all: a process never gives its peak back).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    QUIET_WAIT,
    REPO,
    background_note,
    best_of,
    command_line,
    fmt_time,
    log,
    machine_lines,
    run_worker,
    table,
    worker_entry,
    write_page,
)


def make_data(n, d, seed=0):
    """float32 X ~ N(0, 1) generated in place (no float64 temporary); y
    depends nonlinearly on the first 5 columns."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d), dtype=np.float32)
    k = min(d, 5)
    x = X[:, :k].astype(np.float64)
    y = (
        np.sin(2 * x[:, 0])
        + (x[:, 1] ** 2 if k > 1 else 0)
        + 0.1 * rng.standard_normal(n)
    )
    return X, y


def _estimator(kind):
    from sgdselect import GDSupportSelector, SGDSupportSelector

    if kind == "sgd":
        return SGDSupportSelector(
            batch_size=64, max_iter=1, threshold=0.0, random_state=0
        )
    return GDSupportSelector(max_iter=1, threshold=0.0, random_state=0)


def _warm_up(kind):
    # Loads (or compiles) the Numba kernel on a tiny problem, so that neither
    # compilation time nor its memory is charged to the measured fit.
    X, y = make_data(300, 7, seed=1)
    _estimator(kind).fit(X, y)


# ---------------------------------------------------------------- workers
def worker_time(cfg, threads):
    warnings.simplefilter("ignore")
    _warm_up("sgd")
    X, y = make_data(cfg["n"], cfg["d"])
    times = []
    for _ in range(cfg["repeat"]):
        t0 = time.perf_counter()
        _estimator("sgd").fit(X, y)
        times.append(time.perf_counter() - t0)
    out = {"n": cfg["n"], "d": cfg["d"], "time": min(times), "first_time": times[0]}
    try:  # internal: the per-column statistics every fit computes first
        from sgdselect._selector import column_stats

        out["stats_time"] = best_of(lambda: column_stats(X), cfg["repeat"])
    except Exception:  # noqa: BLE001, S110 - informational column only
        pass
    return out


def _status_kb(field):
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak():
    """Reset the kernel's peak-RSS mark to the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def worker_memory(cfg, threads):
    warnings.simplefilter("ignore")
    _warm_up(cfg["kind"])
    X, y = make_data(cfg["n"], cfg["d"])
    est = _estimator(cfg["kind"])
    # ru_maxrss (KiB on Linux) is the process's peak so far: its value now is
    # the baseline, after imports, the warm-up and X.
    base_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base_rss = _status_kb("VmRSS")
    # Second measure, where the kernel allows it: reset the peak mark to the
    # current RSS, so that an earlier, higher peak cannot hide the fit's.
    reset = _reset_peak()
    rss_after_reset = _status_kb("VmRSS")
    t0 = time.perf_counter()
    est.fit(X, y)
    t = time.perf_counter() - t0
    # After the reset, ru_maxrss reads the fit's own peak; without the reset it
    # would have read the larger of that and the baseline.
    peak_maxrss = max(base_maxrss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    out = {
        "n": cfg["n"],
        "d": cfg["d"],
        "kind": cfg["kind"],
        "x_bytes": int(X.nbytes),
        "model_bytes": int(
            sum(c.nbytes for c in est.coefs_) + sum(b.nbytes for b in est.intercepts_)
        ),
        "baseline_rss": base_rss * 1024 if base_rss else None,
        "extra_maxrss": (peak_maxrss - base_maxrss) * 1024,
        "time": t,
    }
    if reset:
        out["extra_hwm"] = (_status_kb("VmHWM") - rss_after_reset) * 1024
    return out


WORKERS = {"time": worker_time, "memory": worker_memory}


# ---------------------------------------------------------------- report
def slope(points):
    """Least-squares slope of log10(time) against log10(size)."""
    if len(points) < 2:
        return None
    x = np.log10([p[0] for p in points])
    y = np.log10([p[1] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def fmt_bytes(b):
    if b is None:
        return "n/a"
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(b) >= size:
            return f"{b / size:.1f} {unit}"
    return f"{b} B"


def figure(path, points, fit_upper, xlabel, title):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    xs = np.array([p[0] for p in points], float)
    ts = np.array([p[1] for p in points], float)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.loglog(xs, ts, "o-", label="SGDSupportSelector, 1 epoch, b=64")
    # Linear reference through the largest point.
    ax.loglog(xs, ts[-1] * xs / xs[-1], "--", color="gray", label="slope 1 (linear)")
    if fit_upper is not None:
        s, upper = fit_upper
        ux = np.array([p[0] for p in upper], float)
        ut = np.array([p[1] for p in upper], float)
        c = np.mean(np.log10(ut) - s * np.log10(ux))
        ax.loglog(
            ux,
            10**c * ux**s,
            ":",
            color="C3",
            label=f"fit on upper half: slope {s:.2f}",
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("fit time (s)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def passfail(ok):
    return "**PASS**" if ok else "**FAIL**"


def render(cfg, by_n, by_d, mem, out_dir, wall):
    L = ["# Scaling benchmarks", ""]
    if cfg["quick"]:
        L += ["**Quick smoke-test run: sizes are reduced.**", ""]
    L += [
        "Generated by `benchmarks/scaling.py`; the whole run took "
        f"{wall / 60:.1f} minutes.",
        "",
    ]
    L += machine_lines(command_line())
    L += [
        "",
        background_note(
            [(f"time n={r['n']} d={r['d']}", 1, r) for r in by_n + by_d]
            + [(f"memory {r['kind']} n={r['n']}", 1, r) for r in mem]
        ),
        "",
        "One thread everywhere (OMP/OpenBLAS/MKL/Numba env vars set before "
        "imports, `torch.set_num_threads(1)`, `threadpoolctl.threadpool_limits(1)`); "
        "each point in a fresh subprocess, after a warm-up fit on a tiny problem "
        "(Numba compilation excluded). *column statistics* is the internal "
        "`sgdselect._selector.column_stats(X)` (means and standard deviations "
        "that every fit computes before training) timed alone. Time is "
        "`SGDSupportSelector(batch_size=64, max_iter=1, threshold=0.0, "
        "random_state=0).fit(X, y)`, "
        "one epoch (ceil(n/64) steps), everything in `fit` included; each point "
        f"is the best of {cfg['repeat']} fits on the same X in one process (the "
        "first large fit of a process can be markedly slower: column *first "
        f"fit*), in each of {cfg['passes']} passes over all the points, the best "
        "kept.",
        "",
    ]
    summary = []
    sections = []
    for name, pts_raw, key, fixed, png, xlabel in (
        ("n", by_n, "n", f"d = {cfg['d_fixed']}", "scaling_n.png", "n (rows)"),
        ("d", by_d, "d", f"n = {cfg['n_fixed']}", "scaling_d.png", "d (features)"),
    ):
        ok = [r for r in pts_raw if "time" in r]
        pts = [(r[key], r["time"]) for r in ok]
        s_all = slope(pts)
        upper = pts[len(pts) // 2 :]
        s_up = slope(upper)
        rows = []
        for r in pts_raw:
            if "time" not in r:
                rows.append([r.get(key, "?"), r.get("error", "?"), "", "", "", ""])
                continue
            steps = -(-r["n"] // 64)
            rows.append(
                [
                    f"{r[key]:,}",
                    fmt_time(r["time"]),
                    fmt_time(r["time"] / steps),
                    fmt_time(r["time"] / r[key]),
                    fmt_time(r.get("stats_time")),
                    fmt_time(r.get("first_time")),
                ]
            )
        drew = (
            figure(
                os.path.join(out_dir, png),
                pts,
                (s_up, upper) if s_up is not None else None,
                xlabel,
                f"fit time against {name} ({fixed}, 1 thread)",
            )
            if len(pts) >= 2
            else False
        )
        sec = [f"## Fit time against {name} ({fixed})", ""]
        sec += table(
            [
                name,
                "fit time",
                "per step",
                f"per unit of {name}",
                "column statistics (once per fit)",
                "first fit in the process",
            ],
            rows,
        )
        sec += [
            "",
            f"Log-log slope over all points: **{s_all:.2f}**; over the upper half "
            f"({', '.join(f'{p[0]:,}' for p in upper)}): **{s_up:.2f}**."
            if s_all is not None
            else "Not enough points for a slope.",
            "",
        ]
        if drew:
            sec += [f"![fit time against {name}]({png})", ""]
        sections += sec
        if s_up is not None:
            summary.append(
                [
                    f"time against {name} ({fixed}), 1 thread: log-log slope, "
                    f"upper half (all points: {s_all:.2f})",
                    f"{s_up:.2f}",
                    "linear or better: <= 1.1",
                    passfail(s_up <= 1.1),
                ]
            )

    # ---- memory
    rows = []
    for r in mem:
        if "extra_maxrss" not in r:
            rows.append(
                [r.get("kind", "?"), r.get("n", "?"), r.get("error", "?")] + [""] * 6
            )
            continue
        ratio = r["extra_maxrss"] / r["x_bytes"]
        hwm = r.get("extra_hwm")
        rows.append(
            [
                "SGD (b=64)" if r["kind"] == "sgd" else "GD",
                f"{r['n']:,}",
                fmt_bytes(r["x_bytes"]),
                fmt_bytes(r["baseline_rss"]),
                fmt_bytes(r["extra_maxrss"]),
                f"**{ratio:.3f}**",
                f"{hwm / r['x_bytes']:.3f}" if hwm is not None else "n/a",
                fmt_bytes(r["model_bytes"]),
                fmt_time(r["time"]),
            ]
        )
    big = [r for r in mem if "extra_maxrss" in r and r["n"] == max(cfg["mem_ns"])]
    for r in big:
        worst = max(r["extra_maxrss"], r.get("extra_hwm") or 0)
        summary.append(
            [
                f"peak memory of `fit` beyond X, n={r['n']:,}, d={r['d']} float32 "
                f"({'SGD b=64' if r['kind'] == 'sgd' else 'GD'}, 1 epoch): "
                "extra / X.nbytes (larger of the two measures)",
                f"{worst / r['x_bytes']:.3f}",
                "< 0.5",
                passfail(worst / r["x_bytes"] < 0.5),
            ]
        )
    mem_sec = [
        f"## Peak memory of `fit` against the size of X (d = {cfg['mem_d']}, float32)",
        "",
        "In a fresh subprocess: imports, a warm-up fit on a tiny problem, then X "
        "(generated directly as float32) and y; *baseline* is the RSS at that "
        "point. *extra (ru_maxrss)* is `ru_maxrss` after `fit` minus `ru_maxrss` "
        "just before it. Because `ru_maxrss` is a high-water mark, an earlier "
        "peak (imports, the warm-up) can hide part of a small fit's extra; the "
        "column *extra / X (peak reset)* resets the kernel's peak mark to the "
        "current RSS just before `fit` (`/proc/self/clear_refs`, Linux) and reads "
        "`VmHWM` after. Target: fit's peak below 1.5x the size of X plus the "
        "model, i.e. extra / X.nbytes well under 0.5. Estimators: "
        "`SGDSupportSelector(batch_size=64, max_iter=1, threshold=0.0)` and "
        "`GDSupportSelector(max_iter=1, threshold=0.0)`. A numeric threshold "
        'trains one network; where nothing stands out, `threshold="auto"` '
        "trains a second one beside shadows, on a copy of X with "
        "`ceil(100 / d)` permuted copies of every column: (1 + ceil(100 / d)) "
        "times the size of X more, and that much more time. The default "
        "`input_squares=True` computes the squares on the fly, in the chunk "
        "buffers: it adds no copy of X.",
        "",
    ]
    mem_sec += table(
        [
            "estimator",
            "n",
            "X.nbytes",
            "baseline RSS",
            "extra (ru_maxrss)",
            "**extra / X**",
            "extra / X (peak reset)",
            "model",
            "fit time",
        ],
        rows,
    )
    mem_sec += [""]

    L += ["## Acceptance rows", ""]
    L += table(["check", "measured", "target", "result"], summary)
    L += [""]
    L += sections + mem_sec
    return "\n".join(L) + "\n"


def config(quick):
    if quick:
        return {
            "quick": True,
            "ns": [1000, 3000, 10_000, 30_000],
            "d_fixed": 50,
            "ds": [10, 100, 1000],
            "n_fixed": 3000,
            "mem_ns": [10_000, 100_000],
            "mem_d": 100,
            "repeat": 2,
            "passes": 1,
        }
    return {
        "quick": False,
        "ns": [1000, 3162, 10_000, 31_623, 100_000, 316_228, 1_000_000],
        "d_fixed": 50,
        "ds": [10, 32, 100, 316, 1000, 3162, 10_000],
        "n_fixed": 10_000,
        "mem_ns": [10_000, 100_000, 316_228, 1_000_000],
        "mem_d": 100,
        "repeat": 3,
        "passes": 2,
    }


def main():
    if "--worker" in sys.argv:
        worker_entry(sys.argv[1:], WORKERS, use_torch=False)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke-test run")
    parser.add_argument("--out-dir", help="folder for scaling.md and the figures")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="S",
        help="before each measurement, wait up to S seconds for other processes "
        "to leave the CPU",
    )
    args = parser.parse_args()
    cfg = config(args.quick)
    QUIET_WAIT[0] = args.wait_quiet
    out_dir = args.out_dir or (
        os.path.join(tempfile.gettempdir(), "sgdselect-scaling-quick")
        if args.quick
        else os.path.join(REPO, "docs", "benchmarks")
    )
    os.makedirs(out_dir, exist_ok=True)
    script = os.path.abspath(__file__)
    start = time.perf_counter()

    def timed(n, d):
        # Best of several fits in the same process: the first large fit of a
        # process pays one-off costs (fresh memory) that later ones do not.
        repeat = cfg["repeat"]
        log(f"time n={n} d={d}")
        r = run_worker(script, "time", 1, {"n": n, "d": d, "repeat": repeat}, 600)
        return {"n": n, "d": d, **r}

    # Several passes over all the points, each point keeping its best time:
    # a slow spell of a shared machine then spoils one pass, not the slope.
    by_n = [timed(n, cfg["d_fixed"]) for n in cfg["ns"]]
    by_d = [timed(cfg["n_fixed"], d) for d in cfg["ds"]]
    for _ in range(cfg["passes"] - 1):
        for points in (by_n, by_d):
            for i, old in enumerate(points):
                new = timed(old["n"], old["d"])
                if "time" in new and ("time" not in old or new["time"] < old["time"]):
                    points[i] = new
    mem = []
    for kind in ("sgd", "gd"):
        for n in cfg["mem_ns"]:
            log(f"memory {kind} n={n}")
            r = run_worker(
                script, "memory", 1, {"n": n, "d": cfg["mem_d"], "kind": kind}, 600
            )
            mem.append({"n": n, "kind": kind, **r})
    wall = time.perf_counter() - start
    text = render(cfg, by_n, by_d, mem, out_dir, wall)
    write_page(text, os.path.join(out_dir, "scaling.md"), wall)


if __name__ == "__main__":
    main()
