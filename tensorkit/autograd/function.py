"""``Function``: one differentiable op, and one node of the backward graph.

Every op in tensorkit is a subclass of ``Function`` with two methods:

* ``forward(*arrays)`` computes the result on plain arrays (NumPy or CuPy), and
  calls ``self.save_for_backward(...)`` with whatever backward will need;
* ``backward(grad)`` receives the gradient of the loss with respect to the output
  (a tensor) and returns the gradient with respect to each input.  It is written
  with tensor ops, so the backward pass can itself be differentiated
  (``create_graph=True``, higher-order gradients).

``Function.apply`` runs ``forward`` and, when gradients are being tracked, records
the call: the instance *is* the output's ``grad_fn``, and ``next_functions`` points
at the ``grad_fn`` of each input, which is how the graph is linked together.  The
class name is the one PyTorch prints (``MulBackward0``), so learners see the same
graph in both libraries.
"""

from __future__ import annotations

import itertools
import weakref

import numpy as np

from .grad_mode import STATE

_sequence = itertools.count()  # creation order: backward runs newer nodes first
_new = object.__new__
_ndarray = np.ndarray
_NO_EDGE = (None, 0)

# Set by tensorkit/_tensor.py once it has loaded (the two modules need each other).
Tensor = None
_make = None

# Observers of the graph (the widgets use these): called as fn(node) when a node is
# recorded, and as fn(node, grad_inputs, grad_outputs) after a node ran backward.
_node_created_hooks: list = []
_node_executed_hooks: list = []


class SavedOutput:
    """A node's own output, saved as its array: saving the tensor would make a cycle."""

    __slots__ = ("output_nr", "data")

    def __init__(self, output_nr: int, data) -> None:
        self.output_nr = output_nr
        self.data = data


class Function:
    """Base class of every op; subclasses define ``forward`` and ``backward``."""

    once_differentiable = False  # True if backward is written on arrays, not tensors
    _saved = None           # what save_for_backward recorded, until the graph is freed
    _released = False
    _non_differentiable = ()
    _prehooks = None        # hooks on the gradient of an output: {output_nr: [fn]}
    _posthooks = None       # hooks called as fn(grad_inputs, grad_outputs)
    _node_prehooks = None   # hooks called as fn(grad_outputs)
    _metadata = None
    _output_vcs = None      # version counters of the outputs, if any output is saved

    _torch_style = False    # forward/backward as static methods taking ctx, as in torch

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("forward"), staticmethod):
            cls._torch_style = True

    # -- what subclasses define -------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError

    def backward(self, *grads):
        raise NotImplementedError

    # -- helpers for forward -----------------------------------------------------------
    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` (inputs, the output or intermediates) for ``backward``."""
        self._to_save = arrays

    def mark_non_differentiable(self, *arrays) -> None:
        """Outputs such as the indices of ``max``: they never carry a gradient."""
        self._non_differentiable = tuple(getattr(a, "_data", a) for a in arrays)

    def mark_dirty(self, *tensors) -> None:
        """torch API for custom Functions that modify inputs in place (accepted, unused)."""

    def set_materialize_grads(self, value: bool) -> None:
        """torch API: tensorkit always passes zero tensors for unused outputs."""

    @property
    def needs_input_grad(self) -> tuple:
        """For each input: does a gradient have to be computed for it?"""
        return tuple(fn is not None for fn, _ in self.next_functions)

    # -- running an op -------------------------------------------------------------------
    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the op on ``args`` (tensors or numbers) and record it in the graph."""
        if cls._torch_style:
            return _apply_torch_style(cls, args, kwargs)
        fn = _new(cls)
        track = False
        first_type = None
        datas = []
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                if first_type is None:
                    first_type = type(d)
                elif type(d) is not first_type or first_type is not _ndarray:
                    _check_devices(args)
                if a._requires_grad:
                    track = True
                datas.append(d)
            else:
                datas.append(a)
        out = fn.forward(*datas, **kwargs)
        if type(out) is tuple:
            outs = tuple([_make(_as_array(fn, o)) for o in out])
        else:
            outs = None
            if type(out) is not _ndarray:
                out = _as_array(fn, out)
        if not track or not STATE.enabled:
            return outs if outs is not None else _make(out)
        fn._record(args, datas, outs, out)
        if outs is not None:
            return outs
        result = _make(out, True, fn)
        if fn._output_vcs is not None:
            fn._output_vcs[0] = result._counter()
        return result

    def _record(self, args, datas, outs, out) -> None:
        """Link this node into the graph: edges to the inputs, what to save, metadata."""
        self._sequence_nr = next(_sequence)
        edges = []
        meta = []
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                grad_fn = a._grad_fn
                if grad_fn is not None and a._base is None:
                    edges.append((grad_fn, a._output_nr))
                else:
                    edges.append(a._edge())
                data = a._data
                meta.append((data.shape, data.dtype))
            else:
                edges.append(_NO_EDGE)
                meta.append(None)
        self.next_functions = tuple(edges)
        self._input_meta = meta
        if outs is None:
            out_arrays = (out,)
            self._output_meta = ((out.shape, out.dtype),)
        else:
            out_arrays = [o._data for o in outs]
            self._output_meta = tuple([(o.shape, o.dtype) for o in out_arrays])
        to_save = self.__dict__.pop("_to_save", None)
        if to_save is not None:
            self._saved = [_saved_entry(s, args, datas, out_arrays) for s in to_save]
            for s in self._saved:
                if type(s) is SavedOutput:
                    self._output_vcs = [None] * len(out_arrays)  # filled as outputs are made
                    break
        if outs is not None:
            for i, t in enumerate(outs):
                if any(t._data is nd for nd in self._non_differentiable):
                    continue
                t._requires_grad = True
                t._grad_fn = self
                t._output_nr = i
                if self._output_vcs is not None:
                    self._output_vcs[i] = t._counter()
        if _node_created_hooks:
            for hook in _node_created_hooks:
                hook(self)

    # -- what backward reads -----------------------------------------------------------
    @property
    def saved_tensors(self) -> tuple:
        """The saved values as tensors, after checking none was modified in place."""
        if self._released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward.")
        result = []
        for s in self._saved or ():
            if type(s) is tuple:  # (input tensor, its version counter, version when saved)
                tensor, vc, version = s
                if vc[0] != version:
                    _raise_modified(tensor, vc[0], version)
                result.append(tensor)
            elif type(s) is SavedOutput:
                vc = self._output_vcs[s.output_nr]
                if vc[0] != 0:
                    _raise_modified_output(self, s, vc[0])
                if STATE.enabled:  # create_graph: the output as a node of the graph
                    result.append(_make(s.data, True, self, s.output_nr))
                else:
                    result.append(_make(s.data))
            elif hasattr(s, "shape"):  # an intermediate array: a constant for backward
                result.append(_make(s))
            else:  # a number or None
                result.append(s)
        return tuple(result)

    def release(self) -> None:
        """Free the saved values: the graph can't be run backward again."""
        if self._saved is not None:
            self._saved = None
            self._released = True

    # -- what people (and the widgets) can inspect ---------------------------------------
    def name(self) -> str:
        cls = type(self)
        return cls.__name__ + "Backward" if cls._torch_style else cls.__name__

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    @property
    def output_shapes(self) -> tuple:
        return tuple(shape for shape, _ in self._output_meta)

    @property
    def output_dtypes(self) -> tuple:
        from .._dtype import from_numpy_dtype

        return tuple(None if dt is None else from_numpy_dtype(dt) for _, dt in self._output_meta)

    def register_hook(self, fn):
        """Call ``fn(grad_inputs, grad_outputs)`` after this node runs backward."""
        if self._posthooks is None:
            self._posthooks = []
        return _Handle(self._posthooks, fn)

    def register_prehook(self, fn):
        """Call ``fn(grad_outputs)`` before this node runs; it may return new grads."""
        if self._node_prehooks is None:
            self._node_prehooks = []
        return _Handle(self._node_prehooks, fn)

    def _add_tensor_prehook(self, output_nr: int, fn):
        if self._prehooks is None:
            self._prehooks = {}
        return _Handle(self._prehooks.setdefault(output_nr, []), fn)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"


def _apply_torch_style(cls, args, kwargs):
    """A custom Function written as in torch: ``forward(ctx, *tensors)``, static methods.

    forward runs on tensors with gradient tracking off; its outputs are then linked into
    the graph with ``ctx`` as their ``grad_fn``, and backward(ctx, *grads) runs on tensors.
    """
    ctx = _new(cls)
    track = STATE.enabled and any(isinstance(a, Tensor) and a._requires_grad for a in args)
    prev = STATE.enabled
    STATE.enabled = False
    try:
        out = cls.forward(ctx, *args, **kwargs)
    finally:
        STATE.enabled = prev
    outs = out if type(out) is tuple else (out,)
    outs = tuple(o.detach() if isinstance(o, Tensor) and (o._grad_fn is not None or any(
        o is a for a in args)) else o for o in outs)
    if not track:
        return outs if type(out) is tuple else outs[0]
    tensor_outs = tuple(o for o in outs if isinstance(o, Tensor))
    datas = [a._data if isinstance(a, Tensor) else a for a in args]
    to_save = ctx.__dict__.pop("_to_save", None)
    if to_save is not None:
        ctx._to_save = to_save
    ctx._record(args, datas, tensor_outs, None)
    return outs if type(out) is tuple else outs[0]


def _saved_entry(s, args, datas, out_arrays):
    """Turn one array given to save_for_backward into what we keep.

    An input is kept as its tensor (so a double backward reaches it) with its version,
    to detect later in-place changes; an output as a SavedOutput; anything else is an
    intermediate array, a constant for backward.
    """
    if hasattr(s, "_data"):  # a tensor, from a custom Function written as in torch
        for a in args:
            if s is a:
                vc = a._counter()
                return (a, vc, vc[0])
        s = s._data
    for a, d in zip(args, datas):
        if s is d and hasattr(a, "_data"):
            vc = a._counter()
            return (a, vc, vc[0])
    for i, o in enumerate(out_arrays):
        if s is o:
            return SavedOutput(i, o)
    return s


class AccumulateGrad(Function):
    """The node at a leaf: adds the incoming gradient into ``variable.grad``.

    The leaf keeps its node alive and the node refers back to the leaf weakly, so no
    reference cycle forms: a leaf nobody can reach any more has no ``.grad`` to fill.
    """

    next_functions = ()
    _input_meta = ()
    _sequence_nr = -1  # torch runs gradient accumulation as late as possible

    def __init__(self, variable) -> None:
        self._variable = weakref.ref(variable)

    @property
    def variable(self):
        return self._variable()

    @property
    def _output_meta(self):
        var = self._variable()
        return ((var._data.shape, var._data.dtype),) if var is not None else (((), None),)

    def _variable_grad_is_none(self) -> bool:
        var = self._variable()
        return var is not None and var._grad is None

    def backward(self, grad):
        var = self._variable()
        if var is None:
            return ()
        for hook in var._hooks or ():
            new = hook(grad)
            if new is not None:
                grad = new
        if var._grad is None:
            var._grad = grad if STATE.enabled else _make(grad._data)
        elif STATE.enabled:  # create_graph: keep the graph of the accumulation
            var._grad = var._grad + grad
        else:
            old = var._grad
            old._data += grad._data
            old._bump()
        return ()

    def release(self) -> None:
        pass


class _Handle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook away."""

    def __init__(self, hooks: list, fn) -> None:
        self.hooks, self.fn = hooks, fn
        hooks.append(fn)

    def remove(self) -> None:
        if self.fn in self.hooks:
            self.hooks.remove(self.fn)


class RemovableHandle(_Handle):
    pass


def _accumulate_grad_node(tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, made once and shared by every graph using the leaf."""
    node = tensor._grad_acc
    if node is None:
        node = tensor._grad_acc = AccumulateGrad(tensor)
    return node


def _as_array(fn: Function, x):
    """NumPy returns scalars for 0-d results; tensors always hold arrays."""
    if isinstance(x, np.generic):
        array = np.asarray(x)
        saved = fn.__dict__.get("_to_save")
        if saved:  # forward saved the scalar it returned: save the array instead
            fn._to_save = tuple(array if s is x else s for s in saved)
        return array
    return x


def _check_devices(args) -> None:
    from .._device import check_same_device

    check_same_device([a._data for a in args if hasattr(a, "_data")])


def _type_name(data) -> str:
    from .._dtype import from_numpy_dtype

    prefix = "tensorkit." if type(data) is np.ndarray else "tensorkit.cuda."
    legacy = from_numpy_dtype(data.dtype).legacy_name or data.dtype.name
    return f"{prefix}{legacy}Tensor"


def _raise_modified(tensor, now: int, expected: int) -> None:
    data = tensor._data
    fn = tensor._grad_fn
    origin = (f"output {tensor._output_nr} of {type(fn).__name__.replace('Backward0', '')}"
              if fn is not None else "a leaf tensor")
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{_type_name(data)} [{', '.join(map(str, data.shape))}]], which "
        f"is {origin}, is at version {now}; expected version {expected} instead. Hint: use an "
        "out-of-place op (y = y + 1 instead of y += 1), or .clone() the tensor before "
        "modifying it.")


def _raise_modified_output(fn, saved: SavedOutput, now: int) -> None:
    data = saved.data
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{_type_name(data)} [{', '.join(map(str, data.shape))}]], which "
        f"is output {saved.output_nr} of {type(fn).__name__.replace('Backward0', '')}, is at "
        f"version {now}; expected version 0 instead. Hint: use an out-of-place op "
        "(y = y + 1 instead of y += 1), or .clone() the tensor before modifying it.")


def once_differentiable(fn_cls):
    """Mark a Function whose backward works on arrays: no double backward through it."""
    fn_cls.once_differentiable = True
    return fn_cls
