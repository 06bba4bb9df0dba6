"""A large fit on this machine: n = 10**6, d = 200, float32, and its peak
memory.

    PYTHONPATH=. python benchmarks/large_fit.py            # ~1 minute
    PYTHONPATH=. python benchmarks/large_fit.py --quick    # n = 10**5
    PYTHONPATH=. python benchmarks/large_fit.py --from-json \
        docs/benchmarks/large_fit.json

Writes ``docs/benchmarks/large_fit.json`` and ``large_fit.md``.

Every row runs in its own fresh subprocess with one thread, so that one row's
peak memory cannot hide another's: imports, a warm-up fit on a tiny problem,
X made in place as float32, then the fit. The peak memory of the fit is the
kernel's high-water mark (VmHWM, reset to the current RSS just before the
fit) minus the RSS at that moment; ``ru_maxrss`` gives the same figure where
the reset is not allowed.

Rows: one epoch of ``SGDSupportSelector`` at the default batch size; five
full-batch steps of ``GDSupportSelector``; and ``partial_fit`` over chunks
of X read back from a raw float32 file (``np.fromfile``), so that the
process never holds more than a chunk, which is how data larger than memory
is trained on (reading from a memory map instead would count every page
touched as resident).
"""

import os
import sys
import tempfile
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from scaling import make_data  # noqa: E402


def worker(cfg, threads):
    from sgdselect import GDSupportSelector, SGDSupportSelector

    warnings.simplefilter("ignore")
    kind, n, d, chunk = cfg["kind"], cfg["n"], cfg["d"], cfg["chunk"]
    Xw, yw = make_data(64, d)  # warm-up: the kernels compiled or loaded
    SGDSupportSelector(max_iter=1, random_state=0).fit(Xw, yw)
    GDSupportSelector(max_iter=1, random_state=0).fit(Xw, yw)

    X, y = make_data(n, d)
    x_bytes = int(X.nbytes)
    path = os.path.join(cfg["tmp"], "X.f32")
    if kind == "stream":  # X goes to disk and leaves memory
        X.tofile(path)
        del X
    base_maxrss = h.max_rss_bytes()
    reset = h.reset_peak()
    rss0 = h.status_kb("VmRSS")
    t0 = time.perf_counter()
    # A numeric threshold: one training (see the page).
    if kind == "sgd":
        est = SGDSupportSelector(max_iter=1, threshold=0.0, random_state=0).fit(X, y)
    elif kind == "gd":
        est = GDSupportSelector(max_iter=5, threshold=0.0, random_state=0).fit(X, y)
    else:
        est = SGDSupportSelector(random_state=0)
        with open(path, "rb") as fh:
            for start in range(0, n, chunk):
                part = np.fromfile(fh, dtype=np.float32, count=chunk * d)
                est.partial_fit(part.reshape(-1, d), y[start : start + chunk])
        os.unlink(path)
    out = {
        "time": time.perf_counter() - t0,
        "x_bytes": x_bytes,
        "model_bytes": int(sum(a.nbytes for a in est.coefs_ + est.intercepts_)),
        "extra_maxrss": max(0, h.max_rss_bytes() - base_maxrss),
        "finite": bool(np.isfinite(est.feature_importances_).all()),
    }
    if reset:
        out["extra_hwm"] = (h.status_kb("VmHWM") - rss0) * 1024
    return out


def config(quick):
    return {"n": 10**5 if quick else 10**6, "d": 200, "chunk": 10**5}


def measure(cfg, args):
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("sgd", "gd", "stream"):
            h.log(f"{kind}: n={cfg['n']}, d={cfg['d']}")
            job = dict(cfg, kind=kind, tmp=tmp)
            run = h.run_worker(os.path.abspath(__file__), "fit", 1, job, timeout=1800)
            results.append({"kind": kind, **run})
    return results


def fields(data, out_dir):
    cfg = data["config"]
    labels = {
        "sgd": "`SGDSupportSelector(max_iter=1, threshold=0.0).fit` (one epoch, b = 4)",
        "gd": "`GDSupportSelector(max_iter=5, threshold=0.0).fit` (five full-batch "
        "steps)",
        "stream": f"`partial_fit` over chunks of {cfg['chunk']:,} rows read from a "
        "file",
    }
    rows = []
    for r in data["results"]:
        if "error" in r:
            rows.append([labels[r["kind"]], r["error"], "", "", "", "", ""])
            continue
        peak = max(r["extra_maxrss"], r.get("extra_hwm") or 0)
        bound = 1.5 * (r["x_bytes"] + r["model_bytes"])
        rows.append(
            [
                labels[r["kind"]],
                f"{cfg['n']:,} × {cfg['d']}",
                h.fmt_bytes(r["x_bytes"]),
                h.fmt_bytes(peak),
                f"{peak / r['x_bytes']:.3f}",
                "pass" if peak < bound else "FAIL",
                h.fmt_time(r["time"]),
            ]
        )
    loads = [(r["kind"], 1, r.get("background_cores")) for r in data["results"]]
    finite = [f"{r['kind']} {r.get('finite')}" for r in data["results"]]
    return {
        "header": h.header(data, "large_fit.py", [h.load_note(loads)]),
        "n": f"{cfg['n']:,}",
        "d": cfg["d"],
        "table": h.rows(rows),
        "chunk_size": h.fmt_bytes(cfg["chunk"] * cfg["d"] * 4),
        "finite": ", ".join(finite),
    }


if __name__ == "__main__":
    h.main(__file__, __doc__, config, measure, fields, {"fit": worker})
