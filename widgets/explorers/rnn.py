"""``RNNUnrolled``: a recurrent classifier unrolled over the characters of a name.

For a model built like lesson 11's name classifier (an ``Embedding``, a ``GRU`` (or
``RNN``/``LSTM``), possibly bidirectional and stacked, and a ``Linear`` on the last hidden
state), type a surname and see

* the hidden state after every character, as a heatmap (one column per character, one
  row per hidden unit), for the layer and direction you pick;
* what the model predicts from each prefix of the name (its top classes with their
  probabilities), and its final prediction.

How the per-step hidden states are computed: the recurrent layer is *unrolled* through
cells.  For each layer and direction a ``GRUCell`` (``RNNCell``, ``LSTMCell``) is given
that layer's weights (``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
``bias_hh_l{k}``, with ``_reverse`` for the backward direction) and stepped over the
characters one at a time: forwards from the first character, backwards from the last;
each layer above reads the two directions' states side by side, as the full layer does.
The states of the last layer are exactly what the layer returns as its output, and the
last state of each direction is its ``h_n`` (the tests check both).

How the predictions are computed: by default the recurrent layer is run on each prefix
and its final hidden state (both directions of the last layer side by side when the
``Linear`` takes twice the hidden size, else the last one) goes through the ``Linear``
and a softmax.  Pass ``predict=lambda model, codes: logits`` for a model that reads it
differently (``codes`` is a ``(1, T)`` LongTensor of character codes).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets
import numpy as np

import tensorkit
from tensorkit import nn

from ._base import Explorer, Svg, diverging

__all__ = ["RNNUnrolled", "unroll"]

_CELLS = {"GRU": nn.GRUCell, "LSTM": nn.LSTMCell, "RNN_TANH": nn.RNNCell,
          "RNN_RELU": nn.RNNCell}


def _find(model: nn.Module, kind: type, last: bool = False):
    found = [m for m in model.modules() if isinstance(m, kind)]
    if not found:
        raise ValueError(f"{type(model).__name__} has no {kind.__name__} submodule; pass it "
                         f"as an argument")
    return found[-1] if last else found[0]


def _cell_for(rnn: nn.RNNBase, layer: int, direction: int) -> nn.Module:
    """A cell holding the weights of one layer and direction of ``rnn``."""
    if rnn.proj_size:
        raise NotImplementedError("LSTMs with proj_size are not unrolled here")
    size = rnn.input_size if layer == 0 else rnn.hidden_size * (2 if rnn.bidirectional else 1)
    cls = _CELLS[rnn.mode]
    kwargs = {"nonlinearity": "tanh" if rnn.mode == "RNN_TANH" else "relu"} \
        if cls is nn.RNNCell else {}
    cell = cls(size, rnn.hidden_size, bias=rnn.bias, dtype=rnn.weight_ih_l0.dtype, **kwargs)
    suffix = f"_l{layer}" + ("_reverse" if direction else "")
    names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if rnn.bias else [])
    cell.load_state_dict({n: getattr(rnn, n + suffix).detach() for n in names})
    return cell


def unroll(rnn: nn.RNNBase, inputs: tensorkit.Tensor) -> dict[tuple[int, int], np.ndarray]:
    """The hidden state after every time step of one sequence, through cells.

    ``inputs`` is ``(T, input_size)``; returns ``{(layer, direction): (T, hidden_size)}``
    where row t is the state after reading character t (for the backward direction: after
    reading characters T-1 down to t).
    """
    directions = 2 if rnn.bidirectional else 1
    states: dict[tuple[int, int], np.ndarray] = {}
    x = inputs
    steps = x.shape[0]
    with tensorkit.no_grad():
        for layer in range(rnn.num_layers):
            outputs = []
            for direction in range(directions):
                cell = _cell_for(rnn, layer, direction)
                h = tensorkit.zeros(1, rnn.hidden_size, dtype=x.dtype)
                c = tensorkit.zeros(1, rnn.hidden_size, dtype=x.dtype)
                rows = [None] * steps
                order = range(steps) if direction == 0 else range(steps - 1, -1, -1)
                for t in order:
                    if rnn.mode == "LSTM":
                        h, c = cell(x[t:t + 1], (h, c))
                    else:
                        h = cell(x[t:t + 1], h)
                    rows[t] = h
                out = tensorkit.cat(rows, 0)  # (T, H)
                states[(layer, direction)] = out.numpy()
                outputs.append(out)
            x = tensorkit.cat(outputs, 1)  # the next layer reads both directions
    return states


def _default_classes(n: int) -> list[str]:
    """The 18 languages of the course's surname data when the model has 18 outputs."""
    if n == 18:
        try:
            from tensorkit.datasets import load_surnames

            _, languages = load_surnames(split="test", download=False)
            classes = sorted(set(languages))
            if len(classes) == n:
                return classes
        except Exception:  # no data here: numbered classes will do
            pass
    return [f"class {i}" for i in range(n)]


class RNNUnrolled(Explorer):
    """A name classifier unrolled over the characters of a name (type one in the box).

    Args:
        model: Embedding + RNN/GRU/LSTM + Linear (found by type; or pass ``embedding``,
            ``rnn``, ``fc``).
        name: the first name shown.
        classes: the class names (default: the course's 18 languages for 18 outputs).
        top: how many classes to show per prefix.
        encode: name -> list of codes (default: ASCII codes, as lesson 11).
        predict: ``predict(model, codes) -> logits`` (see the module's docstring).
    """

    def __init__(self, model: nn.Module, name: str = "Nguyen", classes: list | None = None,
                 top: int = 3, encode: Callable[[str], list] | None = None,
                 predict: Callable | None = None, embedding: nn.Embedding | None = None,
                 rnn: nn.RNNBase | None = None, fc: nn.Linear | None = None) -> None:
        self.model = model
        self.embedding = embedding or _find(model, nn.Embedding)
        self.rnn = rnn or _find(model, nn.RNNBase)
        self.fc = fc or _find(model, nn.Linear, last=True)
        self.classes = list(classes) if classes is not None else \
            list(getattr(model, "classes", None) or _default_classes(self.fc.out_features))
        self.top = top
        self.encode = encode or self._ascii
        self.predict = predict
        directions = 2 if self.rnn.bidirectional else 1
        options = [(f"layer {layer + 1} " + ("backward" if d else "forward"), (layer, d))
                   for layer in range(self.rnn.num_layers) for d in range(directions)]
        self.name_box = ipywidgets.Text(value=name, description="name",
                                        continuous_update=True)
        self.state_choice = ipywidgets.Dropdown(options=options,
                                                value=(self.rnn.num_layers - 1, 0),
                                                description="hidden state",
                                                style={"description_width": "90px"})
        super().__init__([ipywidgets.HBox([self.name_box, self.state_choice])])
        self.name_box.observe(self._on_change, names="value")
        self.state_choice.observe(self._on_change, names="value")
        self.redraw()

    def _ascii(self, name: str) -> list[int]:
        limit = self.embedding.num_embeddings - 1
        return [min(ord(ch), limit) for ch in name]

    # ------------------------------------------------------------------ the numbers
    def _codes(self, name: str) -> tensorkit.Tensor:
        return tensorkit.tensor([self.encode(name)], dtype=tensorkit.long)

    def hidden_states(self, name: str | None = None) -> dict[tuple[int, int], np.ndarray]:
        """``{(layer, direction): (T, hidden)}``: the state after each character."""
        codes = self._codes(self.name_box.value if name is None else name)
        with tensorkit.no_grad():
            embedded = self.embedding(codes)[0]  # (T, E)
        return unroll(self.rnn, embedded)

    def _logits(self, codes: tensorkit.Tensor) -> tensorkit.Tensor:
        if self.predict is not None:
            return self.predict(self.model, codes).reshape(-1)
        rnn = self.rnn
        x = self.embedding(codes)  # (1, T, E)
        if not rnn.batch_first:
            x = x.transpose(0, 1)
        _, hidden = rnn(x)
        if isinstance(hidden, tuple):  # LSTM: (h_n, c_n)
            hidden = hidden[0]
        directions = 2 if rnn.bidirectional else 1
        if self.fc.in_features == directions * rnn.hidden_size and directions == 2:
            features = tensorkit.cat([hidden[-2], hidden[-1]], 1)
        else:
            features = hidden[-1]
        return self.fc(features).reshape(-1)

    def prefix_probabilities(self, name: str | None = None) -> np.ndarray:
        """``(T, classes)``: the predicted probabilities after each prefix of the name
        (the last row is the prediction for the whole name)."""
        name = self.name_box.value if name is None else name
        was_training = self.model.training
        self.model.eval()  # no dropout while looking
        try:
            with tensorkit.no_grad():
                rows = [tensorkit.softmax(self._logits(self._codes(name[:t + 1])), 0).numpy()
                        for t in range(len(name))]
        finally:
            self.model.train(was_training)
        return np.stack(rows) if rows else np.zeros((0, len(self.classes)), np.float32)

    # ------------------------------------------------------------------ the picture
    def redraw(self) -> None:
        name = self.name_box.value
        if name:
            self.states = self.hidden_states(name)
            self.probabilities = self.prefix_probabilities(name)
        else:
            self.states, self.probabilities = {}, np.zeros((0, len(self.classes)))
        super().redraw()

    def to_svg(self) -> str:
        name = self.name_box.value
        layer, direction = self.state_choice.value
        hidden = self.rnn.hidden_size
        col, unit_h = 52, max(2, min(6, 300 // hidden))
        left, top = 60, 70
        steps = len(name)
        heat_h = hidden * unit_h
        pred_y = top + heat_h + 16
        right_x = left + max(steps, 1) * col + 30
        width = max(right_x + 260, 620)
        height = max(pred_y + self.top * 13 + 40, top + 30 + self.top * 22 + 60)
        svg = Svg(width, height)
        if not name:
            svg.text(10, 24, "Type a name in the box.", size=13)
            return str(svg)
        final = self.probabilities[-1]
        best = int(final.argmax())
        svg.text(10, 20, f"{name}  ->  {self.classes[best]} ({final[best]:.0%})", size=15,
                 weight="bold", cls="prediction")
        arrow = "reads left to right" if direction == 0 else \
            "reads right to left: a column sums up the rest of the name"
        svg.text(10, 40, f"hidden state of {self.state_choice.label} ({arrow}); "
                 "blue < 0 < red", size=11, fill="#444")
        states = self.states[(layer, direction)]
        vmax = float(np.abs(states).max()) or 1.0
        for t, ch in enumerate(name):
            x = left + t * col
            svg.text(x + col / 2 - 2, top - 8, ch, size=14, anchor="middle", weight="bold",
                     family="monospace", cls="char")
            for u in range(hidden):
                svg.rect(x, top + u * unit_h, col - 4, unit_h,
                         diverging(float(states[t, u]), vmax), cls="state")
            probs = self.probabilities[t]
            for r, k in enumerate(np.argsort(-probs)[:self.top]):
                y = pred_y + r * 13
                svg.rect(x, y, (col - 4) * float(probs[k]), 11, "#9ecae1", cls="prefix-bar")
                svg.text(x + 1, y + 9, f"{self.classes[k][:5]} {probs[k]:.0%}", size=8)
        svg.text(left - 6, top + 8, "unit 0", size=9, anchor="end", fill="#666")
        svg.text(left - 6, top + heat_h, f"{hidden - 1}", size=9, anchor="end", fill="#666")
        svg.text(left - 6, pred_y + 9, "prefix", size=9, anchor="end", fill="#666")
        svg.text(left - 6, pred_y + 21, "guess", size=9, anchor="end", fill="#666")
        svg.text(right_x, top - 8, "the whole name", size=12, weight="bold")
        for r, k in enumerate(np.argsort(-final)[:max(self.top, 5)]):
            y = top + r * 22
            svg.text(right_x, y + 14, self.classes[k], size=11)
            svg.rect(right_x + 90, y + 3, 140 * float(final[k]), 14,
                     "#3182bd" if k == best else "#9ecae1", cls="final-bar")
            svg.text(right_x + 94 + 140 * float(final[k]), y + 14, f"{final[k]:.1%}", size=10)
        return str(svg)
