"""The engine against autograd, and its two implementations against each other."""

import numpy as np
import pytest
import torch

from sgdselect._engine import CPUEngine, TorchEngine
from sgdselect._network import Layout, init_params, network_inputs


def _problem(loss, k, n=96, d=5, seed=0, constant=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * 3 + 1
    if loss == "squared_error":
        Y = rng.normal(size=(n, k)).astype(np.float32)
    else:
        Y = np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]
    inv = 1 / X.std(0)
    if constant is not None:
        # A constant column: standardized to 0 (inverse scale 0), as the
        # selector does, and a zero square input (inverse square scale 0).
        X[:, constant], inv[constant] = 7.0, 0.0
    return X, Y, X.mean(0), inv


def _square_inv(inv):
    """Inverse scales of the square inputs: any positive values, 0 where the
    column is constant."""
    return np.where(inv > 0, np.linspace(0.5, 0.9, inv.size), 0.0)


def _make(cls, X, Y, mean, inv, layout, **kw):
    """An engine whose set_group standardizes X with (mean, inv) for everyone."""
    extra = {"device": "cpu"} if cls is TorchEngine else {}
    engine = cls(X, Y, layout, **kw, **extra)
    set_group = engine.set_group

    def set_group_same_stats(params, lrs, wds, rows, rngs, label_noise=0.0, **kw):
        m, k = len(rows), Y.shape[1]
        if layout.input_squares:
            kw["x_square_inv"] = np.tile(_square_inv(inv), (m, 1))
        set_group(
            params,
            learning_rates=lrs,
            weight_decays=wds,
            rows=rows,
            rngs=rngs,
            x_mean=np.tile(mean, (m, 1)),
            x_inv_scale=np.tile(inv, (m, 1)),
            y_mean=np.zeros((m, k)),
            y_inv_scale=np.ones((m, k)),
            label_noise=label_noise,
            **kw,
        )

    engine.set_group = set_group_same_stats
    return engine


@pytest.mark.parametrize("loss, k", [("squared_error", 2), ("log_loss", 3)])
@pytest.mark.parametrize("activation", ["relu", "tanh", "linear"])
@pytest.mark.parametrize("squares", [False, True], ids=["x", "x-and-squares"])
def test_one_step_matches_autograd(loss, k, activation, squares):
    X, Y, mean, inv = _problem(loss, k, n=8, constant=2 if squares else None)
    layout = Layout.for_features(X.shape[1], (6, 4), k, input_squares=squares)
    p0 = init_params(
        layout, [np.random.default_rng(0)], activation=activation, init_scale=1.0
    )
    engine = _make(
        CPUEngine,
        X,
        Y,
        mean,
        inv,
        layout,
        activation=activation,
        loss=loss,
        batch_size=8,
        clip=0.0,
    )
    engine.set_group(p0, [0.1], [0.0], [np.arange(8)], [np.random.default_rng(0)])
    engine.epoch()

    P = torch.tensor(p0[0], dtype=torch.float64, requires_grad=True)
    A = torch.tensor(
        network_inputs(X, mean, inv, _square_inv(inv) if squares else None)
    )
    for layer in range(layout.n_layers):
        A = A @ layout.weight(P, layer) + layout.bias(P, layer)
        if layer < layout.n_layers - 1:
            A = {"relu": torch.relu, "tanh": torch.tanh, "linear": lambda z: z}[
                activation
            ](A)
    target = torch.tensor(Y, dtype=torch.float64)
    if loss == "squared_error":
        value = ((A - target) ** 2).mean()
    else:
        value = torch.nn.functional.cross_entropy(A, target.argmax(1))
    value.backward()
    expected = p0[0] - 0.1 * P.grad.numpy()
    np.testing.assert_allclose(engine.get_params()[0], expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "lrs, wds",
    [([0.3], [0.1]), ([0.3, 0.3], [0.1, 0.1]), ([0.3, 0.1], [0.1, 0.0])],
    ids=["one", "alike", "unlike"],
)
@pytest.mark.parametrize("batch_size", [1, 4, 8])
def test_small_batch_clipped_step_matches_autograd(lrs, wds, batch_size):
    """At a few rows a batch, a block's step clips by a gradient norm read
    from Gram matrices and never writes out the first-layer gradient
    (_cpu_kernel._FEW_ROWS): one step, clipped and decayed, is still
    autograd's, for one network, a block whose networks decay alike (one
    pass over the block) and one whose networks do not."""
    X, Y, mean, inv = _problem("squared_error", 2, constant=1)
    X, Y = X[:batch_size], Y[:batch_size]
    layout = Layout.for_features(X.shape[1], (6,), 2, input_squares=True)
    m = len(lrs)
    rngs = [np.random.default_rng(s) for s in range(m)]
    p0 = init_params(layout, rngs, activation="tanh", init_scale=1.0)
    clip = 0.05
    engine = _make(
        CPUEngine,
        X,
        Y,
        mean,
        inv,
        layout,
        activation="tanh",
        loss="squared_error",
        batch_size=batch_size,
        clip=clip,
    )
    engine.set_group(p0, lrs, wds, [np.arange(batch_size)] * m, rngs, shared=[(0, m)])
    engine.epoch()

    A0 = torch.tensor(network_inputs(X, mean, inv, _square_inv(inv)))
    decays = np.zeros(layout.n_params)
    for layer in range(layout.n_layers):
        layout.weight(decays, layer)[...] = 1.0
    for net in range(m):
        P = torch.tensor(p0[net], dtype=torch.float64, requires_grad=True)
        A = torch.tanh(A0 @ layout.weight(P, 0) + layout.bias(P, 0))
        A = A @ layout.weight(P, 1) + layout.bias(P, 1)
        ((A - torch.tensor(Y, dtype=torch.float64)) ** 2).mean().backward()
        grad = P.grad.numpy()
        norm = np.linalg.norm(grad)
        assert norm > 2 * clip  # the clip binds
        step = lrs[net] * clip / (norm + 1e-6)
        expected = p0[net] * (1 - lrs[net] * wds[net] * decays) - step * grad
        np.testing.assert_allclose(
            engine.get_params()[net], expected, rtol=1e-4, atol=1e-6
        )


@pytest.mark.parametrize("loss, k", [("squared_error", 2), ("log_loss", 3)])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("label_noise", [0.0, 0.5])
@pytest.mark.parametrize("hidden", [(8,), (8, 8)], ids=["shared-kernel", "deep-kernel"])
@pytest.mark.parametrize("squares", [False, True], ids=["x", "x-and-squares"])
def test_cpu_and_torch_engines_agree(loss, k, activation, label_noise, hidden, squares):
    X, Y, mean, inv = _problem(loss, k, constant=1 if squares else None)
    layout = Layout.for_features(X.shape[1], hidden, k, input_squares=squares)
    rngs = [np.random.default_rng(s) for s in range(3)]
    p0 = init_params(layout, rngs, activation=activation, init_scale=1.0)
    results = []
    for cls in (CPUEngine, TorchEngine):
        engine = _make(
            cls,
            X,
            Y,
            mean,
            inv,
            layout,
            activation=activation,
            loss=loss,
            batch_size=7,
            clip=1.0,
        )
        engine.set_group(
            p0,
            [0.1, 0.05, 0.3],
            [0.0, 0.01, 0.0],
            [np.arange(len(X))] * 3,
            [np.random.default_rng(s) for s in range(3)],
            label_noise=label_noise,
        )
        losses = [engine.epoch() for _ in range(4)]
        results.append((engine.get_params(), losses[-1]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4)


@pytest.mark.parametrize("batch_size", [3, 4])
@pytest.mark.parametrize("n_features", [5, 1100])
def test_few_rows_epochs_agree_with_torch(n_features, batch_size):
    """At a few rows a batch, a group's epochs (the last batch short) end
    where torch's do; at four rows a batch the step goes over blocks of
    _cpu_kernel._UNIT_BLOCK inputs (1100: two whole blocks and a part)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(42, n_features)) * 2 + 0.5
    Y = rng.normal(size=(42, 1)).astype(np.float32)
    mean, inv = X.mean(0), 1 / X.std(0)
    layout = Layout.for_features(n_features, (8,), 1)
    rngs = [np.random.default_rng(s) for s in range(3)]
    p0 = init_params(layout, rngs, activation="tanh", init_scale=1.0)
    results = []
    for cls in (CPUEngine, TorchEngine):
        engine = _make(
            cls,
            X,
            Y,
            mean,
            inv,
            layout,
            activation="tanh",
            loss="squared_error",
            batch_size=batch_size,
            clip=1.0,
        )
        engine.set_group(
            p0,
            [0.05, 0.02, 0.1],
            [0.0, 0.01, 0.0],
            [np.arange(len(X))] * 3,
            [np.random.default_rng(s) for s in range(3)],
        )
        losses = [engine.epoch() for _ in range(2)]
        results.append((engine.get_params(), losses[-1]))
    assert not np.allclose(results[0][0], p0, atol=1e-3)  # it trained
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4)


def test_group_member_equals_lone_network():
    """A network trained inside a group ends exactly where it ends alone."""
    X, Y, mean, inv = _problem("squared_error", 1)
    layout = Layout((X.shape[1], 8, 1))
    rows = [np.arange(96), np.arange(0, 96, 2), np.arange(50)]
    lrs, wds = [0.1, 0.2, 0.05], [0.0, 0.0, 0.1]
    p0 = init_params(
        layout,
        [np.random.default_rng(s) for s in range(3)],
        activation="relu",
        init_scale=1.0,
    )
    kw = dict(activation="relu", loss="squared_error", batch_size=5, clip=1.0)
    group = _make(CPUEngine, X, Y, mean, inv, layout, **kw)
    group.set_group(
        p0, lrs, wds, rows, [np.random.default_rng(10 + s) for s in range(3)]
    )
    for _ in range(3):
        group.epoch()
    for m in range(3):
        alone = _make(CPUEngine, X, Y, mean, inv, layout, **kw)
        alone.set_group(
            p0[m : m + 1],
            lrs[m : m + 1],
            wds[m : m + 1],
            rows[m : m + 1],
            [np.random.default_rng(10 + m)],
        )
        for _ in range(3):
            alone.epoch()
        np.testing.assert_array_equal(alone.get_params()[0], group.get_params()[m])


def test_full_batch_chunks_sum_to_one_gradient():
    """A batch larger than the chunk is one step with the gradient of all rows."""
    from sgdselect import _engine

    X, Y, mean, inv = _problem("squared_error", 1, n=300)
    layout = Layout((X.shape[1], 8, 1))
    p0 = init_params(
        layout, [np.random.default_rng(0)], activation="tanh", init_scale=1.0
    )
    out = []
    for chunk in (1024, 64):
        old, _engine._CHUNK = _engine._CHUNK, chunk
        try:
            e = _make(
                CPUEngine,
                X,
                Y,
                mean,
                inv,
                layout,
                activation="tanh",
                loss="squared_error",
                batch_size=300,
                clip=1.0,
            )
            e.set_group(p0, [0.1], [0.0], [np.arange(300)], [np.random.default_rng(0)])
            e.epoch()
            out.append(e.get_params())
        finally:
            _engine._CHUNK = old
    np.testing.assert_allclose(out[0], out[1], rtol=1e-5, atol=1e-6)


def _relu_networks(cls, n_models, clip):
    """A ReLU engine on a small regression, and the initial parameters of
    ``n_models`` networks for it."""
    X, Y, mean, inv = _problem("squared_error", 1)
    layout = Layout((X.shape[1], 8, 1))
    p0 = init_params(
        layout,
        [np.random.default_rng(s) for s in range(n_models)],
        activation="relu",
        init_scale=1.0,
    )
    engine = _make(
        cls,
        X,
        Y,
        mean,
        inv,
        layout,
        activation="relu",
        loss="squared_error",
        batch_size=4,
        clip=clip,
    )
    return engine, p0, [np.arange(len(X))] * n_models


@pytest.mark.parametrize("cls", [CPUEngine, TorchEngine])
@pytest.mark.parametrize("shared", [None, [(0, 3)]], ids=["alone", "one-block"])
def test_diverged_network_is_frozen_and_the_others_go_on(cls, shared):
    e, p0, rows = _relu_networks(cls, 3, clip=0.0)
    e.set_group(
        p0,
        [1e-3, 1e10, 1e-3],
        [0.0] * 3,
        rows,
        [np.random.default_rng(s) for s in range(3)],
        shared=shared,
    )
    seen = [e.epoch() for _ in range(4)]
    assert not np.isfinite(seen[0][1]) or not np.isfinite(seen[1][1])
    assert list(e.active) == [True, False, True]
    assert np.isnan(seen[-1][1]) and np.isfinite(seen[-1][[0, 2]]).all()
    assert np.all(np.isfinite(e.get_params()))


def test_a_network_whose_gradient_overflows_is_left_as_it_was_in_its_block():
    # Weights of 1e30 overflow the first step's output: the network is frozen
    # at its initial parameters, and its non-finite gradient must not reach
    # them through the block's step of the others.
    e, p0, rows = _relu_networks(CPUEngine, 2, clip=1.0)
    p0[1] *= np.float32(1e30)
    e.set_group(
        p0,
        [0.05, 0.05],
        [1e-3, 1e-3],
        rows,
        [np.random.default_rng(0)] * 2,
        shared=[(0, 2)],
    )
    losses = e.epoch()
    assert list(e.active) == [True, False] and not np.isfinite(losses[1])
    params = e.get_params()
    np.testing.assert_array_equal(params[1], p0[1])
    assert np.all(np.isfinite(params[0])) and not np.array_equal(params[0], p0[0])


@pytest.mark.parametrize(
    "cls, batch_size",
    [
        (CPUEngine, 1),
        (CPUEngine, 6),
        (CPUEngine, 96),
        (TorchEngine, 6),
        (TorchEngine, 96),
    ],
)
def test_shared_block_equals_networks_trained_apart(cls, batch_size):
    """Networks that share data and seed, trained as one wide block, end where
    each ends alone (up to float rounding of the wider products). Torch at
    batch size 1 is left out: its float32 norms and exact tanh drift from the
    CPU kernel's by more than this tolerance within 300 clipped steps."""
    X, Y, mean, inv = _problem("squared_error", 1)
    layout = Layout((X.shape[1], 16, 1))
    p0 = init_params(
        layout,
        [np.random.default_rng(s) for s in range(4)],
        activation="tanh",
        init_scale=1.0,
    )
    lrs, wds = [0.02, 0.05, 0.1, 0.2], [0.0, 0.0, 0.01, 0.0]
    kw = dict(activation="tanh", loss="squared_error", batch_size=batch_size, clip=1.0)
    rows = [np.arange(len(X))] * 4
    block = _make(cls, X, Y, mean, inv, layout, **kw)
    block.set_group(
        p0,
        lrs,
        wds,
        rows,
        [np.random.default_rng(7) for _ in range(4)],
        label_noise=0.3,
        shared=[(0, 4)],
    )
    apart = _make(CPUEngine, X, Y, mean, inv, layout, **kw)
    apart.set_group(
        p0,
        lrs,
        wds,
        rows,
        [np.random.default_rng(7) for _ in range(4)],
        label_noise=0.3,
    )
    for _ in range(3):
        np.testing.assert_allclose(block.epoch(), apart.epoch(), rtol=1e-4)
    np.testing.assert_allclose(
        block.get_params(), apart.get_params(), rtol=1e-4, atol=1e-5
    )


@pytest.mark.parametrize("offset", [0.0, 100.0])
def test_full_batch_read_in_place_equals_gathered(offset):
    """Full batches over float32 X fold the standardization into the weights
    instead of gathering rows (unless the columns' offsets are large); both
    paths give the same steps."""
    X, Y, _, _ = _problem("squared_error", 1, n=3000)
    X = X + offset
    mean, inv = X.mean(0), 1 / X.std(0)
    layout = Layout((X.shape[1], 16, 1))
    p0 = init_params(
        layout, [np.random.default_rng(0)], activation="tanh", init_scale=1.0
    )
    out = []
    for data in (X.astype(np.float32), X.astype(np.float64)):
        e = _make(
            CPUEngine,
            data,
            Y,
            mean,
            inv,
            layout,
            activation="tanh",
            loss="squared_error",
            batch_size=3000,
            clip=1.0,
        )
        e.set_group(p0, [0.1], [0.0], [np.arange(3000)], [np.random.default_rng(0)])
        assert (e._direct[0].shape[0] > 0) == (data.dtype == np.float32 and not offset)
        losses = [e.epoch() for _ in range(5)]
        out.append((e.get_params(), losses))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-5)


@pytest.mark.parametrize("squares", [False, True], ids=["x-direct", "x-and-squares"])
@pytest.mark.parametrize("batch_size", [600, 150], ids=["full", "b150"])
@pytest.mark.parametrize("n_models", [1, 3])
def test_threaded_steps_are_the_one_thread_steps_bit_for_bit(
    monkeypatch, squares, batch_size, n_models
):
    """With n_threads > 1, a step whose batch spans several stripes is shared
    out over threads, stripe by stripe, and the stripes' gradients are added in
    order: the same numbers as on one thread, whatever the thread count. Small
    chunks and stripes make 600 rows span many (and a ragged last one); the
    float32 C-ordered X with squares off takes the in-place (folded) path."""
    from sgdselect import _engine

    monkeypatch.setattr(_engine, "_CHUNK", 16)
    monkeypatch.setattr(_engine, "_STRIPE_CHUNKS", 2)
    X, Y, mean, inv = _problem("squared_error", 2, n=600, d=6)
    X = np.ascontiguousarray(X, dtype=np.float32)
    layout = Layout.for_features(X.shape[1], (8,), 2, input_squares=squares)
    p0 = init_params(
        layout,
        [np.random.default_rng(s) for s in range(n_models)],
        activation="tanh",
        init_scale=1.0,
    )
    results = []
    for n_threads in (1, 2, 3):
        e = _make(
            CPUEngine,
            X,
            Y,
            mean,
            inv,
            layout,
            activation="tanh",
            loss="squared_error",
            batch_size=batch_size,
            clip=1.0,
            n_threads=n_threads,
        )
        e.set_group(
            p0,
            np.linspace(0.05, 0.2, n_models),
            [1e-3] * n_models,
            [np.arange(600)] * n_models,
            [np.random.default_rng(7) for _ in range(n_models)],
            shared=[(0, n_models)],
        )
        if squares or batch_size < 600:
            assert e._direct[0].shape[0] == 0
        else:
            assert e._direct[0] is X  # the folded in-place path is the one tested
        assert e._stripes_per_batch() > 3
        losses = [e.epoch() for _ in range(3)]
        results.append((e.get_params(), np.array(losses)))
    (p1, l1) = results[0]
    assert np.all(np.isfinite(p1)) and not np.array_equal(p1, p0)
    for p, losses in results[1:]:
        np.testing.assert_array_equal(p, p1)
        np.testing.assert_array_equal(losses, l1)


def test_stripes_sum_to_the_one_stripe_gradient(monkeypatch):
    """Summing a batch's gradient by stripes changes only the order of float32
    additions: the step matches the one-stripe step to rounding."""
    from sgdselect import _engine

    X, Y, mean, inv = _problem("squared_error", 1, n=512, d=5)
    layout = Layout((X.shape[1], 8, 1))
    p0 = init_params(
        layout, [np.random.default_rng(0)], activation="tanh", init_scale=1.0
    )
    out = []
    for stripe_chunks in (1000, 2):
        monkeypatch.setattr(_engine, "_CHUNK", 32)
        monkeypatch.setattr(_engine, "_STRIPE_CHUNKS", stripe_chunks)
        e = _make(
            CPUEngine,
            X,
            Y,
            mean,
            inv,
            layout,
            activation="tanh",
            loss="squared_error",
            batch_size=512,
            clip=1.0,
        )
        e.set_group(p0, [0.1], [0.0], [np.arange(512)], [np.random.default_rng(0)])
        e.epoch()
        out.append(e.get_params())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-5, atol=1e-6)


def test_chunk_rows_stays_on_the_small_matrix_path():
    from sgdselect._engine import _CHUNK, _SMALL_GEMM, _WIDE_CHUNK, chunk_rows

    assert chunk_rows(50 * 64, 10**5) == 256  # 256 * 3200 <= 1e6 < 512 * 3200
    assert chunk_rows(100 * 64, 10**5) == 128
    assert chunk_rows(10, 10**5) == _CHUNK  # capped
    assert chunk_rows(1000 * 64, 10**5) == _WIDE_CHUNK  # out of reach: packed
    assert chunk_rows(50 * 64, 8) == 8  # never more than a batch
    for per_row in (1, 7, 3200, 6400, 15000, 10**5):
        c = chunk_rows(per_row, 10**6)
        assert c * per_row <= _SMALL_GEMM or c == _WIDE_CHUNK
