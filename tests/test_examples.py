"""The examples run and show what their text says they show.

Each example of the gallery states, in words, what its run found (agreement
and disagreement with the paper included); these tests hold the numbers to
those words, so that a change in the engine that changes a figure's story
fails here and the text gets updated. tests/test_docs.py runs them again inside
the documentation build.
"""

import runpy
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name):
    try:
        return runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    finally:
        plt.close("all")


def test_sgd_vs_gd():
    ns = run_example("plot_sgd_vs_gd.py")
    sgd, gd = ns["runs"].values()
    separation = list(ns["separation"].values())
    relevant = ns["relevant"]
    # Ranges checked against seeds 0, 1, 2.
    # "separates ... by a factor of about 4 (4.5) and keeps exactly the first
    # five columns"
    assert 3.2 < separation[0] < 5.2
    assert sgd.get_support(indices=True).tolist() == [0, 1, 2, 3, 4]
    # "noise columns' mean norm down by two fifths from the first epoch"
    noise = sgd.importances_history_[:, ~relevant].mean(axis=1)
    assert 0.5 < noise[-1] / noise[0] < 0.75
    # "the relevant columns grow over the first twenty or so epochs while the
    # noise columns peak within the first few dozen epochs and then fall to a
    # low level where they stay"
    grown = sgd.importances_history_[19, relevant].mean()
    assert grown > 1.2 * sgd.importances_history_[0, relevant].mean()
    peak = np.argmax(noise) + 1
    assert 1 <= peak <= 40
    assert noise[100:].max() < 0.65 * noise.max()
    # GD: "fits the training data better", "noise columns shrink by as much
    # (to 0.5-0.6)", "a separation of 1.2 (1.2 to 1.25)", "keeps only some of
    # the five (0, 1 and 3 here)"
    X, y = ns["X"], ns["y"]
    assert gd.score(X, y) > sgd.score(X, y)
    gd_noise = gd.importances_history_[:, ~relevant].mean(axis=1)
    assert 0.45 < gd_noise[-1] / gd_noise[0] < 0.7
    assert 1.0 < separation[1] < 1.35
    assert separation[0] > 2 * separation[1]
    assert gd.get_support(indices=True).tolist() == [0, 1, 3]


def test_paper_column_norms():
    # Ranges wide enough for another seed (tried: 0, 1, 2), hence for another
    # machine's rounding; tight enough to keep each sentence of the text true.
    ns = run_example("paper/plot_column_norms.py")
    runs = ns["runs"]
    final = {key: norm for key, norm in ns["final"].items()}
    linear = {name: final["linear", name] for name in runs["linear"]}
    sine = {name: final["sine", name] for name in runs["sine"]}
    # Agrees: GD loses about a tenth of its norm, then stays.
    for target in ("linear", "sine"):
        _, norm, _ = runs[target]["GD"]
        assert 3.4 < norm[-1] < 4.5 and 0.8 < norm[-1] / norm[0] < 0.98
        assert abs(norm[-1] - norm[500]) < 0.02
    # Weight decay: about zero (linear), a small residue (sine).
    assert linear["GD + weight decay 0.1"] < 0.02
    assert 0.05 < sine["GD + weight decay 0.1"] < 0.3
    # SGD b = 1: a floor within or near the paper's 0.1 to 0.7.
    assert 0.1 < linear["SGD b=1"] < 0.5 and 0.3 < sine["SGD b=1"] < 1.0
    # Sine: b = 1, 8, 32 near 0.5-0.6 (0.4-0.9 across seeds); b = 128 higher
    # and still falling; GD highest.
    for b in (1, 8, 32):
        assert 0.3 < sine[f"SGD b={b}"] < 1.0 < sine["SGD b=128"]
    _, norm, _ = runs["sine"]["SGD b=128"]
    assert norm[-1] < 0.95 * norm[len(norm) // 2]
    assert sine["SGD b=128"] < 2.5 < sine["GD"]
    # Disagrees: linear b = 32 and 128 stop within a few percent of GD,
    # b = 8 in between.
    for b in (32, 128):
        assert linear[f"SGD b={b}"] > 0.85 * linear["GD"]
    assert 1.5 < linear["SGD b=8"] < 0.8 * linear["GD"]
    # ... because they fit the target: a loss below 1e-4 within 800 steps.
    for b in (32, 128):
        steps, _, selector = runs["linear"][f"SGD b={b}"]
        below = np.flatnonzero(np.array(selector.loss_curve_) < 1e-4)
        assert steps[below[0]] <= 800
        assert selector.loss_curve_[-1] < 2e-5


def test_paper_phase_diagram():
    ns = run_example("paper/plot_phase_diagram.py")
    grid, r2 = ns["grid"], ns["r2"]
    rates, sizes = ns["learning_rates"], ns["batch_sizes"]
    assert rates == [0.05, 0.1, 0.2, 0.4, 0.8] and sizes == [1, 4, 16, 64, 256]
    # The best cell is b = 1, eta = 0.2, separation about 1.
    i, j = np.unravel_index(np.argmax(grid), grid.shape)
    assert (sizes[i], rates[j]) == (1, 0.2) and 0.8 < grid[i, j] < 1.3
    # b = 1 falls back to about a quarter of that separation at eta = 0.8
    # (0.27 to 0.31 across seeds 0-2).
    assert grid[0, 4] < 0.35 * grid[0, 2]
    # b = 256 recovers nothing; b = 64 at most barely, at its largest step.
    assert np.all(grid[4] < 0) and np.all(grid[3, :4] < 0) and grid[3, 4] < 0.15
    # At eta / b = 0.05: nothing, at the edge, clearly.
    assert grid[0, 0] < 0 and abs(grid[1, 2]) < 0.2 and grid[2, 4] > 0.2
    assert grid[0, 0] < grid[1, 2] < grid[2, 4]
    # On eta / sqrt(b) = 0.1 every cell sits at the edge.
    edge = [grid[0, 1], grid[1, 2], grid[2, 3], grid[3, 4]]
    assert np.all(np.abs(edge) < 0.2), edge
    # The price in fit.
    assert np.all(r2[:3, :2] > 0.99)
    assert 0.85 < r2[0, 2] < 0.97 and r2[0, 2] < r2[0, 0] - 0.03
    assert r2[:, 4].min() < 0.2


def test_selector_figures():
    ns = run_example("plot_selector_figures.py")
    assert ns["selector"].get_support(indices=True).tolist() == [0, 1, 2, 3, 4]
    search = ns["search"]
    # "Its best cell (b = 4 and eta = 0.05 ..., R² 0.993) refits to exactly
    # the five relevant features here ... not guaranteed"; a near-tied
    # neighbour may win on another machine, and its refit may drop some.
    best = (search.best_params_["batch_size"], search.best_params_["learning_rate"])
    assert best in {(4, 0.05), (4, 0.1), (16, 0.1), (16, 0.2)}
    assert 0.98 < search.best_score_ < 0.997
    kept = set(search.get_support(indices=True).tolist())
    assert {0, 1} <= kept <= {0, 1, 2, 3, 4}
