import pytest
import torch
from threadpoolctl import threadpool_limits

# One thread: the check suite runs far faster on tiny data, and CI machines are
# shared. Numba's BLAS calls go through SciPy's OpenBLAS, limited here too.
torch.set_num_threads(1)
_limits = threadpool_limits(1)


@pytest.fixture
def rng():
    import numpy as np

    return np.random.RandomState(0)
