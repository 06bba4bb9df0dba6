"""Helpers shared by the benchmark scripts: thread control, subprocess workers,
machine description and Markdown tables.

Each measurement that depends on a thread count runs in a subprocess whose
thread-related environment variables are set before anything is imported, so
that OpenBLAS, OpenMP, Numba and torch all start with that many threads.
"""

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    # Benchmark this checkout, whatever copy of sgdselect is pip-installed.
    sys.path.insert(0, REPO)

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def all_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def limit_threads(threads, use_torch=True):
    """In a worker: pin torch and every BLAS/OpenMP pool to ``threads``.

    Returns the threadpoolctl controller (keep a reference for the whole run).
    With ``use_torch=False`` torch is not imported (it costs seconds), but its
    threads are still pinned if something else imported it.
    """
    from threadpoolctl import threadpool_limits

    if use_torch or "torch" in sys.modules:
        try:
            import torch

            torch.set_num_threads(threads)
        except ImportError:
            pass
    return threadpool_limits(limits=threads)


def cpu_busy_seconds():
    """CPU seconds spent busy by the whole machine so far (all processes),
    or None where /proc/stat is missing."""
    try:
        with open("/proc/stat") as fh:
            vals = [int(v) for v in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = vals[3] + vals[4]  # idle + iowait
    return (sum(vals) - idle) / os.sysconf("SC_CLK_TCK")


def spare_cores(threads):
    """Cores other processes may use without slowing a ``threads``-thread
    measurement (with a little slack)."""
    return max(0.0, all_cores() - threads) + 0.2


class Background:
    """Context manager: the CPU, in cores, that processes other than this one
    (and its children) used while the block ran; ``.cores`` after exit."""

    def __enter__(self):
        self._busy = cpu_busy_seconds()
        self._own = _own_cpu()
        self._t = time.perf_counter()
        self.cores = None
        return self

    def __exit__(self, *exc):
        if self._busy is not None:
            wall = time.perf_counter() - self._t
            other = (cpu_busy_seconds() - self._busy) - (_own_cpu() - self._own)
            self.cores = max(0.0, other / wall) if wall > 0 else None
        return False


def _own_cpu():
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def wait_for_quiet(max_wait, threshold=0.25, probe=1.0):
    """Wait (up to ``max_wait`` s) until other processes use less than
    ``threshold`` cores over a ``probe``-second window. Returns the load seen
    last, in cores (None where it cannot be measured)."""
    deadline = time.monotonic() + max_wait
    while True:
        b0, t0 = cpu_busy_seconds(), time.monotonic()
        if b0 is None:
            return None
        time.sleep(probe)
        load = (cpu_busy_seconds() - b0) / (time.monotonic() - t0)
        if load < threshold or time.monotonic() >= deadline:
            return load
        log(f"  machine busy ({load:.2f} cores used by others); waiting")


# Seconds to wait, before each worker, for other processes to leave the CPU.
QUIET_WAIT = [0.0]


def run_worker(script, kind, threads, config, timeout):
    """Run ``script --worker kind`` in a fresh interpreter with ``threads``
    threads; return its JSON result, or ``{"error": ...}``.

    The result carries ``background_cores``: the CPU that processes other than
    the worker used while it ran (in cores), a sign of disturbed timings.
    """
    if QUIET_WAIT[0] > 0:
        wait_for_quiet(QUIET_WAIT[0], threshold=spare_cores(threads))
    env = os.environ.copy()
    for var in THREAD_VARS:
        env[var] = str(threads)
    env["PYTHONPATH"] = REPO + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    fd, path = tempfile.mkstemp(suffix=".json", prefix="sgdselect-bench-")
    os.close(fd)
    cmd = [
        sys.executable,
        script,
        "--worker",
        kind,
        "--threads",
        str(threads),
        "--config",
        json.dumps(config),
        "--result",
        path,
    ]
    start = time.perf_counter()
    busy0 = cpu_busy_seconds()
    own0 = _children_cpu()
    background = None
    try:
        # The worker's own prints go to our stderr, keeping stdout clean.
        proc = subprocess.run(
            cmd, env=env, timeout=timeout, stdout=sys.stderr, stderr=sys.stderr
        )
        wall = time.perf_counter() - start
        if busy0 is not None:
            other = (cpu_busy_seconds() - busy0) - (_children_cpu() - own0)
            background = max(0.0, other / wall)
        with open(path) as fh:
            text = fh.read()
        if proc.returncode != 0 or not text:
            return {
                "error": f"worker exited with status {proc.returncode}",
                "background_cores": background,
            }
        result = json.loads(text)
        result["background_cores"] = background
        return result
    except subprocess.TimeoutExpired:
        return {"error": f"worker timed out after {timeout} s"}
    finally:
        extra = (
            f", others used {background:.2f} cores" if background is not None else ""
        )
        took = time.perf_counter() - start
        log(f"  [{kind}, {threads} thread(s)] {took:.1f} s{extra}")
        os.unlink(path)


def _children_cpu():
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def background_note(results):
    """A Markdown line on the CPU other processes used during the run.

    ``results`` holds ``(name, threads, result)``; a measurement is flagged
    when others used more cores than the ``threads`` it ran on left free.
    """
    loads = [
        (name, r["background_cores"], threads)
        for name, threads, r in results
        if isinstance(r, dict) and r.get("background_cores") is not None
    ]
    if not loads:
        return "Background load could not be measured (no /proc/stat)."
    worst = max(loads, key=lambda x: x[1])
    mean = sum(v for _, v, _ in loads) / len(loads)
    line = (
        f"Other processes used on average {mean:.2f} cores while the measurements "
        f"ran (most: {worst[1]:.2f} cores, during {worst[0]}), on "
        f"{all_cores()} cores."
    )
    busy = [(n, v) for n, v, t in loads if v > spare_cores(t)]
    if busy:
        line += (
            " **These measurements competed with other processes for cores and "
            "are not reliable**: "
            + ", ".join(f"{n} ({v:.2f} cores)" for n, v in busy)
            + "."
        )
    else:
        line += " No measurement competed with them for cores."
    return line


def worker_entry(argv, workers, use_torch=True):
    """Parse the worker command line, run ``workers[kind](config, threads)``
    and write its result as JSON."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--result", required=True)
    args = parser.parse_args(argv)
    controller = limit_threads(args.threads, use_torch)  # noqa: F841  (kept alive)
    result = workers[args.worker](json.loads(args.config), args.threads)
    with open(args.result, "w") as fh:
        json.dump(result, fh)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def versions():
    out = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "sklearn", "torch", "numba", "threadpoolctl"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            out[name] = "not installed"
    try:
        from threadpoolctl import threadpool_info

        blas = sorted(
            {
                f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})"
                for i in threadpool_info()
                if i["user_api"] == "blas"
            }
        )
        out["blas"] = "; ".join(blas)
    except Exception:  # noqa: BLE001 - informational only
        pass
    return out


def git_state():
    try:
        head = subprocess.run(
            ["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", REPO, "status", "--porcelain", "--", "sgdselect"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + (" (sgdselect/ has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine_lines(command):
    import sgdselect

    v = versions()
    return [
        f"- Machine: {cpu_model()}, {all_cores()} cores available "
        f"(os.cpu_count() = {os.cpu_count()}), {platform.system()} "
        f"{platform.machine()}.",
        "- Versions: "
        + ", ".join(f"{k} {val}" for k, val in v.items() if k != "blas")
        + ".",
        f"- BLAS: {v.get('blas', 'unknown')}.",
        f"- sgdselect {sgdselect.__version__} from "
        f"`{os.path.dirname(sgdselect.__file__)}`, git {git_state()}.",
        f"- Command: `{command}`",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M %Z')}.",
    ]


def command_line():
    pp = os.environ.get("PYTHONPATH")
    prefix = f"PYTHONPATH={pp} " if pp else ""
    rel = os.path.relpath(os.path.abspath(sys.argv[0]), REPO)
    return prefix + "python " + " ".join(shlex.quote(a) for a in [rel, *sys.argv[1:]])


def table(header, rows):
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return lines


def fmt_time(seconds):
    if seconds is None:
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


def fmt_ratio(x, digits=1):
    if x is None:
        return "n/a"
    return f"{x:.{digits}f}x"


def best_of(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def write_page(text, path, wall):
    """Write a benchmark page and echo its acceptance rows to stdout."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)
    in_rows = False
    for line in text.splitlines():
        if line.startswith("## Acceptance"):
            in_rows = True
        elif line.startswith("## "):
            in_rows = False
        if in_rows:
            print(line)
    print(f"\nwrote {path} in {wall / 60:.1f} min")


def page_head(title, script, quick, wall, machine=None):
    """The first lines of a page that ``rows_page_main`` renders: the title,
    the script and the run's length, and the machine lines."""
    return [
        f"# {title}",
        "",
        f"Generated by `benchmarks/{script}`"
        f"{' (--quick: 50 epochs, the quick suite)' if quick else ''}; the "
        f"whole run took {wall / 60:.1f} minutes.",
        "",
        *(machine or machine_lines(command_line())),
        "",
    ]


def _one_thread_call(fn, args):
    controller = limit_threads(1)  # noqa: F841  (kept alive)
    return fn(*args)


def pool_map(fn, jobs):
    """``[fn(*args) for args in jobs]``, run in fresh worker processes, one
    per core, each pinned to one thread: one-thread fits side by side. ``fn``
    must be a module-level function of the calling script."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max(1, all_cores()), mp_context=context) as pool:
        futures = [pool.submit(_one_thread_call, fn, args) for args in jobs]
        return [future.result() for future in futures]


def rows_page_main(doc, out, quick_name, run, report):
    """The command line of a benchmark that fits rows and renders a page.

    ``--quick`` (a smoke test, page to /tmp unless ``--out``), ``--out``,
    ``--json`` (also dump the rows, wall time and machine lines) and
    ``--from-json`` (render the page from such a dump, running nothing).
    ``run(quick)`` returns the rows; ``report(rows, wall, quick, machine)``
    the page. Fits run on one thread.
    """
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke test")
    parser.add_argument("--out", help="Markdown file to write")
    parser.add_argument("--json", help="also dump the raw rows to this file")
    parser.add_argument(
        "--from-json",
        help="render the page from a --json dump (with its wall time) instead "
        "of running anything",
    )
    args = parser.parse_args()
    if args.from_json:
        with open(args.from_json) as fh:
            saved = json.load(fh)
        rows, wall, machine = saved["rows"], saved["wall"], saved["machine"]
        quick = saved.get("quick", args.quick)
    else:
        controller = limit_threads(1)  # noqa: F841  (kept alive)
        start = time.perf_counter()
        rows = run(args.quick)
        wall = time.perf_counter() - start
        machine = machine_lines(command_line())
        quick = args.quick
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(dict(rows=rows, wall=wall, quick=quick, machine=machine), fh)
    out = args.out or (
        os.path.join("/tmp", f"sgdselect-{quick_name}-quick.md") if args.quick else out
    )
    write_page(report(rows, wall, quick, machine), out, wall)


def jaccard(sets):
    """Mean Jaccard similarity over all pairs of ``sets`` (two empty sets
    count as 1), as ``docs/benchmarks/real_tables.md`` reports it."""
    import itertools

    import numpy as np

    pairs = [
        1.0 if not (a | b) else len(a & b) / len(a | b)
        for a, b in itertools.combinations(sets, 2)
    ]
    return float(np.mean(pairs))


def real_table_scorer():
    """The cases of ``real_table_suite(random_state=0)`` by name, the results
    of ``docs/benchmarks/real_tables.json``, and ``downstream(case, mask)``:
    the score that page gives the columns of ``mask`` (5-fold
    HistGradientBoosting; the constant model's score where none is kept),
    cached per set of columns."""
    import numpy as np
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

    from sgdselect.datasets import real_table_suite

    cases = {c.name: c for c in real_table_suite(0)}
    page = os.path.join(os.path.dirname(REPO), "docs", "benchmarks", "real_tables.json")
    with open(page) as fh:
        real = json.load(fh)["results"]
    scores = {}

    def downstream(case, mask):
        key = (case.name, tuple(np.flatnonzero(mask)))
        if key not in scores:
            if not mask.any():
                scores[key] = real["refs"][case.name]["none"]
            else:
                regression = case.task == "regression"
                model = (
                    HistGradientBoostingRegressor
                    if regression
                    else HistGradientBoostingClassifier
                )(random_state=0)
                cv = (KFold if regression else StratifiedKFold)(
                    5, shuffle=True, random_state=0
                )
                scores[key] = cross_val_score(
                    model, case.X[:, mask], case.y, cv=cv
                ).mean()
        return scores[key]

    return cases, real, downstream
