"""scikit-learn compliance: the full check suite and parameter validation."""

import pytest
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from sgdselect import GDSupportSelector, SGDSupportSelector

ESTIMATORS = [SGDSupportSelector(), GDSupportSelector()]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
