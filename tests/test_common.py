"""scikit-learn compliance: the full check suite and parameter validation."""

import pytest
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from sgdselect import GDSupportSelector, SGDSupportSelector, SGDSupportSelectorCV

# The two selectors at their defaults; the CV search on a small grid (its
# defaults train 36 networks per fit, which the check suite does ~50 times).
ESTIMATORS = [
    SGDSupportSelector(),
    GDSupportSelector(),
    SGDSupportSelectorCV(learning_rates=(0.1, 0.2), batch_sizes=(4, 16), max_iter=100),
    SGDSupportSelector(input_map="rank_gauss"),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
