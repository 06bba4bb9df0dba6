"""The bad-input table: every case gets a clear answer.

One row per case: the input, and either the exact exception type with a
message that names the problem, or the exact warning with a result that is
still correct. The README's "Bad input" table lists the same behaviour.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.utils._param_validation import InvalidParameterError

from sgdselect import GDSupportSelector, SGDSupportSelector

FAST = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
RNG = np.random.RandomState(0)
X = RNG.normal(size=(60, 4))
Y = X[:, 0] - X[:, 1]
LABELS = (X[:, 0] > 0).astype(int)


def fit(X, y, **params):
    return SGDSupportSelector(**{**FAST, **params}).fit(X, y)


def fitted_transform(X_fit, X_new):
    return fit(X_fit, Y).transform(X_new)


with_nan = X.copy()
with_nan[3, 1] = np.nan
with_inf = X.copy()
with_inf[0, 2] = np.inf
frame = pd.DataFrame(X, columns=list("abcd"))

# (case, call, exception type, message pattern)
ERRORS = [
    ("NaN in X", lambda: fit(with_nan, Y), ValueError, "Input X contains NaN"),
    ("inf in X", lambda: fit(with_inf, Y), ValueError, "Input X contains infinity"),
    ("NaN in y", lambda: fit(X, np.r_[np.nan, Y[1:]]), ValueError, "y contains NaN"),
    (
        "None in y (DataFrame X)",
        lambda: fit(frame, pd.Series([None] + ["a", "b"] * 29 + ["a"])),
        ValueError,
        r"y contains NaN or other missing values.*1 rows, the first \[0\]",
    ),
    (
        "inf in y",
        lambda: fit(X, np.r_[np.inf, Y[1:]]),
        ValueError,
        "y contains infinity",
    ),
    ("empty X", lambda: fit(np.empty((0, 4)), []), ValueError, "0 sample"),
    (
        "n_jobs=0",
        lambda: fit(X, Y, n_jobs=0),
        ValueError,
        "n_jobs=0 would train on no thread.*-1 for all cores",
    ),
    ("one sample", lambda: fit(X[:1], Y[:1]), ValueError, "1 sample.*minimum of 2"),
    ("no feature", lambda: fit(X[:, :0], Y), ValueError, "0 feature"),
    (
        # Only where the raw values are standardized: ranks do not care.
        "a column varying by less than 1e-300",
        lambda: fit(X * 1e-310, Y, input_map="standardize"),
        ValueError,
        r"columns \[0, 1, 2, 3\] of X vary by less than 1e-300.*Rescale X",
    ),
    (
        "X and y lengths differ",
        lambda: fit(X, Y[:10]),
        ValueError,
        "inconsistent numbers of samples",
    ),
    (
        "string column (object array)",
        lambda: fit(np.c_[X.astype(object), ["a"] * 60], Y),
        ValueError,
        "non-numeric values.*encode",
    ),
    # A DataFrame's text and category columns are encoded
    # (tests/test_raw_tables.py); a column it cannot read is refused.
    (
        "DataFrame column mixing ints and strings",
        lambda: fit(frame.assign(e=[1, "x"] * 30), Y),
        ValueError,
        r"column 'e' of X mixes Python types \(int, str\).*astype\(str\)",
    ),
    (
        "DataFrame with an all-missing column",
        lambda: fit(frame.assign(e=[np.nan] * 60), Y),
        ValueError,
        r"column 'e' of X has no observed value.*drop it",
    ),
    (
        "sparse matrix",
        lambda: fit(sp.csr_matrix(X), Y),
        TypeError,
        r"Sparse data.*dense data is required.*toarray",
    ),
    (
        "continuous y with task='classification'",
        lambda: fit(X, Y, task="classification"),
        ValueError,
        "task='classification' needs class labels.*use task='regression'",
    ),
    (
        "string labels with task='regression'",
        lambda: fit(X, np.array(["a", "b"] * 30), task="regression"),
        ValueError,
        "task='regression' needs numeric targets",
    ),
    (
        "a single class",
        lambda: fit(X, np.zeros(60, dtype=int)),
        ValueError,
        "at least 2 classes",
    ),
    (
        "transform with the wrong width",
        lambda: fitted_transform(X, X[:, :3]),
        ValueError,
        "X has 3 features, but SGDSupportSelector is expecting 4",
    ),
    (
        "transform with other column names",
        lambda: fit(frame, Y).transform(frame.rename(columns={"d": "e"})),
        ValueError,
        "feature names should match",
    ),
    (
        "learning_rate that diverges",
        lambda: fit(X * 100, Y * 1e6, learning_rate=1e6, max_grad_norm=None),
        FloatingPointError,
        "diverged at epoch 1.*lower learning_rate",
    ),
    (
        "device='cuda' without a GPU",
        lambda: fit(X, Y, device="cuda"),
        ValueError,
        "CUDA is not available.*use device='cpu'",
    ),
    (
        "hidden layer of size 0 (int)",
        lambda: fit(X, Y, hidden_layer_sizes=0),
        InvalidParameterError,
        "hidden_layer_sizes",
    ),
    (
        "hidden layer of size 0 (tuple)",
        lambda: fit(X, Y, hidden_layer_sizes=(8, 0)),
        ValueError,
        "hidden_layer_sizes must be a positive int",
    ),
    (
        "partial_fit: a label outside the classes",
        lambda: (
            SGDSupportSelector(**FAST)
            .partial_fit(X, LABELS, classes=[0, 1])
            .partial_fit(X[:3], [0, 1, 2])
        ),
        ValueError,
        r"labels \[2\] that are not among classes=\[0, 1\]",
    ),
    (
        "partial_fit: a new width",
        lambda: SGDSupportSelector(**FAST).partial_fit(X, Y).partial_fit(X[:, :3], Y),
        ValueError,
        "X has 3 features",
    ),
]


@pytest.mark.parametrize(
    "call, error, message",
    [case[1:] for case in ERRORS],
    ids=[case[0] for case in ERRORS],
)
def test_bad_input_raises_a_clear_error(call, error, message):
    if "CUDA" in message and _cuda_available():
        pytest.skip("a GPU is present")
    with pytest.raises(error, match=re.compile(message, re.S)):
        call()


def _cuda_available():
    import torch

    return torch.cuda.is_available()


# Cases that are accepted, with what must hold of the result.


def test_one_feature():
    selector = fit(X[:, :1], Y)
    assert selector.feature_importances_.shape == (1,)
    assert selector.get_support().all()


def test_constant_columns_get_zero_importance_never_nan():
    Xc = X.copy()
    Xc[:, 2] = 7.0
    selector = fit(Xc, Y)
    assert selector.feature_importances_[2] == 0.0
    assert np.isfinite(selector.feature_importances_).all()
    assert not selector.get_support()[2]


def test_all_columns_constant_warns_and_selects_nothing():
    with pytest.warns(UserWarning, match="every column of X is constant"):
        selector = fit(np.ones((60, 4)), Y)
    np.testing.assert_array_equal(selector.feature_importances_, 0.0)
    assert selector.transform(np.ones((2, 4))).shape == (2, 0)


@pytest.mark.trajectory
def test_duplicated_columns_are_both_relevant():
    # Two copies of the relevant column share the signal: both stand out
    # (3.4-4.2x the cut, the cut 3.4-4.2x the rest, over seeds 0-9).
    rng = np.random.RandomState(1)
    Xd = rng.normal(size=(400, 6))
    Xd[:, 5] = Xd[:, 0]
    y = np.sin(2 * Xd[:, 0])
    selector = SGDSupportSelector(random_state=0, max_iter=100).fit(Xd, y)
    np.testing.assert_array_equal(selector.get_support(indices=True), [0, 5])


@pytest.mark.parametrize(
    "dtype, out", [(np.float16, np.float16), (np.float32, np.float32), (int, int)]
)
def test_dtypes_are_accepted_and_transform_keeps_them(dtype, out):
    Xt = (X * 10).astype(dtype)
    selector = fit(Xt, Y)
    assert np.isfinite(selector.feature_importances_).all()
    assert selector.transform(Xt).dtype == out


def test_bool_input():
    selector = fit(X > 0, Y)
    assert np.isfinite(selector.feature_importances_).all()
    assert selector.transform(X > 0).dtype == bool


@pytest.mark.trajectory  # same steps in other units, held to rtol 1e-4
@pytest.mark.parametrize(
    "magnitude, dtype",
    [
        (1e30, np.float64),
        (1e-30, np.float64),
        (1e300, np.float64),
        (1e-300, np.float64),
        (1e30, np.float32),
        (1e-30, np.float32),
    ],
)
def test_extreme_magnitudes_give_the_same_importances(magnitude, dtype):
    # Standardization makes the scale of X (and y) irrelevant.
    reference = fit(X, Y).feature_importances_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = fit((X * magnitude).astype(dtype), Y * magnitude)
    np.testing.assert_allclose(scaled.feature_importances_, reference, rtol=1e-4)


def test_batch_size_larger_than_the_data_warns_and_trains_full_batch():
    with pytest.warns(UserWarning, match="batch_size=100 is larger than the 60"):
        sgd = fit(X, Y, batch_size=100)
    gd = GDSupportSelector(**FAST).fit(X, Y)
    np.testing.assert_allclose(sgd.feature_importances_, gd.feature_importances_)


def test_gpu_out_of_memory_says_what_to_reduce(monkeypatch):
    import torch

    from sgdselect import _engine

    def out_of_memory(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory.")

    monkeypatch.setattr(_engine.TorchEngine, "__init__", out_of_memory)
    layout = _engine.Layout((4, 8, 1))
    with pytest.raises(MemoryError, match="ran out of memory.*partial_fit.*cpu"):
        _engine.make_engine(
            X.astype(np.float32),
            Y[:, None],
            layout,
            activation="tanh",
            loss="squared_error",
            batch_size=4,
            clip=1.0,
            device="cuda:0",
        )
