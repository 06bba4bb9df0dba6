"""
Phase diagram of support recovery over batch size and step size
===============================================================

The paper's claim is that SGD's implicit regularization grows with the step
size over the batch size, η/b. Here we train a grid of batch sizes and step
sizes on the paper's linear target with its deep linear network (see the
previous example for the protocol) and measure, for every cell, how far the
relevant features end above the irrelevant ones. If recovery follows η/b, the
cells that recover lie above a line of constant η/b, and the separation
plotted against η/b falls on one curve whatever the batch size.

:class:`~sgdselect.SGDSupportSelectorCV` trains the whole grid fast: every
(step size x fold) network of a batch size in one batched pass, each network
exactly as ``SGDSupportSelector(batch_size=b, learning_rate=lr)`` would train
alone on its fold (``cv_importances_`` keeps their importances). Every network
trains the same number of epochs (50), so a batch b times larger takes b times
fewer steps. Scaled down to run in seconds: 1000 samples, 2 folds of
500 training rows.
"""

# %%
# Train the grid
# --------------
import matplotlib.pyplot as plt
import numpy as np

from sgdselect import SGDSupportSelectorCV
from sgdselect.datasets import make_paper_target

X, y, support = make_paper_target("linear", n_samples=1000, noise=0.001, random_state=0)
learning_rates = [0.05, 0.1, 0.2, 0.4, 0.8]
batch_sizes = [1, 4, 16, 64, 256]
search = SGDSupportSelectorCV(
    hidden_layer_sizes=(15, 15, 15),
    activation="linear",
    init_scale=np.sqrt(2),
    weight_decay=0.0,  # the paper trains without weight decay
    input_squares=False,  # the paper's network reads the features only
    input_map="standardize",  # ... standardized, not through their ranks
    learning_rates=learning_rates,
    batch_sizes=batch_sizes,
    cv=2,
    max_iter=50,
    random_state=0,
).fit(X, y)

# %%
# Separation of every network
# ---------------------------
# The separation is log10 of the weakest relevant importance over the
# strongest irrelevant one, averaged over the folds: above 0, the support is
# recovered exactly by a threshold; below, some irrelevant feature outranks a
# relevant one.
importances = search.cv_importances_  # (n_candidates, n_splits, n_features)
ratio = importances[..., support].min(axis=-1) / importances[..., ~support].max(axis=-1)
separation = np.log10(ratio).mean(axis=1)
results = search.cv_results_
b = results["param_batch_size"]
lr = results["param_learning_rate"]
grid = separation.reshape(len(batch_sizes), len(learning_rates))
r2 = results["mean_test_score"].reshape(grid.shape)

# %%
# The figure
# ----------
# Left: the map, batch sizes as rows, step sizes as columns, each cell's
# separation written in it; the dashed line is η/b = 0.05, the dotted one
# η/√b = 0.1. Middle and right: the same separations against η/b and against
# η/√b, one line per batch size.
SEPARATION = "separation: log10(weakest relevant /\nstrongest irrelevant importance)"
fig, axes = plt.subplots(1, 3, figsize=(15, 5), layout="constrained")
ax = axes[0]
limit = np.abs(grid).max()
image = ax.imshow(grid, origin="lower", cmap="RdBu", vmin=-limit, vmax=limit)
for i in range(grid.shape[0]):
    for j in range(grid.shape[1]):
        ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=8)
ax.set_xticks(range(len(learning_rates)), [f"{v:g}" for v in learning_rates])
ax.set_yticks(range(len(batch_sizes)), [str(v) for v in batch_sizes])
ax.set_xlabel("learning rate η")
ax.set_ylabel("batch size b")
ax.set_title("The grid (blue: support recovered)")
fig.colorbar(image, ax=ax, label=SEPARATION)
# Lines of constant η/b and η/√b in grid coordinates (η doubles per column, b
# quadruples per row).
cols = np.linspace(-0.5, len(learning_rates) - 0.5, 50)
eta = learning_rates[0] * 2.0**cols
rows_b = np.log(eta / 0.05) / np.log(4)
rows_sqrt = 2 * np.log(eta / 0.1) / np.log(4)
ax.plot(cols, rows_b, "k--", linewidth=1, label="η/b = 0.05")
ax.plot(cols, rows_sqrt, "k:", linewidth=1.5, label="η/√b = 0.1")
ax.set_ylim(-0.5, len(batch_sizes) - 0.5)
# Below the map, so that it hides no cell.
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize="small")

colors = plt.cm.viridis(np.linspace(0, 0.85, len(batch_sizes)))
for ax, scale, name in [
    (axes[1], b, "η / b"),
    (axes[2], np.sqrt(b), "η / √b"),
]:
    for size, color in zip(batch_sizes, colors, strict=True):
        rows = b == size
        ax.plot(
            lr[rows] / scale[rows],
            separation[rows],
            "o-",
            color=color,
            label=f"b = {size}",
        )
    ax.axhline(0, color="0.5", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel(name)
    ax.set_ylabel(SEPARATION)
    ax.set_title(f"Separation against {name}")
# Beside the last panel, so that it hides no point.
axes[2].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))

# %%
# Where recovery starts, and what it costs in fit
# -----------------------------------------------
# For each batch size: the smallest step size whose separation is positive,
# and the mean validation R² of every cell.
for i, size in enumerate(batch_sizes):
    recovered = [v for v, s in zip(learning_rates, grid[i], strict=True) if s > 0]
    start = f"η = {recovered[0]:g}" if recovered else "none in the grid"
    print(
        f"b = {size:3d}: recovery from {start:17s} validation R² "
        + " ".join(f"{v:6.3f}" for v in r2[i])
    )

# %%
# What the run shows, against the paper
# -------------------------------------
# **Agrees.** Recovery needs a large step size and a small batch. The best
# cell lies in the row of the smallest batch, b = 1, at a middle step size
# (the map's largest number): there the weakest relevant feature ends more
# than ten times above the strongest irrelevant one. At the largest step the same row
# separates much less, the noisy regime the paper reports for its largest
# steps. The largest batch, 256, recovers nothing in the grid.
#
# **Does not follow η/b.** The curves against η/b (middle) do not fall on one
# another: at the same η/b, the larger batch with the proportionally larger
# step separates more (follow the dashed line η/b = 0.05 up the map: b = 1
# at η = 0.05, b = 4 at η = 0.2, b = 16 at η = 0.8). Against η/√b (right)
# their rising parts nearly coincide, and on the map the cells on the dotted
# line η/√b = 0.1 (η = 0.1, 0.2, 0.4, 0.8 for b = 1, 4, 16, 64) sit near zero,
# far below the best cell: the edge of recovery runs along η/√b rather than
# η/b, to the grid's factor of 2 in η. This does not refute the paper's
# per-step η/b: here every network trains the same number of epochs, which
# gives a larger batch fewer steps, and gradient clipping caps the larger
# steps; this run does not separate the two.
#
# **The price.** The cells that separate best fit worse than those that
# recover nothing: compare the validation R² printed above at η = 0.05 and
# η = 0.1 (b up to 16) with that of the best cell; at η = 0.8 the fit breaks
# down in some rows. This is the trade-off the previous example shows over
# time: the irrelevant columns shrink only while the loss stays above zero.
#
# The numbers are those of the run that built this page; another seed, or
# another processor's rounding, moves them (the separations by a tenth or two
# of a log10 unit), not the picture.
