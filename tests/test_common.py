"""scikit-learn compliance: the full check suite and parameter validation."""

import pytest
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from sgdselect import GDSupportSelector, SGDSupportSelector, SGDSupportSelectorCV

# SGDSupportSelector at its defaults and with the other input map. The others
# with fewer steps, as scikit-learn's own common tests do for slow solvers
# (the checks test the API, not the fit): GDSupportSelector's 2000 full-batch
# steps, for its first network and the 9 of its shadow test, took 90 s over
# the ~50 checks; the CV search's defaults train 36 networks per fit.
ESTIMATORS = [
    SGDSupportSelector(),
    SGDSupportSelector(input_map="standardize"),
    GDSupportSelector(max_iter=200),
    SGDSupportSelectorCV(learning_rates=(0.1, 0.2), batch_sizes=(4, 16), max_iter=100),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
