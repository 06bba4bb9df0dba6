"""What the maintained benchmarks share: the command line, thread control,
worker subprocesses, the machine description, and the page from its data.

A benchmark script gives ``measure(config, args)``, which returns its results
as plain JSON data, and ``fields(data, out_dir)``, which turns that data into
the placeholders of its page's template, ``templates/<name>.md``
(``string.Template``: ``$name``). :func:`main` runs it, writes the data to
``docs/benchmarks/<name>.json`` and renders the page beside it; with
``--from-json`` it renders from saved data and measures nothing.

Only sgdselect's public API is used here and in the scripts: the package's
private modules move between releases, and a benchmark that reads them
measures a moving target.
"""

import argparse
import json
import os
import platform
import resource
import shlex
import string
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    # Benchmark this checkout, whatever copy of sgdselect is pip-installed.
    sys.path.insert(0, REPO)
PAGES = os.path.join(REPO, "docs", "benchmarks")
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def all_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def limit_threads(threads):
    """Pin torch and every BLAS/OpenMP pool of this process to ``threads``;
    keep the returned controller alive for the whole run."""
    from threadpoolctl import threadpool_limits

    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        pass
    return threadpool_limits(limits=threads)


def best_of(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


# ------------------------------------------------------- load from others
def _busy_seconds():
    """CPU seconds the whole machine has spent busy (None without /proc)."""
    try:
        with open("/proc/stat") as fh:
            vals = [int(v) for v in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(vals) - vals[3] - vals[4]) / os.sysconf("SC_CLK_TCK")


def _own_seconds():
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


class Background:
    """The cores that other processes (not this one or its children) used
    while the block ran: ``.cores`` after exit, None where unmeasurable."""

    def __enter__(self):
        self._busy, self._own = _busy_seconds(), _own_seconds()
        self._t = time.perf_counter()
        self.cores = None
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self._t
        if self._busy is not None and wall > 0:
            other = (_busy_seconds() - self._busy) - (_own_seconds() - self._own)
            self.cores = max(0.0, other / wall)
        return False


def spare_cores(threads):
    """Cores others may use without slowing a ``threads``-thread measurement."""
    return max(0.0, all_cores() - threads) + 0.2


def wait_for_quiet(max_wait, threshold):
    """Wait up to ``max_wait`` s for others to use under ``threshold`` cores."""
    deadline = time.monotonic() + max_wait
    while time.monotonic() < deadline:
        with Background() as bg:
            time.sleep(1.0)
        if bg.cores is None or bg.cores < threshold:
            return
        log(f"  machine busy ({bg.cores:.2f} cores used by others); waiting")


def load_note(loads):
    """One Markdown sentence on the load from other processes.

    ``loads`` holds ``(name, threads, cores)``; a measurement competed for
    cores when others used more than its ``threads`` left free.
    """
    loads = [x for x in loads if x[2] is not None]
    if not loads:
        return "The load from other processes could not be measured."
    mean = sum(c for _, _, c in loads) / len(loads)
    name, _, most = max(loads, key=lambda x: x[2])
    line = (
        f"Other processes used on average {mean:.2f} cores while the measurements "
        f"ran (most: {most:.2f} cores, during {name}), on {all_cores()} cores."
        if len(loads) > 1
        else f"Other processes used on average {mean:.2f} cores while {name} ran, "
        f"on {all_cores()} cores."
    )
    busy = [(n, c) for n, t, c in loads if c > spare_cores(t)]
    if busy:
        return line + (
            " **These measurements competed with other processes for cores and "
            "are not reliable**: " + ", ".join(f"{n} ({c:.2f})" for n, c in busy) + "."
        )
    return line + " No measurement competed with them for cores."


def load_cell(cores, threads):
    """A table cell for one measurement's load from others."""
    if cores is None:
        return "?"
    text = f"{cores:.2f}"
    return f"**{text} (busy)**" if cores > spare_cores(threads) else text


# ------------------------------------------------------------- workers
QUIET_WAIT = [0.0]


def run_worker(script, kind, threads, config, timeout):
    """``script --worker kind`` in a fresh interpreter whose thread variables
    say ``threads`` before any import; its JSON result, or ``{"error": ...}``,
    with ``background_cores``: what other processes used meanwhile."""
    if QUIET_WAIT[0] > 0:
        wait_for_quiet(QUIET_WAIT[0], spare_cores(threads))
    env = dict(os.environ, **{var: str(threads) for var in THREAD_VARS})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO, env.get("PYTHONPATH")]))
    fd, path = tempfile.mkstemp(suffix=".json", prefix="sgdselect-bench-")
    os.close(fd)
    command = [sys.executable, script, "--worker", kind, "--threads", str(threads)]
    command += ["--config", json.dumps(config), "--result", path]
    start = time.perf_counter()
    try:
        with Background() as bg:
            # The worker prints to our stderr: stdout stays clean.
            proc = subprocess.run(
                command, env=env, timeout=timeout, stdout=sys.stderr, stderr=sys.stderr
            )
        with open(path) as fh:
            text = fh.read()
        if proc.returncode != 0 or not text:
            result = {"error": f"worker exited with status {proc.returncode}"}
        else:
            result = json.loads(text)
        result["background_cores"] = bg.cores
    except subprocess.TimeoutExpired:
        result = {"error": f"worker timed out after {timeout} s"}
    finally:
        os.unlink(path)
    log(f"  [{kind}, {threads} thread(s)] {time.perf_counter() - start:.1f} s")
    return result


def _worker_entry(argv, workers):
    parser = argparse.ArgumentParser()
    for flag in ("--worker", "--config", "--result"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    controller = limit_threads(args.threads)  # noqa: F841  (kept alive)
    result = workers[args.worker](json.loads(args.config), args.threads)
    with open(args.result, "w") as fh:
        json.dump(result, fh)


# ------------------------------------------------------------- machine
def _cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _versions():
    out = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "sklearn", "torch", "numba", "threadpoolctl"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            out[name] = "not installed"
    return out


def _blas():
    from threadpoolctl import threadpool_info

    found = {
        f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    }
    return "; ".join(sorted(found)) or "unknown"


def _git(*args):
    return subprocess.run(
        ["git", "-C", REPO, *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _git_state():
    try:
        dirty = _git("status", "--porcelain", "--", "sgdselect")
        head = _git("rev-parse", "--short", "HEAD")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (sgdselect/ has uncommitted changes)" if dirty else "")


def _command():
    pp = os.environ.get("PYTHONPATH")
    prefix = f"PYTHONPATH={pp} " if pp else ""
    script = os.path.relpath(os.path.abspath(sys.argv[0]), REPO)
    return prefix + "python " + shlex.join([script, *sys.argv[1:]])


def machine():
    """Where and how a run happens, as data for the page's header."""
    import sgdselect as package

    return {
        "cpu": _cpu_model(),
        "cores": all_cores(),
        "cpu_count": os.cpu_count(),
        "system": f"{platform.system()} {platform.machine()}",
        "versions": _versions(),
        "blas": _blas(),
        "sgdselect": package.__version__,
        "sgdselect_path": os.path.dirname(package.__file__),
        "git": _git_state(),
        "command": _command(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def header(data, script, notes=()):
    """The lines under a page's title: the script, the run's length, the
    machine, the versions, the commit, the command and the date."""
    m = data["machine"]
    quick = " (`--quick`: sizes reduced, numbers not comparable)"
    lines = [
        f"Generated by `benchmarks/{script}`{quick if data['quick'] else ''}; "
        f"the whole run took {data['wall'] / 60:.1f} minutes.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores available "
        f"(os.cpu_count() = {m['cpu_count']}), {m['system']}.",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        f"- BLAS: {m['blas']}.",
        f"- sgdselect {m['sgdselect']} from `{m['sgdselect_path']}`, git {m['git']}.",
        f"- Command: `{m['command']}`",
        f"- Date: {m['date']}.",
        *(f"- {note}" for note in notes),
    ]
    return "\n".join(lines)


# ------------------------------------------------------------- formats
def rows(cells):
    """The body of a Markdown table (its header is in the template)."""
    return "\n".join("| " + " | ".join(str(c) for c in row) + " |" for row in cells)


def table(header_row, cells):
    """A Markdown table whose columns the data decides (the methods run)."""
    lines = ["| " + " | ".join(header_row) + " |"]
    lines.append("|" + "|".join("---" for _ in header_row) + "|")
    return "\n".join(lines) + ("\n" + rows(cells) if cells else "")


def fmt_time(seconds):
    if seconds is None:
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


def fmt_ratio(x, digits=1):
    return "n/a" if x is None else f"{x:.{digits}f}x"


def fmt_bytes(b):
    if b is None:
        return "n/a"
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(b) >= size:
            return f"{b / size:.1f} {unit}"
    return f"{b} B"


def passfail(ok):
    return "**PASS**" if ok else "**FAIL**"


# ------------------------------------------------------------- memory
def status_kb(field):
    """A field of /proc/self/status in KiB (VmRSS, VmHWM), or None."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak():
    """Reset the kernel's peak-RSS mark to the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def max_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# ------------------------------------------------------------- the page
def render(name, fields):
    """The page: ``templates/<name>.md`` with ``fields`` substituted (every
    placeholder must have a value, and a value without a placeholder is a
    mistake too: the template and the data must agree)."""
    with open(os.path.join(TEMPLATES, f"{name}.md")) as fh:
        template = string.Template(fh.read())
    wanted = {m[1] or m[2] for m in template.pattern.findall(template.template)}
    wanted.discard("")
    extra = set(fields) - wanted
    if extra:
        raise KeyError(f"templates/{name}.md has no placeholder for {sorted(extra)}")
    return template.substitute(fields)


def main(
    script, doc, config, measure, fields, workers=None, add_arguments=None, name=None
):
    """The command line every maintained benchmark shares.

    ``config(quick)`` gives the sizes; ``measure(config, args)`` the results
    (JSON data); ``fields(data, out_dir)`` the template's placeholders, and
    may write figures into ``out_dir``. ``workers`` maps the kinds of
    measurement that run in a fresh subprocess (:func:`run_worker`) to their
    functions ``(config, threads) -> result``. ``name`` (default: the
    script's) names the page, its data and its template: a script with two
    suites writes two pages.
    """
    if "--worker" in sys.argv:
        _worker_entry(sys.argv[1:], workers)
        return
    name = name or os.path.splitext(os.path.basename(script))[0]
    parser = argparse.ArgumentParser(
        description=doc.split("\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="reduced sizes: a smoke test"
    )
    parser.add_argument(
        "--out-dir",
        help=f"folder for {name}.md, {name}.json and figures (default: "
        "docs/benchmarks, or a temporary folder with --quick)",
    )
    parser.add_argument(
        "--from-json",
        metavar="PATH",
        help=f"render the page from saved data (e.g. docs/benchmarks/{name}.json) "
        "and measure nothing",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="S",
        help="before each measurement, wait up to S seconds for other processes "
        "to leave the CPU",
    )
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args()
    if args.from_json:
        with open(args.from_json) as fh:
            data = json.load(fh)
        out_dir = args.out_dir or os.path.dirname(os.path.abspath(args.from_json))
    else:
        QUIET_WAIT[0] = args.wait_quiet
        cfg = config(args.quick)
        out_dir = args.out_dir or (
            tempfile.mkdtemp(prefix=f"sgdselect-{name}-") if args.quick else PAGES
        )
        # The machine, commit and date as the run starts.
        where = machine()
        start = time.perf_counter()
        results = measure(cfg, args)
        data = {
            "machine": where,
            "quick": args.quick,
            "wall": time.perf_counter() - start,
            "config": cfg,
            "results": results,
        }
    os.makedirs(out_dir, exist_ok=True)
    if not args.from_json:
        with open(os.path.join(out_dir, f"{name}.json"), "w") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")
    page = os.path.join(out_dir, f"{name}.md")
    with open(page, "w") as fh:
        fh.write(render(name, fields(data, out_dir)))
    print(f"wrote {page} ({data['wall'] / 60:.1f} min of measurement)")
