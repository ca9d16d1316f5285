"""What the graph view knows: the autograd nodes it has seen, their gradients, the steps
of the last backward pass, and how to turn all that into a picture (``build_state``).

This module has no widget in it, so it can be tested (and reused by the static SVG)
without Jupyter.  It only reads what tensorkit makes public on a node: ``name()``,
``next_functions``, ``output_shapes``, ``output_dtypes``, ``AccumulateGrad.variable``,
and the gradients that the autograd hooks hand over.

Nodes are held weakly: when the learner drops the tensors of a graph, its nodes go away
and the view forgets them, as autograd does.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from tensorkit.autograd.graph import AccumulateGrad

SMALL = 6          # tensors with at most this many elements show their values inline
TOOLTIP_SMALL = 64  # ... and with at most this many, in the tooltip
CHAR_W = 7.3       # width of one character of the 12px monospace font, in pixels
LINE_H = 16
PAD_X, PAD_Y = 10, 7
MAX_CHARS = 44     # longer lines are cut with an ellipsis (the tooltip has them whole)


# -- gradients, summarised ---------------------------------------------------------------
def fmt(value: float) -> str:
    """A number in 4 significant digits: 4.5, 1.716, -0.2837, 1.2e-05."""
    return f"{value:.4g}"


@dataclass
class Summary:
    """A gradient reduced to what the picture shows: shape, norm, values if small."""

    shape: tuple
    norm: float
    values: object = None  # a float (0-d), a nested list (small), or None

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def scalar(self) -> float | None:
        """The single value of a one-element gradient, else None."""
        if self.numel != 1 or self.values is None:
            return None
        v = self.values
        while isinstance(v, list):
            v = v[0]
        return v

    def text(self) -> str:
        """Values when small (nested like the tensor), else the norm."""
        if self.values is None:
            return f"‖·‖ {fmt(self.norm)}"
        return _nested(self.values)


def _nested(values) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v) for v in values) + "]"
    return fmt(values)


def to_numpy(tensor) -> np.ndarray:
    """The values of a tensor (CPU or GPU) as a NumPy array, without touching the graph."""
    return np.asarray(tensor.detach().cpu().numpy())


def summarize(array, small: int = TOOLTIP_SMALL) -> Summary | None:
    """Summarise a gradient (a tensor or an array); None stays None."""
    if array is None:
        return None
    array = to_numpy(array) if hasattr(array, "detach") else np.asarray(array)
    as_float = array.astype(np.float64, copy=False)
    norm = float(np.sqrt(np.sum(as_float * as_float))) if array.size else 0.0
    values = as_float.tolist() if array.size <= small else None
    return Summary(tuple(array.shape), norm, values)


# -- what is recorded ---------------------------------------------------------------------
@dataclass
class Contribution:
    """One gradient sent by a node to one of its inputs during backward."""

    target: int          # serial of the input's node
    grad: Summary | None
    local: float | None  # d(output)/d(input), when both are single numbers


@dataclass
class Step:
    """One node running backward: what it received and what it sent on."""

    serial: int
    name: str                            # the node's name: MulBackward0, AccumulateGrad
    leaf: bool
    grad: Summary | None                 # dL/d(output of this node)
    sent: list[Contribution] = field(default_factory=list)
    before: Summary | None = None        # leaves: .grad before this pass
    after: Summary | None = None         # leaves: .grad after it


@dataclass
class Record:
    """What the view keeps about one node."""

    serial: int
    calls: tuple = ()               # the module calls running when it was made (see add)
    grad: Summary | None = None     # the gradient it received in the last backward
    sources: list = field(default_factory=list)  # leaves: (serial, Summary) received


class GraphModel:
    """The nodes seen so far (held weakly) and the steps of the latest backward pass."""

    def __init__(self) -> None:
        self._records: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._by_serial: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
        self._pinned: weakref.WeakSet = weakref.WeakSet()
        self._next_serial = 0
        self.steps: list[Step] = []
        self._pending: set[int] = set()  # nodes owed a gradient in the current pass
        self._changes = 0

    @property
    def version(self) -> tuple:
        """Changes when anything recorded changes (or nodes go away): time to redraw."""
        return (self._changes, len(self._records))

    # -- adding nodes --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, node) -> bool:
        return node in self._records

    def add(self, node, calls: tuple = (), pin: bool = False) -> list:
        """Record ``node`` and every input node not seen yet; returns the new nodes.

        ``calls`` says which module forward calls were running when ``node`` was made,
        outermost first, as ``((path, call_number), ...)``: ``(("", 0), ("fc1", 1))``
        for an op made by ``fc1`` inside the model's forward.  A leaf is drawn while a
        drawn node uses it, or always if ``pin``.
        """
        if node is None:
            return []
        if pin:
            self._pinned.add(node)
        record = self._records.get(node)
        if record is not None:
            if calls and not record.calls:
                record.calls = calls
                self._changes += 1
            return []
        new = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current in self._records:
                continue
            self._new_record(current)
            new.append(current)
            stack.extend(n for n, _ in current.next_functions
                         if n is not None and n not in self._records)
        self._records[node].calls = calls
        self._changes += 1
        return new

    def _new_record(self, node) -> Record:
        record = Record(self._next_serial)
        self._next_serial += 1
        self._records[node] = record
        self._by_serial[record.serial] = node
        return record

    def record(self, node) -> Record | None:
        return self._records.get(node)

    def node(self, serial: int):
        return self._by_serial.get(serial)

    def items(self) -> list:
        """(node, record) pairs of the nodes to draw, oldest first.

        Leaves live as long as their tensor: one that no drawn node uses any more (its
        graph is gone) is left out.
        """
        pairs = list(self._records.items())
        used = {id(n) for node, _ in pairs for n, _ in node.next_functions}
        pairs = [(node, rec) for node, rec in pairs
                 if not isinstance(node, AccumulateGrad) or id(node) in used
                 or node in self._pinned]
        pairs.sort(key=lambda p: p[1].serial)
        return pairs

    def clear(self) -> None:
        self._pinned = weakref.WeakSet()
        self._records = weakref.WeakKeyDictionary()
        self._by_serial = weakref.WeakValueDictionary()
        self.steps = []
        self._pending = set()
        self._changes += 1

    # -- backward --------------------------------------------------------------------------
    def _start_step(self, node, leaf: bool = False) -> Record | None:
        """The node's record; an op node nobody sent a gradient to begins a new pass.

        A leaf no drawn node sent a gradient to is left alone (None): a parameter drawn
        here is also used by graphs that are not (the next training step's).
        """
        record = self._records.get(node)
        if record is None:
            return None
        if record.serial not in self._pending:
            if leaf:
                return None
            self.steps = []
            self._pending = set()
            for _, r in self._records.items():
                r.sources = []
        self._pending.discard(record.serial)
        return record

    def executed(self, node, grad_inputs, grad_outputs) -> None:
        """An op node ran backward: keep what it received and what it sent."""
        record = self._start_step(node)
        if record is None:
            return
        received = [summarize(g) for g in grad_outputs]
        record.grad = _combine(received)
        step = Step(record.serial, node.name(), False, record.grad)
        out_scalar = record.grad.scalar if record.grad is not None else None
        for (next_node, _), g in zip(node.next_functions, grad_inputs):
            target = self._records.get(next_node) if next_node is not None else None
            if target is None or g is None:
                continue
            sent = summarize(g)
            local = None
            if out_scalar not in (None, 0.0) and sent.scalar is not None:
                local = sent.scalar / out_scalar
            step.sent.append(Contribution(target.serial, sent, local))
            target.sources.append((record.serial, sent))
            self._pending.add(target.serial)
        self.steps.append(step)
        self._changes += 1

    def accumulating(self, node, grad) -> None:
        """A leaf's AccumulateGrad is about to add ``grad`` into ``.grad``."""
        record = self._start_step(node, leaf=True)
        if record is None:
            return
        variable = node.variable
        total = to_numpy(grad)
        old = variable.grad if variable is not None else None
        before = summarize(old) if old is not None else None
        after = summarize(total + to_numpy(old) if old is not None else total)
        step = Step(record.serial, node.name(), True, summarize(total), before=before,
                    after=after)
        record.grad = step.grad
        self.steps.append(step)
        self._changes += 1


def _combine(summaries: list) -> Summary | None:
    """One summary for a node's outputs (most nodes have one)."""
    present = [s for s in summaries if s is not None]
    if not present:
        return None
    if len(summaries) == 1:
        return present[0]
    norm = math.sqrt(sum(s.norm ** 2 for s in present))
    return Summary((sum(s.numel for s in present),), norm, None)


# -- from the model to a picture -----------------------------------------------------------
@dataclass
class Context:
    """What the picture needs from outside the graph: names, modules, the view's settings."""

    tensor_names: Mapping[int, str] = field(default_factory=dict)  # id(tensor) -> name
    output_names: Mapping[int, str] = field(default_factory=dict)  # id(grad_fn) -> name
    param_names: Mapping[int, str] = field(default_factory=dict)   # id(param) -> fc1.weight
    module_types: Mapping[str, str] = field(default_factory=dict)  # path -> class name
    expanded: set | None = None    # module paths drawn open; None: every module open
    step_index: int | None = None  # None: after backward (all gradients shown)


def names_in(namespace: Mapping | None, tensor_type) -> tuple[dict, dict]:
    """Variable names of leaf tensors and of the outputs of nodes, from a namespace."""
    tensors, outputs = {}, {}
    for name, value in list((namespace or {}).items()):
        if name.startswith("_") or not isinstance(value, tensor_type):
            continue
        tensors.setdefault(id(value), name)
        fn = value.grad_fn
        if fn is not None:
            outputs.setdefault(id(fn), name)
    return tensors, outputs


def group_of(calls: tuple, expanded: set | None) -> tuple | None:
    """The collapsed module call ``(path, call)`` whose box holds a node made during
    ``calls``; None when the node is drawn on its own (every module around it is open)."""
    if expanded is None:
        return None
    for path, call in calls:
        if path and path not in expanded:
            return (path, call)
    return None


@dataclass
class _Item:
    """One box of the picture: a node, or a collapsed module."""

    id: str
    kind: str            # "op", "leaf" or "module"
    label: str
    lines: list[str]
    title: list[str]
    grad: Summary | None = None
    state: str = ""      # "", "current", "pending" (step mode), "done"
    module: str = ""
    serials: list[int] = field(default_factory=list)


def build_state(model: GraphModel, ctx: Context) -> dict:
    """The picture as JSON-able data: boxes, edges, layout, colours and the step text.

    The widget sends it to its JavaScript, and ``_svg.render`` turns it into an SVG.
    """
    from . import _layout, _svg

    pairs = model.items()
    serial_of = {id(node): rec.serial for node, rec in pairs}
    nodes = {rec.serial: (node, rec) for node, rec in pairs}
    steps = model.steps
    stepping = ctx.step_index is not None and bool(steps)
    step_index = max(0, min(ctx.step_index, len(steps))) if stepping else len(steps)
    shown = _shown_grads(model, steps[:step_index]) if stepping else None
    current = steps[step_index - 1].serial if stepping and step_index > 0 else None
    done = {s.serial for s in steps[:step_index]} if stepping else None

    calls_of = {rec.serial: _calls_of(node, rec, ctx) for node, rec in pairs}
    groups = _groups(calls_of, ctx.expanded)
    paths = {path for calls in calls_of.values() for path, _ in calls if path}
    box_labels = _box_labels(set(groups.values()) - {None})

    items: dict[str, _Item] = {}
    item_of: dict[int, str] = {}
    for node, rec in pairs:
        group = groups[rec.serial]
        if group is not None:
            key = "m:" + box_labels[group]
            item_of[rec.serial] = key
            if key not in items:
                items[key] = _Item(key, "module", box_labels[group], [], [], module=group[0])
            items[key].serials.append(rec.serial)
            continue
        key = f"n{rec.serial}"
        item_of[rec.serial] = key
        grad = _grad_for(node, rec, shown)
        module = calls_of[rec.serial][-1][0] if calls_of[rec.serial] else None
        items[key] = _node_item(key, node, rec, grad, ctx, module)
        items[key].serials.append(rec.serial)

    edges = []
    consumers: dict[int, set] = {rec.serial: set() for _, rec in pairs}
    for node, rec in pairs:
        for next_node, _ in node.next_functions:
            src = serial_of.get(id(next_node)) if next_node is not None else None
            if src is None:
                continue
            consumers[src].add(rec.serial)
            a, b = item_of[src], item_of[rec.serial]
            if a != b:
                edges.append((a, b))
    edges = list(dict.fromkeys(edges))
    used = {a for a, _ in edges}

    for item in items.values():
        if item.kind == "module":
            _fill_module(item, nodes, consumers, shown, ctx)
        if stepping:
            states = ["current" if s == current else "done" if s in done else "pending"
                      for s in item.serials]
            item.state = ("current" if "current" in states else
                          "done" if "done" in states else "pending")
    for item in items.values():
        if item.grad is not None:
            item.lines.extend(_grad_lines(item.grad))
            item.title.append(f"gradient: {item.grad.text()}  (norm {fmt(item.grad.norm)})")

    sizes = {k: _size(it) for k, it in items.items()}
    layout = _layout.layered_layout(sizes, edges)
    norms = [it.grad.norm for it in items.values() if it.grad is not None and it.grad.norm > 0]
    if stepping:  # the colours of the whole pass, so that they don't shift as steps go
        norms = [g.norm for s in steps for g in (s.grad, s.after) if g is not None and g.norm > 0]
    scale = _svg.GradScale(min(norms), max(norms)) if norms else None

    out_nodes = []
    for key, it in items.items():
        x, y = layout.positions[key]
        w, h = sizes[key]
        fill, ink = _svg.fill_for(it.kind, it.grad.norm if it.grad is not None else None, scale)
        out_nodes.append({
            "id": key, "kind": it.kind, "label": _cut(it.label), "lines": it.lines,
            "title": "\n".join(it.title), "x": round(x, 1), "y": round(y, 1),
            "w": round(w, 1), "h": round(h, 1), "fill": fill, "ink": ink,
            "grad_norm": it.grad.norm if it.grad is not None else None,
            "grad": it.grad.text() if it.grad is not None else None,
            "state": it.state, "module": it.module, "root": key not in used,
        })
    active = _active_edges(steps[step_index - 1], item_of) if stepping and current is not None \
        else {}
    out_edges = [{"source": a, "target": b,
                  "points": [[round(px, 1), round(py, 1)] for px, py in layout.routes[(a, b)]],
                  "active": (a, b) in active, "label": active.get((a, b), "")}
                 for a, b in edges]
    step_text = _step_text(steps, step_index if stepping else None, nodes, ctx) if steps else []
    if not items:
        step_text = ["No graph yet: ops on tensors with requires_grad=True show up here while "
                     "the view watches (GraphView(), view.watch()), or use view.show(tensor)."]
    return {
        "nodes": out_nodes, "edges": out_edges,
        "width": round(layout.width, 1), "height": round(layout.height, 1),
        "legend": {"min": scale.lo, "max": scale.hi} if scale is not None else None,
        "step": {"index": step_index, "count": len(steps), "stepping": stepping,
                 "text": step_text,
                 "node": item_of.get(current) if current is not None else None},
        "modules": sorted(paths),
        "expanded": sorted(ctx.expanded) if ctx.expanded is not None else None,
    }


def _calls_of(node, rec: Record, ctx: Context) -> tuple:
    """The module calls a node belongs to: recorded while watching, else guessed from the
    parameters (a parameter, or an op reading one, belongs to the parameter's module)."""
    if rec.calls:
        return rec.calls
    if isinstance(node, AccumulateGrad):
        name = ctx.param_names.get(id(node.variable))
        path = name.rpartition(".")[0] if name else ""
    else:
        owners = set()
        for next_node, _ in node.next_functions:
            if isinstance(next_node, AccumulateGrad):
                name = ctx.param_names.get(id(next_node.variable))
                if name:
                    owners.add(name.rpartition(".")[0])
        path = owners.pop() if len(owners) == 1 else ""
    if not path:
        return ()
    parts = path.split(".")
    return tuple((".".join(parts[:i]), None) for i in range(1, len(parts) + 1))


def _groups(calls_of: dict, expanded: set | None) -> dict:
    """serial -> the (path, call) box holding it, or None.

    A node whose call is unknown (a parameter: every call of its module reads it) joins
    the box of its module when the module ran once, and is drawn on its own otherwise.
    """
    groups = {s: group_of(calls, expanded) for s, calls in calls_of.items()}
    known: dict[str, set] = {}
    for group in groups.values():
        if group is not None and group[1] is not None:
            known.setdefault(group[0], set()).add(group[1])
    for s, group in groups.items():
        if group is not None and group[1] is None:
            calls = known.get(group[0], set())
            if len(calls) == 1:
                groups[s] = (group[0], next(iter(calls)))
            elif len(calls) > 1:
                groups[s] = None
    return groups


def _box_labels(boxes: set) -> dict:
    """Label of each module box: its path, numbered (``mp #2``) if it ran more than once."""
    by_path: dict[str, list] = {}
    for path, call in boxes:
        by_path.setdefault(path, []).append(call)
    labels = {}
    for path, calls in by_path.items():
        calls.sort(key=lambda c: -1 if c is None else c)
        for i, call in enumerate(calls):
            labels[(path, call)] = path if len(calls) == 1 else f"{path} #{i + 1}"
    return labels


def _shown_grads(model: GraphModel, done_steps: list[Step]) -> dict:
    """In step mode: serial -> the gradient to show, from the steps taken so far."""
    shown = {}
    for step in done_steps:
        shown[step.serial] = step.after if step.leaf else step.grad
    return shown


def _grad_for(node, rec: Record, shown: dict | None) -> Summary | None:
    if shown is not None:
        return shown.get(rec.serial)
    if isinstance(node, AccumulateGrad):
        var = node.variable
        grad = var.grad if var is not None else None
        return summarize(grad) if grad is not None else None
    return rec.grad


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _dtype_text(dtype) -> str:
    return str(dtype).rpartition(".")[2] if dtype is not None else "?"


def _meta_text(node) -> str:
    """Shape and dtype of each output: ``(2, 2) float32``."""
    if isinstance(node, AccumulateGrad) and node.variable is None:
        return "(freed)"  # the leaf tensor is gone (its node's output_shapes would fail)
    return ", ".join(f"{_shape_text(s)} {_dtype_text(d)}"
                     for s, d in zip(node.output_shapes, node.output_dtypes))


def _leaf_name(node, ctx: Context) -> str | None:
    var = node.variable
    if var is None:
        return None
    return ctx.param_names.get(id(var)) or ctx.tensor_names.get(id(var))


def _node_item(key: str, node, rec: Record, grad, ctx: Context, module: str | None) -> _Item:
    meta = _meta_text(node)
    if isinstance(node, AccumulateGrad):
        name = _leaf_name(node, ctx)
        what = "parameter" if id(node.variable) in ctx.param_names else "tensor"
        title = [f"{name or 'leaf tensor'}: a leaf {what}; backward adds into its .grad "
                 "(AccumulateGrad)", f"shape {meta}"]
        item = _Item(key, "leaf", name or "leaf tensor", [_cut(meta)], title, grad)
    else:
        out = ctx.output_names.get(id(node))
        line = f"{out} = {meta}" if out else meta
        title = [f"{node.name()}: the backward of the op that made "
                 f"{out or 'this tensor'}", f"output {meta}"]
        if module:
            title.append(f"made by module {module}")
        item = _Item(key, "op", node.name(), [_cut(line)], title, grad)
    item.module = module or ""
    return item


def _fill_module(item: _Item, nodes: dict, consumers: dict, shown, ctx: Context) -> None:
    """A collapsed module: its type, how many ops it holds, its output and gradient."""
    inside = set(item.serials)
    ops = sorted(s for s in inside if not isinstance(nodes[s][0], AccumulateGrad))
    params = [s for s in inside if isinstance(nodes[s][0], AccumulateGrad)]
    # exits: ops whose output is used outside the module (or by nobody: the output)
    exits = [s for s in ops if not consumers[s] or not consumers[s] <= inside]
    kind = ctx.module_types.get(item.module, "module")
    item.lines.append(_cut(f"{kind} · {_count(len(ops), 'op')} · "
                           f"{_count(len(params), 'param')}"))
    if exits:
        node, record = nodes[exits[-1]]
        item.lines.append(_cut(", ".join(_shape_text(s) for s in node.output_shapes)))
        item.grad = shown.get(exits[-1]) if shown is not None else record.grad
    item.title = [f"{item.module} ({kind}): {len(ops)} ops, {len(params)} parameters "
                  "- click to expand"]
    squares = []
    for s in params:
        var = nodes[s][0].variable
        if shown is None and var is not None and var.grad is not None:
            squares.append(summarize(var.grad, small=0).norm ** 2)
    if squares:
        item.title.append(f"gradient norm of its parameters: {fmt(math.sqrt(sum(squares)))}")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _grad_lines(grad: Summary) -> list[str]:
    """The gradient as shown in a box: values when small (and the norm), else the norm."""
    if grad.values is not None and grad.numel <= SMALL:
        lines = [_cut("grad " + grad.text())]
        if grad.numel > 1:
            lines.append("‖grad‖ " + fmt(grad.norm))
        return lines
    return ["‖grad‖ " + fmt(grad.norm)]


def _active_edges(step: Step, item_of: dict) -> dict:
    """In step mode, the edges the current step sends gradients along, with their values."""
    active = {}
    for c in step.sent:
        if c.target in item_of and step.serial in item_of:
            active[(item_of[c.target], item_of[step.serial])] = c.grad.text() if c.grad else ""
    return active


def symbol(node, ctx: Context) -> str:
    """How the step text names a node's output: its variable name, else the op (mul)."""
    if node is None:
        return "?"
    if isinstance(node, AccumulateGrad):
        return _leaf_name(node, ctx) or "leaf"
    out = ctx.output_names.get(id(node))
    if out:
        return out
    return node.name().split("Backward")[0].lower() or node.name()


def _step_text(steps: list[Step], index: int | None, nodes: dict, ctx: Context) -> list[str]:
    """The chain rule at step ``index`` (None: a summary, every gradient shown)."""
    root_node = nodes.get(steps[0].serial, (None,))[0]
    root = symbol(root_node, ctx)
    if index == 0:
        return [f"Backward of {root}: {len(steps)} steps. Press step to run the first node "
                f"({_node_name(nodes, steps[0].serial)}), which receives ∂{root}/∂{root} = 1."]
    if index is None:
        return [f"Backward of {root} done: {len(steps)} nodes ran. Press reset, then step, "
                "to replay it one node at a time."]
    lines = _one_step(steps[index - 1], f"Step {index}/{len(steps)}: ", root, nodes, ctx)
    if index == len(steps):
        lines.append("That was the last node: every leaf has its .grad. Press step to see "
                     "all gradients, or reset to replay.")
    return lines


def _one_step(step: Step, head: str, root: str, nodes: dict, ctx: Context) -> list[str]:
    node = nodes.get(step.serial, (None,))[0]
    me = symbol(node, ctx)
    head += _node_name(nodes, step.serial)
    if step.leaf:
        parts = [s for _, s in nodes[step.serial][1].sources] if step.serial in nodes else []
        incoming = " + ".join(p.text() for p in parts) if parts else step.grad.text()
        old = step.before.text() if step.before is not None else None
        total = f"{old} + ({incoming})" if old is not None else incoming
        return [head + f" (leaf {me}): add the gradient into {me}.grad",
                f"{me}.grad = {total} = {step.after.text() if step.after else '?'}"]
    lines = [head + f" receives ∂{root}/∂{me} = {step.grad.text() if step.grad else '?'}"]
    for c in step.sent:
        target = nodes.get(c.target, (None,))[0]
        name = symbol(target, ctx)
        value = c.grad.text() if c.grad else "?"
        if c.local is not None:
            lines.append(f"∂{root}/∂{name} += ∂{root}/∂{me} · ∂{me}/∂{name} = "
                         f"{step.grad.text()} × {fmt(c.local)} = {value}")
        else:
            lines.append(f"∂{root}/∂{name} += (∂{me}/∂{name})ᵀ · ∂{root}/∂{me} = {value}")
    return lines


def _node_name(nodes: dict, serial: int) -> str:
    node = nodes.get(serial, (None,))[0]
    return node.name() if node is not None else "?"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1] + "…"


def _size(item: _Item) -> tuple[float, float]:
    longest = max([len(item.label), *(len(line) for line in item.lines)])
    return (longest * CHAR_W + 2 * PAD_X, (1 + len(item.lines)) * LINE_H + 2 * PAD_Y)

