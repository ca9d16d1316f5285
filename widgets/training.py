"""``TrainingView``: a live dashboard for a plain training loop.

Add one line after ``loss.backward()``::

    view = TrainingView(model)
    display(view)                      # (the last expression of a cell shows it too)
    for x, y in loader:
        optimizer.zero_grad()
        out = model(x)
        loss = F.cross_entropy(out, y)
        loss.backward()
        view.step(loss, out, y)        # <- the one line
        optimizer.step()
    view.epoch(test_accuracy=acc)      # optional, once per epoch

The view shows the loss and accuracy curves, the gradient norm of every layer over time
(log scale: vanishing gradients show as lines fanning downwards towards the input) and
histograms of the weights and gradients of a selected layer.

Why it does not slow training down: ``step`` only appends numbers (the loss, the count of
correct predictions, one squared gradient norm per parameter, and it measures those less
often if they would cost more than ``budget`` of the step time).  Everything heavier (the
histograms, the series sent to the browser) happens at most every ``interval`` seconds,
when the view *syncs*.  The browser side (``static/training.js``) draws SVG charts from
the synced numbers, with no network access, so it works offline, on Binder, in
JupyterLab, Notebook 7 and VS Code.  Where no widget can run (a notebook viewed on
GitHub, a PDF), the display falls back to a static SVG of the same charts
(``view.to_svg()``; ``view.to_png()`` draws them with matplotlib).

The view reads the model only through public APIs: ``model.named_parameters()`` and
each parameter's ``.grad``.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import anywidget
import numpy as np
import traitlets

import tensorkit

__all__ = ["TrainingView", "decode_series"]

_STATIC = Path(__file__).parent / "static"


# ------------------------------------------------------------------------- numbers

def _number(value) -> float | tensorkit.Tensor:
    """A Python float now, or (for a GPU tensor) the detached tensor, read at sync time
    so that the training loop never waits for the device."""
    if isinstance(value, tensorkit.Tensor):
        return value.detach() if value.is_cuda else value.item()
    return float(value)


def _resolve(values: list) -> list[float]:
    """Turn the tensors ``_number`` kept into floats."""
    return [v.item() if isinstance(v, tensorkit.Tensor) else v for v in values]


def _host_array(t: tensorkit.Tensor) -> np.ndarray:
    """The values of a tensor as a NumPy array (no copy on the CPU)."""
    return t.numpy(force=True)


def _count_correct(outputs, targets) -> tuple:
    """(number of correct predictions, batch size).  Several columns: the class is the
    argmax; one column or a vector: probabilities thresholded at 0.5."""
    if isinstance(outputs, tensorkit.Tensor) and outputs.is_cuda:
        with tensorkit.no_grad():  # stays on the device until the next sync
            pred = (outputs.argmax(1) if outputs.dim() > 1 and outputs.shape[1] > 1
                    else (outputs.reshape(-1) > 0.5).long())
            targets = targets.reshape(pred.shape).to(pred.dtype)
            return (pred == targets).sum(), int(pred.shape[0])
    out = _host_array(outputs) if isinstance(outputs, tensorkit.Tensor) else np.asarray(outputs)
    tgt = _host_array(targets) if isinstance(targets, tensorkit.Tensor) else np.asarray(targets)
    if out.ndim > 1 and out.shape[1] > 1:
        pred = out.argmax(1)
    else:
        pred = (out.reshape(-1) > 0.5).astype(np.int64)
    tgt = tgt.reshape(pred.shape)
    return int((pred == tgt).sum()), int(pred.shape[0])


def _squared_norm(grad: tensorkit.Tensor):
    """Sum of squares of a gradient, a float (or a 0-d device tensor, read at sync time).

    ``ravel(order="K")`` walks the memory in its own order, so a transposed gradient
    (what a Linear layer's weight gets) needs no copy: the norm does not care about order.
    """
    if grad.is_cuda:
        with tensorkit.no_grad():
            return (grad.float() ** 2).sum()
    flat = grad.numpy(force=True).ravel(order="K")
    return float(np.dot(flat, flat))


def _layer_name(param_name: str, group: str, model_name: str) -> str:
    """``"layers.0.weight"`` -> ``"layers.0"`` (the module owning it) when grouping by
    module (the model's own parameters go under its class name); the parameter's own name
    otherwise."""
    if group == "parameter":
        return param_name
    owner, _, _ = param_name.rpartition(".")
    return owner or model_name


def _histogram(arrays: list[np.ndarray], bins: int) -> dict | None:
    """One histogram of all values in ``arrays`` (as if concatenated), equal to
    ``numpy.histogram(concatenated, bins)``; non-finite values are counted apart."""
    finite = [a[np.isfinite(a)] if not np.isfinite(a).all() else a for a in arrays]
    nonfinite = sum(a.size for a in arrays) - sum(a.size for a in finite)
    finite = [a for a in finite if a.size]
    if not finite:
        return None
    lo = min(float(a.min()) for a in finite)
    hi = max(float(a.max()) for a in finite)
    counts = np.zeros(bins, dtype=np.int64)
    for a in finite:  # the same range for all: the same edges as for the concatenation
        part, edges = np.histogram(a, bins=bins, range=(lo, hi))
        counts += part
    return {"edges": edges.tolist(), "counts": counts.tolist(), "nonfinite": int(nonfinite)}


def _sample(arrays: list[np.ndarray], limit: int) -> list[np.ndarray]:
    """Every n-th value of each array (in memory order, no copy), n chosen so that at most
    about ``limit`` values remain; all of them when there are fewer."""
    step = math.ceil(sum(a.size for a in arrays) / limit)
    if step <= 1:
        return arrays
    return [a.ravel(order="K")[::step] for a in arrays]


def _decimate(xs, ys, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` points: the mean of each run of consecutive values, at the
    step of the run's last value (so the last step is always shown).  NaN is a gap."""
    x = np.asarray(xs, dtype=np.int64)
    y = np.asarray(ys, dtype=np.float64)
    n = len(y)
    if n <= max_points:
        return x, y
    size = math.ceil(n / max_points)
    start = n - (n // size) * size  # a first, shorter run takes the remainder
    with warnings.catch_warnings():  # an all-NaN run is a gap, not a problem
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(y[start:].reshape(-1, size), axis=1)
        if start:
            means = np.concatenate([[np.nanmean(y[:start])], means])
    ends = np.arange(start + size - 1, n, size)
    if start:
        ends = np.concatenate([[start - 1], ends])
    return x[ends], means


def _encode(x: np.ndarray, y: np.ndarray) -> dict:
    """A curve as two binary buffers (int32 steps, float32 values; NaN for a gap): the
    widget protocol sends them as they are, with no JSON encoding of every number."""
    return {"x": memoryview(x.astype(np.int32)), "y": memoryview(y.astype(np.float32))}


def decode_series(series: dict) -> dict:
    """The synced ``series`` with its buffers turned back into lists (NaN -> ``None``)."""
    def curve(c: dict) -> dict:
        y = np.frombuffer(c["y"], dtype=np.float32).astype(np.float64)
        return {"x": np.frombuffer(c["x"], dtype=np.int32).tolist(),
                "y": [v if math.isfinite(v) else None for v in y.tolist()]}

    grads = series["grad_norms"]
    return {"loss": curve(series["loss"]), "accuracy": curve(series["accuracy"]),
            "grad_norms": {"x": curve({"x": grads["x"], "y": grads["x"]})["x"],
                           "y": {k: curve({"x": grads["x"], "y": v})["y"]
                                 for k, v in grads["y"].items()}},
            "epochs": series["epochs"]}


def _json_float(value: float) -> float | None:
    """JSON has no NaN or infinity: those become ``null``."""
    return value if value is not None and math.isfinite(value) else None


# ------------------------------------------------------------------------- widget

class TrainingView(anywidget.AnyWidget):
    """A live dashboard for a training loop: call ``view.step(loss, outputs, targets)``
    after ``loss.backward()``.

    Args:
        model: the model whose per-layer gradient norms and histograms are shown
            (``None``: loss and accuracy only).
        interval: seconds between two syncs with the browser (the throttle).
        group: ``"module"`` (one line per layer: a module's weight and bias together) or
            ``"parameter"`` (one line per parameter).
        only: a module type (or tuple of types) whose parameters are watched, e.g.
            ``(nn.Conv2d, nn.Linear)`` to leave out the BatchNorm layers of a ResNet.
        grad_every: measure the gradient norms every this many steps, or ``"auto"``:
            every step unless that costs more than ``budget`` of the time of a step.
        budget: the fraction of training time the view may spend (``"auto"`` modes).
        bins: histogram bins.
        max_points: the most points per curve sent to the browser (runs of steps are
            averaged beyond that; the full history stays in Python).
        hist_interval: the least seconds between two histogram updates.
        hist_sample: the most values per layer a histogram counts: a larger layer is
            sampled evenly (every n-th value of each of its tensors, in memory order).
        title: shown above the charts.
        clock: the time source (tests pass a fake one).
    """

    _esm = _STATIC / "training.js"

    series = traitlets.Dict().tag(sync=True)
    histograms = traitlets.Dict().tag(sync=True)
    layers = traitlets.List(traitlets.Unicode()).tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    summary = traitlets.Dict().tag(sync=True)

    def __init__(self, model=None, *, interval: float = 0.5, group: str = "module",
                 only: type | tuple[type, ...] | None = None,
                 grad_every: int | str = "auto", budget: float = 0.01, bins: int = 30,
                 max_points: int = 1000, hist_interval: float = 2.0,
                 hist_sample: int = 65536, title: str = "",
                 clock: Callable[[], float] = time.perf_counter) -> None:
        if group not in ("module", "parameter"):
            raise ValueError(f"group must be 'module' or 'parameter', got {group!r}")
        if not (grad_every == "auto" or (isinstance(grad_every, int) and grad_every >= 1)):
            raise ValueError(f"grad_every must be a positive int or 'auto', got {grad_every!r}")
        super().__init__(title=title)
        self.model = model
        self.interval, self.grad_every, self.budget = float(interval), grad_every, budget
        self.bins, self.max_points, self.hist_interval = bins, max_points, hist_interval
        self.hist_sample = hist_sample
        self._clock = clock
        self._params = self._group_parameters(model, group, only) if model is not None else {}
        self.layers = list(self._params)
        self.selected = self.layers[0] if self.layers else ""
        # the history, in Python, in full: numbers as recorded (pending, possibly device
        # tensors) and as floats (read at each sync)
        self._pending_loss: list = []
        self._pending_acc: list = []  # (step, correct, total); correct may be a tensor
        self._pending_grad: list = []  # (step, [sum of squares per layer])
        self._losses: list[float] = []
        self._acc_steps: list[int] = []
        self._acc: list[float] = []
        self._grad_steps: list[int] = []
        self._grad_norms: dict[str, list[float]] = {name: [] for name in self._params}
        self._epochs: list[dict] = []
        self._steps = 0
        # the throttle's state
        self.sync_count = 0
        self._last_sync = clock()
        self._flush_cost = 0.0
        self._last_hist = -math.inf
        self._hist_cost = 0.0
        self._last_grad_step = 0
        self._grad_cost = 0.0  # seconds per norm measurement (moving average)
        self._step_gap = 0.0  # seconds between two step() calls (moving average)
        self._last_step_time: float | None = None

    def __repr__(self) -> str:
        return f"TrainingView(steps={self.steps}, layers={len(self.layers)})"

    @staticmethod
    def _group_parameters(model, group: str, only) -> dict[str, list]:
        """Layer name -> its parameters, in registration order (input to output)."""
        modules = dict(model.named_modules())
        layers: dict[str, list] = {}
        for name, param in model.named_parameters():
            owner = modules.get(name.rpartition(".")[0])
            if not param.requires_grad or (only is not None and not isinstance(owner, only)):
                continue
            layer = _layer_name(name, group, type(model).__name__)
            layers.setdefault(layer, []).append(param)
        return layers

    # ------------------------------------------------------------ recording (hot path)
    def step(self, loss, outputs=None, targets=None) -> None:
        """Record one training step: the loss, the batch accuracy (when ``outputs`` and
        ``targets`` are given) and the gradient norm of every layer (call it after
        ``loss.backward()`` and before ``optimizer.zero_grad()``)."""
        now = self._clock()
        if self._last_step_time is not None:
            gap = now - self._last_step_time
            self._step_gap = gap if not self._step_gap else 0.9 * self._step_gap + 0.1 * gap
        self._last_step_time = now
        self._steps += 1
        self._pending_loss.append(_number(loss))
        if outputs is not None and targets is not None:
            self._pending_acc.append((self._steps, *_count_correct(outputs, targets)))
        if self._params and self._grad_norms_due():
            self._record_grad_norms()
        if now - self._last_sync >= max(self.interval, self._flush_cost / self.budget):
            self.flush()

    def _grad_norms_due(self) -> bool:
        since = self._steps - self._last_grad_step
        if self.grad_every != "auto":
            return since >= self.grad_every
        if not self._last_grad_step or self._step_gap <= 0:
            return True
        return since >= math.ceil(self._grad_cost / (self.budget * self._step_gap))

    def _record_grad_norms(self) -> None:
        start = time.perf_counter()
        row = []
        for params in self._params.values():
            sq = [_squared_norm(p.grad) for p in params if p.grad is not None]
            row.append(sum(sq) if sq else None)
        self._pending_grad.append((self._steps, row))
        self._last_grad_step = self._steps
        cost = time.perf_counter() - start
        self._grad_cost = cost if not self._grad_cost else 0.8 * self._grad_cost + 0.2 * cost

    def epoch(self, test_accuracy: float | None = None, **metrics: float) -> None:
        """Mark the end of an epoch (a dashed line on the charts), with its test accuracy
        (a fraction in [0, 1]) and any other numbers (``test_loss=...``); syncs now."""
        record = {"epoch": len(self._epochs) + 1, "step": self._steps}
        if test_accuracy is not None:
            record["test_accuracy"] = float(test_accuracy)
        record.update({k: float(v) for k, v in metrics.items()})
        self._epochs.append(record)
        self.flush(histograms=True)

    def _read_pending(self) -> None:
        """Move what ``step`` recorded into the history, as floats."""
        self._losses += _resolve(self._pending_loss)
        for step, correct, total in self._pending_acc:
            correct = correct.item() if isinstance(correct, tensorkit.Tensor) else correct
            self._acc_steps.append(step)
            self._acc.append(correct / total if total else float("nan"))
        for step, row in self._pending_grad:
            self._grad_steps.append(step)
            for layer, sq in zip(self._params, _resolve(row)):
                self._grad_norms[layer].append(math.sqrt(sq) if sq is not None else math.nan)
        self._pending_loss, self._pending_acc, self._pending_grad = [], [], []

    # ------------------------------------------------------------------- the history
    @property
    def steps(self) -> int:
        """How many steps were recorded."""
        return self._steps

    @property
    def losses(self) -> list[float]:
        """The loss of every step."""
        self._read_pending()
        return list(self._losses)

    @property
    def accuracies(self) -> list[float]:
        """The batch accuracy of every step that had outputs and targets."""
        self._read_pending()
        return list(self._acc)

    @property
    def accuracy_steps(self) -> list[int]:
        """The steps ``accuracies`` belong to."""
        self._read_pending()
        return list(self._acc_steps)

    @property
    def grad_steps(self) -> list[int]:
        """The steps at which the gradient norms were measured."""
        self._read_pending()
        return list(self._grad_steps)

    @property
    def grad_norms(self) -> dict[str, list[float]]:
        """Layer name -> its gradient norm (all its parameters as one vector) at each of
        ``grad_steps`` (NaN where it had no gradient)."""
        self._read_pending()
        return {layer: list(norms) for layer, norms in self._grad_norms.items()}

    @property
    def epochs(self) -> list[dict]:
        """One record per ``epoch()`` call: ``epoch``, ``step``, ``test_accuracy``..."""
        return [dict(e) for e in self._epochs]

    def layer_histograms(self, layer: str | None = None) -> dict:
        """``{"weight": {...}, "grad": {...}}`` for a layer, each ``{"edges", "counts",
        "nonfinite"}`` (``None`` where there is nothing to count), computed now."""
        layer = layer or self.selected
        params = self._params[layer]
        grads = [_host_array(p.grad) for p in params if p.grad is not None]
        weights = [_host_array(p) for p in params]
        return {"weight": _histogram(_sample(weights, self.hist_sample), self.bins),
                "grad": _histogram(_sample(grads, self.hist_sample), self.bins)
                if grads else None}

    # ------------------------------------------------------------------------ syncing
    def flush(self, histograms: bool | None = None) -> None:
        """Send the current state to the browser now (``step`` does it every
        ``interval`` seconds; ``epoch`` at the end of each epoch).  ``histograms``:
        recompute them (default: when ``hist_interval`` has passed and it is cheap)."""
        start = time.perf_counter()
        now = self._clock()
        self._last_sync = now
        if histograms is None:
            wait = max(self.hist_interval, self._hist_cost / (self.budget / 2))
            histograms = now - self._last_hist >= wait
        with self.hold_sync():
            self.series = self._encoded_series()
            if histograms and self._params:
                hist_start = time.perf_counter()
                self.histograms = {name: self.layer_histograms(name) for name in self.layers}
                self._hist_cost = time.perf_counter() - hist_start
                self._last_hist = now
            self.sync_count += 1
            self.summary = self._summary()
        self._flush_cost = time.perf_counter() - start - (self._hist_cost if histograms else 0)

    def _series(self) -> dict:
        """What the charts draw, decimated to ``max_points`` per curve, as arrays."""
        self._read_pending()
        grads = {layer: _decimate(self._grad_steps, norms, self.max_points)
                 for layer, norms in self._grad_norms.items()}
        grad_x = next(iter(grads.values()))[0] if grads else np.zeros(0, np.int64)
        return {"loss": _decimate(range(1, self._steps + 1), self._losses, self.max_points),
                "accuracy": _decimate(self._acc_steps, self._acc, self.max_points),
                "grad_norms": (grad_x, {layer: y for layer, (_, y) in grads.items()}),
                "epochs": self.epochs}

    def _encoded_series(self) -> dict:
        series = self._series()
        grad_x, grads = series["grad_norms"]
        return {"loss": _encode(*series["loss"]), "accuracy": _encode(*series["accuracy"]),
                "grad_norms": {"x": _encode(grad_x, grad_x)["x"],
                               "y": {k: _encode(grad_x, y)["y"] for k, y in grads.items()}},
                "epochs": series["epochs"]}

    def _summary(self) -> dict:
        return {"steps": self._steps, "syncs": self.sync_count,
                "loss": _json_float(self._losses[-1]) if self._losses else None,
                "accuracy": _json_float(self._acc[-1]) if self._acc else None,
                "test_accuracy": next((e["test_accuracy"] for e in reversed(self._epochs)
                                       if "test_accuracy" in e), None)}

    # ------------------------------------------------------------------ static pictures
    def _repr_mimebundle_(self, **kwargs):
        """The live widget, and a static SVG for where widgets cannot run."""
        self.flush(histograms=True)
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["image/svg+xml"] = self.to_svg()
        return bundle

    def to_svg(self, width: int = 860, height: int = 560) -> str:
        """The four charts as one SVG document (a string)."""
        if self.histograms.keys() != set(self.layers):
            self.histograms = {name: self.layer_histograms(name) for name in self.layers}
        return _render_svg(decode_series(self._encoded_series()), self.layers, self.selected,
                           self.histograms.get(self.selected), self.title, width, height)

    def to_png(self, path: str | None = None, dpi: int = 100) -> bytes:
        """The four charts drawn with matplotlib, as PNG bytes (also written to ``path``)."""
        return _render_png(decode_series(self._encoded_series()), self.layers, self.selected,
                           self.layer_histograms() if self.layers else None, self.title,
                           path, dpi)


# ------------------------------------------------------------------ static rendering

_LOSS_COLOR, _ACC_COLOR, _TEST_COLOR = "#1f77b4", "#2ca02c", "#d62728"
_WEIGHT_COLOR, _GRAD_COLOR = "#1f77b4", "#ff7f0e"
_VIRIDIS = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#bddf26"]


def depth_color(i: int, n: int) -> str:
    """The color of layer ``i`` of ``n``: dark (input) to light (output), so that a
    fan of lines reads as depth (the same scale as the browser view)."""
    if n <= 1:
        return _VIRIDIS[2]
    t = i / (n - 1) * (len(_VIRIDIS) - 1)
    k = min(int(t), len(_VIRIDIS) - 2)
    a, b = _VIRIDIS[k], _VIRIDIS[k + 1]
    mix = [round(int(a[j:j + 2], 16) * (1 - (t - k)) + int(b[j:j + 2], 16) * (t - k))
           for j in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    step = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * step:
            step *= mult
            break
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.0e}"
    return f"{v:.4g}"


class _Panel:
    """One chart's frame: maps data to pixels and draws axes, in SVG."""

    def __init__(self, x0: float, y0: float, w: float, h: float, title: str) -> None:
        self.x0, self.y0, self.w, self.h, self.title = x0, y0, w, h, title
        self.left, self.right, self.top, self.bottom = x0 + 48, x0 + w - 10, y0 + 24, y0 + h - 28
        self.parts: list[str] = []
        self.xlim = (0.0, 1.0)
        self.ylim = (0.0, 1.0)
        self.log = False

    def set_limits(self, xs: list, ys: list, log: bool = False, ylim=None) -> None:
        self.log = log
        xs = [x for x in xs if x is not None]
        ys = [y for y in ys if y is not None and (y > 0 or not log)]
        self.xlim = (min(xs, default=0), max(max(xs, default=1), min(xs, default=0) + 1))
        if ylim is not None:
            self.ylim = ylim
        elif ys:
            lo, hi = min(ys), max(ys)
            if log:
                lo, hi = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
                hi = max(hi, lo + 1)
            elif hi == lo:
                lo, hi = lo - 0.5, hi + 0.5
            self.ylim = (lo, hi)
        elif log:
            self.ylim = (-3, 0)

    def px(self, x: float) -> float:
        lo, hi = self.xlim
        return self.left + (x - lo) / (hi - lo) * (self.right - self.left)

    def py(self, y: float) -> float:
        lo, hi = self.ylim
        v = math.log10(y) if self.log else y
        return self.bottom - (v - lo) / (hi - lo) * (self.bottom - self.top)

    def axes(self, xlabel: str = "step") -> None:
        p = self.parts
        p.append(f'<text x="{self.x0 + 4}" y="{self.y0 + 14}" font-weight="bold">'
                 f'{escape(self.title)}</text>')
        p.append(f'<rect x="{self.left}" y="{self.top}" width="{self.right - self.left}" '
                 f'height="{self.bottom - self.top}" fill="none" stroke="#999"/>')
        if self.log:  # every decade, or every few when there are many
            lo, hi = int(self.ylim[0]), int(self.ylim[1])
            every = max(1, math.ceil((hi - lo) / 6))
            yticks = [10.0 ** k for k in range(lo, hi + 1, every)]
        else:
            yticks = _nice_ticks(*self.ylim)
        for y in yticks:
            py = self.py(y)
            p.append(f'<line x1="{self.left}" x2="{self.right}" y1="{py:.1f}" y2="{py:.1f}" '
                     'stroke="#ddd"/>')
            p.append(f'<text x="{self.left - 4}" y="{py + 4:.1f}" text-anchor="end" '
                     f'font-size="10">{_fmt(y)}</text>')
        for x in _nice_ticks(*self.xlim):
            px = self.px(x)
            p.append(f'<text x="{px:.1f}" y="{self.bottom + 13}" text-anchor="middle" '
                     f'font-size="10">{_fmt(x)}</text>')
        p.append(f'<text x="{(self.left + self.right) / 2}" y="{self.bottom + 25}" '
                 f'text-anchor="middle" font-size="10">{escape(xlabel)}</text>')

    def line(self, xs: list, ys: list, color: str, cls: str, width: float = 1.5) -> None:
        """A polyline; a ``None`` (or, on a log axis, a non-positive value) breaks it."""
        runs, run = [], []
        for x, y in zip(xs, ys):
            if y is None or (self.log and y <= 0):
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{self.px(x):.1f},{self.py(y):.1f}")
        if run:
            runs.append(run)
        for r in runs:
            self.parts.append(f'<polyline class="{cls}" points="{" ".join(r)}" fill="none" '
                              f'stroke="{color}" stroke-width="{width}"/>')

    def vline(self, x: float) -> None:
        px = self.px(x)
        self.parts.append(f'<line class="epoch" x1="{px:.1f}" x2="{px:.1f}" y1="{self.top}" '
                          f'y2="{self.bottom}" stroke="#888" stroke-dasharray="4 3"/>')

    def legend(self, items: list[tuple[str, str]]) -> None:
        rows = min(len(items), 12) + (len(items) > 12)
        self.parts.append(f'<rect x="{self.right - 96}" y="{self.top + 1}" width="95" '
                          f'height="{12 * rows + 6}" fill="white" fill-opacity="0.8"/>')
        for k, (label, color) in enumerate(items[:12]):
            y = self.top + 10 + 12 * k
            self.parts.append(f'<rect x="{self.right - 92}" y="{y - 7}" width="8" height="8" '
                              f'fill="{color}"/><text x="{self.right - 80}" y="{y}" '
                              f'font-size="10">{escape(label[:14])}</text>')
        if len(items) > 12:
            self.parts.append(f'<text x="{self.right - 80}" y="{self.top + 10 + 12 * 12}" '
                              f'font-size="10">+{len(items) - 12} more</text>')


def _render_svg(series: dict, layers: list, selected: str, hist: dict | None, title: str,
                width: int, height: int) -> str:
    w, h = width / 2, (height - 20) / 2
    top = 20
    loss = _Panel(0, top, w, h, "loss")
    acc = _Panel(w, top, w, h, "accuracy")
    grad = _Panel(0, top + h, w, h, "gradient norm per layer (log)")
    hist_panel = _Panel(w, top + h, w, h, f"histograms: {selected}" if selected else
                        "histograms")
    epochs = [e["step"] for e in series["epochs"]]

    span = series["loss"]["x"][-1:] + epochs  # all step axes end at the last step
    loss.set_limits(series["loss"]["x"] + epochs, series["loss"]["y"])
    loss.axes()
    loss.line(series["loss"]["x"], series["loss"]["y"], _LOSS_COLOR, "loss")

    tests = [(e["step"], e["test_accuracy"]) for e in series["epochs"] if "test_accuracy" in e]
    acc.set_limits(series["accuracy"]["x"] + span, [0], ylim=(0, 1))
    acc.axes()
    acc.line(series["accuracy"]["x"], series["accuracy"]["y"], _ACC_COLOR, "accuracy")
    if tests:
        acc.line([s for s, _ in tests], [a for _, a in tests], _TEST_COLOR, "test-accuracy")
        for s, a in tests:
            acc.parts.append(f'<circle cx="{acc.px(s):.1f}" cy="{acc.py(a):.1f}" r="3" '
                             f'fill="{_TEST_COLOR}"/>')
        acc.legend([("train batch", _ACC_COLOR), ("test", _TEST_COLOR)])

    gx, gys = series["grad_norms"]["x"], series["grad_norms"]["y"]
    grad.set_limits(gx + span, [v for ys in gys.values() for v in ys], log=True)
    grad.axes()
    for i, layer in enumerate(layers):
        grad.line(gx, gys.get(layer, []), depth_color(i, len(layers)), "grad-norm")
    grad.legend([(layer, depth_color(i, len(layers))) for i, layer in enumerate(layers)])

    for panel in (loss, acc, grad):
        for s in epochs:
            panel.vline(s)
    _draw_histograms(hist_panel, hist)

    body = "".join("".join(p.parts) for p in (loss, acc, grad, hist_panel))
    head = f'<text x="4" y="14" font-size="13" font-weight="bold">{escape(title)}</text>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">'
            f'<rect width="100%" height="100%" fill="white"/>{head}{body}</svg>')


def _draw_histograms(panel: _Panel, hist: dict | None) -> None:
    """Weights (top half) and gradients (bottom half) of one layer, as bars."""
    panel.parts.append(f'<text x="{panel.x0 + 4}" y="{panel.y0 + 14}" font-weight="bold">'
                       f'{escape(panel.title)}</text>')
    if not hist:
        return
    half = (panel.bottom - panel.top) / 2
    for k, (kind, color) in enumerate((("weight", _WEIGHT_COLOR), ("grad", _GRAD_COLOR))):
        h = hist.get(kind)
        y0 = panel.top + k * half
        panel.parts.append(f'<text x="{panel.right}" y="{y0 + 12}" text-anchor="end" '
                           f'font-size="10">{kind}s</text>')
        if not h:
            continue
        edges, counts = h["edges"], h["counts"]
        peak = max(counts) or 1
        span = (edges[-1] - edges[0]) or 1.0
        width = panel.right - panel.left
        base = y0 + half - 14
        for i, c in enumerate(counts):
            x = panel.left + (edges[i] - edges[0]) / span * width
            bw = (edges[i + 1] - edges[i]) / span * width
            bh = c / peak * (half - 30)
            panel.parts.append(f'<rect class="bar-{kind}" x="{x:.1f}" y="{base - bh:.1f}" '
                               f'width="{max(bw - 0.5, 0.5):.1f}" height="{bh:.1f}" '
                               f'fill="{color}"/>')
        for v, anchor in ((edges[0], "start"), (edges[-1], "end")):
            x = panel.left if anchor == "start" else panel.right
            panel.parts.append(f'<text x="{x}" y="{base + 11}" text-anchor="{anchor}" '
                               f'font-size="9">{v:.3g}</text>')


def _render_png(series: dict, layers: list, selected: str, hist: dict | None, title: str,
                path: str | None, dpi: int) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 6), dpi=dpi)
    axes = fig.subplot_mosaic([["loss", "acc"], ["loss", "acc"], ["grad", "weight"],
                               ["grad", "grad_hist"]])
    ax_loss, ax_acc, ax_grad = axes["loss"], axes["acc"], axes["grad"]
    nan = float("nan")
    ax_loss.plot(series["loss"]["x"], [nan if v is None else v for v in series["loss"]["y"]],
                 color=_LOSS_COLOR)
    ax_loss.set_title("loss")
    ax_acc.plot(series["accuracy"]["x"],
                [nan if v is None else v for v in series["accuracy"]["y"]],
                color=_ACC_COLOR, label="train batch")
    tests = [(e["step"], e["test_accuracy"]) for e in series["epochs"] if "test_accuracy" in e]
    if tests:
        ax_acc.plot(*zip(*tests), "o-", color=_TEST_COLOR, label="test")
        ax_acc.legend(fontsize=8)
    ax_acc.set_ylim(0, 1)
    ax_acc.set_title("accuracy")
    gx = series["grad_norms"]["x"]
    for i, layer in enumerate(layers):
        ys = [nan if v is None else v for v in series["grad_norms"]["y"].get(layer, [])]
        ax_grad.plot(gx, ys, color=depth_color(i, len(layers)), label=layer)
    if layers:
        ax_grad.set_yscale("log")
        ax_grad.legend(fontsize=7, ncol=2)
    ax_grad.set_title("gradient norm per layer")
    for ax in (ax_loss, ax_acc, ax_grad):
        for e in series["epochs"]:
            ax.axvline(e["step"], color="#888", linestyle="--", linewidth=0.8)
        ax.set_xlabel("step")
    for kind, color in (("weight", _WEIGHT_COLOR), ("grad", _GRAD_COLOR)):
        ax = axes["weight" if kind == "weight" else "grad_hist"]
        if hist and hist.get(kind):
            ax.stairs(hist[kind]["counts"], np.asarray(hist[kind]["edges"]), fill=True,
                      color=color)
        ax.set_yticks([])
        ax.set_title(f"{kind}s: {selected}", fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data
