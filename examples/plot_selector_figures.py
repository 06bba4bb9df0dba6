"""
Reading a fitted selector: importances, their history, the search map
=====================================================================

The three figures of :mod:`sgdselect.plotting`, on Friedman #1 with 10 noise
columns (``y`` depends on the first 5 columns, nonlinearly):

- :func:`~sgdselect.plotting.plot_importances`: what was selected, and by how
  much it cleared the threshold;
- :func:`~sgdselect.plotting.plot_importance_history`: whether training ran
  long enough for the irrelevant columns to flatten out;
- :func:`~sgdselect.plotting.plot_cv_map`: how the validation score of
  :class:`~sgdselect.SGDSupportSelectorCV` depends on the batch size and the
  step size.

matplotlib is an optional dependency: ``pip install "sgdselect[plot]"``.
"""

# %%
# Fit a selector
# --------------
import numpy as np
from sklearn.datasets import make_friedman1

from sgdselect import SGDSupportSelector, SGDSupportSelectorCV
from sgdselect.plotting import plot_cv_map, plot_importance_history, plot_importances

X, y = make_friedman1(n_samples=1000, n_features=15, random_state=0)
support = np.arange(15) < 5
selector = SGDSupportSelector(max_iter=300, random_state=0).fit(X, y)
print("selected:", selector.get_support(indices=True).tolist())
print(f"threshold: {selector.threshold_:.3f}")

# %%
# Importances and the threshold
# -----------------------------
# Selected features in color; the dashed line is ``threshold_``, the cut that
# ``threshold="auto"`` found between the features that stand out and the mass
# that training shrank; the stars mark the true support.
ax = plot_importances(selector, support=support)
ax.set_title("Friedman #1: importances after 300 epochs")

# %%
# The history of every column
# ---------------------------
# One line per feature over the epochs, on log axes. The relevant columns
# settle early; the noise columns keep falling, the second phase of training.
# Had they still been falling steeply at the last epoch, more epochs would
# have separated them further.
ax = plot_importance_history(selector, support=support)
ax.set_title("first-layer column norms over training")

# %%
# The batch size x step size map of a search
# ------------------------------------------
# :class:`~sgdselect.SGDSupportSelectorCV` trains every cell on 3 folds and
# refits the best one (outlined). The map shows the mean validation R² of the
# trained networks.
search = SGDSupportSelectorCV(
    learning_rates=[0.05, 0.1, 0.2, 0.4],
    batch_sizes=[4, 16, 64],
    max_iter=100,
    random_state=0,
).fit(X, y)
print("best:", search.best_params_, f"R² {search.best_score_:.3f}")
print("selected by the refitted best:", search.get_support(indices=True).tolist())
ax = plot_cv_map(search)
ax.set_title("mean validation R²")

# %%
# The search maximizes the validation score, not the separation. Its best
# cells score within a few thousandths of one another (the map's numbers), so
# which of them wins is close to a coin toss: on another machine, whose
# rounding differs, a neighbour may win. The refit of the winner keeps the
# strongest relevant features, and may drop the weaker two (x2 and x4, the
# smallest bars of the first figure) where the single selector above keeps
# all five at b = 4 and η = 0.2 for 300 epochs: the cells with the smallest
# steps fit best and regularize least. Larger steps give up a little fit for
# more implicit regularization (the phase diagram among the paper examples
# shows the trade-off): look at the selection of the cells near the best, not
# only at their scores.
