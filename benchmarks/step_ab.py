"""Interleaved A/B timing of a training step through the public API.

Compares two checkouts of the package (say, a commit and the change on top of
it, e.g. made with ``git worktree add``) on the same machine in one run, so
that the machine's load falls on both sides alike:

    python benchmarks/step_ab.py A_DIR B_DIR [--rounds 5] [--configs b1,b8,...]

Each (round, config, side) runs in a fresh subprocess with PYTHONPATH=side and
one thread for Numba/OpenMP/OpenBLAS. A worker warms up (compile / cache
load), then times fit(E epochs) and fit(1 epoch) alternately `reps` times,
and reports (min E - min 1) / steps. The driver reports the best per side.
"""

import json
import os
import subprocess
import sys
import time

D = 50
HIDDEN = (64,)

# name: (kind, n_rows, batch, epochs, n_jobs, extra kwargs)
CONFIGS = {
    "b1": ("sgd", 2000, 1, 51, 1, {}),
    "b4": ("sgd", 4000, 4, 41, 1, {}),
    "b8": ("sgd", 8000, 8, 41, 1, {}),
    "b64": ("sgd", 32000, 64, 31, 1, {}),
    "gd_j1": ("gd", 100_000, None, 13, 1, {}),
    "gd_j2": ("gd", 100_000, None, 13, 2, {}),
    # The in-place (folded) full-batch path: float32 X, no squares.
    "gd_direct_j1": ("gd", 100_000, None, 13, 1, {"input_squares": False}),
    # The defaults (hidden (16,), squares, b = 4) on the width of the ames
    # table, without and with its probes (314 and 628 columns, 2930 rows).
    "default_d314": ("sgd", 2930, 4, 11, 1, {"d": 314, "hidden": (16,)}),
    "default_d628": ("sgd", 2930, 4, 11, 1, {"d": 628, "hidden": (16,)}),
    # The defaults on a table of 150 columns (300 inputs, one block of
    # _cpu_kernel._UNIT_BLOCK).
    "default_d150": ("sgd", 4000, 4, 21, 1, {"d": 150, "hidden": (16,)}),
    # Wide inputs at a few rows a batch (speed.md's d = 1000 rows, b = 4, 8).
    "wide_b4": ("sgd", 4000, 4, 6, 1, {"d": 1000, "input_squares": False}),
    "wide_b8": ("sgd", 4000, 8, 11, 1, {"d": 1000, "input_squares": False}),
}


def worker(name, reps):
    import warnings

    import numpy as np

    from sgdselect import GDSupportSelector, SGDSupportSelector

    kind, n, b, epochs, n_jobs, extra = CONFIGS[name]
    extra = dict(extra)
    d, hidden = extra.pop("d", D), extra.pop("hidden", HIDDEN)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    if extra.get("input_squares") is False:
        X = X.astype(np.float32)
    y = np.sin(X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.normal(size=n)

    def make(e):
        kw = dict(
            hidden_layer_sizes=hidden,
            max_iter=e,
            threshold=0.0,
            random_state=0,
            n_jobs=n_jobs,
            **extra,
        )
        if kind == "sgd":
            return SGDSupportSelector(batch_size=b, **kw)
        return GDSupportSelector(**kw)

    def timed(e):
        est = make(e)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0, c0 = time.perf_counter(), time.process_time()
            est.fit(X, y)
            return time.perf_counter() - t0, time.process_time() - c0

    timed(2)  # compile / load the cache, warm BLAS and allocator
    t_e, t_1 = [], []
    for _ in range(reps):
        t_e.append(timed(epochs))
        t_1.append(timed(1))
    steps_per_epoch = -(-n // b) if kind == "sgd" else 1
    steps = steps_per_epoch * (epochs - 1)
    # Wall time (what a user waits), and CPU time of the process (all its
    # threads; less disturbed by other load on the machine).
    return [
        (min(t[i] for t in t_e) - min(t[i] for t in t_1)) / steps * 1e6 for i in (0, 1)
    ]


def main():
    args = sys.argv[1:]
    if args[0] == "--worker":
        print(json.dumps(worker(args[1], int(args[2]))))
        return
    a_dir, b_dir = args[0], args[1]
    rounds = 5
    names = list(CONFIGS)
    reps = 3
    if "--rounds" in args:
        rounds = int(args[args.index("--rounds") + 1])
    if "--configs" in args:
        names = args[args.index("--configs") + 1].split(",")
    if "--reps" in args:
        reps = int(args[args.index("--reps") + 1])
    env = dict(os.environ)
    env.update(NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    results = {n: {"A": [], "B": []} for n in names}
    for r in range(rounds):
        for name in names:
            sides = ("A", "B") if r % 2 == 0 else ("B", "A")
            for side in sides:
                env["PYTHONPATH"] = a_dir if side == "A" else b_dir
                out = subprocess.run(
                    [sys.executable, __file__, "--worker", name, str(reps)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                us = json.loads(out.stdout.strip().splitlines()[-1])
                results[name][side].append(us)
                print(
                    f"round {r} {name} {side} wall {us[0]:.3f} cpu {us[1]:.3f} us/step",
                    flush=True,
                )
    print()
    print(f"A = {a_dir}, B = {b_dir}; best of {rounds} rounds, us per step")
    print(
        f"{'config':14s} {'wall A':>10s} {'wall B':>10s} {'B/A':>7s}"
        f" {'cpu A':>10s} {'cpu B':>10s} {'B/A':>7s}"
    )
    for name in names:
        row = f"{name:14s}"
        for i in (0, 1):
            a = min(u[i] for u in results[name]["A"])
            b = min(u[i] for u in results[name]["B"])
            row += f" {a:10.3f} {b:10.3f} {b / a:7.3f}"
        print(row)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
