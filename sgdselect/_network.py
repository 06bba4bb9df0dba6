"""The multilayer perceptron as a flat parameter vector.

All parameters of one network live in one contiguous float32 row, so that a
group of networks is a 2-D array ``(n_models, n_params)`` that the training
engine can update in place. The first layer's weights come first, which makes
the per-feature column norms a cheap view.

With ``input_squares``, the network reads each standardized feature ``z``
twice: as ``z`` and as its centred square scaled to unit variance,
``(z**2 - 1) / std(z**2)`` (``std(z**2)`` from the training data; a column
whose square does not vary gets 0). The first layer then has
``2 * n_features`` input rows, feature ``j``'s at ``j`` and
``n_features + j``, and a feature's importance is the norm of both rows
together.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np

ACTIVATIONS = {"linear": 0, "relu": 1, "tanh": 2}
LOSSES = {"squared_error": 0, "log_loss": 1}

# Gain of the Kaiming-normal init for each activation (He et al., 2015).
_GAINS = {"linear": 1.0, "relu": np.sqrt(2.0), "tanh": 5.0 / 3.0}


@dataclass(frozen=True)
class Layout:
    """Where each layer's weights and biases sit in the flat parameter row.

    ``sizes`` is ``(n_inputs, *hidden_layer_sizes, n_outputs)``. Layer ``l``
    maps ``sizes[l]`` inputs to ``sizes[l + 1]`` outputs with a weight matrix of
    shape ``(sizes[l], sizes[l + 1])`` stored row-major at ``weight_offsets[l]``
    and a bias at ``bias_offsets[l]``. ``n_inputs`` is ``n_features``, or
    ``2 * n_features`` with ``input_squares`` (see the module docstring).
    """

    sizes: tuple
    input_squares: bool = False

    @classmethod
    def for_features(cls, n_features, hidden, n_outputs, input_squares=False):
        """The layout of a network reading ``n_features`` features."""
        n_inputs = 2 * n_features if input_squares else n_features
        return cls((n_inputs, *hidden, n_outputs), bool(input_squares))

    @property
    def n_features(self):
        return self.sizes[0] // 2 if self.input_squares else self.sizes[0]

    def input_rows(self, features):
        """First-layer rows of ``features`` (an index array or a boolean mask
        over the features): the linear rows, then the squares' rows."""
        index = np.arange(self.n_features)[features]
        if not self.input_squares:
            return index
        return np.concatenate([index, index + self.n_features])

    @property
    def n_layers(self):
        return len(self.sizes) - 1

    @property
    def weight_offsets(self):
        return self._offsets()[0]

    @property
    def bias_offsets(self):
        return self._offsets()[1]

    @property
    def n_params(self):
        return int(self._offsets()[2])

    def _offsets(self):
        # Weights of every layer first (the first layer at offset 0), then biases.
        w_off, pos = [], 0
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            w_off.append(pos)
            pos += fan_in * fan_out
        b_off = []
        for fan_out in self.sizes[1:]:
            b_off.append(pos)
            pos += fan_out
        return np.array(w_off, np.int64), np.array(b_off, np.int64), pos

    def weight(self, params, layer):
        """View of layer ``layer``'s weights, shape ``(..., fan_in, fan_out)``."""
        start = self.weight_offsets[layer]
        fan_in, fan_out = self.sizes[layer], self.sizes[layer + 1]
        block = params[..., start : start + fan_in * fan_out]
        return block.reshape(*params.shape[:-1], fan_in, fan_out)

    def bias(self, params, layer):
        start = self.bias_offsets[layer]
        return params[..., start : start + self.sizes[layer + 1]]


def init_params(layout, rngs, *, activation, init_scale):
    """Kaiming-normal weights times ``init_scale``, zero biases, one row per rng.

    Each network draws from its own ``numpy.random.Generator`` so that a network
    trained inside a group starts exactly where it would start alone.
    """
    params = np.zeros((len(rngs), layout.n_params), dtype=np.float32)
    gain = _GAINS[activation] * init_scale
    for row, rng in zip(params, rngs, strict=True):
        for layer in range(layout.n_layers):
            fan_in = layout.sizes[layer]
            w = layout.weight(row, layer)
            w[...] = rng.standard_normal(w.shape) * (gain / np.sqrt(fan_in))
    return params


def column_norms(layout, params):
    """Euclidean norm of each input feature's first-layer weights (with
    ``input_squares``, of its two rows together).

    Returns an array of shape ``(n_models, n_features)`` in float64.
    """
    w = layout.weight(np.atleast_2d(params), 0).astype(np.float64)
    sq = np.einsum("mij,mij->mi", w, w)
    if layout.input_squares:
        d = layout.n_features
        sq = sq[:, :d] + sq[:, d:]
    return np.sqrt(sq)


def network_inputs(X, mean, inv_scale, square_inv=None):
    """The network's inputs for raw ``X`` (float64): the standardized
    features ``Z = (X - mean) * inv_scale``, and unless ``square_inv`` is None
    their squares ``(Z**2 - 1) * square_inv`` after them."""
    Z = (np.asarray(X, dtype=np.float64) - mean) * inv_scale
    if square_inv is None:
        return Z
    return np.hstack([Z, (Z * Z - 1.0) * square_inv])


def forward(coefs, intercepts, A, activation):
    """Network output for standardized inputs ``A``, in NumPy (float64)."""
    A = np.asarray(A, dtype=np.float64)
    for i, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        A = A @ W + b
        if i < len(coefs) - 1:
            if activation == "relu":
                A = np.maximum(A, 0)
            elif activation == "tanh":
                A = np.tanh(A)
    return A


def hidden_sizes(value):
    """``hidden_layer_sizes`` as a tuple of positive ints, or a ValueError."""
    sizes = (value,) if isinstance(value, Integral) else tuple(value)
    if not sizes or any(
        not isinstance(s, Integral) or isinstance(s, bool) or s < 1 for s in sizes
    ):
        raise ValueError(
            "hidden_layer_sizes must be a positive int or a non-empty sequence of "
            f"positive ints, got {value!r}."
        )
    return tuple(int(s) for s in sizes)


def initial_params(layout, rng, inputs, *, activation, init_scale):
    """One network's initial parameters (1, n_params) for the input map
    ``inputs`` (an :class:`~sgdselect._preprocessing.InputMap`).

    An input that never varies (a constant column, or a square that does not
    vary) reads as 0 and carries no information: its weights start and stay
    at zero, so it adds nothing to an importance.
    """
    params = init_params(layout, [rng], activation=activation, init_scale=init_scale)
    first = layout.weight(params, 0)
    first[:, layout.input_rows(inputs.scale == 0), :] = 0.0
    if inputs.square_scale is not None:
        first[:, layout.n_features + np.flatnonzero(inputs.square_scale == 0), :] = 0.0
    return params


def unpack(layout, flat):
    """``(coefs, intercepts)``: copies of one network's weight matrices and
    bias vectors from its flat row."""
    coefs = [layout.weight(flat, i).copy() for i in range(layout.n_layers)]
    intercepts = [layout.bias(flat, i).copy() for i in range(layout.n_layers)]
    return coefs, intercepts


def pack(layout, coefs, intercepts):
    """The flat parameters (1, n_params) of one network's layers."""
    flat = np.zeros((1, layout.n_params), dtype=np.float32)
    for i, (w, b) in enumerate(zip(coefs, intercepts, strict=True)):
        layout.weight(flat, i)[0] = w
        layout.bias(flat, i)[0] = b
    return flat


def reexpress_inputs(layout, params, old, new):
    """Re-express the first layer of ``params`` (1, n_params; in place) from
    input map ``old`` to ``new``, so that the network computes the same
    function of raw ``X``.

    ``z_old = (x - m_old) / s_old = a * z_new + c``, with ``a = s_new / s_old``
    and ``c = (m_new - m_old) / s_old``.
    """
    inv_old = old.inv_scale
    a, c = new.scale * inv_old, (new.mean - old.mean) * inv_old
    W0, b0 = layout.weight(params, 0)[0], layout.bias(params, 0)[0]
    d = layout.n_features
    b0 += c @ W0[:d]
    W0[:d] *= a[:, None]
    if layout.input_squares:
        # The squares keep the scale of the first chunk, k = 1 / std(z**2):
        # k (z_old**2 - 1) = a**2 k (z_new**2 - 1) + 2 a c k z_new
        #                    + k (a**2 - 1 + c**2).
        k = old.square_inv
        Ws = W0[d:]
        b0 += (k * (a**2 - 1 + c**2)) @ Ws
        W0[:d] += (2 * k * a * c)[:, None] * Ws
        Ws *= (a**2)[:, None]


def reexpress_outputs(layout, params, old_mean, old_scale, new_mean, new_scale):
    """Re-express the output layer of ``params`` (in place) from targets
    standardized by ``(old_mean, old_scale)`` to ``(new_mean, new_scale)``:
    ``out_new = (out_old * s_old + m_old - m_new) / s_new``."""
    last = layout.n_layers - 1
    W, b = layout.weight(params, last)[0], layout.bias(params, last)[0]
    b[:] = (b * old_scale + old_mean - new_mean) / new_scale
    W *= old_scale / new_scale
