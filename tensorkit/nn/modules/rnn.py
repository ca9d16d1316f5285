"""Recurrent layers: ``RNN``, ``GRU``, ``LSTM``, and their one-step cells.

A recurrent layer reads a sequence x_1 ... x_T one step at a time, carrying a hidden
state h (a summary of what it has read so far) from each step to the next:
``h_t = cell(x_t, h_{t-1})``, starting from h_0 (zeros unless given).  The cells, with
torch's equations (``W_i.`` multiply the input x, ``W_h.`` the previous state h)::

    RNN    h' = tanh(W_ih x + b_ih + W_hh h + b_hh)         (or relu)

    GRU    r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)       reset gate
           z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)       update gate
           n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))     candidate state
           h' = (1 - z) * n + z * h                          keep the old state where z ~ 1

    LSTM   i  = sigmoid(W_ii x + b_ii + W_hi h + b_hi)       input gate
           f  = sigmoid(W_if x + b_if + W_hf h + b_hf)       forget gate
           g  = tanh(W_ig x + b_ig + W_hg h + b_hg)          candidate memory
           o  = sigmoid(W_io x + b_io + W_ho h + b_ho)       output gate
           c' = f * c + i * g                                the cell state (the memory)
           h' = o * tanh(c')                                 (times W_hr with proj_size)

The gates' weights are stacked in one matrix per side, in the order above: a GRU's
``weight_ih`` is (3 * hidden_size, input_size) with the rows of W_ir, W_iz, W_in.

How the layers run:

1. The input part ``gi = x W_ih^T + b_ih`` does not depend on h, so it is computed for
   every time step at once, in one matmul.
2. A Python loop over time then does only the rest of each step: the hidden part
   ``gh = h W_hh^T + b_hh`` (one matmul) and the gate arithmetic, which for a GRU or
   LSTM is one autograd node (``ThnnFusedGruCellBackward0``, named after torch's fused
   cell) instead of a dozen small ones.
3. A ``PackedSequence`` (sequences of different lengths, see ``nn.utils.rnn``) has
   the sequences still running at step t in the first ``batch_sizes[t]`` rows, so
   step t simply runs on that prefix of the batch.  Padded input is the special case
   where every step has the whole batch.
4. ``num_layers`` stacks layers (each reads the outputs of the one below, with
   ``dropout`` in between); ``bidirectional`` adds a pass that reads the sequence
   backwards, and the two passes' outputs are concatenated.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections import namedtuple

from ..._device import array_module
from ..._tensor import Tensor, _make
from ...autograd.function import Function
from ...autograd.grad_mode import STATE
from ...ops.creation import empty, zeros
from ...ops.shape import cat, stack
from .. import functional as F
from .. import init
from ..functional import _sigmoid_array
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]


# ---------------------------------------------------------------------------- one step
#
# A step takes ``gi`` (the input part, already computed), the state (a tuple: (h,), or
# (h, c) for an LSTM) and the weights, and returns the new state.

_Weights = namedtuple("_Weights", ["ih", "b_ih", "hh_t", "b_hh", "hr_t"])
_Weights.__doc__ = "One layer's weights for one direction (``hh_t`` is W_hh transposed)."


def _hidden_part(h: Tensor, w: _Weights) -> Tensor:
    """``gh = h W_hh^T + b_hh``: the part of every gate that comes from the state."""
    return h.mm(w.hh_t) if w.b_hh is None else w.b_hh.addmm(h, w.hh_t)


def _rnn_tanh_step(gi: Tensor, state: tuple, w: _Weights) -> tuple:
    (h,) = state
    return ((gi + _hidden_part(h, w)).tanh(),)


def _rnn_relu_step(gi: Tensor, state: tuple, w: _Weights) -> tuple:
    (h,) = state
    return ((gi + _hidden_part(h, w)).relu(),)


def _gru_step(gi: Tensor, state: tuple, w: _Weights) -> tuple:
    (h,) = state
    return (ThnnFusedGruCellBackward0.apply(gi, _hidden_part(h, w), h),)


def _lstm_step(gi: Tensor, state: tuple, w: _Weights) -> tuple:
    h, c = state
    h, c = ThnnFusedLstmCellBackward0.apply(gi, _hidden_part(h, w), c)
    if w.hr_t is not None:  # proj_size: the state h is projected to a smaller size
        h = h.mm(w.hr_t)
    return h, c


_STEPS = {"RNN_TANH": _rnn_tanh_step, "RNN_RELU": _rnn_relu_step, "GRU": _gru_step,
          "LSTM": _lstm_step}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


# ------------------------------------------------------------- the gates as one node
#
# The gate arithmetic below is written once and runs on arrays (forward, and the
# ordinary backward: fast) or on tensors (the backward of ``create_graph=True``, which
# must itself be differentiable): the caller passes the matching sigmoid, tanh and cat.

def _gru_gates(gi, gh, sigmoid, tanh) -> tuple:
    """r, z, n of a GRU step from ``gi = W_ih x + b_ih`` and ``gh = W_hh h + b_hh``."""
    n_h = gh.shape[-1] // 3
    r = sigmoid(gi[..., :n_h] + gh[..., :n_h])
    z = sigmoid(gi[..., n_h:2 * n_h] + gh[..., n_h:2 * n_h])
    n = tanh(gi[..., 2 * n_h:] + r * gh[..., 2 * n_h:])
    return r, z, n


def _gru_grads(grad, gh, h, r, z, n, cat_last) -> tuple:
    """The chain rule through ``h' = n + z * (h - n)``: gradients for gi, gh and h."""
    d_n = grad * (1 - z) * (1 - n * n)                         # n = tanh(a_n)
    d_z = grad * (h - n) * z * (1 - z)                         # z = sigmoid(a_z)
    d_r = d_n * gh[..., 2 * h.shape[-1]:] * r * (1 - r)        # a_n = i_n + r * h_n
    return cat_last([d_r, d_z, d_n]), cat_last([d_r, d_z, d_n * r]), grad * z


def _lstm_gates(gi, gh, sigmoid, tanh) -> tuple:
    """i, f, g, o of an LSTM step (their pre-activations are ``gi + gh``)."""
    gates = gi + gh
    n_h = gates.shape[-1] // 4
    return (sigmoid(gates[..., :n_h]), sigmoid(gates[..., n_h:2 * n_h]),
            tanh(gates[..., 2 * n_h:3 * n_h]), sigmoid(gates[..., 3 * n_h:]))


def _lstm_grads(grad_h, grad_c, c, i, f, g, o, tanh_c, cat_last) -> tuple:
    """The chain rule through ``c' = f * c + i * g`` and ``h' = o * tanh(c')``."""
    d_c = grad_c + grad_h * o * (1 - tanh_c * tanh_c)  # c' reaches the loss directly and via h'
    d_gates = cat_last([d_c * g * i * (1 - i), d_c * c * f * (1 - f),
                        d_c * i * (1 - g * g), grad_h * tanh_c * o * (1 - o)])
    return d_gates, d_gates, d_c * f


def _array_cat(xp):
    return lambda parts: xp.concatenate(parts, axis=-1)


def _tensor_cat(parts: list) -> Tensor:
    return cat(parts, -1)


class ThnnFusedGruCellBackward0(Function):
    """The gate arithmetic of a GRU step in one node: ``(gi, gh, h) -> h'``."""

    def forward(self, gi, gh, h):
        xp = array_module(gi)
        r, z, n = _gru_gates(gi, gh, _sigmoid_array, xp.tanh)
        self.save_for_backward(gi, gh, h, r, z, n)
        return n + z * (h - n)

    def backward(self, grad):
        gi, gh, h, r, z, n = self.saved_tensors
        if STATE.enabled:  # create_graph=True: gates recomputed as functions of the inputs
            r, z, n = _gru_gates(gi, gh, Tensor.sigmoid, Tensor.tanh)
            return _gru_grads(grad, gh, h, r, z, n, _tensor_cat)
        arrays = [t._data for t in (grad, gh, h, r, z, n)]
        grads = _gru_grads(*arrays, _array_cat(array_module(arrays[0])))
        return tuple(_make(g) for g in grads)


class ThnnFusedLstmCellBackward0(Function):
    """The gate arithmetic of an LSTM step in one node: ``(gi, gh, c) -> (h', c')``."""

    def forward(self, gi, gh, c):
        xp = array_module(gi)
        i, f, g, o = _lstm_gates(gi, gh, _sigmoid_array, xp.tanh)
        c_new = f * c + i * g
        tanh_c = xp.tanh(c_new)
        self.save_for_backward(gi, gh, c, i, f, g, o, tanh_c)
        return o * tanh_c, c_new

    def backward(self, grad_h, grad_c):
        gi, gh, c, i, f, g, o, tanh_c = self.saved_tensors
        if STATE.enabled:  # create_graph=True: gates recomputed as functions of the inputs
            i, f, g, o = _lstm_gates(gi, gh, Tensor.sigmoid, Tensor.tanh)
            tanh_c = (f * c + i * g).tanh()
            return _lstm_grads(grad_h, grad_c, c, i, f, g, o, tanh_c, _tensor_cat)
        arrays = [t._data for t in (grad_h, grad_c, c, i, f, g, o, tanh_c)]
        grads = _lstm_grads(*arrays, _array_cat(array_module(arrays[0])))
        return tuple(_make(g) for g in grads)


# ------------------------------------------------------------------ the loop over time

def _scan_forward(step, gi: tuple, batch_sizes: list, state: tuple, w: _Weights):
    """Steps 0, 1, ..., T-1.  Returns the outputs (one per step) and the final state.

    When the batch shrinks (sequences ended), the rows that leave keep their state as
    final; the finished parts are put back together in batch order at the end.
    """
    finished, outputs = [], []
    active = batch_sizes[0]
    for gi_t, size in zip(gi, batch_sizes):
        if size < active:
            finished.append(tuple(s[size:active] for s in state))
            state = tuple(s[:size] for s in state)
            active = size
        state = step(gi_t, state, w)
        outputs.append(state[0])
    if finished:
        parts = [state, *reversed(finished)]
        state = tuple(cat([p[j] for p in parts]) for j in range(len(state)))
    return outputs, state


def _scan_reverse(step, gi: tuple, batch_sizes: list, state: tuple, w: _Weights):
    """Steps T-1, ..., 0 (the backward direction).  Sequences join as the loop reaches
    their last step, starting from their initial state."""
    initial = state
    active = batch_sizes[-1]
    if active < batch_sizes[0]:
        state = tuple(s[:active] for s in state)
    outputs = []
    for t in range(len(batch_sizes) - 1, -1, -1):
        size = batch_sizes[t]
        if size > active:
            state = tuple(cat([s, s0[active:size]]) for s, s0 in zip(state, initial))
            active = size
        state = step(gi[t], state, w)
        outputs.append(state[0])
    outputs.reverse()
    return outputs, state


# ---------------------------------------------------------------------- the layers

class RNNBase(Module):
    """What ``RNN``, ``GRU`` and ``LSTM`` share: the parameters, the checks and the run
    over layers and directions.  ``mode`` is ``"RNN_TANH"``, ``"RNN_RELU"``, ``"GRU"``
    or ``"LSTM"``.

    The parameters of layer k are ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (and ``weight_hr_l{k}`` with ``proj_size``), with the suffix
    ``_reverse`` for the backward direction: the names and shapes of torch, so that state
    dicts load in both libraries.  All start uniform in [-1/sqrt(hidden_size),
    1/sqrt(hidden_size)], drawn in torch's order.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        _check_options(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                       proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(self._directions):
                names = self._add_layer_parameters(layer, direction, device, dtype)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def _state_size(self) -> int:
        """The size of h: ``proj_size`` if set, else ``hidden_size``."""
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    def _add_layer_parameters(self, layer: int, direction: int, device, dtype) -> list[str]:
        """Create one layer's parameters for one direction; returns their names."""
        gates = _GATES[self.mode] * self.hidden_size
        layer_input = self.input_size if layer == 0 else self._state_size * self._directions
        shapes = {"weight_ih": (gates, layer_input), "weight_hh": (gates, self._state_size)}
        if self.bias:
            shapes.update(bias_ih=(gates,), bias_hh=(gates,))
        if self.proj_size > 0:
            shapes["weight_hr"] = (self.proj_size, self.hidden_size)
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        for name, shape in shapes.items():
            setattr(self, name + suffix, Parameter(empty(shape, device=device, dtype=dtype)))
        return [name + suffix for name in shapes]

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """For torch's cuDNN, which wants all weights in one block; nothing to do here."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters, one list per layer and direction."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _weights(self, layer: int, direction: int) -> _Weights:
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        w_hr = getattr(self, "weight_hr" + suffix, None)
        return _Weights(getattr(self, "weight_ih" + suffix),
                        getattr(self, "bias_ih" + suffix, None),
                        getattr(self, "weight_hh" + suffix).t(),
                        getattr(self, "bias_hh" + suffix, None),
                        None if w_hr is None else w_hr.t())

    # ------------------------------------------------------------ the state (h or (h, c))
    # RNN and GRU carry h; LSTM overrides these to carry (h, c).  Inside, a state is
    # always a tuple.

    def _state_tuple(self, hx) -> tuple:
        return (hx,)

    def _state_result(self, state: tuple):
        return state[0]

    def _zero_state(self, batch: int, like: Tensor) -> tuple:
        shape = (self.num_layers * self._directions, batch, self.hidden_size)
        return (zeros(shape, dtype=like.dtype, device=like.device),)

    def _check_state_dims(self, state: tuple, batched: bool) -> None:
        (hx,) = state
        want = 3 if batched else 2
        if hx.dim() != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                               f"{hx.dim()}-D tensor")

    def _check_state_sizes(self, state: tuple, batch: int) -> None:
        expected = (self.num_layers * self._directions, batch, self.hidden_size)
        _check_size(state[0], expected, "Expected hidden size {}, got {}")

    def _check_input(self, input: Tensor, packed: bool) -> None:
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                f"Convert input: input.to({weight_dtype}), or convert model: "
                f"model.to({input.dtype})")
        want = 2 if packed else 3
        if input.dim() != want:
            raise RuntimeError(f"input must have {want} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError("input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    # ------------------------------------------------------------------------ forward
    def forward(self, input, hx=None):
        """``(output, h_n)`` (LSTM: ``(output, (h_n, c_n))``).

        input: (T, B, input_size), or (B, T, input_size) with ``batch_first``, or
        (T, input_size) for one sequence, or a ``PackedSequence``.  output has the last
        layer's h at every step, both directions side by side: (T, B, directions * H),
        laid out like the input (a ``PackedSequence`` for one).  h_n: the final h of
        every layer and direction, (num_layers * directions, B, H).
        """
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        return self._forward_padded(input, hx)

    def _forward_padded(self, input: Tensor, hx):
        if input.dim() not in (2, 3):
            raise ValueError(f"{self._get_name()}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D{self._dims_error_tail} instead")
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        state = None if hx is None else self._state_tuple(hx)
        if state is not None:
            self._check_state_dims(state, batched)
        if not batched:
            input = input.unsqueeze(batch_dim)
            state = None if state is None else tuple(s.unsqueeze(1) for s in state)
        x = input.transpose(0, 1) if self.batch_first else input  # (T, B, features)
        steps, batch = x.shape[0], x.shape[1]
        if state is None:
            state = self._zero_state(batch, x)
        self._check_input(x, packed=False)
        self._check_state_sizes(state, batch)
        out, final = self._run(x.reshape(steps * batch, x.shape[2]), [batch] * steps, state)
        out = out.view(steps, batch, out.shape[-1])
        if self.batch_first:
            out = out.transpose(0, 1)
        if not batched:
            out = out.squeeze(batch_dim)
            final = tuple(s.squeeze(1) for s in final)
        return out, self._state_result(final)

    _dims_error_tail = ""  # RNN's message says "3D tensor instead"

    def _forward_packed(self, input: PackedSequence, hx):
        data, batch_sizes, sorted_indices, unsorted_indices = input
        sizes = batch_sizes.tolist()
        if hx is None:
            state = self._zero_state(sizes[0], data)
        else:  # the caller's order -> sorted by length, as the packed data is
            state = self._state_tuple(hx)
            if sorted_indices is not None:
                state = tuple(s[:, sorted_indices] for s in state)
        self._check_input(data, packed=True)
        self._check_state_sizes(state, sizes[0])
        out, final = self._run(data, sizes, state)
        if unsorted_indices is not None:
            final = tuple(s[:, unsorted_indices] for s in final)
        packed = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
        return packed, self._state_result(final)

    def _run(self, x: Tensor, batch_sizes: list, state: tuple):
        """Every layer and direction over ``x`` in packed layout (time step after time step:
        (sum of batch_sizes, features)).  Returns the last layer's output in the same layout
        and the final states, each stacked to (layers * directions, batch, size)."""
        step = _STEPS[self.mode]
        initial = [s.unbind(0) for s in state]  # per part of the state: one per layer/direction
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self._directions):
                w = self._weights(layer, direction)
                gi = F.linear(x, w.ih, w.b_ih).split(batch_sizes)  # the input part, all steps
                scan = _scan_reverse if direction == 1 else _scan_forward
                start = tuple(s[layer * self._directions + direction] for s in initial)
                out, final = scan(step, gi, batch_sizes, start, w)
                outputs.append(cat(out))
                finals.append(final)
            x = outputs[0] if len(outputs) == 1 else cat(outputs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, tuple(stack([f[j] for f in finals]) for j in range(len(state)))

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


def _check_options(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                   proj_size) -> None:
    """torch's checks of the constructor arguments, with its messages."""
    if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
            or not 0 <= dropout <= 1):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int),
                              ("hidden_size", hidden_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                            f"{type(value).__name__}")
        if kind is int and value <= 0:
            raise ValueError(f"{name} must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def _check_size(t: Tensor, expected: tuple, message: str) -> None:
    if tuple(t.shape) != expected:
        raise RuntimeError(message.format(expected, list(t.shape)))


def _no_proj_size(kwargs: dict) -> None:
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if kwargs:
        raise TypeError(f"__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu),
    over a whole sequence, for any number of stacked layers and both directions."""

    _dims_error_tail = " tensor"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None, dtype=None,
                 **kwargs) -> None:
        _no_proj_size(kwargs)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit, at every step t of every layer::

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)      how much of h the candidate sees
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)      how much of h to keep
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h

    ``weight_ih_l{k}`` stacks W_ir, W_iz, W_in: (3 * hidden_size, inputs).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None, **kwargs) -> None:
        _no_proj_size(kwargs)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)


class LSTM(RNNBase):
    """Long short-term memory: a cell state c, written and read through gates, carries
    information over many steps.  At every step t of every layer::

        i, f, o = sigmoid(W_i. x + b_i. + W_h. h + b_h.)   input, forget, output gates
        g = tanh(W_ig x + b_ig + W_hg h + b_hg)             what could be written
        c' = f * c + i * g
        h' = o * tanh(c')                                   (W_hr h' with proj_size)

    ``weight_ih_l{k}`` stacks the gates in the order i, f, g, o: (4 * hidden_size,
    inputs).  The state is the pair ``(h, c)``; ``proj_size > 0`` makes h smaller.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    def _state_tuple(self, hx) -> tuple:
        return tuple(hx)

    def _state_result(self, state: tuple):
        return state

    def _zero_state(self, batch: int, like: Tensor) -> tuple:
        layers = self.num_layers * self._directions
        return (zeros((layers, batch, self._state_size), dtype=like.dtype, device=like.device),
                zeros((layers, batch, self.hidden_size), dtype=like.dtype, device=like.device))

    def _check_state_dims(self, state: tuple, batched: bool) -> None:
        want = 3 if batched else 2
        if state[0].dim() != want or state[1].dim() != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                               f"({state[0].dim()}-D, {state[1].dim()}-D) tensors")

    def _check_state_sizes(self, state: tuple, batch: int) -> None:
        layers = self.num_layers * self._directions
        _check_size(state[0], (layers, batch, self._state_size),
                    "Expected hidden[0] size {}, got {}")
        _check_size(state[1], (layers, batch, self.hidden_size),
                    "Expected hidden[1] size {}, got {}")


# ----------------------------------------------------------------------- the cells

class RNNCellBase(Module):
    """One time step, for writing the loop over time yourself.  Parameters ``weight_ih``
    (gates * hidden_size, input_size), ``weight_hh`` (gates * hidden_size, hidden_size),
    ``bias_ih``, ``bias_hh``, uniform in [-1/sqrt(hidden_size), 1/sqrt(hidden_size)]."""

    _mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(empty((gates, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((gates, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(gates, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(gates, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _step(self, input: Tensor, state: tuple | None, parts: int) -> tuple:
        """One step on a batch (B, input_size) or a single input (input_size,)."""
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if state is None:
            h0 = zeros((input.size(0), self.hidden_size), dtype=input.dtype, device=input.device)
            state = (h0,) * parts
        elif not batched:
            state = tuple(s.unsqueeze(0) for s in state)
        _check_cell_input(input, self.input_size)
        for label, s in enumerate(state):
            _check_cell_hidden(input, s, self.hidden_size, label)
        w = _Weights(self.weight_ih, self.bias_ih, self.weight_hh.t(), self.bias_hh, None)
        state = _STEPS[self._mode](F.linear(input, w.ih, w.b_ih), state, w)
        return state if batched else tuple(s.squeeze(0) for s in state)

    def _check_dims(self, input: Tensor, hx: Tensor | None) -> None:
        name = self._get_name()
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")


def _check_cell_input(input: Tensor, input_size: int) -> None:
    if input.size(1) != input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                           f"{input_size}")


def _check_cell_hidden(input: Tensor, hx: Tensor, hidden_size: int, label: int) -> None:
    if input.size(0) != hx.size(0):
        raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{label} batch "
                           f"size {hx.size(0)}")
    if hx.size(1) != hidden_size:
        raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {hx.size(1)}, "
                           f"expected {hidden_size}")


class RNNCell(RNNCellBase):
    """``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu), one step."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    @property
    def _mode(self) -> str:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        self._check_dims(input, hx)
        return self._step(input, None if hx is None else (hx,), 1)[0]


class GRUCell(RNNCellBase):
    """One GRU step: ``h' = (1 - z) * n + z * h`` with the gates r, z, n of ``GRU``."""

    _mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        self._check_dims(input, hx)
        return self._step(input, None if hx is None else (hx,), 1)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step, ``(h, c) -> (h', c')``: ``c' = f * c + i * g``,
    ``h' = o * tanh(c')`` with the gates i, f, g, o of ``LSTM``."""

    _mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor,
                hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        self._check_dims(input, None)
        for label, value in enumerate(hx or ()):
            if value.dim() not in (1, 2):
                raise ValueError(f"LSTMCell: Expected hx[{label}] to be 1D or 2D, got "
                                 f"{value.dim()}D instead")
        return self._step(input, None if hx is None else tuple(hx), 2)
