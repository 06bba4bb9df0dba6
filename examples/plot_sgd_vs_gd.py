"""
SGD finds the support, gradient descent does not
================================================

:class:`~sgdselect.SGDSupportSelector` and :class:`~sgdselect.GDSupportSelector`
train the same network from the same initialization (same ``random_state``) on
Friedman #1 with 20 noise columns: ``y`` depends on the first 5 columns,
nonlinearly. We follow the first-layer column norm of every feature over
training (``importances_history_``). Under mini-batch SGD the relevant columns
grow over the first twenty or so epochs while the noise columns peak (within
the first few dozen epochs) and then fall to a lower, noisy level where they
stay:
the second phase of training that Beneventano, Pinto & Poggio (2024) describe.
Under full-batch gradient descent every column shrinks at much the same rate
(the default weight decay pulls on all of them), so the noise columns end about
as large as the weakest relevant ones.

Both selectors run with their defaults (SGD: batch size 4, 300 epochs; GD: 2000
full steps; both with the default weight decay, 2 / n = 1e-3 on these 2000
rows), except that they read the columns standardized, as the paper's network
does (``input_map="standardize"``; the default reads each column through its
ranks, which is robust to tails but not the network the paper analyses); the
whole example takes a few seconds on one core.
"""

# %%
# Train both selectors from the same seed
# ---------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1

from sgdselect import GDSupportSelector, SGDSupportSelector
from sgdselect.plotting import plot_importance_history

X, y = make_friedman1(n_samples=2000, n_features=25, random_state=0)
relevant = np.arange(25) < 5

paper = dict(input_map="standardize", random_state=0)
runs = {
    "SGD, batch size 4": SGDSupportSelector(**paper).fit(X, y),
    "GD": GDSupportSelector(**paper).fit(X, y),
}

# %%
# The column norms over training
# ------------------------------
# One line per feature: the 5 relevant ones in color, the 20 noise ones in
# grey. Epochs are passes over the data: an SGD epoch is 500 steps, a GD epoch
# is one.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (name, selector) in zip(axes, runs.items(), strict=True):
    plot_importance_history(selector, support=relevant, ax=ax)
    ax.set_title(name)
fig.tight_layout()

# %%
# How far apart the two groups end
# --------------------------------
# The separation is the weakest relevant feature's importance over the
# strongest noise feature's: above 1, a threshold can split them.
separation = {}
for name, selector in runs.items():
    history = selector.importances_history_
    imp = selector.feature_importances_
    separation[name] = imp[relevant].min() / imp[~relevant].max()
    selected = selector.get_support(indices=True).tolist()
    print(
        f"{name}: training R² {selector.score(X, y):.3f}; mean noise column "
        f"norm {history[0, ~relevant].mean():.3f} after the first epoch, "
        f"{history[-1, ~relevant].mean():.3f} at the end; separation "
        f"{separation[name]:.2f}; selected {selected}"
    )

# %%
# What the numbers above show
# ---------------------------
# SGD separates the relevant features from the noise several times more
# sharply than gradient descent, and ``threshold="auto"`` keeps exactly the
# first five columns; its noise columns end well below their first epoch's
# norm. Gradient descent, from the same initialization, fits the training data
# better and its noise columns shrink about as much, but so do its relevant
# ones: its weakest relevant column ends barely above the strongest noise
# column, and ``threshold="auto"`` keeps only some of the five. The
# regularization that separates the support comes from the noise of small
# batches, not from the weight decay both runs share.
#
# The figures printed are this run's: another seed, or another processor's
# rounding, moves SGD's by up to a few tens of percent and gradient descent's
# far less; the comparison holds.
