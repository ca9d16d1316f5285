"""``GraphView``: the computation graph behind a tensor, drawn live in the notebook.

How to use it::

    view = widgets.GraphView()          # starts watching: every op you run shows up
    view                                # (display it)
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2                           # the view grows: x -> AddBackward0
    out = (y * y * 3).mean()
    out.backward()                      # each node shows its gradient, coloured by size
    view.reset(); view.step()           # replay backward one node at a time

    GraphView(loss, model=net)          # a fixed picture of loss's graph, with the
                                        # parameters named as in net (fc1.weight)
    view.show(loss)                     # the same for an existing view (stops watching)
    with view.watch(): ...              # watch only inside the block

With ``model=`` the view also knows which module made each op, so a big network can be
drawn one box per module (``view.expand("layer1")`` opens one; clicking a box does too).
For that the view has to be watching while the model runs its forward pass.

The view only *observes* tensorkit, through its public hooks: ``register_node_created_hook``
(new nodes), ``register_node_executed_hook`` (gradients flowing through op nodes), the
pre-hook of each leaf's ``AccumulateGrad`` node (gradients reaching ``.grad``) and module
forward hooks (which module is running).  The layout is computed in Python (a layered
layout, with grandalf); the JavaScript in ``static/graph.js`` only draws it.
"""

from __future__ import annotations

import inspect
import itertools
import time
import weakref
from collections.abc import Mapping
from pathlib import Path

import anywidget
import traitlets

import tensorkit
from tensorkit.autograd import graph as autograd_graph

from . import _svg
from ._graph_model import Context, GraphModel, Step, build_state, names_in

_STATIC = Path(__file__).parent / "static"
AUTO_COLLAPSE = 40  # with a model: graphs with more nodes than this start collapsed


class GraphView(anywidget.AnyWidget):
    """The autograd graph of a tensor: leaves, op nodes, shapes, dtypes and gradients.

    ``GraphView()`` watches: it draws every node created from then on (until
    ``view.stop()``).  ``GraphView(tensor)`` draws the graph behind ``tensor``.  Either
    way, a later ``backward()`` through the drawn nodes shows their gradients.

    Args:
        tensor: the tensor whose graph to draw; None to start watching instead.
        model: an ``nn.Module``: names parameters by their path (``fc1.weight``) and
            groups the ops each submodule made into one box (when watching the forward).
        names: ``{name: tensor}`` used to label tensors; by default the variables of the
            caller (the notebook's namespace).
        watch: watch new nodes (default: True when no tensor is given).
        collapse: ``"auto"`` (modules collapse when the graph has more than 40 nodes),
            True (start collapsed) or False (everything open).  A module called several
            times (a pooling layer used twice) gets one box per call.
        live_interval: while a cell runs, redraw at most this often (seconds).
    """

    _esm = _STATIC / "graph.js"
    _css = _STATIC / "graph.css"
    graph = traitlets.Dict().tag(sync=True)    # what the JavaScript draws (build_state)
    watching = traitlets.Bool(False).tag(sync=True)

    def __init__(self, tensor=None, *, model=None, names: Mapping | None = None,
                 watch: bool | None = None, collapse: bool | str = "auto",
                 live_interval: float = 0.3, **kwargs) -> None:
        super().__init__(**kwargs)
        if names is None:
            caller = inspect.currentframe().f_back
            names = caller.f_globals if caller is not None else {}
        self._names = names
        self._model_ref = weakref.ref(model) if model is not None else None
        self._recorded = GraphModel()
        self._expanded: set | None = None if collapse == "auto" else (
            set() if collapse else None)
        self._auto = collapse == "auto"
        self._step_index: int | None = None
        self._live_interval = live_interval
        self._last_publish = 0.0
        self._published_version = None
        self._shown_svg: str | None = None
        self._displays: list = []
        self._module_stack: list[tuple[str, int]] = []  # (path, call number)
        self._module_handles: list = []
        self._leaf_handles: list = []
        self._created_handle = None
        self._cell_hook = None
        self._closed = False
        self._executed_handle = autograd_graph.register_node_executed_hook(
            _weak_callback(self, "_on_executed"))
        self.on_msg(self._on_message)
        self._hook_cells()
        if tensor is not None:
            self._add_tensor(tensor)
        if watch if watch is not None else tensor is None:
            self.watch()
        self._publish()

    # -- what the learner calls -----------------------------------------------------------
    def show(self, tensor) -> None:
        """Draw the graph behind ``tensor`` (forgetting what was drawn); stop watching."""
        self.stop()
        self._forget()
        self._add_tensor(tensor)
        self._publish()

    def watch(self) -> _Watching:
        """Draw every node created from now on, until ``stop()``.

        Also a context manager: ``with view.watch(): ...`` watches only inside the block.
        """
        was_watching = self.watching
        if not was_watching:
            self._created_handle = autograd_graph.register_node_created_hook(
                _weak_callback(self, "_on_created"))
            self._hook_modules()
            self.watching = True
        return _Watching(self, was_watching)

    def stop(self) -> None:
        """Stop watching for new nodes (gradients of drawn nodes still show up)."""
        if self._created_handle is not None:
            self._created_handle.remove()
            self._created_handle = None
        for handle in self._module_handles:
            handle.remove()
        self._module_handles = []
        self._module_stack.clear()
        self.watching = False
        self._publish()

    def clear(self) -> None:
        """Forget every node drawn so far (watching goes on if it was on)."""
        self._forget()
        self._publish()

    def _forget(self) -> None:
        self._recorded.clear()
        self._step_index = None
        for handle in self._leaf_handles:
            handle.remove()
        self._leaf_handles = []

    @property
    def steps(self) -> list[Step]:
        """The steps of the last backward pass through the drawn nodes, in the order run."""
        return list(self._recorded.steps)

    @property
    def step_index(self) -> int | None:
        """How many steps of backward are shown (None: all of them, not stepping)."""
        return self._step_index

    def step(self) -> Step | None:
        """Show one more step of the last backward pass; returns it (None: back to all).

        The text under the graph writes the chain rule for that node: the gradient it
        received times its local derivative gives the gradient sent to each input.
        """
        count = len(self._recorded.steps)
        if self._step_index is None:
            self._step_index = 1 if count else None
        elif self._step_index >= count:
            self._step_index = None
        else:
            self._step_index += 1
        self._publish()
        return self._recorded.steps[self._step_index - 1] if self._step_index else None

    def reset(self) -> None:
        """Go back to before the first step of backward: no gradient shown yet."""
        self._step_index = 0 if self._recorded.steps else None
        self._publish()

    def show_all(self) -> None:
        """Leave step-by-step mode: show every gradient of the last backward pass."""
        self._step_index = None
        self._publish()

    def expand(self, module: str | None = None) -> None:
        """Open the box of ``module`` (a path such as ``"layer1.0"``); None: open all."""
        if module is None:
            self._expanded, self._auto = None, False
        else:
            expanded = self._current_expanded()
            parts = module.split(".")
            expanded = set() if expanded is None else set(expanded)
            expanded.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
            self._expanded, self._auto = expanded, False
        self._publish()

    def collapse(self, module: str | None = None) -> None:
        """Close ``module`` (and what it contains) into one box; None: close every module."""
        if module is None:
            self._expanded = set()
        else:
            expanded = self._current_expanded()
            if expanded is None:
                expanded = set(self._module_paths())
            self._expanded = {m for m in expanded
                              if m != module and not m.startswith(module + ".")}
        self._auto = False
        self._publish()

    @property
    def state(self) -> dict:
        """What is drawn, as data: ``nodes``, ``edges``, ``step``, ... (see build_state)."""
        if self._recorded.version != self._published_version:
            self._publish()
        return self.graph

    def to_svg(self) -> str:
        """The picture as an SVG document (what notebooks show where widgets can't run)."""
        return _svg.render(self.state)

    def close(self) -> None:
        """Remove every hook, then close the widget."""
        if not self._closed:
            self._closed = True
            self.stop()
            self._executed_handle.remove()
            for handle in self._leaf_handles:
                handle.remove()
            self._leaf_handles = []
            if self._cell_hook is not None:
                self._cell_hook[0].unregister("post_run_cell", self._cell_hook[1])
                self._cell_hook = None
        super().close()

    # -- how it is shown --------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        """The widget, plus an SVG picture for places where widgets can't run."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = dict(data)
        self._shown_svg = data["image/svg+xml"] = self.to_svg()
        return data, metadata

    def _ipython_display_(self) -> None:
        """Display with an id, so that the SVG saved in the notebook follows the graph."""
        from IPython.display import display

        data, metadata = self._repr_mimebundle_()
        handle = display(data, metadata=metadata, raw=True, display_id=True)
        if handle is not None:
            self._displays.append(handle)

    def _update_displays(self) -> None:
        """After a cell ran: refresh the SVG of each place the view is displayed."""
        if not self._displays:
            return
        if self._shown_svg == _svg.render(self.state):
            return
        data, metadata = self._repr_mimebundle_()
        for handle in self._displays:
            handle.update(data, metadata=metadata, raw=True)

    # -- building what is drawn ---------------------------------------------------------
    def _add_tensor(self, tensor) -> None:
        tensors = tensor if isinstance(tensor, list | tuple) else [tensor]
        for t in tensors:
            if not isinstance(t, tensorkit.Tensor):
                raise TypeError(f"GraphView shows the graph of a tensor, got {type(t).__name__}")
            nodes = autograd_graph.walk(t)
            if not nodes:
                continue
            self._hook_leaves(self._recorded.add(nodes[0], pin=True))

    def _current_expanded(self) -> set | None:
        if not self._auto:
            return self._expanded
        big = len(self._recorded) > AUTO_COLLAPSE
        return set() if self._model_ref is not None and big else None

    def _module_paths(self) -> list[str]:
        model = self._model_ref() if self._model_ref is not None else None
        return [name for name, _ in model.named_modules() if name] if model is not None else []

    def _context(self) -> Context:
        tensors, outputs = names_in(self._names, tensorkit.Tensor)
        ctx = Context(tensors, outputs, expanded=self._current_expanded(),
                      step_index=self._step_index)
        model = self._model_ref() if self._model_ref is not None else None
        if model is not None:
            ctx.param_names = {id(p): name for name, p in model.named_parameters()}
            ctx.module_types = {name: type(m).__name__ for name, m in model.named_modules()}
        return ctx

    def _publish(self) -> None:
        version = self._recorded.version
        if self._step_index is not None and self._step_index > len(self._recorded.steps):
            self._step_index = None
        self.graph = build_state(self._recorded, self._context()) | {"watching": self.watching}
        self._published_version = version
        self._last_publish = time.monotonic()

    def _changed(self) -> None:
        """Maybe something was recorded: redraw now if the last redraw is old enough."""
        if (self._recorded.version != self._published_version
                and time.monotonic() - self._last_publish >= self._live_interval):
            self._publish()

    # -- hooks ------------------------------------------------------------------------------
    def _on_created(self, node) -> None:
        new = self._recorded.add(node, tuple(self._module_stack))
        if new:
            self._hook_leaves(new)
            self._changed()

    def _on_executed(self, node, grad_inputs, grad_outputs) -> None:
        if node not in self._recorded:
            if not self.watching:
                return
            self._hook_leaves(self._recorded.add(node))
        with tensorkit.no_grad():
            self._recorded.executed(node, grad_inputs, grad_outputs)
        if self._step_index is not None:
            self._step_index = None  # a new backward pass: show it whole
        self._changed()

    def _on_accumulate(self, node, grads) -> None:
        with tensorkit.no_grad():
            self._recorded.accumulating(node, grads[0])
        self._changed()

    def _hook_leaves(self, nodes: list) -> None:
        """Listen to the leaves among ``nodes``: their gradient arrives in a pre-hook."""
        for node in nodes:
            if isinstance(node, autograd_graph.AccumulateGrad):
                callback = _weak_callback(self, "_on_accumulate")
                node_ref = weakref.ref(node)

                def prehook(grads, callback=callback, node_ref=node_ref):
                    node = node_ref()
                    if node is not None:
                        callback(node, grads)

                self._leaf_handles.append(node.register_prehook(prehook))

    def _hook_modules(self) -> None:
        """Forward hooks on every submodule: the ops made during its forward are its own."""
        model = self._model_ref() if self._model_ref is not None else None
        if model is None:
            return
        stack = self._module_stack
        counter = itertools.count()

        def enter(name):
            def push(module, args) -> None:  # must return None: args unchanged
                stack.append((name, next(counter)))
            return push

        def leave(module, args, output) -> None:  # must return None: output unchanged
            if stack:
                stack.pop()

        for name, module in model.named_modules():
            self._module_handles.append(module.register_forward_pre_hook(enter(name)))
            self._module_handles.append(module.register_forward_hook(leave, always_call=True))

    def _hook_cells(self) -> None:
        """In IPython: redraw, and refresh the saved picture, after every cell."""
        if self._cell_hook is not None:
            return
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is None:
            return
        callback = _weak_callback(self, "_after_cell")
        shell.events.register("post_run_cell", callback)
        self._cell_hook = (shell.events, callback)

    def _after_cell(self, *args) -> None:
        if self._recorded.version != self._published_version:
            self._publish()
        self._update_displays()

    def _on_message(self, widget, content, buffers) -> None:
        """Buttons and clicks in the browser."""
        action = content.get("type") if isinstance(content, dict) else None
        if action == "step":
            self.step()
        elif action == "reset":
            self.reset()
        elif action == "all":
            self.show_all()
        elif action == "expand":
            self.expand(content.get("module"))
        elif action == "collapse":
            self.collapse(content.get("module"))
        self._update_displays()


class _Watching:
    """What ``view.watch()`` returns: as a context manager, it stops watching at the end."""

    def __init__(self, view: GraphView, was_watching: bool) -> None:
        self._view, self._was_watching = view, was_watching

    def __repr__(self) -> str:
        return "watching: new nodes are drawn (view.stop() to stop)"

    def __enter__(self) -> GraphView:
        return self._view

    def __exit__(self, *exc) -> None:
        if not self._was_watching:
            self._view.stop()


def _weak_callback(obj, method: str):
    """A function calling ``obj.method`` without keeping ``obj`` alive (hooks are global)."""
    ref = weakref.ref(obj)

    def call(*args):
        target = ref()
        if target is not None:
            return getattr(target, method)(*args)
        return None

    return call
