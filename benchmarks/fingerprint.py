"""Whether a change leaves every result bit for bit as it was.

Fits the default SGD and GD selectors on every case of the recovery suite, and
the paths the suite does not reach (a stream of ``partial_fit`` chunks, a warm
start, the CV search, float32 classification), through the public API, and
saves every importance, selection, loss curve, shadow importance and score.
A refactoring that should change nothing is checked by fingerprinting the
checkout before and after, on the same machine (a training trajectory is
reproducible on one machine and build, not across processors)::

    git stash; PYTHONPATH=. python benchmarks/fingerprint.py /tmp/before.npz
    git stash pop; PYTHONPATH=. python benchmarks/fingerprint.py /tmp/after.npz
    python benchmarks/fingerprint.py --compare /tmp/before.npz /tmp/after.npz

It takes about 5 minutes on one core.
"""

import sys
import warnings

import numpy as np


def run(out):
    from sgdselect import GDSupportSelector, SGDSupportSelector, SGDSupportSelectorCV
    from sgdselect.datasets import benchmark_suite

    res = {}
    cases = benchmark_suite(random_state=0)
    for case in cases:
        for name, est in (
            ("sgd", SGDSupportSelector(random_state=0)),
            ("gd", GDSupportSelector(random_state=0)),
        ):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(case.X, case.y)
            key = f"{case.name}/{name}"
            res[key + "/imp"] = est.feature_importances_
            res[key + "/support"] = est.get_support()
            res[key + "/curve"] = np.asarray(est.loss_curve_)
            if est.shadow_importances_ is not None:
                res[key + "/shadow"] = est.shadow_importances_
            print(key, est.get_support(indices=True)[:20], flush=True)
    # extra paths: partial_fit, warm start, CV search, classification, float32
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 8))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    s = SGDSupportSelector(random_state=0)
    for _ in range(5):
        for c in np.array_split(np.arange(400), 3):
            s.partial_fit(X[c] * 3 + 1, y[c])
    res["stream/imp"] = s.feature_importances_
    res["stream/coef0"] = s.coefs_[0]
    w = SGDSupportSelector(random_state=1, max_iter=20, warm_start=True).fit(X, y)
    w.fit(X, y)
    res["warm/imp"] = w.feature_importances_
    cv = SGDSupportSelectorCV(
        learning_rates=[0.05, 0.2],
        batch_sizes=[4, 32],
        cv=3,
        max_iter=40,
        random_state=0,
    ).fit(X, y)
    res["cv/scores"] = cv.cv_results_["mean_test_score"]
    res["cv/imp"] = cv.feature_importances_
    res["cv/cvimp"] = cv.cv_importances_
    yc = (X[:, 2] > 0).astype(int) + (X[:, 3] > 1)
    c = SGDSupportSelector(random_state=0, max_iter=50).fit(X.astype(np.float32), yc)
    res["clf32/imp"] = c.feature_importances_
    res["clf32/score"] = np.array([c.score(X, yc)])
    np.savez(out, **res)


def compare(a, b):
    A, B = np.load(a), np.load(b)
    bad = 0
    for k in sorted(set(A) | set(B)):
        if k not in A or k not in B:
            print("MISSING", k)
            bad += 1
            continue
        if A[k].shape != B[k].shape or not np.array_equal(A[k], B[k], equal_nan=True):
            print("DIFF", k)
            bad += 1
    print(f"{len(set(A) | set(B))} arrays, {bad} differ")
    return bad


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        sys.exit(1 if compare(sys.argv[2], sys.argv[3]) else 0)
    run(sys.argv[1])
