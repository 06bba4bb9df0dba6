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
    # "separates ... by a factor of about 2 (1.9) and keeps exactly the first
    # five columns"
    assert 1.6 < separation[0] < 2.4
    assert sgd.get_support(indices=True).tolist() == [0, 1, 2, 3, 4]
    # "noise columns' mean norm down by a third from the first epoch"
    noise = sgd.importances_history_[:, ~relevant].mean(axis=1)
    assert 0.55 < noise[-1] / noise[0] < 0.75
    # "once the relevant columns have grown (by about epoch 50), the noise
    # columns fall and stay at a low, noisy level"
    peak = np.argmax(noise) + 1
    assert 30 <= peak <= 80
    assert noise[100:].max() < 0.6 * noise.max()
    # GD: "fits the training data better", "noise columns barely move",
    # "a separation of 0.9"
    X, y = ns["X"], ns["y"]
    assert gd.score(X, y) > sgd.score(X, y)
    gd_noise = gd.importances_history_[:, ~relevant].mean(axis=1)
    assert gd_noise[-1] / gd_noise[0] > 0.9
    assert 0.8 < separation[1] < 1


def test_paper_column_norms():
    ns = run_example("paper/plot_column_norms.py")
    final = ns["final"]
    linear = {name: final["linear", name] for name in ns["runs"]["linear"]}
    sine = {name: final["sine", name] for name in ns["runs"]["sine"]}
    # Agrees: GD near its initial norm; weight decay to about 0; b = 1 floor.
    assert 3.5 < linear["GD"] < 3.9 and 3.7 < sine["GD"] < 4.1
    assert linear["GD + weight decay 0.1"] < 0.01
    assert 0.1 < sine["GD + weight decay 0.1"] < 0.2
    assert 0.2 < linear["SGD b=1"] < 0.4 and 0.5 < sine["SGD b=1"] < 0.7
    # Sine: b = 1, 8, 32 near 0.5-0.6; b = 128 at 1.7; GD at 3.9.
    for b in (1, 8, 32):
        assert 0.45 < sine[f"SGD b={b}"] < 0.7
    assert 1.4 < sine["SGD b=128"] < 2.0 < sine["GD"]
    # Disagrees: linear b = 32 and 128 freeze near GD, b = 8 at 2.4.
    assert 3.3 < linear["SGD b=32"] < 3.6 and 3.5 < linear["SGD b=128"] < 3.8
    assert 2.2 < linear["SGD b=8"] < 2.6
    # ... because they fit the target: loss below 1e-4 within 800 steps.
    for b in (32, 128):
        steps, _, selector = ns["runs"]["linear"][f"SGD b={b}"]
        below = np.flatnonzero(np.array(selector.loss_curve_) < 1e-4)
        assert steps[below[0]] <= 800
        assert selector.loss_curve_[-1] < 1e-5


def test_paper_phase_diagram():
    ns = run_example("paper/plot_phase_diagram.py")
    grid, r2 = ns["grid"], ns["r2"]
    rates, sizes = ns["learning_rates"], ns["batch_sizes"]
    # The first recovered step size of each row lies on eta / sqrt(b) = 0.1.
    first = []
    for row in grid:
        recovered = np.flatnonzero(row > 0)
        first.append(rates[recovered[0]] if recovered.size else None)
    assert first == [0.1, 0.2, 0.4, 0.8, None]
    # The best cell is b = 1, eta = 0.2, separation about 1.0.
    i, j = np.unravel_index(np.argmax(grid), grid.shape)
    assert (sizes[i], rates[j]) == (1, 0.2) and 0.9 < grid[i, j] < 1.1
    # b = 1 falls back to no separation at eta = 0.8.
    assert grid[0, -1] < 0.05
    # Down each column with eta <= 0.2 the separation falls as b grows.
    for j in range(3):
        assert np.all(np.diff(grid[:, j]) < 0)
    # At eta / b = 0.05 the larger batch separates more.
    assert grid[0, 0] < grid[1, 2] < grid[2, 4]
    # The price in fit.
    assert np.all(r2[:3, :2] > 0.99)
    assert 0.85 < r2[0, 2] < 0.95
    assert np.all((r2[:, 3] > 0.55) & (r2[:, 3] < 0.9))
    assert np.all(r2[:, 4] < 0.35)


def test_selector_figures():
    ns = run_example("plot_selector_figures.py")
    assert ns["selector"].get_support(indices=True).tolist() == [0, 1, 2, 3, 4]
    search = ns["search"]
    # "its best cell, b = 16 and eta = 0.1, ... keeps all 15 features"
    assert search.best_params_ == {"batch_size": 16, "learning_rate": 0.1}
    assert 0.97 < search.best_score_ < 0.99
    assert search.get_support().all()
