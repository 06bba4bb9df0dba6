"""Arrays in the one form the compiled training loop is built for.

Numba compiles a function once per combination of argument *types*, and an
array's type holds its dtype, its memory layout (C, Fortran, strided) and
whether it is writeable. A pandas column under copy-on-write hands out
read-only arrays, and a Fortran-ordered or float32 array is another type
again: each would compile the whole training loop anew, about as long as the
first compile. Bringing every input to one layout and writeability before the
compiled call keeps it to one specialization per dtype.
"""

import warnings

import numpy as np

# The dtypes the kernels take as they are; anything else is read as float64.
KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def kernel_array(a, dtype=None):
    """``a`` as a C-ordered, writeable array, without a copy where none is
    needed.

    Parameters
    ----------
    a : array-like
        The array.
    dtype : dtype or None, default=None
        The dtype to return. ``None`` keeps float32 and float64 (native byte
        order) and turns anything else into float64.

    Returns
    -------
    ndarray
        ``a`` itself when it already has that form; a writeable view of it
        when only its flag is read-only and the memory under it is writeable
        (a pandas column under copy-on-write); else a copy.
    """
    a = np.asarray(a)
    if dtype is None:
        dtype = a.dtype if a.dtype in KERNEL_DTYPES else np.float64
    a = np.ascontiguousarray(a, dtype=dtype)
    if a.flags.writeable:
        return a
    # The kernels never write to their inputs: a writeable view is safe, and
    # spares a copy of X. NumPy refuses it when the memory itself is
    # read-only (a read-only memory map, an array frozen by its owner).
    view = a.view()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            view.flags.writeable = True
    except (ValueError, Warning):
        return a.copy()
    return view
