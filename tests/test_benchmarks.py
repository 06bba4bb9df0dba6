"""The benchmark scripts' helpers that reach into the engine's private API
still run against it.

The scripts themselves take minutes and are not run here; these are the parts
that call kernel functions and the engine by their current signatures, which
a change to the engine can break without any other test noticing (as a hidden
size mismatch in speed.py once did). Small shapes: a few seconds in all.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def speed():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import speed as module
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


def test_speed_profile_pieces_run(speed):
    X, y = speed.make_data(2048, 8)
    profile = speed._profile_full_batch(X, y)
    pieces = profile["pieces"]
    assert len(pieces) >= 10
    assert all(np.isfinite(t) and t >= 0 for _, t in pieces)


def test_speed_group_engine_trains(speed):
    X, y = speed.make_data(256, 8)
    # One network per (learning rate, seed) pair; the two share one block.
    engine = speed._group_engine(X, y, 8, [0.1, 0.2], [0, 0], shared=[(0, 2)])
    with speed._session(engine):
        losses = engine.epoch()
    assert losses.shape == (2,) and np.all(np.isfinite(losses))
