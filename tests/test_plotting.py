"""sgdselect.plotting draws what the fitted selectors hold."""

import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

from sgdselect import (  # noqa: E402
    GDSupportSelector,
    SGDSupportSelector,
    SGDSupportSelectorCV,
)
from sgdselect.plotting import (  # noqa: E402
    plot_cv_map,
    plot_importance_history,
    plot_importances,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 7))
    y = X[:, 0] * X[:, 1]
    return X, y


@pytest.fixture(scope="module")
def selector(data):
    # A fixed threshold: these tests are about what the figures draw, so the
    # selection is pinned to the two relevant columns (importances 1.53-1.91
    # against at most 0.46 for the rest over seeds 0-9) rather than left to
    # the automatic rule.
    return SGDSupportSelector(max_iter=40, threshold=1.0, random_state=0).fit(*data)


@pytest.fixture(scope="module")
def search(data):
    return SGDSupportSelectorCV(
        learning_rates=[0.05, 0.1, 0.2],
        batch_sizes=[64, 8],
        max_iter=20,
        random_state=0,
    ).fit(*data)


def _bar_colors(ax):
    return [p.get_facecolor() for p in ax.patches]


@pytest.mark.trajectory
def test_plot_importances_bars_and_threshold(selector):
    ax = plot_importances(selector)
    bars = ax.patches
    assert len(bars) == 7
    # Bars in column order, heights equal to the importances.
    np.testing.assert_allclose([b.get_x() + b.get_width() / 2 for b in bars], range(7))
    np.testing.assert_allclose(
        [b.get_height() for b in bars], selector.feature_importances_
    )
    selected = selector.get_support()
    assert selected.sum() == 2
    colors = _bar_colors(ax)
    highlight = {colors[i] for i in np.flatnonzero(selected)}
    muted = {colors[i] for i in np.flatnonzero(~selected)}
    assert len(highlight) == len(muted) == 1 and highlight != muted
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_ydata(), [selector.threshold_] * 2)
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"x{i}" for i in range(7)]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["selected", "not selected"]
    assert labels[2].startswith("threshold")


@pytest.mark.trajectory
def test_plot_importances_says_when_the_cut_is_against_shadows():
    # Graded real columns and permuted copies: nothing stands out (the
    # strongest column 1.2-2.3 robust SDs over the median, seeds 0-9), and the
    # automatic cut is the strongest of 9 x 12 shadows (8 rounds of 3 networks).
    rng = np.random.RandomState(0)
    real = rng.normal(size=(400, 6))
    X = np.hstack([real, rng.permutation(real)])
    y = real @ np.linspace(1.0, 0.3, 6) + 0.3 * rng.normal(size=400)
    fitted = SGDSupportSelector(max_iter=30, random_state=0).fit(X, y)
    assert fitted.shadow_importances_ is not None
    labels = [t.get_text() for t in plot_importances(fitted).get_legend().get_texts()]
    assert labels[2].endswith("tested against 108 shadows in 8 rounds of 3 networks)")


def test_plot_importances_support_names_and_ax(selector):
    fig, ax = plt.subplots()
    names = list("abcdefg")
    out = plot_importances(selector, feature_names=names, support=[0, 1, 4], ax=ax)
    assert out is ax
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    threshold, marks = ax.lines
    np.testing.assert_array_equal(marks.get_xdata(), [0, 1, 4])
    assert marks.get_marker() == "*"
    # A boolean mask marks the same columns.
    ax2 = plot_importances(selector, support=np.isin(np.arange(7), [0, 1, 4]))
    np.testing.assert_array_equal(ax2.lines[1].get_xdata(), [0, 1, 4])


def _overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("n_features", [3, 8, 25, 60])
def test_the_command_lines_figure_hides_no_bar(n_features):
    """The legend of the importances sits in a band above the tallest bar:
    drawn at the command's figure size, it overlaps no bar, be the bars
    equal (the worst case for a legend placed where it fits best), few or
    many, with the long label of a cut against shadows."""
    from sgdselect.cli import _figure

    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, n_features))
    selector = SGDSupportSelector(max_iter=3, threshold=0.0, random_state=0)
    selector.fit(X, X[:, 0])
    selector.feature_importances_ = np.ones(n_features)
    selector.shadow_importances_ = np.full((5, 4 * n_features), 0.5)
    selector.pvalues_ = np.full(n_features, 0.5)
    selector.set_params(threshold="auto")
    fig = _figure(selector)
    fig.canvas.draw()
    top = fig.axes[0]
    legend = top.get_legend().get_window_extent()
    assert "shadows" in top.get_legend().get_texts()[2].get_text()
    bars = [bar.get_window_extent() for bar in top.patches]
    assert len(bars) == n_features
    assert not any(_overlaps(legend, bar) for bar in bars)
    assert top.get_title() and fig.axes[1].get_title()


def test_plot_importances_feature_names_in(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"col{i}" for i in range(7)])
    selector = SGDSupportSelector(max_iter=5, random_state=0).fit(frame, y)
    ax = plot_importances(selector)
    assert ax.get_xticklabels()[3].get_text() == "col3"


def test_plot_importances_many_features():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 60))
    selector = SGDSupportSelector(max_iter=2, random_state=0).fit(X, X[:, 0])
    ax = plot_importances(selector)
    assert len(ax.patches) == 60
    assert not any(t.get_text().startswith("x") for t in ax.get_xticklabels())


def test_plot_importances_validates(selector):
    with pytest.raises(NotFittedError):
        plot_importances(SGDSupportSelector())
    with pytest.raises(ValueError, match="feature_names has 2 entries"):
        plot_importances(selector, feature_names=["a", "b"])
    with pytest.raises(ValueError, match="boolean mask of shape"):
        plot_importances(selector, support=np.ones(3, dtype=bool))


@pytest.mark.trajectory
def test_plot_importance_history_lines(selector):
    ax = plot_importance_history(selector)
    history = selector.importances_history_
    assert len(ax.lines) == history.shape[1] == 7
    # Relevant (here: selected) lines drawn last, in color; data is the history.
    selected = np.flatnonzero(selector.get_support())
    colors = [to_rgba(line.get_color()) for line in ax.lines]
    assert len(set(colors[-2:])) == 1 and colors[-1] != colors[0]
    for line in ax.lines:
        j = int(line.get_label()[1:])
        np.testing.assert_allclose(line.get_ydata(), history[:, j])
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 41))
    assert {int(line.get_label()[1:]) for line in ax.lines[-2:]} == set(selected)
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["selected (2)", "other (5)"]


def test_plot_importance_history_support_and_linear_axes(selector):
    ax = plot_importance_history(selector, support=[6], log=False)
    assert ax.get_yscale() == "linear"
    assert ax.lines[-1].get_label() == "x6"
    assert to_rgba(ax.lines[-1].get_color()) != to_rgba(ax.lines[0].get_color())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["relevant (1)", "other (6)"]
    with pytest.raises(NotFittedError):
        plot_importance_history(GDSupportSelector())


def test_plot_importance_history_gd(data):
    # Fifteen steps separate nothing; the history, not the cut, is the subject.
    gd = GDSupportSelector(max_iter=15, threshold=0.0, random_state=0).fit(*data)
    ax = plot_importance_history(gd)
    assert len(ax.lines) == 7
    assert len(ax.lines[0].get_xdata()) == 15


def test_plot_cv_map_cells(search):
    ax = plot_cv_map(search)
    (image,) = ax.images
    grid = image.get_array()
    assert grid.shape == (2, 3)
    results = search.cv_results_
    batches, rates = [8, 64], [0.05, 0.1, 0.2]
    for b, lr, score in zip(
        results["param_batch_size"],
        results["param_learning_rate"],
        results["mean_test_score"],
        strict=True,
    ):
        assert grid[batches.index(b), rates.index(lr)] == pytest.approx(score)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["8", "64"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.05", "0.1", "0.2"]
    texts = {t.get_text() for t in ax.texts}
    assert texts == {f"{s:.3f}" for s in results["mean_test_score"]}
    # The best cell is outlined.
    (outline,) = [p for p in ax.patches if not p.get_fill()]
    best = search.best_params_
    row, col = batches.index(best["batch_size"]), rates.index(best["learning_rate"])
    assert outline.get_xy() == (col - 0.5, row - 0.5)


def test_plot_cv_map_nan_cell_and_validation(search):
    with pytest.raises(NotFittedError):
        plot_cv_map(SGDSupportSelectorCV())

    class Diverged(BaseEstimator):
        cv_results_ = {
            "param_batch_size": np.array([4, 4, 16, 16]),
            "param_learning_rate": np.array([0.1, 9.0, 0.1, 9.0]),
            "mean_test_score": np.array([0.5, np.nan, 0.7, np.nan]),
        }
        best_index_ = 2

        def fit(self, X, y):
            return self

        def __sklearn_is_fitted__(self):
            return True

    ax = plot_cv_map(Diverged())
    grid = ax.images[0].get_array()
    assert grid.mask.tolist() == [[False, True], [False, True]]
    assert len(ax.texts) == 2

    class NoGrid(Diverged):
        cv_results_ = {"mean_test_score": np.array([0.5])}

    with pytest.raises(ValueError, match="param_batch_size"):
        plot_cv_map(NoGrid())


def test_missing_matplotlib_message(selector, search, monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    for plot, estimator in [
        (plot_importances, selector),
        (plot_importance_history, selector),
        (plot_cv_map, search),
    ]:
        with pytest.raises(ImportError, match=r'pip install "sgdselect\[plot\]"'):
            plot(estimator)


def test_import_does_not_load_matplotlib():
    code = (
        "import sys, sgdselect, sgdselect.plotting; "
        "assert not any(m.startswith('matplotlib') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
