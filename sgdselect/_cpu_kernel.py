"""The CPU hot path: whole SGD epochs compiled by Numba.

A training step of a small MLP does a few microseconds of arithmetic. Run as
framework calls (autograd, an optimizer, a data loader) it costs about a
millisecond of dispatch. Here one call runs every step of an epoch for every
network of a group, in compiled code, with the forward pass, the backward pass,
gradient clipping and the update written out by hand. Matrix products go to
BLAS through ``np.dot``, except at a few rows a batch (``_FEW_ROWS``), where a
BLAS call costs more than its arithmetic; everything else is plain loops over
preallocated buffers, so the steady state allocates nothing.

The engine (``_engine.py``) owns data layout, randomness and bookkeeping; this
module only does arithmetic on arrays it is given. The epoch kernels take them
grouped by concern, as tuples:

``data``
    ``(X, Y, mean, inv_scale, sq_inv, y_shift, y_inv, order, noise)``: the rows
    visited, in order, their label noise, and the standardization.
``net``
    ``(sizes, w_off, b_off, activation, loss, clip)``: the architecture and
    training rule, fixed for an engine.
``group``
    ``(params, lrs, wds, active, losses)``: the networks and their results.
``grad``
    ``(gW1, gb1, gW2, gb2, loss)``: a gradient of a shared block, as from
    ``gradient_buffers``.
"""

import numpy as np

# Numba's np.dot calls the BLAS that SciPy ships; load it now, so that the
# engine's thread control sees it before the first compiled call.
import scipy.linalg.cython_blas  # noqa: F401
from numba import njit

# Reassociation lets reductions (gradient norms, sums) vectorize; unlike full
# fastmath it keeps NaN and inf semantics, which divergence detection needs.
_REDUCE = {"reassoc", "contract"}

_LINEAR, _RELU, _TANH = 0, 1, 2
_SQUARED, _LOG = 0, 1
# Batches of at most this many rows (one chunk) train in
# run_epoch_few_rows: the first layers are held transposed, one row of d
# inputs per hidden unit, so that a step's products with its few rows run
# along those long rows (a BLAS call for a product of 4 rows cost more than
# its arithmetic), clip by the gradient norm read from c x c Gram matrices
# (_gram_scales), and step each unit's row and read the next batch's
# products from it while it is in cache (_step_units). Larger batches sum
# their chunks' gradients first. Measured with benchmarks/step_ab.py.
_FEW_ROWS = 8
# ... and at four rows a batch (the default) their step goes over blocks of
# this many inputs (_step_units_4), so that a block of the rows stays in the
# L1 cache while every unit's row steps over it: the inputs of a shadow test
# on a wide table are thousands. Measured with benchmarks/step_ab.py.
_UNIT_BLOCK = 512

# Rational approximation of tanh on [-7.9, 7.9] (Eigen's float32 kernel),
# accurate to a few float32 ulps. Unlike libm's tanh it is branch-free
# arithmetic, so the activation loops vectorize: tanh was 2/3 of a
# full-batch step before.
_T_CLAMP = np.float32(7.90531110763549805)
_T_A = tuple(
    np.float32(c)
    for c in (
        -2.76076847742355e-16,
        2.00018790482477e-13,
        -8.60467152213735e-11,
        5.12229709037114e-08,
        1.48572235717979e-05,
        6.37261928875436e-04,
        4.89352455891786e-03,
    )
)
_T_B = tuple(
    np.float32(c)
    for c in (
        1.19825839466702e-06,
        1.18534705686654e-04,
        2.26843463243900e-03,
        4.89352518554385e-03,
    )
)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _tanh(x):
    x = min(max(x, -_T_CLAMP), _T_CLAMP)
    x2 = x * x
    p = _T_A[0]
    for c in _T_A[1:]:
        p = p * x2 + c
    q = _T_B[0]
    for c in _T_B[1:]:
        q = q * x2 + c
    return x * p / q


@njit(cache=True, nogil=True, error_model="numpy")
def _gather(X, rows, mean, inv_scale, sq_inv, out):
    # Standardize on the fly: X is never copied, whatever its size. When
    # ``out`` is twice as wide as X, the network also reads the standardized
    # squares (z**2 - 1) * sq_inv (see sgdselect._network.network_inputs).
    d = X.shape[1]
    squares = out.shape[1] == 2 * d
    for i in range(rows.shape[0]):
        r = rows[i]
        for j in range(d):
            out[i, j] = (X[r, j] - mean[j]) * inv_scale[j]
        if squares:
            for j in range(d):
                z = out[i, j]
                out[i, d + j] = (z * z - np.float32(1.0)) * sq_inv[j]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _bias_act(Z, bias, activation):
    # One loop per activation, so that each inner loop is branch-free.
    if activation == _TANH:
        for i in range(Z.shape[0]):
            for j in range(Z.shape[1]):
                Z[i, j] = _tanh(Z[i, j] + bias[j])
    elif activation == _RELU:
        for i in range(Z.shape[0]):
            for j in range(Z.shape[1]):
                Z[i, j] = max(Z[i, j] + bias[j], np.float32(0.0))
    else:
        for i in range(Z.shape[0]):
            for j in range(Z.shape[1]):
                Z[i, j] += bias[j]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _act_grad(G, A, activation):
    # A holds post-activation values: relu' = [A > 0], tanh' = 1 - A**2.
    if activation == _RELU:
        for i in range(G.shape[0]):
            for j in range(G.shape[1]):
                if A[i, j] <= 0.0:
                    G[i, j] = 0.0
    elif activation == _TANH:
        for i in range(G.shape[0]):
            for j in range(G.shape[1]):
                G[i, j] *= 1.0 - A[i, j] * A[i, j]


@njit(cache=True, nogil=True, error_model="numpy")
def _output_grad(out, Y, y_shift, y_inv, rows, noise, batch_rows, loss, G):
    """Write dLoss/dout into G (scaled for a batch of ``batch_rows``); return loss sum.

    Targets are ``(Y[row] - y_shift) * y_inv`` (the network's own
    standardization); ``noise`` (rows x outputs, or empty) is added to them.
    """
    noisy = noise.shape[0] > 0
    total = 0.0
    k = out.shape[1]
    if loss == _SQUARED:
        # Mean over all batch x output elements, as torch's MSELoss.
        scale = 2.0 / (batch_rows * k)
        for i in range(out.shape[0]):
            r = rows[i]
            for j in range(k):
                diff = out[i, j] - (Y[r, j] - y_shift[j]) * y_inv[j]
                if noisy:
                    diff -= noise[i, j]
                total += diff * diff / k
                G[i, j] = diff * scale
    else:
        scale = 1.0 / batch_rows
        for i in range(out.shape[0]):
            r = rows[i]
            top = out[i, 0]
            for j in range(1, k):
                top = max(top, out[i, j])
            norm = 0.0
            for j in range(k):
                norm += np.exp(out[i, j] - top)
            log_norm = np.log(norm) + top
            for j in range(k):
                p = np.exp(out[i, j] - log_norm)
                t = (Y[r, j] - y_shift[j]) * y_inv[j]
                total -= t * (out[i, j] - log_norm)
                G[i, j] = (p - t) * scale
    return total


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _column_sums(G, out, overwrite):
    # Row by row, so the inner loop runs along memory and vectorizes.
    if overwrite:
        out[:] = 0.0
    for i in range(G.shape[0]):
        for j in range(G.shape[1]):
            out[j] += G[i, j]


@njit(cache=True, nogil=True, error_model="numpy")
def _forward_backward(X, Y, rows, noise, stats, p, g, net, batch_rows, bufs, first):
    """One chunk of rows of one network: forward, loss, backward; gradients go
    to ``g``. ``stats`` is the network's ``(mean, inv_scale, sq_inv, y_shift,
    y_inv)`` and ``bufs`` the scratch ``(acts, grads_a, grads_b, tmp)`` (see
    ``run_epoch``)."""
    mean, inv_scale, sq_inv, y_shift, y_inv = stats
    sizes, w_off, b_off, activation, loss = net[0], net[1], net[2], net[3], net[4]
    acts, grads_a, grads_b, tmp = bufs
    n = rows.shape[0]
    n_layers = sizes.shape[0] - 1
    a_off = 0
    A0 = acts[: n * sizes[0]].reshape(n, sizes[0])
    _gather(X, rows, mean, inv_scale, sq_inv, A0)
    a_starts = np.empty(n_layers + 1, np.int64)
    a_starts[0] = 0
    a_off = n * sizes[0]
    for layer in range(n_layers):
        fi, fo = sizes[layer], sizes[layer + 1]
        a_starts[layer + 1] = a_off
        A = acts[a_starts[layer] : a_starts[layer] + n * fi].reshape(n, fi)
        Z = acts[a_off : a_off + n * fo].reshape(n, fo)
        W = p[w_off[layer] : w_off[layer] + fi * fo].reshape(fi, fo)
        np.dot(A, W, Z)
        act = activation if layer < n_layers - 1 else _LINEAR
        _bias_act(Z, p[b_off[layer] : b_off[layer] + fo], act)
        a_off += n * fo
    k = sizes[n_layers]
    out = acts[a_starts[n_layers] : a_starts[n_layers] + n * k].reshape(n, k)
    G = grads_a[: n * k].reshape(n, k)
    total = _output_grad(out, Y, y_shift, y_inv, rows, noise, batch_rows, loss, G)
    for layer in range(n_layers - 1, -1, -1):
        fi, fo = sizes[layer], sizes[layer + 1]
        A = acts[a_starts[layer] : a_starts[layer] + n * fi].reshape(n, fi)
        gW = g[w_off[layer] : w_off[layer] + fi * fo].reshape(fi, fo)
        if first:
            np.dot(A.T, G, gW)
        else:
            t = tmp[: fi * fo].reshape(fi, fo)
            np.dot(A.T, G, t)
            gW += t
        _column_sums(G, g[b_off[layer] : b_off[layer] + fo], first)
        if layer > 0:
            W = p[w_off[layer] : w_off[layer] + fi * fo].reshape(fi, fo)
            G_prev = grads_b[: n * fi].reshape(n, fi)
            np.dot(G, W.T, G_prev)
            _act_grad(G_prev, A, activation)
            grads_a, grads_b = grads_b, grads_a
            G = G_prev
    return total


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _apply_update(p, g, lr, wd, clip, n_weights):
    """Clip the gradient to norm ``clip`` (if > 0) and take an SGD step.

    Weight decay applies to weights, not biases, and after clipping, as in
    ``torch.optim.SGD`` with ``clip_grad_norm_`` before ``step``. Returns False
    (and leaves ``p`` untouched) when the gradient is not finite.
    """
    sq = 0.0
    for i in range(g.shape[0]):
        sq += g[i] * g[i]
    if not np.isfinite(sq):
        return False
    scale = 1.0
    if clip > 0.0:
        norm = np.sqrt(sq)
        if norm > clip:
            scale = clip / (norm + 1e-6)
    step = lr * scale
    decay = 1.0 - lr * wd
    if wd != 0.0:
        for i in range(n_weights):
            p[i] = p[i] * decay - step * g[i]
    else:
        for i in range(n_weights):
            p[i] -= step * g[i]
    for i in range(n_weights, p.shape[0]):
        p[i] -= step * g[i]
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def run_epoch(data, n_rows, net, group, batch_size, chunk):
    """Run one epoch for each active network ``m`` of the group (``data``,
    ``net`` and ``group`` as in the module docstring).

    Network ``m`` standardizes inputs with ``mean[m]``, ``inv_scale[m]`` (and,
    when its first layer is twice as wide as ``X``, their squares with
    ``sq_inv[m]``) and targets with ``y_shift[m]``, ``y_inv[m]``, as if
    trained alone on its rows.

    ``order[m, :n_rows[m]]`` are the rows of ``X`` network ``m`` visits this
    epoch, already shuffled, and ``noise[m, i]`` the label noise added to the
    target of the ``i``-th of them (``noise`` has zero rows for none).
    Batches of ``batch_size`` rows (the last one may be smaller) are processed
    in chunks of at most ``chunk`` rows whose gradients are summed before the
    step. ``losses[m]`` receives the mean batch loss (NaN for a network that
    is not active). A network whose loss or gradient stops being finite keeps
    the parameters from before the bad step, gets a non-finite loss and is
    marked inactive; the others go on.
    """
    X, Y, mean, inv_scale, sq_inv, y_shift, y_inv, order, noise = data
    sizes, b_off, clip = net[0], net[2], net[5]
    params, lrs, wds, active, losses = group
    n_models, n_params = params.shape
    n_layers = sizes.shape[0] - 1
    width = 0
    act_size = 0
    for s in sizes:
        width = max(width, s)
        act_size += s
    max_w = 0
    for layer in range(n_layers):
        max_w = max(max_w, sizes[layer] * sizes[layer + 1])
    acts = np.empty(chunk * act_size, np.float32)
    grads_a = np.empty(chunk * width, np.float32)
    grads_b = np.empty(chunk * width, np.float32)
    tmp = np.empty(max_w, np.float32)
    bufs = (acts, grads_a, grads_b, tmp)
    g = np.empty(n_params, np.float32)
    n_weights = b_off[0]
    for m in range(n_models):
        if not active[m]:
            losses[m] = np.nan
            continue
        p = params[m]
        stats = (mean[m], inv_scale[m], sq_inv[m], y_shift[m], y_inv[m])
        n = n_rows[m]
        total = 0.0
        n_steps = 0
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            batch_rows = stop - start
            step_loss = 0.0
            for c0 in range(start, stop, chunk):
                c1 = min(c0 + chunk, stop)
                eps = noise[m, c0:c1] if noise.shape[1] > 0 else noise[m]
                step_loss += _forward_backward(
                    X,
                    Y,
                    order[m, c0:c1],
                    eps,
                    stats,
                    p,
                    g,
                    net,
                    batch_rows,
                    bufs,
                    c0 == start,
                )
            step_loss /= batch_rows
            if not np.isfinite(step_loss) or not _apply_update(
                p, g, lrs[m], wds[m], clip, n_weights
            ):
                active[m] = False
                total = step_loss if not np.isfinite(step_loss) else np.inf
                break
            total += step_loss
            n_steps += 1
        losses[m] = total / max(n_steps, 1) if active[m] else total


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _dense_small(H, lo, W, b, out):
    """out = H[:, lo:lo + h] @ W + b for a thin W (few outputs)."""
    h, k = W.shape
    for i in range(H.shape[0]):
        row = H[i][lo : lo + h]
        for j in range(k):
            s = b[j]
            for t in range(h):
                s += row[t] * W[t, j]
            out[i, j] = s


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _small_backward(H, lo, g2, W2, gW2, gb2, G, first):
    """One network's second-layer gradients, and dLoss/dH into G[:, lo:lo+h]."""
    h, k = W2.shape
    if first:
        gW2[:] = 0.0
        gb2[:] = 0.0
    for i in range(H.shape[0]):
        # Slices, indexed from 0: Numba then knows no index is negative and
        # the loops vectorize.
        hrow, grow = H[i][lo : lo + h], G[i][lo : lo + h]
        for j in range(k):
            gj = g2[i, j]
            gb2[j] += gj
            for t in range(h):
                gW2[t, j] += hrow[t] * gj
        grow[:] = 0.0
        for j in range(k):
            gj = g2[i, j]
            for t in range(h):
                grow[t] += gj * W2[t, j]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _group_scales(gW1, gb1, gW2, gb2, h, lrs, clip, active, step):
    """Per network: the clipped step ``lr * scale`` into ``step``; a network
    whose gradient is not finite gets ``active`` False instead."""
    n_models = lrs.shape[0]
    # The first layers' squares summed down the columns, each row in one
    # contiguous loop over every network's columns (a loop per network's
    # few columns would run short and not vectorize), then per network.
    wide = gW1.shape[1]
    cols = np.zeros(wide)
    for i in range(gW1.shape[0]):
        row = gW1[i]
        for c in range(wide):
            cols[c] += row[c] * row[c]
    sq = np.zeros(n_models)
    for m in range(n_models):
        s = 0.0
        for c in range(m * h, (m + 1) * h):
            s += cols[c]
        sq[m] = s
    _clipped_steps(sq, gb1, gW2, gb2, h, lrs, clip, active, step)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _clipped_steps(sq, gb1, gW2, gb2, h, lrs, clip, active, step):
    """Per network ``m``, from ``sq[m]``, its first-layer weights' squared
    gradient norm: add the other parameters' squares, then set ``step[m]``
    to the clipped step ``lr * scale`` (``active`` False instead where the
    norm is not finite)."""
    for m in range(lrs.shape[0]):
        s = sq[m]
        seg = gb1[m * h : (m + 1) * h]
        for j in range(seg.shape[0]):
            s += seg[j] * seg[j]
        for t in range(gW2.shape[1]):
            for j in range(gW2.shape[2]):
                s += gW2[m, t, j] * gW2[m, t, j]
        for j in range(gb2.shape[1]):
            s += gb2[m, j] * gb2[m, j]
        sq[m] = s
    for m in range(lrs.shape[0]):
        step[m] = 0.0
        if not active[m]:
            continue
        if not np.isfinite(sq[m]):
            active[m] = False
            continue
        scale = 1.0
        if clip > 0.0:
            norm = np.sqrt(sq[m])
            if norm > clip:
                scale = clip / (norm + 1e-6)
        step[m] = lrs[m] * scale


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _later_layers_update(b1, params, gb1, gW2, gb2, w2_off, b2_off, lrs, wds, step, h):
    """The SGD step of the first-layer biases and the second layers (the
    first-layer weights: ``_group_update`` or ``_step_units``)."""
    for m in range(lrs.shape[0]):
        st = np.float32(step[m])
        if st == 0.0:
            continue
        de = np.float32(1.0 - lrs[m] * wds[m])
        bias, gbias = b1[m * h : (m + 1) * h], gb1[m * h : (m + 1) * h]
        for j in range(bias.shape[0]):
            bias[j] -= st * gbias[j]
        p = params[m]
        k = gW2.shape[2]
        for t in range(gW2.shape[1]):
            for j in range(k):
                p[w2_off + t * k + j] = p[w2_off + t * k + j] * de - st * gW2[m, t, j]
        for j in range(k):
            p[b2_off + j] -= st * gb2[m, j]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _group_update(
    W1, b1, params, gW1, gb1, gW2, gb2, w2_off, b2_off, lrs, wds, step, h
):
    """SGD step of every network; a network with step 0 is left as it is."""
    n_models = lrs.shape[0]
    decay = np.ones(n_models, np.float32)
    moving = 0
    for m in range(n_models):
        if step[m] != 0.0:
            decay[m] = 1.0 - lrs[m] * wds[m]
            moving += 1
    if moving == n_models:
        # Every network steps: each row in one contiguous loop over all of
        # their columns, with each column's step and decay.
        wide = W1.shape[1]
        st_c = np.empty(wide, np.float32)
        de_c = np.empty(wide, np.float32)
        for m in range(n_models):
            st_c[m * h : (m + 1) * h] = np.float32(step[m])
            de_c[m * h : (m + 1) * h] = decay[m]
        for i in range(W1.shape[0]):
            row, grow = W1[i], gW1[i]
            for c in range(wide):
                row[c] = row[c] * de_c[c] - st_c[c] * grow[c]
    else:
        # A frozen network's gradient may not be finite: skip its columns.
        for i in range(W1.shape[0]):
            for m in range(n_models):
                st, de = np.float32(step[m]), decay[m]
                if st == 0.0:
                    continue
                row = W1[i][m * h : (m + 1) * h]
                grow = gW1[i][m * h : (m + 1) * h]
                for j in range(row.shape[0]):
                    row[j] = row[j] * de - st * grow[j]
    _later_layers_update(b1, params, gb1, gW2, gb2, w2_off, b2_off, lrs, wds, step, h)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _gram_scales(A, G, K, gb1, gW2, gb2, h, lrs, clip, active, step):
    """``_group_scales`` for a batch of one chunk, whose first-layer gradient
    ``A.T @ G`` is not written out: network ``m``'s part of its squared norm
    is ``sum((A @ A.T) * (G_m @ G_m.T))``, from ``c x c`` Gram matrices
    (``K``: ``c * c`` float32 scratch) instead of the ``d x h`` gradient."""
    c, wide = G.shape
    n_models = lrs.shape[0]
    gram = K[: c * c].reshape(c, c)
    # By hand: for a few rows, BLAS's call costs more than the sums.
    for r in range(c):
        ar = A[r]
        for q in range(r, c):
            aq = A[q]
            t = np.float32(0.0)
            for i in range(ar.shape[0]):
                t += ar[i] * aq[i]
            gram[r, q] = t
    sq = np.zeros(n_models)
    for m in range(n_models):
        s = 0.0
        for r in range(c):
            gr = G[r][m * h : (m + 1) * h]
            for q in range(r, c):
                gq = G[q][m * h : (m + 1) * h]
                t = 0.0
                for j in range(h):
                    t += gr[j] * gq[j]
                s += t * gram[r, q] * (1.0 if q == r else 2.0)
        sq[m] = s
    _clipped_steps(sq, gb1, gW2, gb2, h, lrs, clip, active, step)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _scaled_rows(G, step, h, Gs):
    """``Gs = step * G``, each network's columns by its step (zeros for a
    network with step 0, whose ``G`` may not be finite)."""
    for m in range(step.shape[0]):
        st = np.float32(step[m])
        for r in range(G.shape[0]):
            g, out = G[r][m * h : (m + 1) * h], Gs[r][m * h : (m + 1) * h]
            if st == 0.0:
                out[:] = 0.0
            else:
                for j in range(h):
                    out[j] = st * g[j]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _step_units(WT, A, Gs, lrs, wds, step, h, An, Hn):
    """The first layers' SGD step, ``W1 = W1 * decay - A.T @ Gs``, on their
    transposed rows (``WT``, one per hidden unit; ``Gs`` the step times the
    gradient at the units, ``_scaled_rows``), and the next batch's products
    ``Hn = An @ W1`` read from each row while it is in cache (``An`` may
    have no rows; with no rows in ``A``, only the products). A network with
    step 0 is left as it is.

    Up to four rows of a batch a pass over a unit's row. Indexed, not
    sliced, and in one function: a view or a call per row and unit cost as
    much as the sums at d = 100."""
    c, d = A.shape
    cn = An.shape[0]
    for j in range(WT.shape[0]):
        m = j // h
        if step[m] != 0.0:
            de = np.float32(1.0 - lrs[m] * wds[m])
            r = 0
            while r < c:
                if c - r >= 4:
                    g0, g1, g2, g3 = Gs[r, j], Gs[r + 1, j], Gs[r + 2, j], Gs[r + 3, j]
                    for i in range(d):
                        WT[j, i] = WT[j, i] * de - (
                            g0 * A[r, i]
                            + g1 * A[r + 1, i]
                            + g2 * A[r + 2, i]
                            + g3 * A[r + 3, i]
                        )
                    r += 4
                elif c - r >= 2:
                    g0, g1 = Gs[r, j], Gs[r + 1, j]
                    for i in range(d):
                        WT[j, i] = WT[j, i] * de - (g0 * A[r, i] + g1 * A[r + 1, i])
                    r += 2
                else:
                    g0 = Gs[r, j]
                    for i in range(d):
                        WT[j, i] = WT[j, i] * de - g0 * A[r, i]
                    r += 1
                # Later passes decay by 1, which leaves the bits as they are.
                de = np.float32(1.0)
        r = 0
        while r < cn:
            if cn - r >= 4:
                s0 = s1 = s2 = s3 = np.float32(0.0)
                for i in range(d):
                    wi = WT[j, i]
                    s0 += An[r, i] * wi
                    s1 += An[r + 1, i] * wi
                    s2 += An[r + 2, i] * wi
                    s3 += An[r + 3, i] * wi
                Hn[r, j], Hn[r + 1, j], Hn[r + 2, j], Hn[r + 3, j] = s0, s1, s2, s3
                r += 4
            elif cn - r >= 2:
                s0 = s1 = np.float32(0.0)
                for i in range(d):
                    wi = WT[j, i]
                    s0 += An[r, i] * wi
                    s1 += An[r + 1, i] * wi
                Hn[r, j], Hn[r + 1, j] = s0, s1
                r += 2
            else:
                s0 = np.float32(0.0)
                for i in range(d):
                    s0 += An[r, i] * WT[j, i]
                Hn[r, j] = s0
                r += 1


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _step_units_4(WT, A, Gs, lrs, wds, step, h, An, Hn):
    """``_step_units`` for four rows in this batch and four in the next (the
    default batch): each unit's step and products in one pass, over blocks
    of ``_UNIT_BLOCK`` inputs, so that the block's eight rows stay in the L1
    cache while every unit's row goes over it."""
    d = A.shape[1]
    Hn[:4] = 0.0
    for i0 in range(0, d, _UNIT_BLOCK):
        i1 = min(i0 + _UNIT_BLOCK, d)
        a0, a1, a2, a3 = A[0, i0:i1], A[1, i0:i1], A[2, i0:i1], A[3, i0:i1]
        b0, b1, b2, b3 = An[0, i0:i1], An[1, i0:i1], An[2, i0:i1], An[3, i0:i1]
        for j in range(WT.shape[0]):
            m = j // h
            w = WT[j, i0:i1]
            # A network with step 0 has Gs 0 (_scaled_rows): decayed by 1,
            # its weights keep their bits.
            de = (
                np.float32(1.0 - lrs[m] * wds[m]) if step[m] != 0.0 else np.float32(1.0)
            )
            g0, g1, g2, g3 = Gs[0, j], Gs[1, j], Gs[2, j], Gs[3, j]
            s0 = s1 = s2 = s3 = np.float32(0.0)
            for i in range(w.shape[0]):
                wi = w[i] * de - (g0 * a0[i] + g1 * a1[i] + g2 * a2[i] + g3 * a3[i])
                w[i] = wi
                s0 += b0[i] * wi
                s1 += b1[i] * wi
                s2 += b2[i] * wi
                s3 += b3[i] * wi
            Hn[0, j] += s0
            Hn[1, j] += s1
            Hn[2, j] += s2
            Hn[3, j] += s3


@njit(cache=True, nogil=True, error_model="numpy")
def pack_units(params, w_off, b_off, WT, b1):
    """``pack_first_layer``'s wide matrix transposed: ``WT`` (n_models * h,
    d), one row of inputs per hidden unit."""
    wide, d = WT.shape
    h = wide // params.shape[0]
    for m in range(params.shape[0]):
        W = params[m, w_off[0] : w_off[0] + d * h].reshape(d, h)
        for j in range(h):
            row = WT[m * h + j]
            for i in range(d):
                row[i] = W[i, j]
        b1[m * h : (m + 1) * h] = params[m, b_off[0] : b_off[0] + h]


@njit(cache=True, nogil=True, error_model="numpy")
def unpack_units(WT, b1, w_off, b_off, params):
    """Back from ``pack_units``'s rows into ``params``."""
    wide, d = WT.shape
    h = wide // params.shape[0]
    for m in range(params.shape[0]):
        W = params[m, w_off[0] : w_off[0] + d * h].reshape(d, h)
        for i in range(d):
            for j in range(h):
                W[i, j] = WT[m * h + j, i]
        params[m, b_off[0] : b_off[0] + h] = b1[m * h : (m + 1) * h]


@njit(cache=True, nogil=True, error_model="numpy")
def run_epoch_few_rows(data, net, group, batch_size):
    """``run_epoch_shared`` for batches of at most ``_FEW_ROWS`` rows, one
    chunk each (see ``_FEW_ROWS``): the same arithmetic, with the first
    layers held transposed (``pack_units``), stepped row by row
    (``_step_units``), and clipped by the norm of a gradient never written
    out (``_gram_scales``). Each step reads the next batch's rows before it
    steps, so that their products with the first layers come out of the
    step's pass over them."""
    X, Y, mean, inv_scale, sq_inv, y_shift, y_inv, order, noise = data
    sizes, w_off, b_off, activation, loss, clip = net
    params, lrs, wds, active, losses = group
    n_models = params.shape[0]
    d, h, k = sizes[0], sizes[1], sizes[2]
    wide = n_models * h
    WT = np.empty((wide, d), np.float32)
    b1 = np.empty(wide, np.float32)
    pack_units(params, w_off, b_off, WT, b1)
    gb1 = np.empty(wide, np.float32)
    gW2 = np.empty((n_models, h, k), np.float32)
    gb2 = np.empty((n_models, k), np.float32)
    step_loss = np.zeros(n_models)
    # This batch's inputs and products, and the next batch's.
    A0 = np.empty((batch_size, d), np.float32)
    A1 = np.empty((batch_size, d), np.float32)
    H0 = np.empty((batch_size, wide), np.float32)
    H1 = np.empty((batch_size, wide), np.float32)
    G1 = np.empty((batch_size, wide), np.float32)
    Gs = np.empty((batch_size, wide), np.float32)
    outb = np.empty((batch_size, k), np.float32)
    G2 = np.empty((batch_size, k), np.float32)
    K = np.empty(batch_size * batch_size, np.float32)
    step = np.zeros(n_models, np.float64)
    totals = np.zeros(n_models)
    was_active = active.copy()
    n_steps = 0
    n = order.shape[0]
    c = min(batch_size, n)
    _gather(X, order[:c], mean, inv_scale, sq_inv, A0[:c])
    # The first batch's products: a step of no rows.
    _step_units(WT, A1[:0], Gs[:0], lrs, wds, step, h, A0[:c], H0[:c])
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        c = stop - start
        rows = order[start:stop]
        eps = noise[start:stop] if noise.shape[0] > 0 else noise
        A, H, G = A0[:c], H0[:c], G1[:c]
        o, g2 = outb[:c], G2[:c]
        _bias_act(H, b1, activation)
        for m in range(n_models):
            lo = m * h
            W2 = params[m, w_off[1] : w_off[1] + h * k].reshape(h, k)
            b2 = params[m, b_off[1] : b_off[1] + k]
            _dense_small(H, lo, W2, b2, o)
            step_loss[m] = _output_grad(o, Y, y_shift, y_inv, rows, eps, c, loss, g2)
            if not active[m]:
                g2[:] = 0.0
            _small_backward(H, lo, g2, W2, gW2[m], gb2[m], G, True)
        _act_grad(G, H, activation)
        _column_sums(G, gb1, True)
        for m in range(n_models):
            if active[m] and not np.isfinite(step_loss[m]):
                active[m] = False
                losses[m] = step_loss[m]
        _gram_scales(A, G, K, gb1, gW2, gb2, h, lrs, clip, active, step)
        _scaled_rows(G, step, h, Gs[:c])
        cn = min(batch_size, n - stop)
        _gather(X, order[stop : stop + cn], mean, inv_scale, sq_inv, A1[:cn])
        if c == 4 and cn == 4:
            _step_units_4(WT, A, Gs, lrs, wds, step, h, A1, H1)
        else:
            _step_units(WT, A, Gs[:c], lrs, wds, step, h, A1[:cn], H1[:cn])
        _later_layers_update(
            b1, params, gb1, gW2, gb2, w_off[1], b_off[1], lrs, wds, step, h
        )
        for m in range(n_models):
            if active[m]:
                totals[m] += step_loss[m] / c
            elif was_active[m] and np.isnan(losses[m]):
                losses[m] = np.inf  # diverged in its gradient, not its loss
        n_steps += 1
        A0, A1 = A1, A0
        H0, H1 = H1, H0
    unpack_units(WT, b1, w_off, b_off, params)
    for m in range(n_models):
        if active[m]:
            losses[m] = totals[m] / max(n_steps, 1)


@njit(cache=True, nogil=True, error_model="numpy")
def run_epoch_shared(data, net, group, direct, batch_size, chunk, stripe, share):
    """One epoch for networks with one hidden layer that share their data.

    The networks of the group (``params``, n_models x n_params) see the same
    rows in the same order (``order``, with label noise ``noise``) under the
    same standardization, and differ in initialization, learning rate and
    weight decay: a seed and its step sizes in a search. Their first layers
    are then one wide matrix, ``(n_features, n_models * hidden)``, so that the
    two big products of a step (inputs times first layer, and its gradient)
    are one BLAS call each for all the networks, and the elementwise work runs
    over contiguous rows for all of them at once. The small second layers run
    as loops per network. Batches are processed in chunks of ``chunk`` rows;
    results are as in ``run_epoch``.

    A batch's gradient is the sum, in order, of the gradients of its stripes
    of ``stripe`` rows (a multiple of ``chunk``), each summed over its chunks.
    The engine's multi-threaded step has threads compute stripes with this
    function (see ``share``) and adds their gradients in the same order, so
    results do not depend on the number of threads.

    Batches of at most ``_FEW_ROWS`` rows, one chunk each, outside a
    multi-threaded step and ``direct``, train in ``run_epoch_few_rows``.

    ``direct`` (a float32 copy-free view of ``X``, or an empty array) is for
    full batches over all of ``X`` in its own order: chunks are then read in
    place instead of gathered, and the standardization is folded into the
    first layer, ``((x - mean) * s) @ W = x @ (s * W) - (mean * s) @ W``, with
    the gradient unfolded the same way. The caller uses it only where
    ``|mean * s|`` is small, so that the fold loses no float32 precision.

    ``share`` is None for an epoch. A thread's share of a multi-threaded step
    is ``(stack, batch_rows)``: ``data`` (and ``direct``) then hold the rows
    of consecutive stripes of a batch of ``batch_rows`` rows, ``batch_size``
    is ``stripe``, and the gradient of the ``q``-th stripe (its loss averaged
    over ``batch_rows``) goes to slot ``q`` of ``stack`` (from
    ``stripe_stack``) instead of into a step: the networks are only read.
    """
    if share is None and direct.shape[0] == 0 and batch_size <= min(chunk, _FEW_ROWS):
        run_epoch_few_rows(data, net, group, batch_size)
        return
    X, Y, mean, inv_scale, sq_inv, y_shift, y_inv, order, noise = data
    sizes, w_off, b_off, activation, loss, clip = net
    params, lrs, wds, active, losses = group
    n_models = params.shape[0]
    d, h, k = sizes[0], sizes[1], sizes[2]
    wide = n_models * h
    W1 = np.empty((d, wide), np.float32)
    b1 = np.empty(wide, np.float32)
    pack_first_layer(params, w_off, b_off, W1, b1)
    # The batch gradient, the sum of its earlier stripes, and chunk scratch,
    # allocated here rather than by a helper returning them: the compiler
    # then sees they do not overlap (from a helper's tuple, a step at batch
    # size 1-8 was 5% slower).
    gW1 = np.empty((d, wide), np.float32)
    gb1 = np.empty(wide, np.float32)
    gW2 = np.empty((n_models, h, k), np.float32)
    gb2 = np.empty((n_models, k), np.float32)
    step_loss = np.zeros(n_models)
    sW1 = np.empty((d, wide), np.float32)
    sb1 = np.empty(wide, np.float32)
    sW2 = np.empty((n_models, h, k), np.float32)
    sb2 = np.empty((n_models, k), np.float32)
    s_loss = np.zeros(n_models)
    A0 = np.empty((chunk, d), np.float32)
    Hb = np.empty((chunk, wide), np.float32)
    G1 = np.empty((chunk, wide), np.float32)
    outb = np.empty((chunk, k), np.float32)
    G2 = np.empty((chunk, k), np.float32)
    tmp = np.empty((d, wide), np.float32)
    step = np.zeros(n_models, np.float64)
    use_direct = direct.shape[0] > 0
    W1s = np.empty((d, wide), np.float32)
    b1s = np.empty(wide, np.float32)
    totals = np.zeros(n_models)
    was_active = active.copy()
    n_steps = 0
    n = order.shape[0]
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        Wf, bf = W1, b1
        if use_direct:
            _fold_standardization(W1, b1, mean, inv_scale, W1s, b1s)
            Wf, bf = W1s, b1s
        batch_rows = stop - start if share is None else share[1]
        # The chunk loop's one home: the threaded step runs it through this
        # function too (``share``). It is not a function called per step, nor
        # one inlined with inline="always": either binds its ~25 arrays to
        # fresh names each step, and Numba cannot prune their reference
        # counts across np.dot (inlined: 31 more atomic pairs a step, 13% of
        # a step's CPU time at batch size 1-8).
        # The stripes' sums are made at their boundaries: at the start of a
        # later stripe, the sum so far is set aside and the stripe is summed
        # in the gradient's place; the two are added when the stripe ends
        # (the same bits as sum + stripe: IEEE addition commutes).
        for c0 in range(start, stop, chunk):
            c1 = min(c0 + chunk, stop)
            c = c1 - c0
            first = (c0 - start) % stripe == 0
            if first and c0 != start:
                if c0 - start > stripe:
                    _add_into(gW1, gb1, gW2, gb2, step_loss, sW1, sb1, sW2, sb2, s_loss)
                sW1[...] = gW1
                sb1[...] = gb1
                sW2[...] = gW2
                sb2[...] = gb2
                s_loss[...] = step_loss
            if first:
                step_loss[:] = 0.0
            rows = order[c0:c1]
            eps = noise[c0:c1] if noise.shape[0] > 0 else noise
            H, G = Hb[:c], G1[:c]
            o, g2 = outb[:c], G2[:c]
            if use_direct:
                A = direct[c0:c1]
            else:
                A = A0[:c]
                _gather(X, rows, mean, inv_scale, sq_inv, A)
            np.dot(A, Wf, H)
            _bias_act(H, bf, activation)
            for m in range(n_models):
                lo = m * h
                W2 = params[m, w_off[1] : w_off[1] + h * k].reshape(h, k)
                b2 = params[m, b_off[1] : b_off[1] + k]
                _dense_small(H, lo, W2, b2, o)
                step_loss[m] += _output_grad(
                    o, Y, y_shift, y_inv, rows, eps, batch_rows, loss, g2
                )
                if not active[m]:
                    g2[:] = 0.0
                _small_backward(H, lo, g2, W2, gW2[m], gb2[m], G, first)
            _act_grad(G, H, activation)
            if first:
                np.dot(A.T, G, gW1)
            else:
                np.dot(A.T, G, tmp)
                gW1 += tmp
            _column_sums(G, gb1, first)
        if stop - start > stripe:
            _add_into(gW1, gb1, gW2, gb2, step_loss, sW1, sb1, sW2, sb2, s_loss)
        if share is not None:
            copy_gradient(_stacked(share[0], n_steps), (gW1, gb1, gW2, gb2, step_loss))
            n_steps += 1
            continue
        # finish_step, written out for the same reason (inlined: 19 more
        # pairs a step, 6-7% at batch size 1-8).
        if use_direct:
            _unfold_gradient(gW1, gb1, mean, inv_scale)
        for m in range(n_models):
            if active[m] and not np.isfinite(step_loss[m]):
                active[m] = False
                losses[m] = step_loss[m]
        _group_scales(gW1, gb1, gW2, gb2, h, lrs, clip, active, step)
        _group_update(
            W1, b1, params, gW1, gb1, gW2, gb2, w_off[1], b_off[1], lrs, wds, step, h
        )
        for m in range(n_models):
            if active[m]:
                totals[m] += step_loss[m] / batch_rows
            elif was_active[m] and np.isnan(losses[m]):
                losses[m] = np.inf  # diverged in its gradient, not its loss
        n_steps += 1
    if share is None:
        unpack_first_layer(W1, b1, w_off, b_off, params)
        for m in range(n_models):
            if active[m]:
                losses[m] = totals[m] / max(n_steps, 1)


@njit(cache=True, nogil=True, error_model="numpy")
def finish_step(
    data, net, group, use_direct, W1, b1, grad, step, totals, was_active, batch_rows
):
    """The step of a shared group from its batch gradient ``grad`` on several
    threads (``run_epoch_shared`` writes the same code out): unfold,
    divergence checks, clipping, the SGD step on ``W1, b1`` (the first layers,
    packed) and the second layers in ``params``, and the running loss
    ``totals``. ``step`` (n_models,) is scratch; ``was_active`` is ``active``
    at the epoch's start."""
    mean, inv_scale = data[2], data[3]
    w_off, b_off, clip = net[1], net[2], net[5]
    params, lrs, wds, active, losses = group
    gW1, gb1, gW2, gb2, step_loss = grad
    n_models = params.shape[0]
    h = gW2.shape[1]
    if use_direct:
        _unfold_gradient(gW1, gb1, mean, inv_scale)
    for m in range(n_models):
        if active[m] and not np.isfinite(step_loss[m]):
            active[m] = False
            losses[m] = step_loss[m]
    _group_scales(gW1, gb1, gW2, gb2, h, lrs, clip, active, step)
    _group_update(
        W1, b1, params, gW1, gb1, gW2, gb2, w_off[1], b_off[1], lrs, wds, step, h
    )
    for m in range(n_models):
        if active[m]:
            totals[m] += step_loss[m] / batch_rows
        elif was_active[m] and np.isnan(losses[m]):
            losses[m] = np.inf  # diverged in its gradient, not its loss


@njit(cache=True, nogil=True, error_model="numpy")
def gradient_buffers(n_models, d, h, k):
    """A gradient of a shared group: ``(gW1, gb1, gW2, gb2, loss)``."""
    return (
        np.empty((d, n_models * h), np.float32),
        np.empty(n_models * h, np.float32),
        np.empty((n_models, h, k), np.float32),
        np.empty((n_models, k), np.float32),
        np.zeros(n_models),
    )


@njit(cache=True, nogil=True, error_model="numpy")
def stripe_stack(n_stripes, n_models, d, h, k):
    """Gradients of ``n_stripes`` stripes, each as from ``gradient_buffers``,
    stacked along a first axis: ``(gW1, gb1, gW2, gb2, loss)``."""
    return (
        np.empty((n_stripes, d, n_models * h), np.float32),
        np.empty((n_stripes, n_models * h), np.float32),
        np.empty((n_stripes, n_models, h, k), np.float32),
        np.empty((n_stripes, n_models, k), np.float32),
        np.zeros((n_stripes, n_models)),
    )


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _stacked(stack, q):
    """Slot ``q`` of a ``stripe_stack``, as a gradient."""
    return (stack[0][q], stack[1][q], stack[2][q], stack[3][q], stack[4][q])


@njit(cache=True, nogil=True, error_model="numpy")
def add_stripes(grad, stack, count, first):
    """Add the first ``count`` stripes of ``stack`` into ``grad`` in order,
    the first one copied instead when ``first``: the same additions, in the
    same order, as ``run_epoch_shared`` makes."""
    for q in range(count):
        if first and q == 0:
            copy_gradient(grad, _stacked(stack, 0))
        else:
            add_gradient(grad, _stacked(stack, q))


@njit(cache=True, nogil=True, error_model="numpy")
def _add_into(gW1, gb1, gW2, gb2, loss, oW1, ob1, oW2, ob2, o_loss):
    """The gradient ``g += o``, term by term."""
    gW1 += oW1
    gb1 += ob1
    gW2 += oW2
    gb2 += ob2
    loss += o_loss


@njit(cache=True, nogil=True, error_model="numpy")
def add_gradient(grad, other):
    """``grad += other``, term by term."""
    _add_into(*grad, *other)


@njit(cache=True, nogil=True, error_model="numpy")
def copy_gradient(grad, other):
    """``grad[...] = other``, term by term."""
    gW1, gb1, gW2, gb2, loss = grad
    gW1[...] = other[0]
    gb1[...] = other[1]
    gW2[...] = other[2]
    gb2[...] = other[3]
    loss[...] = other[4]


@njit(cache=True, nogil=True, error_model="numpy")
def pack_first_layer(params, w_off, b_off, W1, b1):
    """The group's first layers side by side: ``W1`` (d, n_models * h)."""
    d, wide = W1.shape
    h = wide // params.shape[0]
    for m in range(params.shape[0]):
        W1[:, m * h : (m + 1) * h] = params[m, w_off[0] : w_off[0] + d * h].reshape(
            d, h
        )
        b1[m * h : (m + 1) * h] = params[m, b_off[0] : b_off[0] + h]


@njit(cache=True, nogil=True, error_model="numpy")
def unpack_first_layer(W1, b1, w_off, b_off, params):
    """Back from ``pack_first_layer``'s wide matrix into ``params``."""
    d, wide = W1.shape
    h = wide // params.shape[0]
    for m in range(params.shape[0]):
        params[m, w_off[0] : w_off[0] + d * h].reshape(d, h)[:] = W1[
            :, m * h : (m + 1) * h
        ]
        params[m, b_off[0] : b_off[0] + h] = b1[m * h : (m + 1) * h]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _fold_standardization(W1, b1, mean, inv_scale, W1s, b1s):
    """W1s = s * W1 (row-wise) and b1s = b1 - (mean * s) @ W1."""
    b1s[:] = b1
    for i in range(W1.shape[0]):
        s, shift = np.float32(inv_scale[i]), np.float32(mean[i] * inv_scale[i])
        row, out = W1[i], W1s[i]
        for j in range(W1.shape[1]):
            out[j] = row[j] * s
            b1s[j] -= shift * row[j]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_REDUCE)
def _unfold_gradient(gW1, gb1, mean, inv_scale):
    """Raw-input gradient X^T G to the standardized one: s * (X^T G - mean gb)."""
    for i in range(gW1.shape[0]):
        s, m = np.float32(inv_scale[i]), np.float32(mean[i])
        row = gW1[i]
        for j in range(gW1.shape[1]):
            row[j] = s * (row[j] - m * gb1[j])


# Rows per partial sum in ``column_moments``: short sums of like-sized terms,
# added up in float64, keep the rounding error of a mean over 10**6 rows near
# that of a pairwise sum.
_MOMENT_BLOCK = 256


@njit(cache=True, nogil=True, error_model="numpy")
def column_moments(X, unit, mean, sq):
    """Per column of ``X``, in float64: ``unit``, its largest magnitude (1
    for an all-zero column); ``mean``, the mean of ``x / unit``; and ``sq``,
    the sum of squared deviations of ``x / unit`` from it (two passes, no
    cancellation). Dividing by ``unit`` first keeps values near the limits of
    float64 (1e300, 1e-300) from overflowing or underflowing. Reads ``X``
    three times, row by row, with no copy."""
    n, d = X.shape
    unit[:] = 0.0
    for i in range(n):
        row = X[i]
        for j in range(d):
            a = abs(np.float64(row[j]))
            if a > unit[j]:
                unit[j] = a
    for j in range(d):
        if unit[j] == 0.0:
            unit[j] = 1.0
    part = np.empty(d)
    mean[:] = 0.0
    for b0 in range(0, n, _MOMENT_BLOCK):
        part[:] = 0.0
        for i in range(b0, min(b0 + _MOMENT_BLOCK, n)):
            row = X[i]
            for j in range(d):
                part[j] += np.float64(row[j]) / unit[j]
        for j in range(d):
            mean[j] += part[j]
    for j in range(d):
        mean[j] /= n
    sq[:] = 0.0
    for b0 in range(0, n, _MOMENT_BLOCK):
        part[:] = 0.0
        for i in range(b0, min(b0 + _MOMENT_BLOCK, n)):
            row = X[i]
            for j in range(d):
                v = np.float64(row[j]) / unit[j] - mean[j]
                part[j] += v * v
        for j in range(d):
            sq[j] += part[j]
