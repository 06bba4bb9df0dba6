"""The ``sgdselect`` command.

With no arguments it runs the main job on a built-in problem with a known
support (Friedman #1 with noise columns) and prints what it selected against
the truth, the importances with a bar per feature, and the time it took.
"""

import argparse
import sys
import time

import numpy as np

_BAR_WIDTH = 40


def demo_problem(n_samples=2000, n_noise=20, random_state=0):
    """Friedman #1: y depends on columns 0-4 (nonlinearly); the rest is noise.

    Returns ``X``, ``y`` and the boolean mask of the true support.
    """
    from sklearn.datasets import make_friedman1

    X, y = make_friedman1(
        n_samples=n_samples, n_features=5 + n_noise, random_state=random_state
    )
    support = np.zeros(X.shape[1], dtype=bool)
    support[:5] = True
    return X, y, support


def importance_table(importances, selected, truth=None, names=None):
    """The importances as text: one line per feature, with a bar."""
    top = max(float(np.max(importances)), np.finfo(float).tiny)
    names = names if names is not None else [f"x{i}" for i in range(len(importances))]
    width = max(len(str(n)) for n in names)
    lines = []
    for i, value in enumerate(importances):
        bar = "#" * int(round(_BAR_WIDTH * value / top))
        mark = "selected" if selected[i] else ""
        if truth is not None:
            mark += " (relevant)" if truth[i] else ""
        line = f"{names[i]:>{width}}  {value:8.3f}  {bar:<{_BAR_WIDTH}}  {mark}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def run_demo(random_state=0, out=None):
    from sgdselect import SGDSupportSelector

    out = sys.stdout if out is None else out
    X, y, truth = demo_problem(random_state=random_state)
    print(
        f"Friedman #1: {X.shape[0]} samples, {X.shape[1]} features, of which "
        f"{truth.sum()} are relevant (x0-x4).",
        file=out,
    )
    start = time.perf_counter()
    selector = SGDSupportSelector(random_state=random_state).fit(X, y)
    elapsed = time.perf_counter() - start
    selected = selector.get_support()
    hits = int((selected & truth).sum())
    print(
        f"Selected {selected.sum()} features: {np.flatnonzero(selected).tolist()} "
        f"({hits} of {truth.sum()} relevant, {int((selected & ~truth).sum())} "
        f"noise) in {elapsed:.1f} s.",
        file=out,
    )
    print(importance_table(selector.feature_importances_, selected, truth), file=out)
    return 0 if (selected == truth).all() else 1


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="sgdselect",
        description="Feature selection by the implicit regularization of SGD. "
        "With no arguments, runs on a built-in problem with a known support.",
    )
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)
    return run_demo(random_state=args.random_state)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
