"""Speed of sgdselect's CPU engine against a plain PyTorch loop, scikit-learn's
MLPRegressor, LassoNet and the compute bound of the hardware.

    PYTHONPATH=. python benchmarks/speed.py            # full run, ~8 minutes on 2 cores
    PYTHONPATH=. python benchmarks/speed.py --quick    # smoke test, ~1 minute

Writes ``docs/benchmarks/speed.md`` (``--quick`` writes to a temporary file
unless ``--out`` is given, so that a smoke test never overwrites the page).

Every measurement that depends on a thread count runs in a fresh subprocess
whose ``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS``/``NUMBA_NUM_THREADS``... are
set before any import, and which also calls ``torch.set_num_threads(t)`` and
``threadpoolctl.threadpool_limits(t)``: sgdselect's Numba kernel calls SciPy's
OpenBLAS through ``np.dot``, so the BLAS pools matter as much as torch's.

Compute bound: one SGD step of the MLP d -> h -> k on b rows does, in matrix
products, 2b(dh + hk) FLOPs forward, 2b(dh + hk) for the weight gradients and
2bhk to carry the gradient back into the hidden layer (the input gradient of
the first layer is not needed): F(b) = 4b(dh + hk) + 2bhk. The ideal time of a
step is F(b) divided by the FLOP rate of a large float32 matrix product
(2048 x 2048 @ 2048 x 2048 with NumPy) measured in the same process, with the
same thread count. Elementwise work (tanh, standardization, the update) is
not counted, so the bound is optimistic. The rougher 6b(dh + hk) count gives
ideal times 1.5x larger for d >> k; the tables name which one they use.
"""

import argparse
import math
import os
import sys
import tempfile
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    QUIET_WAIT,
    REPO,
    Background,
    all_cores,
    background_note,
    best_of,
    command_line,
    fmt_ratio,
    fmt_time,
    log,
    machine_lines,
    run_worker,
    spare_cores,
    table,
    worker_entry,
    write_page,
)

HIDDEN = 64
N_OUT = 1
REPEAT = 2  # each grid timing is the best of this many runs, for every method


# ---------------------------------------------------------------- helpers
def make_data(n, d, seed=0):
    """X ~ N(0, 1) float32; y depends nonlinearly on the first 5 columns."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d), dtype=np.float32)
    x = X[:, :5].astype(np.float64)
    y = np.sin(2 * x[:, 0]) + x[:, 1] ** 2 + x[:, 2] * x[:, 3] + 0.5 * x[:, 4]
    y += 0.1 * rng.standard_normal(n)
    return X, (y - y.mean()) / y.std()


def step_flops(b, d, h=HIDDEN, k=N_OUT):
    """Matrix-product FLOPs of one SGD step on b rows (see module docstring)."""
    return 4 * b * (d * h + h * k) + 2 * b * h * k


def step_flops_rough(b, d, h=HIDDEN, k=N_OUT):
    return 6 * b * (d * h + h * k)


def matmul_rate(size=2048, repeat=3):
    """float32 FLOP/s of a large NumPy matrix product (BLAS peak, roughly)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    c = np.empty_like(a)
    np.dot(a, b, out=c)
    return 2 * size**3 / best_of(lambda: np.dot(a, b, out=c), repeat)


def quiet():
    warnings.simplefilter("ignore")


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


# Every sgdselect fit timed here trains one network: with a numeric threshold.
# threshold="auto" trains a second one beside shadows (1 + ceil(100 / d) times
# the columns) when nothing stands out, which would time the rule, not the
# engine.
ONE_TRAINING = 0.0
# The per-step comparisons train the network the PyTorch loop, MLPRegressor and
# the compute bound have, d -> HIDDEN -> 1 on the features: without the square
# inputs that the selector reads by default (input_squares=True doubles the
# first layer's inputs; the default-fit column times the default).
SAME_NETWORK = dict(hidden_layer_sizes=(HIDDEN,), input_squares=False)


# ------------------------------------------------------- the three trainers
def time_sgdselect(X, y, b, target_s):
    """Per-step time of SGDSupportSelector.fit, Numba compilation excluded."""
    from sgdselect import SGDSupportSelector

    n = X.shape[0]

    def fit(epochs):
        SGDSupportSelector(
            **SAME_NETWORK,
            batch_size=b,
            max_iter=epochs,
            threshold=ONE_TRAINING,
            random_state=0,
        ).fit(X, y)

    fit(1)  # warm-up: loads (or compiles) the Numba kernel
    t1 = best_of(lambda: fit(1), 2)
    epochs = int(clamp(round(target_s / t1), 1, 100_000))
    t = best_of(lambda: fit(epochs), REPEAT)
    steps = epochs * math.ceil(n / (b or n))
    return {"time": t, "epochs": epochs, "steps": steps, "per_step": t / steps}


def time_torch_loop(X, y, b, target_s):
    """Per-step time of the textbook PyTorch loop for the same network."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    n, d = X.shape
    bs = n if b is None else b
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
    net = nn.Sequential(nn.Linear(d, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, N_OUT))
    params = list(net.parameters())
    opt = torch.optim.SGD(params, lr=0.2)  # no momentum
    loss_fn = nn.MSELoss()
    state = {"perm": torch.randperm(n), "pos": 0, "loss": 0.0}

    def run(steps):
        for _ in range(steps):
            if state["pos"] >= n:  # new epoch: new permutation
                state["perm"] = torch.randperm(n)
                state["pos"] = 0
            idx = state["perm"][state["pos"] : state["pos"] + bs]
            state["pos"] += bs
            opt.zero_grad()
            loss = loss_fn(net(Xt[idx]), yt[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
        state["loss"] = float(loss.detach())

    run(20)  # warm-up
    steps = 16
    while True:
        t = best_of(lambda: run(steps), 1)  # noqa: B023
        if t >= 0.2 * target_s:
            break
        steps *= 4
    steps = int(max(steps, round(steps * target_s / t)))
    t = best_of(lambda: run(steps), REPEAT)
    return {
        "time": t,
        "steps": steps,
        "per_step": t / steps,
        "finite": bool(np.isfinite(state["loss"])),
    }


def time_mlp_regressor(X, y, b, target_s):
    """Per-step time of scikit-learn's MLPRegressor with plain SGD."""
    from sklearn.neural_network import MLPRegressor

    n = X.shape[0]
    bs = n if b is None else b
    steps_per_epoch = math.ceil(n / bs)

    def model(epochs, lr):
        return MLPRegressor(
            hidden_layer_sizes=(HIDDEN,),
            activation="tanh",
            solver="sgd",
            momentum=0.0,
            nesterovs_momentum=False,
            learning_rate_init=lr,
            alpha=0.0,
            batch_size=bs,
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=10**9,
            shuffle=True,
            random_state=0,
        )

    def timed_fit(m):
        """Fit time, or None when training diverged (recent scikit-learn
        raises a ValueError on non-finite weights; older ones go on)."""
        t0 = time.perf_counter()
        try:
            m.fit(X, y)
        except ValueError:
            return None
        t = time.perf_counter() - t0
        return t if np.all(np.isfinite(m.loss_curve_)) else None

    tried = []
    for lr in (0.2, 0.05, 0.01, 0.001):
        t1 = timed_fit(model(1, lr))
        if t1 is None:
            tried.append(lr)
            continue
        epochs = int(clamp(round(target_s / t1), 1, 100_000))
        times = [timed_fit(model(epochs, lr)) for _ in range(REPEAT)]
        t = None if None in times else min(times)
        if t is None:
            tried.append(lr)
            continue
        steps = epochs * steps_per_epoch
        return {
            "time": t,
            "epochs": epochs,
            "steps": steps,
            "per_step": t / steps,
            "lr": lr,
            "diverged_at": tried,
        }
    return {"error": f"diverged at every learning rate tried {tried}"}


# ---------------------------------------------------------------- workers
def worker_grid(cfg, threads):
    """The per-step grid for one thread count."""
    quiet()
    rate = matmul_rate(cfg["matmul_size"])
    cells = []
    for d in cfg["ds"]:
        X, y = make_data(cfg["n"], d)
        for b in cfg["batch_sizes"]:
            bs = cfg["n"] if b is None else b
            cell = {"d": d, "b": b, "n": cfg["n"]}
            with Background() as bg:
                for name, fn in (
                    ("ours", time_sgdselect),
                    ("torch", time_torch_loop),
                    ("sklearn", time_mlp_regressor),
                ):
                    try:
                        cell[name] = fn(X, y, b, cfg["target_s"])
                    except Exception as exc:  # noqa: BLE001 - reported in the table
                        cell[name] = {"error": f"{type(exc).__name__}: {exc}"}
            cell["background_cores"] = bg.cores
            cell["ideal_per_step"] = step_flops(bs, d) / rate
            cells.append(cell)
            log(
                f"    t={threads} d={d} b={b}: "
                + ", ".join(
                    f"{k}={fmt_time(cell[k].get('per_step'))}"
                    for k in ("ours", "torch", "sklearn")
                )
            )
        if cfg.get("default_fit"):
            cells.append({"d": d, "default_fit": _time_default_fit(X, y, cfg)})
    return {"rate": rate, "cells": cells}


def _defaults_text():
    from sgdselect import SGDSupportSelector

    p = SGDSupportSelector().get_params()
    return (
        f"hidden {p['hidden_layer_sizes']}, b={p['batch_size']}, {p['max_iter']} epochs"
    )


def _time_default_fit(X, y, cfg):
    """sgdselect's default fit, ``SGDSupportSelector(random_state=0)``.

    Its epochs all cost the same (no early stopping by default), so when the
    whole fit would take longer than ``default_fit_budget_s`` only the first
    E epochs are timed and the time is scaled to the default number.
    """
    from sgdselect import SGDSupportSelector

    default = SGDSupportSelector(random_state=0)
    full = default.max_iter
    one = dict(random_state=0, threshold=ONE_TRAINING)
    SGDSupportSelector(max_iter=1, **one).fit(X, y)  # warm-up
    t1 = best_of(lambda: SGDSupportSelector(max_iter=1, **one).fit(X, y), 1)
    epochs = int(clamp(cfg["default_fit_budget_s"] // t1, 1, full))
    est = SGDSupportSelector(max_iter=epochs, **one)
    t = best_of(lambda: est.fit(X, y), 1)
    return {
        "time": t * full / epochs,
        "timed_epochs": epochs,
        "epochs": full,
        "steps": full * math.ceil(X.shape[0] / default.batch_size),
        "batch_size": default.batch_size,
    }


class _Stop(Exception):
    pass


def worker_lassonet(cfg, threads):
    """LassoNet's default fit (its whole regularization path), time-capped.

    ``fit(X, y)`` is ``path(X, y)`` plus bookkeeping; ``path`` takes a
    callback, called after each point of the path, which counts the points.
    Optimizer steps are counted by a global torch optimizer hook. A timer
    stops a fit that runs past ``cap_s``.
    """
    import signal

    quiet()
    try:
        import torch
        from lassonet import LassoNetRegressor
    except ImportError as exc:
        return {"error": f"lassonet is not installed ({exc})"}
    from importlib.metadata import version

    X, y = make_data(cfg["n"], cfg["d"])
    torch.manual_seed(0)
    progress = {"lambdas": 0, "steps": 0}

    def count_step(optimizer, args, kwargs):
        progress["steps"] += 1

    def callback(model, hist):
        progress["lambdas"] = len(hist)

    def alarm(signum, frame):
        raise _Stop

    from torch.optim.optimizer import register_optimizer_step_post_hook

    hook = register_optimizer_step_post_hook(count_step)
    signal.signal(signal.SIGALRM, alarm)
    model = LassoNetRegressor(verbose=0)  # default parameters (silent)
    completed = True
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, cfg["cap_s"])
    try:
        model.path_ = model.path(X, y, return_state_dicts=False, callback=callback)
        progress["lambdas"] = len(model.path_)
    except _Stop:
        completed = False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        hook.remove()
    t = time.perf_counter() - start
    steps = progress["steps"]
    return {
        "version": version("lassonet"),
        "time": t,
        "completed": completed,
        "cap_s": cfg["cap_s"],
        "lambdas": progress["lambdas"],
        "steps": steps,
        "hidden": list(model.hidden_dims),
        "per_step": t / steps if steps else None,
    }


def _group_engine(X, y, batch_size, lrs, seeds, n_threads=1, shared=None):
    """A CPU engine training one network per (learning rate, seed) pair.

    The engine's API is internal and changing; this adapts to the signature of
    ``make_engine`` / ``set_group`` it finds (standardization given to the
    engine, or per network to ``set_group``).
    """
    import inspect

    from sgdselect import _engine
    from sgdselect._network import Layout, init_params

    n, d = X.shape
    m = len(seeds)
    x_mean = X.mean(axis=0, dtype=np.float64)
    x_inv = 1.0 / X.std(axis=0, dtype=np.float64)
    Y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    layout = Layout((d, HIDDEN, N_OUT))
    kw = dict(activation="tanh", loss="squared_error", batch_size=batch_size, clip=1.0)
    make_params = inspect.signature(_engine.make_engine).parameters
    if "n_threads" in make_params:
        kw["n_threads"] = n_threads
    if "mean" in make_params:  # standardization given to the engine
        engine = _engine.make_engine(
            X,
            Y.astype(np.float32),
            x_mean.astype(X.dtype),
            x_inv.astype(X.dtype),
            layout,
            **kw,
        )
    else:
        engine = _engine.make_engine(X, Y, layout, **kw)
    params = init_params(
        layout,
        [np.random.default_rng(s) for s in seeds],
        activation="tanh",
        init_scale=0.3,
    )
    group = dict(
        learning_rates=list(lrs),
        weight_decays=[0.0] * m,
        rows=[np.arange(n)] * m,
        rngs=[np.random.default_rng(1000 + s) for s in seeds],
    )
    if "x_mean" in inspect.signature(engine.set_group).parameters:
        group.update(
            x_mean=np.tile(x_mean, (m, 1)),
            x_inv_scale=np.tile(x_inv, (m, 1)),
            y_mean=np.zeros((m, 1)),
            y_inv_scale=np.ones((m, 1)),
        )
    if shared is not None:
        group["shared"] = shared
    engine.set_group(params, **group)
    return engine


def _session(engine):
    """The engine's training context (thread settings), where it has one."""
    import contextlib

    session = getattr(engine, "session", None)
    return session() if session is not None else contextlib.nullcontext()


def worker_gd(cfg, threads):
    """Full-batch GD at large n: per-step time against the compute bound."""
    quiet()
    from sgdselect import GDSupportSelector

    n, d, steps = cfg["n"], cfg["d"], cfg["max_iter"]
    X, y = make_data(n, d)
    rate = matmul_rate(cfg["matmul_size"])
    # The network of the target (and of step_flops), not the default.
    # n_jobs: the threads share out the stripes of rows of each step.
    net = dict(**SAME_NETWORK, threshold=ONE_TRAINING, random_state=0, n_jobs=threads)
    GDSupportSelector(max_iter=1, **net).fit(X, y)  # warm-up
    t_fit = best_of(lambda: GDSupportSelector(max_iter=steps, **net).fit(X, y), 3)
    out = {
        "n": n,
        "d": d,
        "steps": steps,
        "rate": rate,
        "fit_time": t_fit,
        "per_step": t_fit / steps,
        "ideal": step_flops(n, d) / rate,
        "ideal_rough": step_flops_rough(n, d) / rate,
    }
    # The engine alone (no validation, statistics or per-epoch norms).
    try:
        engine = _group_engine(X, y, n, [0.2], [0], n_threads=threads)
        with _session(engine):
            from threadpoolctl import threadpool_info

            out["blas_threads_in_training"] = sorted(
                {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
            )
            engine.epoch()
            out["engine_per_step"] = best_of(engine.epoch, max(3, steps // 4))
    except Exception as exc:  # noqa: BLE001
        out["engine_error"] = f"{type(exc).__name__}: {exc}"
    # The bound takes the best rate seen before and after the timings: on a
    # shared machine a core can be taken for a while, and a low rate would
    # make the bound a floor (2-thread rates of 106 and 190-203 GFLOP/s were
    # seen in runs a few minutes apart).
    out["rate_before"] = rate
    out["rate"] = rate = max(rate, matmul_rate(cfg["matmul_size"]))
    out["ideal"] = step_flops(n, d) / rate
    out["ideal_rough"] = step_flops_rough(n, d) / rate
    out["torch_per_step"] = _torch_full_batch_step(X, y, repeat=max(3, steps // 4))
    if cfg.get("profile"):
        try:
            out["profile"] = _profile_full_batch(X, y)
        except Exception as exc:  # noqa: BLE001
            out["profile_error"] = f"{type(exc).__name__}: {exc}"
    return out


def _torch_full_batch_step(X, y, repeat):
    """One full-batch step written the PyTorch way (autograd), for context."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    Xt = torch.from_numpy(X)
    Xt = (Xt - Xt.mean(0)) / Xt.std(0)
    yt = torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
    net = nn.Sequential(
        nn.Linear(X.shape[1], HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, N_OUT)
    )
    params = list(net.parameters())
    opt = torch.optim.SGD(params, lr=0.2)
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad()
        loss_fn(net(Xt), yt).backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    step()
    return best_of(step, repeat)


def _profile_full_batch(X, y):
    """Time each piece of the CPU kernel's full-batch step, chunk by chunk.

    Calls the kernel's own Numba functions (``sgdselect._cpu_kernel``) and
    ``np.dot`` compiled by Numba (the same BLAS path the kernel takes) on the
    chunk shapes the kernel uses, and sums each piece over one step.
    """
    import inspect

    from numba import njit

    from sgdselect import _cpu_kernel as K
    from sgdselect import _engine

    @njit(cache=False)
    def dot(a, b, out):
        np.dot(a, b, out)

    @njit(cache=False)
    def dot_ta(a, b, out):
        np.dot(a.T, b, out)

    @njit(cache=False)
    def dot_tb(a, b, out):
        np.dot(a, b.T, out)

    @njit(cache=False)
    def colsum(G, gb):  # the first kernel's inline bias-gradient loop
        for j in range(G.shape[1]):
            s = 0.0
            for i in range(G.shape[0]):
                s += G[i, j]
            gb[j] = s

    @njit(cache=False)
    def accumulate(dst, src):
        dst += src

    n, d = X.shape
    h, k = HIDDEN, N_OUT
    rng = np.random.default_rng(0)
    rows = np.arange(n, dtype=np.int64)  # a full batch needs no shuffling
    Y = np.ascontiguousarray(y, dtype=np.float64).reshape(-1, 1)
    mean = X.mean(0).astype(np.float32)
    inv = (1 / X.std(0)).astype(np.float32)
    W1 = (rng.standard_normal((d, h)) * 0.1).astype(np.float32)
    W2 = (rng.standard_normal((h, k)) * 0.1).astype(np.float32)
    b1, b2 = np.zeros(h, np.float32), np.zeros(k, np.float32)
    if hasattr(_engine, "chunk_rows"):  # the engine's own chunk for these shapes
        c = _engine.chunk_rows(d * h, n)
    else:
        c = getattr(_engine, "_CHUNK", 1024)
    A0 = np.empty((c, d), np.float32)
    A1 = np.empty((c, h), np.float32)
    out = np.empty((c, k), np.float32)
    G = np.empty((c, k), np.float32)
    Gp = np.empty((c, h), np.float32)
    gW1, gW2, tmp = (
        np.empty((d, h), np.float32),
        np.empty((h, k), np.float32),
        np.empty((d, h), np.float32),
    )
    gb1, gb2 = np.empty(h, np.float32), np.empty(k, np.float32)
    noise = np.zeros((0, k), np.float32)
    starts = list(range(0, n - c + 1, c))  # full chunks only
    scale = n / (len(starts) * c)  # extrapolate to the whole step

    def sl(s):
        return rows[s : s + c]

    def kernel(fn, **values):
        """Call a kernel function by its parameter names (its signature may
        change); a value that is callable gets the chunk start."""
        names = list(inspect.signature(fn.py_func).parameters)
        missing = [name for name in names if name not in values]
        if missing:
            raise TypeError(f"{fn.__name__} now takes {names}")

        def call(s):
            fn(*[values[k](s) if callable(values[k]) else values[k] for k in names])

        return call

    y_stats = dict(y_shift=np.zeros(k), y_inv=np.ones(k))

    def bias_sums(Gm, gb):
        # The kernel's own column-sum function where it has one, else the
        # column loop the first kernel version ran inline.
        if hasattr(K, "_column_sums"):
            return kernel(K._column_sums, G=Gm, out=gb, overwrite=True)
        return lambda s: colsum(Gm, gb)

    pieces = [
        (
            "gather + standardize X rows",
            lambda: kernel(
                K._gather,
                X=X,
                rows=sl,
                mean=mean,
                inv_scale=inv,
                sq_inv=np.zeros(0, np.float32),  # no square inputs
                out=A0,
            ),
        ),
        ("forward matmul X@W1 (c x d x h)", lambda: lambda s: dot(A0, W1, A1)),
        (
            "bias + tanh (c x h)",
            lambda: kernel(K._bias_act, Z=A1, bias=b1, activation=2),
        ),
        ("forward matmul H@W2 (c x h x k)", lambda: lambda s: dot(A1, W2, out)),
        (
            "output bias (linear)",
            lambda: kernel(K._bias_act, Z=out, bias=b2, activation=0),
        ),
        (
            "loss and output gradient",
            lambda: kernel(
                K._output_grad,
                out=out,
                Y=Y,
                rows=sl,
                noise=noise,
                batch_rows=n,
                loss=0,
                G=G,
                **y_stats,
            ),
        ),
        ("weight grad H^T@G (h x c x k)", lambda: lambda s: dot_ta(A1, G, gW2)),
        ("bias grad, output layer", lambda: bias_sums(G, gb2)),
        ("backprop G@W2^T (c x k x h)", lambda: lambda s: dot_tb(G, W2, Gp)),
        (
            "tanh derivative (c x h)",
            lambda: kernel(K._act_grad, G=Gp, A=A1, activation=2),
        ),
        ("weight grad X^T@G (d x c x h)", lambda: lambda s: dot_ta(A0, Gp, tmp)),
        ("accumulate chunk gradient", lambda: lambda s: accumulate(gW1, tmp)),
        ("bias grad, hidden layer", lambda: bias_sums(Gp, gb1)),
    ]
    result = []
    for name, build in pieces:
        try:
            fn = build()
            fn(0)  # warm-up: compiles, and leaves valid values for the next piece

            def over_step(fn=fn):
                for s in starts:
                    fn(s)

            result.append([name, best_of(over_step, 5) * scale])
        except Exception as exc:  # noqa: BLE001 - the kernel is internal
            result.append([name, None, f"{type(exc).__name__}: {exc}"])
    p = np.concatenate([W1.ravel(), W2.ravel(), b1, b2])
    g = np.ones_like(p) * 1e-3
    try:
        update = kernel(
            K._apply_update,
            p=p,
            g=g,
            lr=np.float32(0.0),
            wd=np.float32(0.0),
            clip=1.0,
            n_weights=d * h + h * k,
        )
        update(0)
        result.append(["clip + update (once per step)", best_of(lambda: update(0), 20)])
    except Exception as exc:  # noqa: BLE001
        result.append(["clip + update", None, f"{type(exc).__name__}: {exc}"])
    # For comparison: NumPy's own (SIMD) tanh on the same number of values.
    Z = rng.standard_normal((n, h)).astype(np.float32)
    numpy_tanh = best_of(lambda: np.tanh(Z, out=Z), 5)
    return {"pieces": result, "numpy_tanh": numpy_tanh, "chunk": c}


def worker_group(cfg, threads):
    """Engine epochs for a group of networks (learning rates x seeds) against
    a group of one.

    Networks are ordered seed-major. Two ways to run the group: every network
    on its own (``set_group``'s default), and, where the engine offers it
    (``shared=``), each seed's networks as one block sharing batch order.
    """
    import inspect

    quiet()
    n, d, b = cfg["n"], cfg["d"], cfg["b"]
    X, y = make_data(n, d)
    seeds = [s for s in cfg["seeds"] for _ in cfg["lrs"]]
    lrs = [lr for _ in cfg["seeds"] for lr in cfg["lrs"]]
    k = len(cfg["lrs"])
    ranges = [(i, i + k) for i in range(0, len(seeds), k)]

    def timed(lr_list, seed_list, shared=None):
        engine = _group_engine(
            X, y, b, lr_list, seed_list, n_threads=threads, shared=shared
        )

        def run():
            for _ in range(cfg["epochs"]):
                engine.epoch()

        with _session(engine):
            engine.epoch()  # warm-up
            return best_of(run, 3)

    out = {"models": len(lrs), "t1": timed(lrs[:1], seeds[:1])}
    out["tm"] = timed(lrs, seeds)
    out["ratio"] = out["tm"] / out["t1"]
    from sgdselect import _engine

    probe = _engine.CPUEngine.set_group
    if "shared" in inspect.signature(probe).parameters:
        out["tm_shared"] = timed(lrs, seeds, shared=ranges)
        out["ratio_shared"] = out["tm_shared"] / out["t1"]
    return out


# ------------------------------------------------------------ bench_cv
def bench_cv(n, n_features, learning_rates, batch_sizes, cv, max_iter, threads):
    """SGDSupportSelectorCV against GridSearchCV(SGDSupportSelector()).

    Both search learning_rates x batch_sizes with ``cv`` folds on Friedman #1
    (n rows, n_features columns of which 5 matter), max_iter epochs, seed 0,
    and refit the best on all the data. GridSearchCV runs its fits one after
    another (n_jobs=None). Returns both times, their ratio, and whether
    ``best_params_`` agree. If SGDSupportSelectorCV cannot be imported (it is
    being written), the CV side reports "not available" instead of failing.
    """
    from sklearn.datasets import make_friedman1
    from sklearn.model_selection import GridSearchCV

    from sgdselect import SGDSupportSelector

    X, y = make_friedman1(n_samples=n, n_features=n_features, random_state=0)
    grid = {"learning_rate": list(learning_rates), "batch_size": list(batch_sizes)}
    out = {"threads": threads, "n_configs": len(learning_rates) * len(batch_sizes)}

    # Warm-up so that neither side pays for Numba's compilation / cache load.
    SGDSupportSelector(max_iter=1, random_state=0).fit(X[:200], y[:200])
    search = GridSearchCV(
        SGDSupportSelector(
            hidden_layer_sizes=(64,),
            max_iter=max_iter,
            threshold=ONE_TRAINING,
            random_state=0,
        ),
        grid,
        cv=cv,
    )
    t0 = time.perf_counter()
    search.fit(X, y)
    out["grid_time"] = time.perf_counter() - t0
    out["grid_best_params"] = {k: search.best_params_[k] for k in sorted(grid)}
    out["grid_best_score"] = float(search.best_score_)

    try:
        from sgdselect import SGDSupportSelectorCV
    except ImportError as exc:
        out["cv_error"] = f"not available (ImportError: {exc})"
        return out
    try:
        SGDSupportSelectorCV(
            hidden_layer_sizes=(64,),
            learning_rates=list(learning_rates)[:1],
            batch_sizes=list(batch_sizes)[:1],
            cv=2,
            max_iter=1,
            random_state=0,
        ).fit(X[:200], y[:200])  # warm-up
        est = SGDSupportSelectorCV(
            hidden_layer_sizes=(64,),
            learning_rates=list(learning_rates),
            batch_sizes=list(batch_sizes),
            cv=cv,
            max_iter=max_iter,
            threshold=ONE_TRAINING,
            random_state=0,
        )
        t0 = time.perf_counter()
        est.fit(X, y)
        out["cv_time"] = time.perf_counter() - t0
        out["cv_best_params"] = {
            k: est.best_params_[k] for k in ("batch_size", "learning_rate")
        }
        out["cv_best_score"] = float(est.best_score_)
        out["ratio"] = out["grid_time"] / out["cv_time"]
        out["agree"] = all(
            np.isclose(out["cv_best_params"][k], out["grid_best_params"][k])
            for k in out["grid_best_params"]
        )
    except Exception as exc:  # noqa: BLE001 - the class is new; report, not crash
        out["cv_error"] = f"error: {type(exc).__name__}: {exc}"
    return out


def worker_cv(cfg, threads):
    quiet()
    return bench_cv(threads=threads, **cfg)


WORKERS = {
    "grid": worker_grid,
    "lassonet": worker_lassonet,
    "gd": worker_gd,
    "group": worker_group,
    "cv": worker_cv,
}


# ---------------------------------------------------------------- report
def passfail(ok):
    return "**PASS**" if ok else "**FAIL**"


def _cell(grid, threads, d, b):
    res = grid.get(threads, {})
    for c in res.get("cells", []):
        if c.get("d") == d and "b" in c and c["b"] == b:
            return c
    return None


def _load(cores, threads):
    """Cores used by other processes during a measurement; marked when they
    competed with it."""
    if cores is None:
        return "?"
    text = f"{cores:.2f}"
    return f"**{text} (busy)**" if cores > spare_cores(threads) else text


def _ratio(num, den):
    if not num or not den or "per_step" not in num or "per_step" not in den:
        return None
    return num["per_step"] / den["per_step"]


def render(cfg, grid, lasso, gd, group, cvres, wall):
    threads_list = cfg["threads"]
    L = ["# Speed benchmarks", ""]
    if cfg["quick"]:
        L += [
            "**Quick smoke-test run: sizes are reduced, numbers are not comparable.**",
            "",
        ]
    L += [
        "Generated by `benchmarks/speed.py`; "
        f"the whole run took {wall / 60:.1f} minutes.",
        "",
    ]
    L += machine_lines(command_line())
    L += [
        "",
        "Thread counts are set per subprocess before any import (OMP/OpenBLAS/MKL/"
        "Numba env vars), then `torch.set_num_threads(t)` and "
        "`threadpoolctl.threadpool_limits(t)`.",
        "",
        background_note(
            [
                (f"grid {t}t d={c['d']} b={c['b']}", t, c)
                for t in threads_list
                for c in grid.get(t, {}).get("cells", [])
                if "b" in c
            ]
            + [(f"GD {t}t", t, gd.get(t)) for t in threads_list]
            + [(f"group {t}t", t, group.get(t)) for t in threads_list]
            + [(f"CV {t}t", t, cvres.get(t)) for t in threads_list]
            + [(f"LassoNet {t}t d={d}", t, r) for (t, d), r in lasso.items()]
        ),
        "",
    ]

    # ---- headline rows
    L += ["## Acceptance rows", ""]
    rows = []
    d0 = cfg["headline_d"]
    c8, c1 = _cell(grid, 1, d0, 8), _cell(grid, 1, d0, 1)
    head = f"1 thread, d={d0}, hidden (64,), n={cfg['n']}"
    for label, cell, other in (
        (
            f"{head}, b=8: plain PyTorch loop / sgdselect, per step",
            c8,
            "torch",
        ),
        (
            f"{head}, b=1: plain PyTorch loop / sgdselect, per step",
            c1,
            "torch",
        ),
        (
            f"{head}, b=8: MLPRegressor / sgdselect, per step",
            c8,
            "sklearn",
        ),
    ):
        r = _ratio(cell[other], cell["ours"]) if cell else None
        rows.append(
            [label, fmt_ratio(r), ">= 20x", "n/a" if r is None else passfail(r >= 20)]
        )
    for t in threads_list:
        g = gd.get(t, {})
        if "per_step" in g:
            frac = g["ideal"] / g["per_step"]
            rows.append(
                [
                    f"{t} thread(s), full-batch GD, n={g['n']}, d={g['d']}, "
                    "hidden (64,): ideal / actual time per step "
                    f"(`GDSupportSelector(max_iter={g['steps']})`)",
                    f"{frac:.3f}",
                    ">= 0.5",
                    passfail(frac >= 0.5),
                ]
            )
        else:
            rows.append(
                [
                    f"{t} thread(s), full-batch GD",
                    g.get("error", "n/a"),
                    ">= 0.5",
                    "n/a",
                ]
            )
    cv1 = cvres.get(1, {})
    if "ratio" in cv1:
        rows.append(
            [
                "1 thread, GridSearchCV(SGDSupportSelector) / SGDSupportSelectorCV, "
                f"{cv1['n_configs']} configs x {cfg['cv']['cv']} folds",
                fmt_ratio(cv1["ratio"]),
                ">= 5x",
                passfail(cv1["ratio"] >= 5),
            ]
        )
        rows.append(
            [
                "1 thread, best_params_ agree (GridSearchCV vs SGDSupportSelectorCV)",
                "yes" if cv1["agree"] else "no",
                "yes",
                passfail(cv1["agree"]),
            ]
        )
    else:
        rows.append(
            [
                "GridSearchCV / SGDSupportSelectorCV",
                cv1.get("cv_error", cv1.get("error", "n/a")),
                ">= 5x",
                "not available",
            ]
        )
    grp = group.get(1, {})
    if "ratio" in grp:
        shared = "ratio_shared" in grp
        ratio = grp["ratio_shared"] if shared else grp["ratio"]
        rows.append(
            [
                f"1 thread, engine epoch time, group of {grp['models']} networks "
                f"({len(cfg['group']['lrs'])} learning rates x "
                f"{len(cfg['group']['seeds'])} seeds"
                + (", each seed's networks one shared block" if shared else "")
                + f") / one network (d={cfg['group']['d']}, b={cfg['group']['b']})",
                fmt_ratio(ratio),
                "<= 3x",
                passfail(ratio <= 3),
            ]
        )
    else:
        rows.append(["group of 16 / one", grp.get("error", "n/a"), "<= 3x", "n/a"])
    L += table(["check", "measured", "target", "result"], rows)
    L += [""]

    # ---- the grid
    L += [
        "## Time per SGD step",
        "",
        f"Regression, X ~ N(0, 1) float32 with n = {cfg['n']} rows, y a nonlinear "
        "function of 5 columns (standardized), network d -> 64 -> 1 with tanh. "
        "*sgdselect*: `SGDSupportSelector(hidden_layer_sizes=(64,), "
        "input_squares=False, batch_size=b, max_iter=E, threshold=0.0, "
        "random_state=0).fit(X, y)` (the features only, as the other trainers "
        "read them; one training), timed after a warm-up fit, E "
        "chosen so the fit takes about "
        f"{cfg['target_s']} s; per step = fit time / (E * ceil(n/b)), everything "
        f"in `fit` included. Every timing in this table is the best of {REPEAT} "
        "runs, for every method. *PyTorch loop*: `nn.Sequential(Linear(d,64), Tanh(), "
        "Linear(64,1))`, `SGD(lr=0.2)`, `MSELoss`, `clip_grad_norm_(.., 1.0)`, "
        "batches from `torch.randperm` each epoch, timed over a number of steps "
        "taking about as long. *MLPRegressor*: `solver='sgd', momentum=0, "
        "activation='tanh', alpha=0, tol=0, n_iter_no_change=10**9, shuffle=True`, "
        "same batch size, learning rate 0.2 unless it diverged (column lr), "
        "its own number of epochs (column E). *Ideal*: compute bound "
        "F(b) = 4b(dh+hk) + 2bhk FLOPs at the large-matmul rate. "
        "Full batch is `batch_size=None` (b = n). *others' load*: cores used by "
        "other processes while the row was measured, marked busy where they "
        "competed with it for cores.",
        "",
    ]
    header = [
        "threads",
        "d",
        "b",
        "sgdselect / step (E)",
        "samples/s",
        "PyTorch loop / step",
        "**PyTorch / sgdselect**",
        "MLPRegressor / step (lr, E)",
        "**MLPRegressor / sgdselect**",
        "ideal / step",
        "sgdselect / ideal",
        "others' load",
    ]
    rows = []
    for t in threads_list:
        res = grid.get(t, {})
        if "error" in res:
            rows.append([t, res["error"]] + [""] * (len(header) - 2))
            continue
        for c in res["cells"]:
            if "b" not in c:
                continue
            o, tl, sk = c["ours"], c["torch"], c["sklearn"]
            bs = c["n"] if c["b"] is None else c["b"]
            b_label = f"full ({c['n']})" if c["b"] is None else str(c["b"])
            if "per_step" in o:
                ours_s = f"{fmt_time(o['per_step'])} ({o['epochs']})"
                sps = f"{bs / o['per_step']:,.0f}"
                vs_ideal = fmt_ratio(o["per_step"] / c["ideal_per_step"])
            else:
                ours_s, sps, vs_ideal = o.get("error", "?"), "", ""
            torch_s = fmt_time(tl["per_step"]) if "per_step" in tl else tl.get("error")
            if "per_step" in tl and not tl.get("finite", True):
                torch_s += " (loss not finite)"
            sk_s = (
                f"{fmt_time(sk['per_step'])} ({sk['lr']}, {sk['epochs']})"
                if "per_step" in sk
                else sk.get("error")
            )
            rows.append(
                [
                    t,
                    c["d"],
                    b_label,
                    ours_s,
                    sps,
                    torch_s,
                    f"**{fmt_ratio(_ratio(tl, o))}**",
                    sk_s,
                    f"**{fmt_ratio(_ratio(sk, o))}**",
                    fmt_time(c["ideal_per_step"]),
                    vs_ideal,
                    _load(c.get("background_cores"), t),
                ]
            )
    L += table(header, rows)
    L += [""]
    rates = [
        f"{t} thread(s): {grid[t]['rate'] / 1e9:.1f} GFLOP/s"
        for t in threads_list
        if "rate" in grid.get(t, {})
    ]
    L += [
        "Large float32 matmul rate "
        f"({cfg['matmul_size']}x{cfg['matmul_size']} @ {cfg['matmul_size']}x"
        f"{cfg['matmul_size']}, NumPy): " + "; ".join(rates) + ".",
        "",
    ]

    # ---- LassoNet
    L += [
        "## LassoNet default fit",
        "",
        "`lassonet.LassoNetRegressor(verbose=0)` (all other parameters default), "
        "trained over its whole regularization path on the same data: its "
        "defaults hold out 10% for validation, use hidden (100,) and full-batch "
        "epochs (one optimizer step per epoch), Adam for the dense model and SGD "
        "with momentum along the path, with a validation pass after every epoch. "
        "It is run as `path(X, y, callback=...)`, which is what `fit` runs. "
        "*steps* counts optimizer steps (a torch optimizer hook); *total / steps* "
        "also carries LassoNet's work that is not a step (validation passes, "
        "the `lambda_start='auto'` search: several seconds here). The path runs "
        "until every feature is dropped; a fit still running at its time cap is "
        "stopped there (column *finished?*), so its time is a lower bound. "
        "For scale, the last columns give sgdselect's own default fit "
        "(`SGDSupportSelector(random_state=0)`: its default network, batch size "
        f"and epochs ({_defaults_text()}); 1 thread only; when it would take long, "
        "the first E epochs are timed and scaled to the default number, since "
        "every epoch costs the same).",
        "",
    ]
    header = [
        "threads",
        "d",
        "LassoNet time",
        "path points (lambdas)",
        "optimizer steps",
        "total / steps",
        "finished?",
        "sgdselect default fit (epochs timed)",
        "its steps",
        "LassoNet time / sgdselect default fit time",
    ]
    rows = []
    for t in threads_list:
        for d in cfg["ds"]:
            r = lasso.get((t, d), {})
            default = next(
                (
                    c["default_fit"]
                    for c in grid.get(t, {}).get("cells", [])
                    if c.get("d") == d and "default_fit" in c
                ),
                None,
            )
            dft = (
                [
                    f"{fmt_time(default['time'])} ({default['timed_epochs']} of "
                    f"{default['epochs']})",
                    f"{default['steps']:,}",
                ]
                if default
                else ["n/a", ""]
            )
            if "error" in r or not r:
                rows.append(
                    [t, d, r.get("error", "not run"), "", "", "", ""] + dft + [""]
                )
                continue
            ratio = (
                fmt_ratio(r["time"] / default["time"])
                + ("" if r["completed"] else " (at least)")
                if default
                else "n/a"
            )
            rows.append(
                [
                    t,
                    d,
                    fmt_time(r["time"]) + ("" if r["completed"] else "+"),
                    r["lambdas"],
                    f"{r['steps']:,}",
                    fmt_time(r["per_step"]),
                    "yes"
                    if r["completed"]
                    else f"no, stopped at the {r['cap_s']:.0f} s cap",
                ]
                + dft
                + [ratio]
            )
    L += table(header, rows)
    L += [""]

    # ---- full-batch GD
    L += [
        "## Full-batch gradient descent at large n",
        "",
        f"`GDSupportSelector(hidden_layer_sizes=({HIDDEN},), input_squares=False, "
        f"max_iter={cfg['gd']['max_iter']}, threshold=0.0, random_state=0, "
        f"n_jobs=T).fit(X, y)` with n = {cfg['gd']['n']}, d = {cfg['gd']['d']}, "
        "T the row's threads (they share out the stripes of rows of each step; "
        "the result is the one-thread result bit for bit), "
        "after a warm-up fit; per step = the best of 3 fit times / max_iter. "
        "*Engine only*: "
        "`engine.epoch()` alone (no validation, statistics or norms). *Ideal*: "
        "F(n) = 4n(dh+hk) + 2nhk FLOPs at the large-matmul rate (the best of "
        "its measurements before and after the timings; the rough "
        "6n(dh+hk) count in brackets). *PyTorch step*: the same full-batch step "
        "written with autograd on a pre-standardized tensor, for context.",
        "",
    ]
    header = [
        "threads",
        "matmul rate",
        "fit / step",
        "engine only / step",
        "ideal / step",
        "**ideal / actual**",
        "PyTorch autograd / step",
        "BLAS threads while training",
    ]
    rows = []
    for t in threads_list:
        g = gd.get(t, {})
        if "per_step" not in g:
            rows.append([t, g.get("error", "n/a")] + [""] * 6)
            continue
        rows.append(
            [
                t,
                f"{g['rate'] / 1e9:.1f} GFLOP/s",
                fmt_time(g["per_step"]),
                fmt_time(g.get("engine_per_step"))
                if "engine_per_step" in g
                else g.get("engine_error"),
                f"{fmt_time(g['ideal'])} ({fmt_time(g['ideal_rough'])})",
                f"**{g['ideal'] / g['per_step']:.3f}** "
                f"({g['ideal_rough'] / g['per_step']:.3f})",
                fmt_time(g["torch_per_step"]),
                ", ".join(map(str, g.get("blas_threads_in_training", []))) or "?",
            ]
        )
    L += table(header, rows)
    L += [""]
    g1 = gd.get(1, {})
    if "profile" in g1:
        prof = g1["profile"]
        total = sum(p[1] for p in prof["pieces"] if p[1] is not None)
        L += [
            "### Where the time goes in one full-batch step (1 thread)",
            "",
            "Each piece of the CPU kernel's step run alone on the chunk shapes it "
            f"uses ({prof['chunk']} rows per chunk), summed over the chunks of one "
            "step: the kernel's own Numba functions from `sgdselect._cpu_kernel`, "
            "and `np.dot` compiled by Numba for the matrix products (the kernel's "
            "BLAS path). Python call overhead per chunk is included (about a "
            "microsecond a call). The pieces follow the kernel's chunked "
            "forward/backward structure, not necessarily its latest code path "
            "(for instance a full batch may now skip the gather): compare their "
            "sum with the *engine only* time above.",
            "",
        ]
        rows = [
            [p[0], fmt_time(p[1]), f"{100 * p[1] / total:.0f}%"]
            if p[1] is not None
            else [p[0], p[2], ""]
            for p in prof["pieces"]
        ]
        rows.append(["**sum**", fmt_time(total), "100%"])
        L += table(["piece", "time per step", "share"], rows)
        L += [
            "",
            f"For comparison, NumPy's `np.tanh` on the same {g1['n']} x 64 "
            f"float32 values takes {fmt_time(prof['numpy_tanh'])}.",
            "",
        ]
    elif "profile_error" in g1:
        L += [f"Profile failed: {g1['profile_error']}", ""]

    # ---- CV
    L += [
        "## Cross-validated search: SGDSupportSelectorCV vs GridSearchCV",
        "",
        "`bench_cv()`: Friedman #1, n = "
        f"{cfg['cv']['n']}, {cfg['cv']['n_features']} features, learning rates "
        f"{cfg['cv']['learning_rates']} x batch sizes {cfg['cv']['batch_sizes']}, "
        f"cv={cfg['cv']['cv']}, max_iter={cfg['cv']['max_iter']}, random_state=0, "
        "hidden (64,). GridSearchCV runs its fits one after another (n_jobs=None); "
        "both refit the best on all the data.",
        "",
    ]
    header = [
        "threads",
        "GridSearchCV time",
        "SGDSupportSelectorCV time",
        "**ratio**",
        "best_params_ (GridSearchCV)",
        "best_params_ (CV class)",
        "agree?",
        "best_score_ (grid / CV class)",
    ]
    rows = []
    for t in threads_list:
        r = cvres.get(t, {})
        if "grid_time" not in r:
            rows.append([t, r.get("error", "n/a")] + [""] * 6)
            continue
        if "ratio" in r:
            rows.append(
                [
                    t,
                    fmt_time(r["grid_time"]),
                    fmt_time(r["cv_time"]),
                    f"**{fmt_ratio(r['ratio'])}**",
                    r["grid_best_params"],
                    r["cv_best_params"],
                    "yes" if r["agree"] else "no",
                    f"{r['grid_best_score']:.4f} / {r['cv_best_score']:.4f}",
                ]
            )
        else:
            rows.append(
                [
                    t,
                    fmt_time(r["grid_time"]),
                    r["cv_error"],
                    "",
                    r["grid_best_params"],
                    "",
                    "",
                    f"{r['grid_best_score']:.4f} / -",
                ]
            )
    L += table(header, rows)
    L += [""]

    # ---- group
    gc = cfg["group"]
    L += [
        "## Group training: many networks in one engine call",
        "",
        f"`make_engine(...)`, `engine.set_group(...)` with {len(gc['lrs'])} learning "
        f"rates {gc['lrs']} x {len(gc['seeds'])} seeds, then {gc['epochs']} "
        f"`engine.epoch()` calls (best of 3), against a group of one network. "
        "Networks are ordered seed-major; *independent*: every network its own "
        "block (`set_group`'s default); *shared per seed*: `shared=` ranges make "
        "each seed's networks one block with one batch order (where the engine "
        "has it; that is how a seed's step sizes can train together). "
        f"d = {gc['d']}, hidden (64,), n = {gc['n']}, b = {gc['b']}, tanh, "
        "squared error.",
        "",
    ]
    rows = []
    for t in threads_list:
        r = group.get(t, {})
        if "ratio" not in r:
            rows.append([t, r.get("error", "n/a"), "", "", "", ""])
            continue
        for label, key in (("independent", "tm"), ("shared per seed", "tm_shared")):
            if key not in r:
                continue
            rows.append(
                [
                    t,
                    label,
                    fmt_time(r["t1"]),
                    f"{fmt_time(r[key])} ({r['models']} networks)",
                    f"**{fmt_ratio(r[key] / r['t1'])}**",
                    fmt_ratio(r["models"] * r["t1"] / r[key]),
                ]
            )
    L += table(
        [
            "threads",
            "group mode",
            "1 network",
            "group",
            "**group / one**",
            "speed-up over one at a time",
        ],
        rows,
    )
    L += [""]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- main
def config(quick):
    cores = all_cores()
    threads = [1] if quick else sorted({1, cores})
    if quick:
        return {
            "quick": True,
            "threads": threads,
            "n": 1000,
            "ds": [50],
            "batch_sizes": [1, 8, None],
            "target_s": 0.15,
            "matmul_size": 1024,
            "headline_d": 50,
            "lassonet_caps": {"default": 5},
            "default_fit_budget_s": 1.0,
            "gd": {"n": 20_000, "d": 50, "max_iter": 5, "profile": True},
            "group": {
                "n": 1000,
                "d": 50,
                "b": 8,
                "epochs": 1,
                "lrs": [0.05, 0.1],
                "seeds": [0, 1],
            },
            "cv": {
                "n": 300,
                "n_features": 25,
                "learning_rates": [0.1, 0.2],
                "batch_sizes": [16, 64],
                "cv": 3,
                "max_iter": 5,
            },
        }
    return {
        "quick": False,
        "threads": threads,
        "n": 4000,
        "ds": [50, 1000],
        "batch_sizes": [1, 8, 64, None],
        "target_s": 0.6,
        "matmul_size": 2048,
        "headline_d": 50,
        # The full default fit at one thread and d=50 takes about 70-80 s here;
        # the others only show that LassoNet takes at least that long.
        "lassonet_caps": {"1,50": 120, "default": 30},
        "default_fit_budget_s": 8.0,
        "gd": {"n": 100_000, "d": 50, "max_iter": 20, "profile": True},
        "group": {
            "n": 4000,
            "d": 50,
            "b": 8,
            "epochs": 3,
            "lrs": [0.05, 0.1, 0.2, 0.4],
            "seeds": [0, 1, 2, 3],
        },
        "cv": {
            "n": 2000,
            "n_features": 25,
            "learning_rates": [0.05, 0.1, 0.2, 0.4],
            "batch_sizes": [4, 16, 64],
            "cv": 3,
            "max_iter": 50,
        },
    }


def main():
    if "--worker" in sys.argv:
        worker_entry(sys.argv[1:], WORKERS)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke-test run")
    parser.add_argument("--out", help="Markdown file to write")
    parser.add_argument(
        "--lassonet-cap",
        type=float,
        help="seconds before every LassoNet fit is stopped (default: 120 s for "
        "1 thread and d=50, 30 s for the others)",
    )
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
    if args.lassonet_cap is not None:
        cfg["lassonet_caps"] = {"default": args.lassonet_cap}
    QUIET_WAIT[0] = args.wait_quiet
    out = args.out or (
        os.path.join(tempfile.gettempdir(), "sgdselect-speed-quick.md")
        if args.quick
        else os.path.join(REPO, "docs", "benchmarks", "speed.md")
    )
    script = os.path.abspath(__file__)
    start = time.perf_counter()
    grid, lasso, gd, group, cvres = {}, {}, {}, {}, {}
    for t in cfg["threads"]:
        log(f"threads={t}: per-step grid")
        grid[t] = run_worker(
            script,
            "grid",
            t,
            {
                "n": cfg["n"],
                "ds": cfg["ds"],
                "batch_sizes": cfg["batch_sizes"],
                "target_s": cfg["target_s"],
                "matmul_size": cfg["matmul_size"],
                "default_fit": t == 1,
                "default_fit_budget_s": cfg["default_fit_budget_s"],
            },
            timeout=1200,
        )
        log(f"threads={t}: full-batch GD")
        gd[t] = run_worker(
            script,
            "gd",
            t,
            {
                **cfg["gd"],
                "matmul_size": cfg["matmul_size"],
                "profile": cfg["gd"]["profile"] and t == 1,
            },
            timeout=600,
        )
        log(f"threads={t}: group training")
        group[t] = run_worker(script, "group", t, cfg["group"], timeout=600)
        log(f"threads={t}: CV search")
        cvres[t] = run_worker(script, "cv", t, cfg["cv"], timeout=900)
        for d in cfg["ds"]:
            caps = cfg["lassonet_caps"]
            cap = caps.get(f"{t},{d}", caps["default"])
            log(f"threads={t}: LassoNet d={d} (cap {cap} s)")
            lasso[(t, d)] = run_worker(
                script,
                "lassonet",
                t,
                {"n": cfg["n"], "d": d, "cap_s": cap},
                timeout=int(cap + 300),
            )
    wall = time.perf_counter() - start
    text = render(cfg, grid, lasso, gd, group, cvres, wall)
    write_page(text, out, wall)


if __name__ == "__main__":
    main()
