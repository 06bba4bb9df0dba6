"""The training engine: groups of MLPs trained by SGD on CPU or GPU.

A *group* is a set of networks that share the architecture, the data and the
batch size, and may differ in initialization, learning rate, weight decay,
batch order and training rows (cross-validation folds). The group is trained
as one computation: on CPU one compiled call per epoch runs every step of
every network (``_cpu_kernel``); on GPU the networks are stacked along a batch
dimension and a CUDA graph replays many steps per launch.

This module speaks arrays and tensors. It knows nothing about scikit-learn:
validation, targets, thresholds and fitted attributes belong to the estimator.
"""

import contextlib
import functools

import numpy as np

from sgdselect import _cpu_kernel
from sgdselect._network import ACTIVATIONS, LOSSES, Layout, column_norms

# Rows per forward/backward chunk at most: bounds the activation buffers, so
# that a full-batch step over 10**6 rows needs kilobytes, not gigabytes, of
# scratch.
_CHUNK = 1024
# OpenBLAS (the BLAS in NumPy's and SciPy's wheels) multiplies matrices with
# M * N * K <= 10**6 by its small-matrix kernels, which skip packing. For the
# skinny products of a chunk (rows x inputs x width) they were 1.25-1.35x
# faster than the packed path on this project's machine (one thread, full-batch
# GD over 10**5 rows, ms per step at 1024 rows -> at the largest chunk under
# the limit: d=50, h=64: 24.4 -> 18.2 at 256 rows; d=100: 40.6 -> 32.9 at 128;
# d=200: 76.8 -> 57.0 at 64), so a chunk is sized to stay under it. Where that
# would take fewer than _MIN_SMALL_CHUNK rows (wide inputs), the packed path
# is used with _WIDE_CHUNK rows (d=1000: 256 rows as fast as 1024; 64 rows
# 10% slower, 16 rows 50% slower).
_SMALL_GEMM = 10**6
_MIN_SMALL_CHUNK = 64
_WIDE_CHUNK = 256
# A batch's gradient is summed over stripes of this many chunks (the unit of
# work of a thread in a multi-threaded step), in the same order whatever the
# number of threads.
_STRIPE_CHUNKS = 16
# Stripes per task of a thread in a multi-threaded step: fewer, longer tasks
# spend less in dispatch (about 0.1 ms a task).
_TASK_STRIPES = 4
# Largest |mean / std| of a column for which a full-batch step reads X in place
# with the standardization folded into the weights: beyond it, float32
# cancellation between x @ (s * W) and (mean * s) @ W would cost digits.
_FOLD_LIMIT = 4.0


def chunk_rows(per_row, batch_size):
    """Rows per forward/backward chunk for a batch of ``batch_size`` rows when
    the largest product of a chunk costs ``per_row`` multiply-adds per row
    (inputs x outputs of the widest layer): the largest power of two that
    keeps it on OpenBLAS's small-matrix path, see ``_SMALL_GEMM``."""
    fits = _SMALL_GEMM // max(int(per_row), 1)
    if fits >= _MIN_SMALL_CHUNK:
        chunk = 1 << (int(fits).bit_length() - 1)
    else:
        chunk = _WIDE_CHUNK
    return int(max(1, min(chunk, _CHUNK, batch_size)))


def resolve_device(device):
    """Map the estimator's ``device`` string to ``"cpu"`` or a torch device.

    Raises a ``ValueError`` naming the remedy when the device is not there.
    """
    if device == "cpu":
        return "cpu"
    import torch

    if device == "auto":
        return torch.device("cuda") if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError) as exc:
        raise ValueError(
            f"device={device!r} is not a device torch knows; use 'cpu', 'cuda', "
            "'cuda:N' or 'auto'."
        ) from exc
    if dev.type == "cpu":
        return "cpu"
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available "
                "(torch.cuda.is_available() is False); use device='cpu' or "
                "device='auto'."
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but only "
                f"{torch.cuda.device_count()} CUDA device(s) are present."
            )
    return dev


def make_engine(
    X, Y, layout, *, activation, loss, batch_size, clip, device="cpu", n_threads=1
):
    """Return the engine for ``device`` (``"cpu"`` or a resolved torch device).

    ``n_threads`` CPU threads share out the networks of a group (CPU only).
    """
    kwargs = dict(activation=activation, loss=loss, batch_size=batch_size, clip=clip)
    if device == "cpu":
        return CPUEngine(X, Y, layout, n_threads=n_threads, **kwargs)
    with _out_of_memory_explained(device, X, "copying X to it"):
        return TorchEngine(X, Y, layout, device=device, **kwargs)


@contextlib.contextmanager
def _out_of_memory_explained(device, X, doing):
    """Turn torch's out-of-memory error into a MemoryError that says what to
    reduce."""
    import torch

    try:
        yield
    except torch.cuda.OutOfMemoryError as exc:
        raise MemoryError(
            f"{device} ran out of memory while {doing} (X: {X.shape[0]} x "
            f"{X.shape[1]}, {X.shape[0] * X.shape[1] * 4 / 2**30:.2f} GiB as "
            "float32 on the device). Reduce the rows held at once (stream "
            "them with partial_fit), hidden_layer_sizes, or the number of "
            "networks trained together (the SGDSupportSelectorCV grid or cv), "
            "or use device='cpu'."
        ) from exc


@functools.cache
def _blas_controller():
    # Built once: scanning the loaded libraries costs milliseconds. The
    # kernel's BLAS (SciPy's OpenBLAS, through Numba) is loaded by then.
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


class _BaseEngine:
    def __init__(self, X, Y, layout, *, activation, loss, batch_size, clip):
        self.layout = layout
        self.activation = activation
        self.loss = loss
        self.batch_size = int(batch_size)
        self.clip = float(clip) if clip is not None else 0.0
        self.n_outputs = Y.shape[1]

    def set_group(
        self,
        params,
        *,
        learning_rates,
        weight_decays,
        rows,
        rngs,
        x_mean,
        x_inv_scale,
        y_mean,
        y_inv_scale,
        x_square_inv=None,
        label_noise=0.0,
        shared=None,
    ):
        """Start a group of networks.

        ``params`` is (n_models, n_params). Per network: its learning rate,
        weight decay, training rows (indices into ``X``), shuffling rng, and the
        standardization it trains under: inputs ``(X - x_mean) * x_inv_scale``
        and targets ``(Y - y_mean) * y_inv_scale``, each (n_models, width), so
        that every network sees exactly what it would see trained alone on its
        rows. With ``layout.input_squares``, the network also reads the
        squares of the standardized inputs ``z``, as ``(z**2 - 1) *
        x_square_inv`` (n_models, n_features; required then).

        ``label_noise`` is the standard deviation of Gaussian noise added afresh
        to every standardized regression target at every visit: it keeps the
        gradient noise that drives support learning alive after the loss has
        been fitted (ignored for classification).

        ``shared`` lists ``(start, stop)`` ranges of networks that share their
        training rows, standardization and rng stream (so their batch order and
        label noise): a seed with several step sizes. Only the first network's
        rows, statistics and rng of a range are used. The CPU engine trains
        such a range with one wide product per layer. By default every network
        is its own range.
        """
        # Noise on one-hot targets is not label noise: regression only.
        self.label_noise = float(label_noise) if self.loss == "squared_error" else 0.0
        self.active = np.ones(len(rows), dtype=bool)
        self.rows = [np.asarray(r, dtype=np.int64) for r in rows]
        self.rngs = list(rngs)
        if shared is None:
            shared = [(m, m + 1) for m in range(len(self.rows))]
        self.blocks = [slice(int(a), int(b)) for a, b in shared]
        self._block_of = np.repeat(
            np.arange(len(self.blocks)), [b.stop - b.start for b in self.blocks]
        )
        if self._block_of.size != len(self.rows) or any(
            b.start != a.stop
            for a, b in zip(self.blocks[:-1], self.blocks[1:], strict=True)
        ):
            raise ValueError("shared ranges must tile the networks in order")
        self._lrs = np.asarray(learning_rates, dtype=np.float32)
        self._wds = np.asarray(weight_decays, dtype=np.float32)
        if self.layout.input_squares and x_square_inv is None:
            raise ValueError("a network reading squares needs x_square_inv")
        if not self.layout.input_squares:
            x_square_inv = np.zeros((len(self.rows), 0))
        self._standardization = tuple(
            np.atleast_2d(np.asarray(a, dtype=np.float64))
            for a in (x_mean, x_inv_scale, y_mean, y_inv_scale)
        )
        self._square_inv = np.asarray(x_square_inv, dtype=np.float32).reshape(
            len(self.rows), -1
        )
        self._set_params(np.array(params, dtype=np.float32, order="C"))

    def _epoch_order(self):
        """Each block's visiting order for one epoch, and its label noise.

        Both are drawn from the block's rng on the host, so that every engine,
        and a network trained alone or in a group, sees the same ones.
        """
        firsts = [b.start for b in self.blocks]
        n_max = max(len(self.rows[m]) for m in firsts)
        k = self.n_outputs
        order = np.zeros((len(firsts), n_max), dtype=np.int64)
        noise = np.zeros((len(firsts), n_max if self.label_noise else 0, k), np.float32)
        for i, m in enumerate(firsts):
            r, rng = self.rows[m], self.rngs[m]
            # A full batch is one sum: its order only costs cache misses.
            full = self.batch_size >= len(r)
            order[i, : len(r)] = r if full else r[rng.permutation(len(r))]
            if self.label_noise:
                noise[i, : len(r)] = rng.standard_normal((len(r), k)) * self.label_noise
        return order, noise

    def first_layer_norms(self):
        return column_norms(self.layout, self.get_params())

    def session(self):
        """Context to train in (a run of epochs)."""
        return contextlib.nullcontext()

    # epoch() returns each network's mean batch loss for the epoch. A network
    # whose loss or gradient stops being finite is frozen at its last finite
    # parameters, reported with a non-finite loss, and inactive (NaN loss)
    # from then on; ``active`` tells which networks still train.


class CPUEngine(_BaseEngine):
    """Numba engine: every step of an epoch, for every network, in one call."""

    def __init__(self, X, Y, layout, *, n_threads=1, **kwargs):
        from sgdselect._arrays import kernel_array

        super().__init__(X, Y, layout, **kwargs)
        self.n_threads = max(1, int(n_threads))
        # One layout and writeability for every input (float32 stays float32,
        # read in place): each other form would compile the kernels again.
        self.X = kernel_array(X)
        self.Y = kernel_array(Y, np.float64)
        self.sizes = np.asarray(layout.sizes, dtype=np.int64)
        self._act = ACTIVATIONS[self.activation]
        self._loss = LOSSES[self.loss]

    _pool = None

    @contextlib.contextmanager
    def session(self):
        """One BLAS thread while training: the products of a step are tiny, and
        a threaded BLAS spends more in waking and waiting than in arithmetic
        (catastrophically so when cores are busy). Parallelism comes from
        ``n_threads``, over networks or over the stripes of a large batch, on
        a pool of threads kept for the session."""
        with contextlib.ExitStack() as stack:
            stack.enter_context(_blas_controller().limit(limits=1, user_api="blas"))
            if self.n_threads > 1:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = stack.enter_context(ThreadPoolExecutor(self.n_threads))
                stack.callback(setattr, self, "_pool", None)
            yield self

    def _set_params(self, params):
        self.params = params
        x_mean, x_inv, y_mean, y_inv = self._standardization
        # Input statistics in X's dtype: the gather then runs in one precision.
        self._x_stats = (x_mean.astype(self.X.dtype), x_inv.astype(self.X.dtype))
        self._y_stats = (y_mean, y_inv)
        self._direct = [self._direct_view(b.start) for b in self.blocks]

    def get_params(self):
        return self.params.copy()

    def epoch(self):
        order, noise = self._epoch_order()
        losses = np.full(len(self.rows), np.nan)
        if self.layout.n_layers == 2:
            tasks = [(self._run_shared, i) for i in range(len(self.blocks))]
        else:
            # Deeper networks: one network at a time, each with its block's order.
            order, noise = order[self._block_of], noise[self._block_of]
            tasks = [(self._run, slice(m, m + 1)) for m in range(len(self.rows))]
        n_threads = min(self.n_threads, len(tasks))
        if self.n_threads > 1 and len(tasks) == 1 and self._stripes_per_batch() > 1:
            # One network (or one shared block) whose batches span several
            # stripes of rows: the threads share out each step's stripes.
            n_threads = min(self.n_threads, self._stripes_per_batch())
            self._run_shared_threaded(0, order, noise, losses, n_threads)
            return losses
        if n_threads == 1:
            for run, part in tasks:
                run(part, order, noise, losses)
            return losses
        # The kernels release the GIL, and networks (blocks) are independent:
        # each thread trains its own share of the group, in place.
        from concurrent.futures import ThreadPoolExecutor

        with contextlib.ExitStack() as stack:
            pool = self._pool or stack.enter_context(ThreadPoolExecutor(n_threads))
            jobs = [pool.submit(run, part, order, noise, losses) for run, part in tasks]
            for job in jobs:
                job.result()
        return losses

    def _stripes_per_batch(self):
        if self.layout.n_layers != 2:
            return 1
        n = len(self.rows[self.blocks[0].start])
        stripe = self._shared_shapes(0)[1]
        return -(-min(self.batch_size, n) // stripe)

    def _stats(self, m):
        (x_mean, x_inv), (y_mean, y_inv) = self._x_stats, self._y_stats
        return x_mean[m], x_inv[m], self._square_inv[m], y_mean[m], y_inv[m]

    def _direct_view(self, m):
        """X itself for a full batch over all of X in order (see the kernel's
        ``direct``), else an empty array."""
        rows, n = self.rows[m], self.X.shape[0]
        x_mean, x_inv = self._x_stats
        ok = (
            not self.layout.input_squares
            and self.batch_size >= n
            and len(rows) == n
            and self.X.dtype == np.float32
            and self.X.flags.c_contiguous
            and np.array_equal(rows, np.arange(n))
            and np.max(np.abs(x_mean[m] * x_inv[m]), initial=0.0) <= _FOLD_LIMIT
        )
        return self.X if ok else np.empty((0, self.X.shape[1]), np.float32)

    def _shared_shapes(self, i):
        """Rows per chunk and per stripe of block ``i`` (see the kernel's
        ``run_epoch_shared``)."""
        block = self.blocks[i]
        # The networks of a block share one first-layer product, side by side.
        per_row = self.sizes[0] * self.sizes[1] * (block.stop - block.start)
        chunk = chunk_rows(per_row, self.batch_size)
        return chunk, _STRIPE_CHUNKS * chunk

    def _net(self):
        """The kernel's ``net``: architecture and training rule."""
        lay = self.layout
        return (
            self.sizes,
            lay.weight_offsets,
            lay.bias_offsets,
            self._act,
            self._loss,
            self.clip,
        )

    def _shared_args(self, i, order, noise, losses):
        """The kernel's ``data``, ``net`` and ``group`` for block ``i``."""
        block = self.blocks[i]
        n = len(self.rows[block.start])
        data = (
            self.X,
            self.Y,
            *self._stats(block.start),
            order[i, :n],
            noise[i, :n] if noise.shape[1] else noise[i],
        )
        group = (
            self.params[block],
            self._lrs[block],
            self._wds[block],
            self.active[block],
            losses[block],
        )
        return data, self._net(), group

    def _run_shared(self, i, order, noise, losses):
        chunk, stripe = self._shared_shapes(i)
        _cpu_kernel.run_epoch_shared(
            *self._shared_args(i, order, noise, losses),
            self._direct[i],
            self.batch_size,
            chunk,
            stripe,
            None,
        )

    def _run_shared_threaded(self, i, order, noise, losses, n_threads):
        """``_run_shared`` with each step's stripes on ``n_threads`` threads,
        each computing its stripes with the one-thread kernel; their gradients
        are added in the one-thread order, so the result is the one-thread
        result, bit for bit."""
        from concurrent.futures import ThreadPoolExecutor

        k = _cpu_kernel
        chunk, stripe = self._shared_shapes(i)
        data, net, group = self._shared_args(i, order, noise, losses)
        order_i, noise_i = data[7], data[8]
        params, active, out_losses = group[0], group[3], group[4]
        w_off, b_off = net[1], net[2]
        n_models, (d, h, n_out) = params.shape[0], self.sizes
        wide = n_models * h
        W1, b1 = np.empty((d, wide), np.float32), np.empty(wide, np.float32)
        k.pack_first_layer(params, w_off, b_off, W1, b1)
        direct = self._direct[i]
        use_direct = direct.shape[0] > 0
        # A task is a thread's run of up to _TASK_STRIPES consecutive stripes
        # (one compiled call); 2 tasks per thread are in flight, each with its
        # own stack of stripe gradients, which are added in order.
        n_slots = 2 * n_threads
        stacks = [
            k.stripe_stack(_TASK_STRIPES, n_models, d, h, n_out) for _ in range(n_slots)
        ]
        grad = k.gradient_buffers(n_models, d, h, n_out)
        step = np.zeros(n_models)
        totals = np.zeros(n_models)
        was_active = active.copy()
        n, n_steps = len(order_i), 0
        task_rows = _TASK_STRIPES * stripe
        with contextlib.ExitStack() as stack:
            pool = self._pool or stack.enter_context(ThreadPoolExecutor(n_threads))
            for start in range(0, n, self.batch_size):
                stop = min(start + self.batch_size, n)
                tasks = [
                    (a, min(a + task_rows, stop)) for a in range(start, stop, task_rows)
                ]

                def submit(j, batch_rows=stop - start, tasks=tasks):
                    # The task's rows (an empty noise or direct stays empty),
                    # in batches of one stripe whose gradients go to a stack.
                    a, b = tasks[j]
                    return pool.submit(
                        k.run_epoch_shared,
                        (*data[:7], order_i[a:b], noise_i[a:b]),
                        net,
                        group,
                        direct[a:b],
                        stripe,
                        chunk,
                        stripe,
                        (stacks[j % n_slots], batch_rows),
                    )

                jobs = {j: submit(j) for j in range(min(n_slots, len(tasks)))}
                for j in range(len(tasks)):
                    jobs.pop(j).result()
                    n_done = -(-(tasks[j][1] - tasks[j][0]) // stripe)
                    k.add_stripes(grad, stacks[j % n_slots], n_done, j == 0)
                    if j + n_slots < len(tasks):
                        jobs[j + n_slots] = submit(j + n_slots)
                k.finish_step(
                    data,
                    net,
                    group,
                    use_direct,
                    W1,
                    b1,
                    grad,
                    step,
                    totals,
                    was_active,
                    stop - start,
                )
                # The next step's tasks read the first layers from params.
                k.unpack_first_layer(W1, b1, w_off, b_off, params)
                n_steps += 1
        for m in range(n_models):
            if active[m]:
                out_losses[m] = totals[m] / max(n_steps, 1)

    def _run(self, part, order, noise, losses):
        (x_mean, x_inv), (y_mean, y_inv) = self._x_stats, self._y_stats
        n_rows = np.array([len(r) for r in self.rows], dtype=np.int64)
        data = (
            self.X,
            self.Y,
            x_mean[part],
            x_inv[part],
            self._square_inv[part],
            y_mean[part],
            y_inv[part],
            order[part],
            noise[part],
        )
        group = (
            self.params[part],
            self._lrs[part],
            self._wds[part],
            self.active[part],
            losses[part],
        )
        _cpu_kernel.run_epoch(
            data,
            n_rows[part],
            self._net(),
            group,
            self.batch_size,
            chunk_rows(np.max(self.sizes[:-1] * self.sizes[1:]), self.batch_size),
        )


class TorchEngine(_BaseEngine):
    """The same arithmetic on torch tensors, networks stacked along dim 0.

    On CUDA the full-batch steps of an epoch are captured once in a CUDA graph
    and replayed, so a step costs no kernel launches from Python. Networks of
    one group must share their number of training rows here.
    """

    _GRAPH_STEPS = 64

    def __init__(self, X, Y, layout, *, device, **kwargs):
        import torch

        super().__init__(X, Y, layout, **kwargs)
        self.torch = torch
        self.device = torch.device(device)
        self.X = torch.as_tensor(X, device=self.device).float()
        self.Y = torch.as_tensor(np.asarray(Y, np.float32), device=self.device)
        self._graph = None

    def _set_params(self, params):
        torch, dev = self.torch, self.device
        if len({len(r) for r in self.rows}) != 1:
            raise ValueError("TorchEngine needs the same number of rows per network")
        self.params = torch.as_tensor(params, device=dev).clone()
        self.grads = torch.zeros_like(self.params)
        self.lrs = torch.as_tensor(self._lrs, device=dev)[:, None]
        self.wds = torch.as_tensor(self._wds, device=dev)[:, None]
        self.loss_sum = torch.zeros(len(self.rows), device=dev)
        self._active_t = torch.ones((len(self.rows), 1), dtype=torch.bool, device=dev)
        # (n_models, 1, width): broadcast over the rows of a batch.
        self._stats = [
            torch.as_tensor(a, dtype=torch.float32, device=dev)[:, None, :]
            for a in (*self._standardization, self._square_inv)
        ]
        self._graph = None

    def get_params(self):
        return self.params.detach().cpu().numpy().copy()

    def _step(self, rows, noise):
        """One SGD step for every network; ``rows`` is (n_models, batch)."""
        torch, lay = self.torch, self.layout
        x_mean, x_inv, y_mean, y_inv, sq_inv = self._stats
        n_layers = lay.n_layers
        A = (self.X[rows] - x_mean) * x_inv
        if lay.input_squares:
            A = torch.cat([A, (A * A - 1.0) * sq_inv], dim=2)
        acts = [A]
        for layer in range(n_layers):
            W = lay.weight(self.params, layer)
            b = lay.bias(self.params, layer)
            A = torch.baddbmm(b[:, None, :], A, W)
            if layer < n_layers - 1:
                A = _torch_act(torch, A, self.activation)
            acts.append(A)
        out, Y = acts[-1], (self.Y[rows] - y_mean) * y_inv
        if noise is not None:
            Y = Y + noise
        n_batch, k = rows.shape[1], out.shape[2]
        if self.loss == "squared_error":
            diff = out - Y
            self.loss_sum += (diff * diff).sum((1, 2)) / (n_batch * k)
            G = diff * (2.0 / (n_batch * k))
        else:
            logp = torch.log_softmax(out, dim=2)
            self.loss_sum -= (Y * logp).sum((1, 2)) / n_batch
            G = (logp.exp() - Y) / n_batch
        for layer in range(n_layers - 1, -1, -1):
            A = acts[layer]
            lay.weight(self.grads, layer).copy_(torch.bmm(A.transpose(1, 2), G))
            lay.bias(self.grads, layer).copy_(G.sum(1))
            if layer > 0:
                G = torch.bmm(G, lay.weight(self.params, layer).transpose(1, 2))
                G = _torch_act_grad(torch, G, A, self.activation)
        norm = self.grads.square().sum(1, keepdim=True).sqrt()
        scale = torch.clamp(self.clip / (norm + 1e-6), max=1.0) if self.clip else 1.0
        n_weights = int(lay.bias_offsets[0])
        # Frozen (diverged) networks take no step; where() keeps NaN out.
        lrs = torch.where(self._active_t, self.lrs, 0.0)
        self.params[:, :n_weights].mul_(1.0 - lrs * self.wds)
        self.params.sub_(torch.where(self._active_t, lrs * scale * self.grads, 0.0))

    def epoch(self):
        with _out_of_memory_explained(self.device, self.X, "training"):
            return self._epoch()

    def _epoch(self):
        torch = self.torch
        order, noise = self._epoch_order()
        order, noise = order[self._block_of], noise[self._block_of]
        order = torch.as_tensor(order, device=self.device)
        noise = torch.as_tensor(noise, device=self.device) if noise.size else None
        n, b = order.shape[1], self.batch_size
        snapshot = self.params.clone()
        self.loss_sum.zero_()
        n_full = n // b
        start = 0
        if self.device.type == "cuda" and n_full >= self._GRAPH_STEPS:
            start = self._replay_graph(order, noise, n_full)
        for s in range(start, n, b):
            part = slice(s, s + b)
            self._step(order[:, part], None if noise is None else noise[:, part])
        losses = (self.loss_sum / -(-n // b)).double().cpu().numpy()
        finite = torch.isfinite(self.params).all(1).cpu().numpy() & np.isfinite(losses)
        bad = self.active & ~finite
        if bad.any():
            # Back to the start of the epoch: the last parameters known finite.
            rows = torch.as_tensor(np.flatnonzero(bad), device=self.device)
            self.params[rows] = snapshot[rows]
            losses[bad] = np.where(np.isfinite(losses[bad]), np.inf, losses[bad])
            self.active &= ~bad
            active = torch.as_tensor(self.active, device=self.device)
            self._active_t.copy_(active[:, None])
        losses[~self.active & ~bad] = np.nan
        return losses

    def _replay_graph(self, order, noise, n_full):
        torch, b, k = self.torch, self.batch_size, self._GRAPH_STEPS
        if self._graph is None:
            shape = (order.shape[0], k * b)
            self._static_rows = torch.zeros(shape, dtype=torch.long, device=self.device)
            self._static_noise = (
                None
                if noise is None
                else torch.zeros((*shape, noise.shape[2]), device=self.device)
            )
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            saved = self.params.clone(), self.loss_sum.clone()
            with torch.cuda.stream(stream):
                for _ in range(2):  # warm-up outside the graph, as CUDA requires
                    self._graph_body(k)
            torch.cuda.current_stream().wait_stream(stream)
            self.params.copy_(saved[0])
            self.loss_sum.copy_(saved[1])
            self._graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(self._graph):
                self._graph_body(k)
        n_replays = n_full // k
        for r in range(n_replays):
            part = slice(r * k * b, (r + 1) * k * b)
            self._static_rows.copy_(order[:, part])
            if noise is not None:
                self._static_noise.copy_(noise[:, part])
            self._graph.replay()
        return n_replays * k * b

    def _graph_body(self, k):
        b, noise = self.batch_size, self._static_noise
        for i in range(k):
            part = slice(i * b, (i + 1) * b)
            self._step(
                self._static_rows[:, part], None if noise is None else noise[:, part]
            )


def _torch_act(torch, Z, activation):
    if activation == "relu":
        return torch.relu(Z)
    if activation == "tanh":
        return torch.tanh(Z)
    return Z


def _torch_act_grad(torch, G, A, activation):
    if activation == "relu":
        return G * (A > 0)
    if activation == "tanh":
        return G * (1 - A * A)
    return G


__all__ = ["Layout", "make_engine", "resolve_device"]
