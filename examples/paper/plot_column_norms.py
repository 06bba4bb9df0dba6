"""
Irrelevant column norms over training: SGD at several batch sizes against GD
=============================================================================

The paper's central figure (Beneventano, Pinto & Poggio, 2024, Figure 1 and
its companions): the Frobenius norm of the first-layer columns of the
*irrelevant* inputs, over the steps of training, for SGD at several batch sizes
and for full-batch gradient descent (GD) from the same initialization, with GD
plus weight decay as the explicit-regularization reference.

The paper's protocol, run through our estimators:

- ``x ~ N(0, I_15)``; only the first ``r = 5`` inputs matter; a linear target
  ``y = sum_{i<5} x_i`` and a sine target ``y = sin(sum_{i<5} x_i)``
  (:func:`sgdselect.datasets.make_paper_target`);
- a deep linear network 15 → 15 → 15 → 15 → 1 (``activation="linear"``,
  ``hidden_layer_sizes=(15, 15, 15)``), Kaiming-normal initialization with the
  gain PyTorch's ``kaiming_normal_`` uses by default (``init_scale=sqrt(2)``),
  squared error, plain SGD, gradients clipped to norm 1 at every step
  (``max_grad_norm=1.0``), reshuffled every epoch, step size η = 0.2;
- SGD at batch sizes 1, 8, 32 and 128; GD; GD with ``weight_decay=0.1``.

**Scaled down to run in seconds** on one core: 1000 samples
instead of 5000 duplicated as ``(x, y ± ε)`` (we add independent noise of
standard deviation 0.001 instead), 30,000 SGD steps instead of 200,000, and
3000 GD steps instead of 20,000. Our network also differs in ways the paper's
does not have: it has biases, and it standardizes the inputs and the target
(a no-op for the inputs, which are already standard; the target's scale
changes the effective step size).
"""

# %%
# Train every run from the same seed
# ----------------------------------
# Each SGD run takes the same number of steps: ``max_iter`` epochs of
# ``ceil(n / batch_size)`` steps each. ``importances_history_`` holds the column
# norms after every epoch.

import matplotlib.pyplot as plt
import numpy as np

from sgdselect import GDSupportSelector, SGDSupportSelector
from sgdselect.datasets import make_paper_target

N_SAMPLES, SGD_STEPS, GD_STEPS = 1000, 30_000, 3000
BATCH_SIZES = (1, 8, 32, 128)
network = dict(
    hidden_layer_sizes=(15, 15, 15),
    activation="linear",
    init_scale=np.sqrt(2),
    learning_rate=0.2,
    max_grad_norm=1.0,
    weight_decay=0.0,  # the paper trains without weight decay
    input_squares=False,  # the paper's network reads the features only
    input_map="standardize",  # ... standardized, not through their ranks
    # This example reads the column norms, not the selections: a fixed cut
    # (keep everything) trains exactly the network described, where
    # threshold="auto" would train again beside shadows on the runs that
    # separate nothing (gradient descent, the largest batch).
    threshold=0.0,
    random_state=0,
)


def irrelevant_norm(selector, support):
    """Frobenius norm of the irrelevant columns after every epoch."""
    history = selector.importances_history_[:, ~support]
    return np.sqrt((history**2).sum(axis=1))


def train_all(target):
    """Column-norm curves (steps, norms) of every run on one target."""
    X, y, support = make_paper_target(
        target, n_samples=N_SAMPLES, noise=0.001, random_state=0
    )
    curves = {}
    for b in BATCH_SIZES:
        steps_per_epoch = int(np.ceil(N_SAMPLES / b))
        sgd = SGDSupportSelector(
            batch_size=b, max_iter=SGD_STEPS // steps_per_epoch, **network
        ).fit(X, y)
        steps = steps_per_epoch * np.arange(1, sgd.n_iter_ + 1)
        curves[f"SGD b={b}"] = (steps, irrelevant_norm(sgd, support), sgd)
    for name, decay in [("GD", 0.0), ("GD + weight decay 0.1", 0.1)]:
        gd = GDSupportSelector(
            max_iter=GD_STEPS, **{**network, "weight_decay": decay}
        ).fit(X, y)
        steps = np.arange(1, gd.n_iter_ + 1)
        curves[name] = (steps, irrelevant_norm(gd, support), gd)
    return curves


runs = {target: train_all(target) for target in ("linear", "sine")}

# %%
# The figure
# ----------
# The irrelevant norm starts near the paper's 4.45 at initialization (our
# first point is after one epoch).
colors = plt.cm.viridis(np.linspace(0, 0.85, len(BATCH_SIZES)))
styles = {f"SGD b={b}": dict(color=c) for b, c in zip(BATCH_SIZES, colors, strict=True)}
styles["GD"] = dict(color="tab:red", linestyle="--")
styles["GD + weight decay 0.1"] = dict(color="black", linestyle=":")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True, layout="constrained")
for ax, (target, curves) in zip(axes, runs.items(), strict=True):
    for name, (steps, norm, _) in curves.items():
        ax.plot(steps, norm, label=name, **styles[name])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_title(f"{target} target, η = 0.2")
axes[0].set_ylabel("norm of the irrelevant first-layer columns")
# Beside the panels, so that it hides no curve.
axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small")

# %%
# The numbers at the end of training
# ----------------------------------
# The final irrelevant norm of every run, the last epoch's training loss (on
# the standardized target) and the features that stand out of the mass by
# ``threshold="auto"``'s outlier and gap rules (the cut read off the same
# network).
final = {}
for target, curves in runs.items():
    print(f"{target} target")
    for name, (steps, norm, selector) in curves.items():
        final[target, name] = norm[-1]
        print(
            f"  {name:22s} irrelevant norm {norm[-1]:6.3f} after {steps[-1]:6d} "
            f"steps, loss {selector.loss_curve_[-1]:.1e}, standing out "
            f"{selector.set_params(threshold='auto').get_support(indices=True).tolist()}"
        )

# %%
# Where this agrees with the paper, and where it does not
# -------------------------------------------------------
# The paper's approximate values (read from its plots) at η = 0.2: GD plateaus
# at 3.6 (linear) and 4.1 (sine); GD with weight decay goes to 0; SGD with
# b = 1 reaches a noisy floor of 0.1 to 0.7; on the linear target b = 32 and
# b = 128 reach about 0.05 and 0 within 50,000 steps; on the sine target
# b = 128 reaches 0.1 and b = 32 0.1 by 50,000 steps.
#
# **Agrees.** GD leaves the irrelevant columns near their initial norm: they
# lose about a tenth of it in the first few hundred steps and then stay, at
# about the paper's plateaus (compare the printed norms with its 3.6 and
# 4.1). Weight decay drives them to about zero within a few hundred steps on
# the linear target; on the sine, where the deep linear network can fit only
# a few percent of the target's variance, it settles at a small residue. SGD
# with b = 1 shrinks them to a noisy floor within or near the paper's 0.1 to
# 0.7. On the sine target the ordering is the paper's: b = 1, 8 and 32 end
# near its floor, b = 128 well above them and still falling, GD highest. The
# paper's b = 32 and b = 128 go further (to about 0.1 by 50,000 steps); ours
# had 30,000 steps.
#
# **Disagrees.** On the linear target, SGD with b = 32 and b = 128 stops
# within a few percent of GD, and b = 8 stops in between, where the paper's
# runs reach about zero. The losses show why: b = 32 and b = 128 fit the
# linear target to a loss below 1e-4 within the first twentieth of their
# steps and end near 1e-6, after which the gradient, and with it the noise
# that drives the second phase, is gone and the norms freeze. The paper's runs
# must have kept a non-zero loss longer; its duplicated samples with opposite
# label noise, its unstandardized target (a larger effective step size) and
# its missing biases are the differences we know of. What this run does show
# is the rule the user guide gives: support learning happens while the loss
# stays above zero, so on a target the network fits exactly, use a larger
# step size, a smaller batch, or ``label_noise`` (the next example maps the
# step size and batch size).
#
# The numbers are those of the run that built this page (printed above);
# SGD's trajectories are noisy, and another seed or another machine's
# floating-point rounding moves the late values of the noisiest runs by a few
# tens of percent without changing the picture.
