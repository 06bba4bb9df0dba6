"""One compiled training loop per dtype, whatever form the data comes in.

Numba compiles a kernel once per combination of argument types, and an
array's type holds its dtype, layout and writeability: a Fortran-ordered or
read-only X (a pandas frame under copy-on-write, its target column) would
each compile the training loop again, as long as the first compile. The
estimators bring every input to C order and a writeable array first.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sgdselect._arrays import kernel_array

pd = pytest.importorskip("pandas")

# A fresh process: the kernels' signatures are then the ones these fits
# needed (loaded from Numba's cache, or compiled), not those of other tests.
FITS = textwrap.dedent(
    """
    import numpy as np
    import pandas as pd
    from numba import types
    from numba.core.registry import CPUDispatcher

    from sgdselect import SGDSupportSelector, SGDSupportSelectorCV, _cpu_kernel

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = X[:, 0] - X[:, 1]
    frozen = X.copy()
    frozen.setflags(write=False)
    frame = pd.DataFrame(X, columns=list("abcd")).assign(t=y)
    forms = {
        "C": (X, y),
        "F": (np.asfortranarray(X), y),
        "read-only": (frozen, frozen[:, 0] - frozen[:, 1]),
        "DataFrame": (frame[list("abcd")], frame["t"]),
        "read-only frame values": (frame[list("abcd")].to_numpy(), frame["t"]),
    }
    for dtype in (np.float64, np.float32):
        for name, (data, target) in forms.items():
            if not isinstance(data, pd.DataFrame):
                data = data.astype(dtype, copy=False)
            else:
                data = data.astype(dtype)
            params = dict(max_iter=1, threshold=0.0, random_state=0)
            SGDSupportSelector(**params).fit(data, target)
            SGDSupportSelector(batch_size=None, **params).fit(data, target)
            SGDSupportSelector(**params).partial_fit(data, target)
        SGDSupportSelectorCV(
            learning_rates=[0.1], batch_sizes=[4], cv=2, max_iter=1, threshold=0.0
        ).fit(data, target)
    for name, kernel in sorted(vars(_cpu_kernel).items()):
        if isinstance(kernel, CPUDispatcher) and kernel.signatures:
            # X: the first argument, or the first of the data tuple that a
            # kernel taking its arguments grouped receives first.
            xs = [sig[0][0] if isinstance(sig[0], types.BaseTuple) else sig[0]
                  for sig in kernel.signatures]
            first = sorted({str(x) for x in xs})
            print(name, len(kernel.signatures), first)
    """
)


def test_one_specialization_per_dtype():
    done = subprocess.run(
        [sys.executable, "-c", FITS], capture_output=True, text=True, check=True
    )
    kernels = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    # The entry points of a fit, X's type their first argument: two
    # signatures each, one per dtype (every other argument the same type).
    one_per_dtype = "2 " + str(["array(float32, 2d, C)", "array(float64, 2d, C)"])
    assert kernels["run_epoch_shared"] == one_per_dtype
    assert kernels["column_moments"] == one_per_dtype


def test_kernel_array_copies_only_when_it_must():
    X = np.arange(12.0).reshape(3, 4)
    assert kernel_array(X) is X
    assert kernel_array(X.astype(np.float32)).dtype == np.float32
    assert kernel_array(X.astype(">f8")).dtype == np.float64  # native order
    assert kernel_array(X.astype(int)).dtype == np.float64
    fortran = kernel_array(np.asfortranarray(X))
    assert fortran.flags.c_contiguous and not np.shares_memory(fortran, X)
    # A read-only view of writeable memory (pandas under copy-on-write) gets a
    # writeable view of it; memory that is itself read-only gets a copy.
    view = X.view()
    view.setflags(write=False)
    out = kernel_array(view)
    assert out.flags.writeable and np.shares_memory(out, X)
    frozen = X.copy()
    frozen.setflags(write=False)
    out = kernel_array(frozen)
    assert out.flags.writeable and not np.shares_memory(out, frozen)
    np.testing.assert_array_equal(out, frozen)
    assert not frozen.flags.writeable  # the caller's array is left as it was
