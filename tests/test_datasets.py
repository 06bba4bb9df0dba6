import numpy as np
import pytest
from sklearn.datasets import load_digits, load_wine
from sklearn.utils._param_validation import InvalidParameterError

from sgdselect.datasets import (
    _COMPONENTS,
    benchmark_suite,
    load_with_probes,
    make_correlated,
    make_interaction,
    make_nonlinear_classification,
    make_paper_target,
    make_sparse_additive,
)

MAKERS = [
    (make_paper_target, {"target": "linear"}),
    (make_paper_target, {"target": "sine"}),
    (make_paper_target, {"target": "staircase"}),
    (make_sparse_additive, {}),
    (make_interaction, {"kind": "product"}),
    (make_interaction, {"kind": "xor"}),
    (make_correlated, {"target": "linear"}),
    (make_correlated, {"target": "additive"}),
    (make_nonlinear_classification, {}),
]
IDS = [f"{m.__name__}-{next(iter(k.values()), '')}" for m, k in MAKERS]


@pytest.mark.parametrize("maker, kwargs", MAKERS, ids=IDS)
def test_shapes_and_determinism(maker, kwargs):
    X, y, support = maker(n_samples=120, n_features=24, random_state=3, **kwargs)
    assert X.shape == (120, 24) and y.shape == (120,)
    assert support.dtype == bool and support.shape == (24,)
    assert 0 < support.sum() < 24
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(y))
    X2, y2, support2 = maker(n_samples=120, n_features=24, random_state=3, **kwargs)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(support, support2)
    X3, _, _ = maker(n_samples=120, n_features=24, random_state=4, **kwargs)
    assert not np.array_equal(X, X3)


def _additive_reference(R):
    return sum(_COMPONENTS[j % 5][1](R[:, j]) for j in range(R.shape[1]))


def test_additive_components_are_standardized():
    x = np.random.RandomState(0).standard_normal(400_000)
    for name, f in _COMPONENTS:
        values = f(x)
        assert abs(values.mean()) < 0.01, name
        assert abs(values.std() - 1) < 0.01, name


# With noise=0 each target is recomputed from the support columns alone: the
# other columns cannot enter it.
@pytest.mark.parametrize(
    "maker, kwargs, formula",
    [
        (make_paper_target, {"target": "linear"}, lambda R: R.sum(1)),
        (make_paper_target, {"target": "sine"}, lambda R: np.sin(R.sum(1))),
        (
            make_paper_target,
            {"target": "staircase"},
            lambda R: (
                R[:, 0] + R[:, 1] ** 2 + R[:, 2] ** 3 + R[:, 3] ** 4 + R[:, 4] ** 5
            ),
        ),
        (make_sparse_additive, {}, _additive_reference),
        (
            make_interaction,
            {"kind": "product"},
            lambda R: R[:, 0] * R[:, 1] + R[:, 2] * R[:, 3],
        ),
        (
            make_interaction,
            {"kind": "xor", "n_informative": 2},
            lambda R: (np.sign(R[:, 0]) == np.sign(R[:, 1])).astype(int),
        ),
        (make_correlated, {"target": "linear"}, lambda R: R.sum(1)),
        (make_correlated, {"target": "additive"}, _additive_reference),
        (
            make_nonlinear_classification,
            {},
            lambda R: R[:, 0] ** 2 + R[:, 2] ** 2 - 2 + R[:, 1] + R[:, 3] > 0,
        ),
    ],
)
def test_target_depends_on_support_only(maker, kwargs, formula):
    X, y, support = maker(
        n_samples=300, n_features=30, noise=0.0, random_state=0, **kwargs
    )
    np.testing.assert_allclose(y, formula(X[:, support]), atol=1e-12)


def test_noise_is_added_to_the_target():
    X, y0, _ = make_sparse_additive(n_samples=2000, noise=0.0, random_state=0)
    _, y1, _ = make_sparse_additive(n_samples=2000, noise=0.5, random_state=0)
    assert np.std(y1 - y0) == pytest.approx(0.5, rel=0.1)


def test_correlated_design():
    X, _, support = make_correlated(
        n_samples=4000, n_features=20, n_informative=4, rho=0.8, random_state=0
    )
    np.testing.assert_array_equal(np.flatnonzero(support), [0, 5, 10, 15])
    corr = np.corrcoef(X, rowvar=False)
    assert corr[0, 1] == pytest.approx(0.8, abs=0.03)
    assert corr[0, 2] == pytest.approx(0.64, abs=0.03)
    np.testing.assert_allclose(X.std(axis=0), 1, atol=0.05)


def test_classes_are_balanced_enough():
    _, y, _ = make_nonlinear_classification(n_samples=2000, random_state=0)
    assert 0.3 < y.mean() < 0.7
    _, y, _ = make_interaction(n_samples=2000, kind="xor", random_state=0)
    assert 0.4 < y.mean() < 0.6


def test_maker_errors():
    with pytest.raises(ValueError, match="n_informative=6 is larger"):
        make_sparse_additive(n_features=5, n_informative=6)
    with pytest.raises(ValueError, match="must be even"):
        make_interaction(n_informative=3)
    with pytest.raises(InvalidParameterError, match="target"):
        make_paper_target("cubic")
    with pytest.raises(InvalidParameterError, match="rho"):
        make_correlated(rho=1.0)


def test_load_with_probes():
    X, y, probes = load_with_probes("wine", random_state=0)
    X_real, y_real = load_wine(return_X_y=True)
    assert X.shape == (178, 26) and probes.sum() == 13
    np.testing.assert_array_equal(probes, np.arange(26) >= 13)
    np.testing.assert_array_equal(X[:, :13], X_real)
    np.testing.assert_array_equal(y, y_real)
    for k in range(13):
        # A probe is its column with the rows shuffled: same values, new order.
        np.testing.assert_array_equal(np.sort(X[:, 13 + k]), np.sort(X_real[:, k]))
    assert not np.array_equal(X[:, 13:], X_real)
    X2, _, _ = load_with_probes("wine", random_state=0)
    np.testing.assert_array_equal(X, X2)


def test_load_with_probes_cycles_columns():
    X, _, probes = load_with_probes("digits", n_probes=70, random_state=1)
    X_real = load_digits().data
    assert X.shape == (1797, 134) and probes.sum() == 70
    np.testing.assert_array_equal(np.sort(X[:, 64 + 65]), np.sort(X_real[:, 1]))
    with pytest.raises(InvalidParameterError, match="name"):
        load_with_probes("iris")


def test_benchmark_suite():
    cases = benchmark_suite(random_state=0)
    names = [c.name for c in cases]
    assert len(names) == len(set(names)) == 16
    for c in cases:
        n, d = c.shape
        assert c.y.shape == (n,)
        assert c.task in ("regression", "classification")
        if c.kind == "synthetic":
            assert c.support.shape == (d,) and c.probe_mask is None
        else:
            assert c.kind == "probe" and c.support is None
            assert c.probe_mask.shape == (d,) and c.probe_mask.any()
    assert max(c.shape[1] for c in cases) >= 500
    again = benchmark_suite(random_state=0)
    for a, b in zip(cases, again, strict=True):
        np.testing.assert_array_equal(a.X, b.X)
    quick = benchmark_suite(quick=True)
    assert 1 < len(quick) < len(cases)
    assert all(c.shape[0] <= 300 for c in quick)
