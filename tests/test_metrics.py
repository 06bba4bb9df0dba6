import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning

from sgdselect.metrics import (
    probe_false_positive_rate,
    ranking_auc,
    support_f1,
    support_precision,
    support_recall,
    support_scores,
)


def test_support_scores_hand_computed():
    # 2 of the 3 selected are relevant; 2 of the 4 relevant are found.
    p, r, f1 = support_scores([0, 1, 2, 3], [0, 1, 7])
    assert p == pytest.approx(2 / 3)
    assert r == pytest.approx(1 / 2)
    assert f1 == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))
    assert support_precision([0, 1, 2, 3], [0, 1, 7]) == pytest.approx(2 / 3)
    assert support_recall([0, 1, 2, 3], [0, 1, 7]) == pytest.approx(1 / 2)
    assert support_f1([0, 1, 2, 3], [0, 1, 7]) == pytest.approx(4 / 7)


def test_masks_and_indices_agree():
    truth = np.array([True, True, False, False, True, False])
    selected = np.array([True, False, True, False, True, True])
    expected = (0.5, 2 / 3, 4 / 7)
    forms = [
        (truth, selected),
        (np.flatnonzero(truth), selected),
        (truth, np.flatnonzero(selected)),
        (np.flatnonzero(truth), np.flatnonzero(selected)),
        (truth.tolist(), np.flatnonzero(selected).tolist()),
    ]
    for t, s in forms:
        assert support_scores(t, s) == pytest.approx(expected)


def test_perfect_and_disjoint_selections():
    assert support_scores([2, 5], [5, 2]) == (1.0, 1.0, 1.0)
    assert support_scores([0, 1], [2, 3]) == (0.0, 0.0, 0.0)
    # Selecting everything: recall 1, precision = share of relevant features.
    assert support_scores([0], np.ones(4, dtype=bool)) == pytest.approx(
        (0.25, 1.0, 0.4)
    )


def test_empty_selection_follows_zero_division():
    with pytest.warns(UndefinedMetricWarning, match="no feature was selected"):
        assert support_scores([0, 1], []) == (0.0, 0.0, 0.0)
    assert support_scores([0, 1], np.zeros(3, dtype=bool), zero_division=0.0) == (
        0.0,
        0.0,
        0.0,
    )
    p, r, f1 = support_scores([0, 1], [], zero_division=1.0)
    assert (p, r, f1) == (1.0, 0.0, 0.0)
    p, _, _ = support_scores([0, 1], [], zero_division=np.nan)
    assert np.isnan(p)
    assert support_recall([0, 1], []) == 0.0  # recall never divides by zero


@pytest.mark.parametrize(
    "truth, selected, match",
    [
        (np.ones(3, dtype=bool), np.ones(4, dtype=bool), "different lengths"),
        (np.zeros(3, dtype=bool), [0], "true_support is empty"),
        ([], [0], "true_support is empty"),
        ([0.0, 1.0], [0], "integer feature indices"),
        ([[0, 1]], [0], "1-d"),
        ([0, -1], [0], "negative"),
        ([0, 0], [0], "duplicate"),
        (np.ones(3, dtype=bool), [3], "selected contains the feature index 3"),
        ([5], np.ones(3, dtype=bool), "true_support contains the feature index 5"),
    ],
)
def test_support_scores_errors(truth, selected, match):
    with pytest.raises(ValueError, match=match):
        support_scores(truth, selected)


@pytest.mark.parametrize("zero_division", ["nan", 0.5, None])
def test_bad_zero_division(zero_division):
    with pytest.raises(ValueError, match="zero_division"):
        support_scores([0], [0], zero_division=zero_division)


def test_ranking_auc_values():
    assert ranking_auc([0, 1], [3.0, 2.0, 1.0, 0.0]) == 1.0
    assert ranking_auc([2, 3], [3.0, 2.0, 1.0, 0.0]) == 0.0
    assert ranking_auc([0, 1], [1.0, 1.0, 1.0, 1.0]) == 0.5  # ties count half
    # Relevant {0.9, 0.5} vs irrelevant {0.7, 0.1}: 3 of 4 pairs ordered right.
    assert ranking_auc([0, 1], [0.9, 0.5, 0.7, 0.1]) == 0.75
    mask = np.array([True, True, False, False])
    assert ranking_auc(mask, [0.9, 0.5, 0.7, 0.1]) == 0.75


@pytest.mark.parametrize(
    "truth, scores, match",
    [
        ([0, 1], [1.0, 2.0], "every feature"),
        ([0], [1.0, np.nan], "NaN or infinite"),
        ([0], [[1.0, 2.0]], "1-d"),
        (np.ones(3, dtype=bool), [1.0, 2.0], "different lengths"),
        ([2], [1.0, 2.0], "out of range for 2 features"),
        ([], [1.0, 2.0], "empty"),
    ],
)
def test_ranking_auc_errors(truth, scores, match):
    with pytest.raises(ValueError, match=match):
        ranking_auc(truth, scores)


def test_probe_false_positive_rate():
    probes = np.array([False, False, False, True, True, True, True])
    assert probe_false_positive_rate(probes, [0, 1, 2]) == 0.0
    assert probe_false_positive_rate(probes, [0, 3]) == 0.25
    assert probe_false_positive_rate(probes, np.ones(7, dtype=bool)) == 1.0
    assert probe_false_positive_rate([3, 4, 5, 6], []) == 0.0
    with pytest.raises(ValueError, match="probe_mask is empty"):
        probe_false_positive_rate(np.zeros(7, dtype=bool), [0])
    with pytest.raises(ValueError, match="different lengths"):
        probe_false_positive_rate(probes, np.ones(6, dtype=bool))
