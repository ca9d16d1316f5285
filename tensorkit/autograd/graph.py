"""Watching the graph: hooks that tools (such as tensorkit's widgets) use to observe autograd.

* ``register_node_created_hook(fn)``: ``fn(node)`` runs each time an op records a node.
* ``register_node_executed_hook(fn)``: ``fn(node, grad_inputs, grad_outputs)`` runs after a
  node's backward, with the gradients it received (``grad_outputs``) and produced
  (``grad_inputs``, one per entry of ``node.next_functions``).

Every node also knows its op name (``node.name()``), its inputs (``node.next_functions``),
and the shape and dtype of each output (``node.output_shapes``, ``node.output_dtypes``).
"""

from __future__ import annotations

from .function import AccumulateGrad, Function, _Handle, _node_created_hooks, _node_executed_hooks

Node = Function


def register_node_created_hook(fn) -> _Handle:
    """Call ``fn(node)`` whenever a node is added to a graph; ``.remove()`` the handle to stop."""
    return _Handle(_node_created_hooks, fn)


def register_node_executed_hook(fn) -> _Handle:
    """Call ``fn(node, grad_inputs, grad_outputs)`` after each node runs backward."""
    return _Handle(_node_executed_hooks, fn)


def walk(root) -> list:
    """All nodes reachable from ``root`` (a tensor or a node), parents before children."""
    if hasattr(root, "_edge"):
        root = root._edge()[0] if root._requires_grad else None
    if root is None:
        return []
    order, seen, stack = [], {root}, [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for next_node, _ in node.next_functions:
            if next_node is not None and next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return order


__all__ = ["AccumulateGrad", "Node", "register_node_created_hook",
           "register_node_executed_hook", "walk"]
