"""The backward pass: walk the graph from the output to the leaves, applying the chain rule.

1. Count, for every node reachable from the roots, how many edges lead into it.
2. Start from the roots with their gradients (``1`` for a scalar loss).
3. Run a node once all the gradients flowing into it have arrived (its count is
   zero), summing them first: a tensor used twice receives the sum of both paths.
   Among ready nodes, the most recently created runs first, as in PyTorch.
4. ``backward`` of the node turns the gradient of its output into gradients of its
   inputs, which flow along ``next_functions`` to the next nodes.  At a leaf,
   ``AccumulateGrad`` adds them into ``.grad``.

Unless ``retain_graph=True``, each node frees its saved tensors after it ran, so the
memory of the graph is returned as soon as possible.

A leaf's first gradient is kept without a copy when nothing else can see its memory:
not the caller's ``gradient=``, not another leaf's ``.grad``, and not a read-only
broadcast (``sum`` spreads one value over every element).  Otherwise ``.grad`` gets a
copy, so that accumulating into it in place (a second ``backward``, ``zero_()``) never
changes another tensor.
"""

from __future__ import annotations

from heapq import heappop, heappush

from .. import _dtype
from .._size import sum_to_axes
from . import function as _function
from .function import AccumulateGrad, _node_executed_hooks
from .grad_mode import STATE

# Tests switch this on to prove no op returns a gradient of the wrong dtype or shape
# (the engine would otherwise quietly fix it, as PyTorch's does).
STRICT = {"dtype": False}


def run_backward(roots, grad_roots, retain_graph: bool, create_graph: bool,
                 inputs=None, allow_unused: bool = True, accumulate: bool = True):
    """Propagate ``grad_roots`` backward from ``roots``.

    With ``accumulate=True`` (``Tensor.backward``) gradients go into ``.grad`` of the
    leaves (only those in ``inputs`` if given).  With ``accumulate=False``
    (``autograd.grad``) the gradients of ``inputs`` are returned instead.
    """
    root_edges = [_root_edge(r, i) for i, r in enumerate(roots)]
    capture = None
    if inputs is not None:
        capture = {_input_edge(t): i for i, t in enumerate(inputs)}
    dependencies = _count_dependencies(edge[0] for edge in root_edges)
    buffers: dict = {}
    for (node, nr), g in zip(root_edges, grad_roots):
        _add_to_buffer(buffers, node, nr, g)
    ready = []
    for node in {node for node, _ in root_edges}:
        if dependencies.get(node, 0) == 0:
            heappush(ready, (-node._sequence_nr, id(node), node))
    captured = [None] * len(inputs) if inputs is not None and not accumulate else None
    # memory that a leaf's .grad must not share: the caller's gradients, then each kept grad
    taken = {id(_memory_owner(g._data)) for g in grad_roots if g is not None}

    prev = STATE.enabled
    STATE.enabled = create_graph
    try:
        while ready:
            node = heappop(ready)[2]
            grads = buffers.pop(node, None)
            if grads is not None and captured is not None:
                _capture(node, grads, capture, captured)
            if type(node) is AccumulateGrad:
                if grads is not None and grads[0] is not None and accumulate and (
                        capture is None or (node, 0) in capture):
                    grad = _run_prehooks(node, grads)[0]
                    if node._variable_grad_is_none() and not create_graph:
                        grad = _private(grad, taken)
                    node.backward(grad)
                continue
            if grads is None:  # no gradient reached this node: nothing flows on
                grad_inputs = (None,) * len(node.next_functions)
            else:
                if node._prehooks or node._node_prehooks:
                    grads = _run_prehooks(node, grads)
                grad_inputs = _call_backward(node, grads)
                if not retain_graph:
                    node.release()
            # hand each input's gradient to the node that produced that input
            for (next_node, nr), g, meta in zip(node.next_functions, grad_inputs,
                                                node._input_meta):
                if next_node is None:
                    continue
                if g is not None:
                    data = g._data
                    if data.shape != meta[0] or data.dtype != meta[1]:
                        g = _validate(node, g, meta)
                    slots = buffers.get(next_node)
                    if slots is None:
                        slots = buffers[next_node] = [None] * len(next_node._output_meta)
                    old = slots[nr]
                    slots[nr] = g if old is None else old + g  # a tensor used twice: sum
                remaining = dependencies[next_node] - 1
                dependencies[next_node] = remaining
                if remaining == 0:
                    heappush(ready, (-next_node._sequence_nr, id(next_node), next_node))
    finally:
        STATE.enabled = prev
    if captured is None or accumulate:
        return None
    if not allow_unused and any(g is None for g in captured):
        raise RuntimeError(
            "One of the differentiated Tensors appears to not have been used in the "
            "graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(captured)


def _memory_owner(data):
    """The array that owns ``data``'s memory (``data`` itself unless it is a view)."""
    while data.base is not None:
        data = data.base
    return data


def _private(grad, taken: set):
    """``grad`` itself if a leaf may keep it as ``.grad``, else a copy (see the docstring)."""
    data = grad._data
    owner = id(_memory_owner(data))
    writeable = getattr(data.flags, "writeable", True)  # CuPy arrays are always writeable
    if owner in taken or not writeable or (data.size > 1 and 0 in data.strides):
        return _function._make(data.copy())
    taken.add(owner)
    return grad


def _root_edge(tensor, i: int):
    if not tensor._requires_grad:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn. "
            "Did you forget requires_grad=True, or compute it under no_grad()?")
    return tensor._edge()


def _input_edge(tensor):
    if not tensor._requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return tensor._edge()


def _count_dependencies(root_nodes) -> dict:
    """For each reachable node, the number of edges into it (iterative DFS)."""
    dependencies: dict = {}
    stack = list(dict.fromkeys(root_nodes))  # a node given twice is still walked once
    seen = set(stack)
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            dependencies[next_node] = dependencies.get(next_node, 0) + 1
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return dependencies


def _capture(node, grads, capture, captured) -> None:
    """For autograd.grad: keep the gradients that arrive at the requested inputs."""
    for nr, g in enumerate(grads):
        i = capture.get((node, nr))
        if i is not None:
            captured[i] = g


def _add_to_buffer(buffers: dict, node, nr: int, g) -> None:
    grads = buffers.get(node)
    if grads is None:
        grads = buffers[node] = [None] * len(node._output_meta)
    old = grads[nr]
    grads[nr] = g if old is None else old + g


def _run_prehooks(node, grads):
    if node._prehooks:
        for nr, hooks in node._prehooks.items():
            for hook in list(hooks):
                new = hook(grads[nr])
                if new is not None:
                    grads[nr] = new
    if node._node_prehooks:
        for hook in list(node._node_prehooks):
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
    return grads


def _call_backward(node, grads):
    if node.once_differentiable and STATE.enabled:
        raise RuntimeError(
            f"{type(node).__name__} is not differentiable twice: its backward is computed on "
            "arrays. Use create_graph=False, or an op written with differentiable backward.")
    if len(grads) > 1 and any(g is None for g in grads):
        grads = _fill_zeros(node, grads)
    if node._torch_style:
        result = type(node).backward(node, *grads)
    else:
        result = node.backward(*grads)
    if type(result) is not tuple:
        result = (result,)
    if len(result) != len(node.next_functions):
        raise RuntimeError(
            f"function {type(node).__name__} returned an incorrect number of gradients "
            f"(expected {len(node.next_functions)}, got {len(result)})")
    if node._posthooks or _node_executed_hooks:
        for hook in list(node._posthooks or ()):
            new = hook(result, tuple(grads))
            if new is not None:
                result = tuple(new)
        for hook in _node_executed_hooks:
            hook(node, result, tuple(grads))
    return result


def _fill_zeros(node, grads):
    """Outputs nobody used (e.g. one half of a split) get a zero gradient."""
    from .._device import array_module
    from .._tensor import _make

    filled = list(grads)
    like = next(g for g in grads if g is not None)._data
    xp = array_module(like)
    for i, g in enumerate(grads):
        if g is None:
            shape, dtype = node._output_meta[i]
            filled[i] = _make(xp.zeros(shape, dtype))
    return filled


def _validate(node, g, meta):
    """Give the gradient its input's shape and dtype (broadcasting sums, casts)."""
    shape, dtype = meta
    data = g._data
    if data.shape != shape:
        if STRICT["dtype"] and len(data.shape) < len(shape):
            raise RuntimeError(f"{type(node).__name__} returned a gradient of shape "
                               f"{tuple(data.shape)} for an input of shape {tuple(shape)}")
        axes = None if STATE.enabled else sum_to_axes(data.shape, shape)
        # a bias's (N, out) gradient summed to (out,): on the arrays unless create_graph
        g = g.sum_to_size(shape) if axes is None else _function._make(
            data.sum(axis=axes, keepdims=True).reshape(shape))
    if data.dtype != dtype:
        if STRICT["dtype"]:
            raise RuntimeError(
                f"{type(node).__name__} returned a gradient of dtype "
                f"{_dtype.from_numpy_dtype(data.dtype)} for an input of dtype "
                f"{_dtype.from_numpy_dtype(dtype)}")
        g = g.to(_dtype.from_numpy_dtype(dtype))
    return g
