"""Speed of sgdselect's training against a plain PyTorch loop, scikit-learn's
MLPRegressor, LassoNet and the compute bound of the hardware.

    PYTHONPATH=. python benchmarks/speed.py            # ~6 minutes on 2 cores
    PYTHONPATH=. python benchmarks/speed.py --quick    # smoke test, ~1 minute
    PYTHONPATH=. python benchmarks/speed.py --from-json docs/benchmarks/speed.json

Writes ``docs/benchmarks/speed.json`` and ``speed.md`` (from
``templates/speed.md``).

Every timing goes through the estimators' ``fit``. The time of one step is a
difference, ``(fit(E epochs) - fit(1 epoch)) / ((E - 1) * steps per epoch)``,
which leaves out what a fit does once (checks, column statistics, the
importances); a numeric ``threshold`` keeps ``threshold="auto"`` from
training a second network beside shadows. Each measurement that depends on
a thread count runs in a fresh subprocess whose thread variables are set
before any import.

Compute bound: one step of the MLP d -> h -> k on b rows does, in matrix
products, 2b(dh + hk) FLOPs forward, 2b(dh + hk) for the weight gradients and
2bhk to carry the gradient into the hidden layer: F(b) = 4b(dh + hk) + 2bhk.
The ideal time of a step is F(b) over the FLOP rate of a large float32 matrix
product measured in the same process. Elementwise work is not counted, so the
bound is optimistic.
"""

import math
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

HIDDEN = 64
REPEAT = 2  # every per-step timing is the best of this many, for every method
# The network the PyTorch loop, MLPRegressor and the bound train: the
# features only (the selector's default square inputs double the first layer).
SAME_NETWORK = dict(hidden_layer_sizes=(HIDDEN,), input_squares=False)
ONE_TRAINING = 0.0  # a numeric threshold: no second network beside shadows


def make_data(n, d, seed=0):
    """X ~ N(0, 1) float32; y depends nonlinearly on the first 5 columns."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d), dtype=np.float32)
    x = X[:, :5].astype(np.float64)
    y = np.sin(2 * x[:, 0]) + x[:, 1] ** 2 + x[:, 2] * x[:, 3] + 0.5 * x[:, 4]
    y += 0.1 * rng.standard_normal(n)
    return X, (y - y.mean()) / y.std()


def step_flops(b, d, h=HIDDEN, k=1):
    return 4 * b * (d * h + h * k) + 2 * b * h * k


def matmul_rate(size):
    """float32 FLOP/s of a large NumPy matrix product (BLAS peak, roughly)."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size), dtype=np.float32) for _ in range(2))
    c = np.empty_like(a)
    np.dot(a, b, out=c)
    return 2 * size**3 / h.best_of(lambda: np.dot(a, b, out=c), 3)


def per_step(make, steps_per_epoch, target_s, min_epochs=3):
    """Per-step time of ``make(epochs).fit`` by difference of epoch counts."""
    make(1)()  # warm-up: loads (or compiles) the kernel
    t1 = h.best_of(make(1), REPEAT)
    epochs = int(min(max(round(target_s / t1), min_epochs), 100_000))
    t = h.best_of(make(epochs), REPEAT)
    if t <= t1:  # the machine's noise swamped the epochs' difference
        return {"error": f"{epochs} epochs timed no longer than 1"}
    return {
        "epochs": epochs,
        "t1": t1,
        "time": t,
        "per_step": (t - t1) / ((epochs - 1) * steps_per_epoch),
    }


# ------------------------------------------------------- the trainers
def time_sgdselect(X, y, b, target_s):
    from sgdselect import SGDSupportSelector

    def make(epochs):
        est = SGDSupportSelector(
            **SAME_NETWORK,
            batch_size=b,
            max_iter=epochs,
            threshold=ONE_TRAINING,
            random_state=0,
        )
        return lambda: est.fit(X, y)

    return per_step(make, math.ceil(len(X) / (b or len(X))), target_s)


def time_torch_loop(X, y, b, target_s):
    """The textbook PyTorch loop for the same network."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    n, d = X.shape
    bs = b or n
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
    net = nn.Sequential(nn.Linear(d, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, 1))
    params = list(net.parameters())
    opt = torch.optim.SGD(params, lr=0.2)
    loss_fn = nn.MSELoss()
    state = {"perm": torch.randperm(n), "pos": 0}

    def run(steps):
        for _ in range(steps):
            if state["pos"] >= n:  # a new epoch, a new permutation
                state["perm"], state["pos"] = torch.randperm(n), 0
            idx = state["perm"][state["pos"] : state["pos"] + bs]
            state["pos"] += bs
            opt.zero_grad()
            loss = loss_fn(net(Xt[idx]), yt[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
        return float(loss.detach())

    run(20)  # warm-up
    steps = 16
    while (t := h.best_of(lambda: run(steps), 1)) < 0.2 * target_s:  # noqa: B023
        steps *= 4
    steps = int(max(steps, round(steps * target_s / t)))
    t = h.best_of(lambda: run(steps), REPEAT)
    return {"time": t, "steps": steps, "per_step": t / steps}


def time_mlp_regressor(X, y, b, target_s):
    """scikit-learn's MLPRegressor with plain SGD, at the largest learning
    rate of 0.2, 0.05, 0.01, 0.001 at which it does not diverge."""
    from sklearn.neural_network import MLPRegressor

    bs = b or len(X)

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
        t0 = time.perf_counter()
        try:
            m.fit(X, y)
        except ValueError:  # recent scikit-learn: non-finite weights
            return None
        t = time.perf_counter() - t0
        return t if np.all(np.isfinite(m.loss_curve_)) else None

    for lr in (0.2, 0.05, 0.01, 0.001):
        t1 = timed_fit(model(1, lr))
        if t1 is None:
            continue
        epochs = int(min(max(round(target_s / t1), 1), 100_000))
        times = [timed_fit(model(epochs, lr)) for _ in range(REPEAT)]
        if None in times:
            continue
        steps = epochs * math.ceil(len(X) / bs)
        return {
            "time": min(times),
            "epochs": epochs,
            "lr": lr,
            "per_step": min(times) / steps,
        }
    return {"error": "diverged at every learning rate tried"}


def time_default_fit(X, y, budget_s):
    """``SGDSupportSelector(random_state=0)``'s fit, at its defaults; its
    epochs all cost the same, so past ``budget_s`` the first E are timed and
    the time scaled to the default number."""
    from sgdselect import SGDSupportSelector

    default = SGDSupportSelector(random_state=0)
    one = dict(random_state=0, threshold=ONE_TRAINING)
    SGDSupportSelector(max_iter=1, **one).fit(X, y)  # warm-up
    t1 = h.best_of(lambda: SGDSupportSelector(max_iter=1, **one).fit(X, y), 1)
    epochs = int(min(max(budget_s // t1, 1), default.max_iter))
    est = SGDSupportSelector(max_iter=epochs, **one)
    t = h.best_of(lambda: est.fit(X, y), 1)
    return {
        "time": t * default.max_iter / epochs,
        "timed_epochs": epochs,
        "epochs": default.max_iter,
        "steps": default.max_iter * math.ceil(len(X) / default.batch_size),
        "hidden": list(default.hidden_layer_sizes),
        "batch_size": default.batch_size,
    }


# ------------------------------------------------------------- workers
def worker_grid(cfg, threads):
    warnings.simplefilter("ignore")
    out = {"rate": matmul_rate(cfg["matmul_size"]), "cells": []}
    trainers = (
        ("ours", time_sgdselect),
        ("torch", time_torch_loop),
        ("sklearn", time_mlp_regressor),
    )
    for d in cfg["ds"]:
        X, y = make_data(cfg["n"], d)
        for b in cfg["batch_sizes"]:
            cell = {"d": d, "b": b, "ideal": step_flops(b or cfg["n"], d) / out["rate"]}
            with h.Background() as bg:
                for name, fn in trainers:
                    try:
                        cell[name] = fn(X, y, b, cfg["target_s"])
                    except Exception as exc:  # noqa: BLE001 - shown in the table
                        cell[name] = {"error": f"{type(exc).__name__}: {exc}"}
            cell["background_cores"] = bg.cores
            out["cells"].append(cell)
            h.log(f"    t={threads} d={d} b={b} done")
        if threads == 1:
            out.setdefault("default_fit", {})[str(d)] = time_default_fit(
                X, y, cfg["default_fit_budget_s"]
            )
    return out


def worker_gd(cfg, threads):
    """Full-batch GD at large n, with ``n_jobs`` threads, against the bound."""
    import torch
    from torch import nn

    from sgdselect import GDSupportSelector

    warnings.simplefilter("ignore")
    n, d, steps = cfg["n"], cfg["d"], cfg["max_iter"]
    X, y = make_data(n, d)
    rate_before = matmul_rate(cfg["matmul_size"])

    def make(epochs):
        est = GDSupportSelector(
            **SAME_NETWORK,
            max_iter=epochs,
            threshold=ONE_TRAINING,
            random_state=0,
            n_jobs=threads,
        )
        return lambda: est.fit(X, y)

    make(1)()  # warm-up
    t1, t = h.best_of(make(1), 3), h.best_of(make(steps), 3)
    # The bound takes the best rate seen before and after the timings: on a
    # shared machine a core can be taken for a while, and a low rate would
    # make the bound a floor.
    rate = max(rate_before, matmul_rate(cfg["matmul_size"]))

    # The same full-batch step written with autograd, for context.
    torch.manual_seed(0)
    Xt = torch.from_numpy(X)
    Xt = (Xt - Xt.mean(0)) / Xt.std(0)
    yt = torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
    net = nn.Sequential(nn.Linear(d, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.2)

    def torch_step():
        opt.zero_grad()
        nn.functional.mse_loss(net(Xt), yt).backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()

    torch_step()
    return {
        "rate": rate,
        "t1": t1,
        "time": t,
        "per_step": (t - t1) / (steps - 1),
        "ideal": step_flops(n, d) / rate,
        "torch_per_step": h.best_of(torch_step, max(3, steps // 4)),
    }


def worker_cv(cfg, threads):
    """SGDSupportSelectorCV against GridSearchCV(SGDSupportSelector()), and
    against itself with one configuration."""
    from sklearn.datasets import make_friedman1
    from sklearn.model_selection import GridSearchCV

    from sgdselect import SGDSupportSelector, SGDSupportSelectorCV

    warnings.simplefilter("ignore")
    X, y = make_friedman1(
        n_samples=cfg["n"], n_features=cfg["n_features"], random_state=0
    )
    lrs, bss = cfg["learning_rates"], cfg["batch_sizes"]
    common = dict(
        hidden_layer_sizes=(HIDDEN,), max_iter=cfg["max_iter"], random_state=0
    )
    common["threshold"] = ONE_TRAINING
    SGDSupportSelector(max_iter=1, random_state=0).fit(X[:200], y[:200])  # warm-up
    grid = {"learning_rate": lrs, "batch_size": bss}
    search = GridSearchCV(SGDSupportSelector(**common), grid, cv=cfg["cv"])
    t_grid = h.best_of(lambda: search.fit(X, y), 1)

    def cv_fit(lr_list, bs_list):
        est = SGDSupportSelectorCV(
            learning_rates=lr_list, batch_sizes=bs_list, cv=cfg["cv"], **common
        )
        return est, h.best_of(lambda: est.fit(X, y), 1)

    est, t_cv = cv_fit(lrs, bss)
    _, t_one = cv_fit(lrs[:1], bss[:1])
    keys = ("batch_size", "learning_rate")
    grid_best = {k: search.best_params_[k] for k in keys}
    # NumPy scalars are not JSON.
    cv_best = {k: np.asarray(est.best_params_[k]).item() for k in keys}
    return {
        "n_configs": len(lrs) * len(bss),
        "grid_time": t_grid,
        "cv_time": t_cv,
        "one_config_time": t_one,
        "grid_best_params": grid_best,
        "cv_best_params": cv_best,
        "agree": all(np.isclose(grid_best[k], cv_best[k]) for k in keys),
        "grid_best_score": float(search.best_score_),
        "cv_best_score": float(est.best_score_),
    }


class _Stop(Exception):
    pass


def worker_lassonet(cfg, threads):
    """LassoNet's default fit (its whole regularization path), time-capped;
    path points counted by its callback, optimizer steps by a torch hook."""
    import signal
    from importlib.metadata import version

    warnings.simplefilter("ignore")
    try:
        import torch
        from lassonet import LassoNetRegressor
    except ImportError:
        return {"error": "lassonet is not installed"}
    from torch.optim.optimizer import register_optimizer_step_post_hook

    X, y = make_data(cfg["n"], cfg["d"])
    torch.manual_seed(0)
    progress = {"lambdas": 0, "steps": 0}

    def count(*_):
        progress["steps"] += 1

    def callback(model, hist):
        progress["lambdas"] = len(hist)

    def stop(*_):
        raise _Stop

    hook = register_optimizer_step_post_hook(count)
    signal.signal(signal.SIGALRM, stop)
    model = LassoNetRegressor(verbose=0)
    completed = True
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, cfg["cap_s"])
    try:
        path = model.path(X, y, return_state_dicts=False, callback=callback)
        progress["lambdas"] = len(path)
    except _Stop:
        completed = False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        hook.remove()
    return {
        "version": version("lassonet"),
        "time": time.perf_counter() - start,
        "completed": completed,
        "cap_s": cfg["cap_s"],
        **progress,
    }


WORKERS = {
    "grid": worker_grid,
    "gd": worker_gd,
    "cv": worker_cv,
    "lassonet": worker_lassonet,
}


# ------------------------------------------------------------- the run
def config(quick):
    return {
        "threads": [1] if quick else sorted({1, h.all_cores()}),
        "n": 1000 if quick else 4000,
        "ds": [50] if quick else [50, 1000],
        "batch_sizes": [1, 8, None] if quick else [1, 8, 64, None],
        "target_s": 0.15 if quick else 0.6,
        "matmul_size": 1024 if quick else 2048,
        "default_fit_budget_s": 1.0 if quick else 8.0,
        # LassoNet's full path at one thread and d = 50 takes about 40-80 s
        # here; the other caps only show that it takes at least that long.
        "lassonet_caps": {"1,50": 10 if quick else 120, "default": 5 if quick else 30},
        "gd": {
            "n": 20_000 if quick else 100_000,
            "d": 50,
            "max_iter": 5 if quick else 20,
        },
        "cv": {
            "n": 300 if quick else 2000,
            "n_features": 25,
            "learning_rates": [0.1, 0.2] if quick else [0.05, 0.1, 0.2, 0.4],
            "batch_sizes": [16, 64] if quick else [4, 16, 64],
            "cv": 3,
            "max_iter": 5 if quick else 50,
        },
    }


def measure(cfg, args):
    if getattr(args, "lassonet_cap", None) is not None:
        cfg["lassonet_caps"] = {"default": args.lassonet_cap}
    script = os.path.abspath(__file__)
    out = {"grid": {}, "gd": {}, "cv": {}, "lassonet": {}}
    for t in cfg["threads"]:
        grid = {
            k: cfg[k] for k in ("n", "ds", "batch_sizes", "target_s", "matmul_size")
        }
        grid["default_fit_budget_s"] = cfg["default_fit_budget_s"]
        h.log(f"threads={t}: per-step grid")
        out["grid"][str(t)] = h.run_worker(script, "grid", t, grid, timeout=1200)
        h.log(f"threads={t}: full-batch GD")
        gd = dict(cfg["gd"], matmul_size=cfg["matmul_size"])
        out["gd"][str(t)] = h.run_worker(script, "gd", t, gd, timeout=600)
        h.log(f"threads={t}: cross-validated search")
        out["cv"][str(t)] = h.run_worker(script, "cv", t, cfg["cv"], timeout=900)
        for d in cfg["ds"]:
            caps = cfg["lassonet_caps"]
            cap = caps.get(f"{t},{d}", caps["default"])
            h.log(f"threads={t}: LassoNet d={d} (cap {cap} s)")
            job = {"n": cfg["n"], "d": d, "cap_s": cap}
            result = h.run_worker(script, "lassonet", t, job, timeout=int(cap + 300))
            out["lassonet"][f"{t},{d}"] = result
    return out


# ------------------------------------------------------------- the page
def _ratio(num, den):
    if "per_step" not in num or "per_step" not in den:
        return None
    return num["per_step"] / den["per_step"]


def _grid_rows(cfg, grid):
    rows = []
    for t in cfg["threads"]:
        res = grid[str(t)]
        if "error" in res:
            rows.append([t, res["error"]] + [""] * 10)
            continue
        for c in res["cells"]:
            o, tl, sk = c["ours"], c["torch"], c["sklearn"]
            bs = c["b"] or cfg["n"]
            if "per_step" in o:
                ours = [
                    f"{h.fmt_time(o['per_step'])} ({o['epochs']})",
                    f"{bs / o['per_step']:,.0f}",
                ]
            else:
                ours = [o["error"], ""]
            rows.append(
                [
                    t,
                    c["d"],
                    str(c["b"]) if c["b"] else f"full ({cfg['n']})",
                    *ours,
                    h.fmt_time(tl["per_step"]) if "per_step" in tl else tl["error"],
                    f"**{h.fmt_ratio(_ratio(tl, o))}**",
                    f"{h.fmt_time(sk['per_step'])} ({sk['lr']}, {sk['epochs']})"
                    if "per_step" in sk
                    else sk["error"],
                    f"**{h.fmt_ratio(_ratio(sk, o))}**",
                    h.fmt_time(c["ideal"]),
                    h.fmt_ratio(o["per_step"] / c["ideal"]) if "per_step" in o else "",
                    h.load_cell(c.get("background_cores"), t),
                ]
            )
    return rows


def _lassonet_rows(cfg, res):
    rows = []
    default_fits = res["grid"]["1"].get("default_fit", {})
    for t in cfg["threads"]:
        for d in cfg["ds"]:
            r = res["lassonet"][f"{t},{d}"]
            ours = default_fits.get(str(d)) if t == 1 else None
            dft = ["n/a", ""]
            if ours:
                dft = [
                    f"{h.fmt_time(ours['time'])} ({ours['timed_epochs']} of "
                    f"{ours['epochs']})",
                    f"{ours['steps']:,}",
                ]
            if "error" in r:
                rows.append([t, d, r["error"], "", "", "", "", *dft, ""])
                continue
            done = r["completed"]
            ratio = "n/a"
            if ours:
                ratio = h.fmt_ratio(r["time"] / ours["time"])
                ratio += "" if done else " (at least)"
            rows.append(
                [
                    t,
                    d,
                    h.fmt_time(r["time"]) + ("" if done else "+"),
                    r["lambdas"],
                    f"{r['steps']:,}",
                    h.fmt_time(r["time"] / r["steps"]) if r["steps"] else "n/a",
                    "yes" if done else f"no, stopped at the {r['cap_s']:.0f} s cap",
                    *dft,
                    ratio,
                ]
            )
    return rows


def _gd_rows(cfg, gd):
    rows = []
    for t in cfg["threads"]:
        g = gd[str(t)]
        if "error" in g:
            rows.append([t, g["error"]] + [""] * 6)
            continue
        rows.append(
            [
                t,
                f"{g['rate'] / 1e9:.1f} GFLOP/s",
                h.fmt_time(g["time"] / cfg["gd"]["max_iter"]),
                h.fmt_time(g["per_step"]),
                h.fmt_time(g["ideal"]),
                f"**{g['ideal'] / g['per_step']:.3f}**",
                h.fmt_time(g["torch_per_step"]),
                h.load_cell(g.get("background_cores"), t),
            ]
        )
    return rows


def _cv_rows(cfg, cv):
    rows = []
    for t in cfg["threads"]:
        r = cv[str(t)]
        if "error" in r:
            rows.append([t, r["error"]] + [""] * 8)
            continue
        rows.append(
            [
                t,
                h.fmt_time(r["grid_time"]),
                h.fmt_time(r["cv_time"]),
                f"**{h.fmt_ratio(r['grid_time'] / r['cv_time'])}**",
                f"{h.fmt_time(r['one_config_time'])} "
                f"({h.fmt_ratio(r['cv_time'] / r['one_config_time'])})",
                r["grid_best_params"],
                r["cv_best_params"],
                "yes" if r["agree"] else "no",
                f"{r['grid_best_score']:.4f} / {r['cv_best_score']:.4f}",
            ]
        )
    return rows


def _targets(cfg, res):
    rows = []
    cells = {(c["d"], c["b"]): c for c in res["grid"]["1"].get("cells", [])}
    head = f"1 thread, d=50, hidden (64,), n={cfg['n']}"
    for b, other, name in (
        (8, "torch", "plain PyTorch loop"),
        (1, "torch", "plain PyTorch loop"),
        (8, "sklearn", "MLPRegressor"),
    ):
        cell = cells.get((50, b))
        r = _ratio(cell[other], cell["ours"]) if cell else None
        rows.append(
            [
                f"{head}, b={b}: {name} / sgdselect, per step",
                h.fmt_ratio(r),
                ">= 20x",
                "n/a" if r is None else h.passfail(r >= 20),
            ]
        )
    for t in cfg["threads"]:
        g = res["gd"][str(t)]
        label = (
            f"{t} thread(s), full-batch GD, n={cfg['gd']['n']}, d={cfg['gd']['d']}, "
            f"hidden (64,): ideal / actual time per step (`GDSupportSelector("
            f"n_jobs={t})`)"
        )
        if "per_step" in g:
            frac = g["ideal"] / g["per_step"]
            rows.append([label, f"{frac:.3f}", ">= 0.5", h.passfail(frac >= 0.5)])
        else:
            rows.append([label, g.get("error"), ">= 0.5", "n/a"])
    cv1 = res["cv"]["1"]
    if "error" in cv1:
        rows.append(
            ["GridSearchCV / SGDSupportSelectorCV", cv1["error"], ">= 5x", "n/a"]
        )
    else:
        ratio = cv1["grid_time"] / cv1["cv_time"]
        rows.append(
            [
                "1 thread, GridSearchCV(SGDSupportSelector) / SGDSupportSelectorCV, "
                f"{cv1['n_configs']} configs x {cfg['cv']['cv']} folds",
                h.fmt_ratio(ratio),
                ">= 5x",
                h.passfail(ratio >= 5),
            ]
        )
        rows.append(
            [
                "1 thread, best_params_ agree (GridSearchCV vs SGDSupportSelectorCV)",
                "yes" if cv1["agree"] else "no",
                "yes",
                h.passfail(cv1["agree"]),
            ]
        )
    return rows


def fields(data, out_dir):
    cfg, res = data["config"], data["results"]
    threads = cfg["threads"]
    loads = [
        (f"grid {t}t d={c['d']} b={c['b']}", t, c.get("background_cores"))
        for t in threads
        for c in res["grid"][str(t)].get("cells", [])
    ]
    for part in ("gd", "cv"):
        loads += [
            (f"{part} {t}t", t, res[part][str(t)].get("background_cores"))
            for t in threads
        ]
    loads += [
        (f"LassoNet {key}", int(key.split(",")[0]), r.get("background_cores"))
        for key, r in res["lassonet"].items()
    ]
    default = res["grid"]["1"].get("default_fit", {})
    some = next(iter(default.values()), None)
    versions = {r["version"] for r in res["lassonet"].values() if "version" in r}
    rates = [
        f"{t} thread(s): {res['grid'][str(t)]['rate'] / 1e9:.1f} GFLOP/s"
        for t in threads
        if "rate" in res["grid"][str(t)]
    ]
    return {
        "header": h.header(data, "speed.py"),
        "load": h.load_note(loads),
        "targets": h.rows(_targets(cfg, res)),
        "n": cfg["n"],
        "target_s": cfg["target_s"],
        "repeat": REPEAT,
        "grid": h.rows(_grid_rows(cfg, res["grid"])),
        "matmul_size": cfg["matmul_size"],
        "rates": "; ".join(rates),
        "lassonet_version": ", ".join(sorted(versions)) or "not installed",
        "defaults": (
            f"hidden {tuple(some['hidden'])}, b={some['batch_size']}, "
            f"{some['epochs']} epochs"
            if some
            else "n/a"
        ),
        "lassonet": h.rows(_lassonet_rows(cfg, res)),
        "gd_n": cfg["gd"]["n"],
        "gd_d": cfg["gd"]["d"],
        "gd_max_iter": cfg["gd"]["max_iter"],
        "gd": h.rows(_gd_rows(cfg, res["gd"])),
        "cv_n": cfg["cv"]["n"],
        "cv_features": cfg["cv"]["n_features"],
        "cv_lrs": cfg["cv"]["learning_rates"],
        "cv_bss": cfg["cv"]["batch_sizes"],
        "cv_folds": cfg["cv"]["cv"],
        "cv_max_iter": cfg["cv"]["max_iter"],
        "cv": h.rows(_cv_rows(cfg, res["cv"])),
    }


def add_arguments(parser):
    parser.add_argument(
        "--lassonet-cap",
        type=float,
        help="seconds before every LassoNet fit is stopped (default: 120 s for "
        "1 thread and d=50, 30 s for the others)",
    )


if __name__ == "__main__":
    h.main(__file__, __doc__, config, measure, fields, WORKERS, add_arguments)
