"""``Tensor``: an array (NumPy or CuPy) plus what autograd needs to know about it.

A tensor holds

* ``_data``: the array with the numbers; views share it with their base;
* ``requires_grad``: whether gradients should flow back to it;
* ``grad_fn``: the node of the graph that made it (``None`` for a leaf);
* ``grad``: for a leaf, the gradient accumulated by ``backward()``;
* a version counter, shared with its views and bumped by every in-place change, so
  that backward can refuse values that were overwritten after being saved.

The math lives in ``tensorkit/ops``: every op is a ``Function`` there, and the methods
of ``Tensor`` (``x.exp()``, ``x + y``, ``x.view(2, 3)``) call those functions.
"""

from __future__ import annotations

import builtins
import weakref

import numpy as np

from . import _dtype as D
from . import _tensor_str
from ._device import CPU, device_of, move, to_device
from ._size import Size
from .autograd import function as _function
from .autograd.function import _accumulate_grad_node, _Handle

_new = object.__new__


def _make(data, requires_grad: bool = False, grad_fn=None, output_nr: int = 0) -> Tensor:
    """Wrap an array in a tensor without the checks of the public constructors."""
    t = _new(Tensor)
    t._data = data
    if requires_grad:
        t._requires_grad = True
        if grad_fn is not None:
            t._grad_fn = grad_fn
            if output_nr:
                t._output_nr = output_nr
    return t


class Tensor:
    """A multi-dimensional array that can record how it was computed."""

    # Class-level defaults: a new tensor only stores what differs from them.
    _requires_grad = False
    _grad_fn = None
    _output_nr = 0
    _grad = None
    _vc = None            # version counter, a one-element list shared with views
    _base = None          # the tensor this one is a view of
    _view_chain = ()      # ((op, kwargs), ...) that turn _base's data into ours
    _history = 0          # bumped when an in-place op rewrites this tensor's graph
    _seen_history = 0     # for a view: the base's _history when our grad_fn was made
    _hooks = None
    _retains_grad = False
    _grad_acc = None      # this leaf's AccumulateGrad node, once it is in a graph
    __array_ufunc__ = None  # make `ndarray * tensor` call Tensor.__rmul__
    __array_priority__ = 1000

    def __init__(self, *args, dtype=None, device=None) -> None:
        """Legacy constructor: ``Tensor(2, 3)`` (uninitialised) or ``Tensor([1, 2])``."""
        from .ops.creation import legacy_new

        data = legacy_new(args, D.to_dtype(dtype) if dtype is not None else D.get_default_dtype(),
                          device)
        self._data = data

    # ------------------------------------------------------------------ basic facts
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape as a ``Size``, or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> D.dtype:
        return D._FROM_NUMPY[self._data.dtype]

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return type(self._data) is not np.ndarray

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None):
        """Steps in elements (not bytes, unlike NumPy) between neighbours of each dim."""
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        if self._base is None:
            return 0
        base = self._base._data
        start = _address(self._data) - _address(base)
        return start // self._data.itemsize

    def data_ptr(self) -> int:
        return _address(self._data)

    def get_device(self) -> int:
        return -1 if type(self._data) is np.ndarray else self._data.device.id

    def is_shared(self) -> bool:
        return False

    @property
    def layout(self) -> str:
        return "tensorkit.strided"

    # ------------------------------------------------------------ autograd facts
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               f"gradients (this one is {self.dtype}); convert it with .float()")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        if self._base is not None and self._requires_grad:
            self._refresh_view_history()
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and not self._retains_grad:
            import warnings

            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size: "
                                   f"{Size(value._data.shape)} vs {Size(self._data.shape)}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type: "
                                   f"{value.dtype} vs {self.dtype}")
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def _version(self) -> int:
        return self._counter()[0]

    @property
    def data(self) -> Tensor:
        """The same numbers without the autograd history (a separate version counter)."""
        return _make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    # ------------------------------------------------------------- autograd actions
    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Compute the gradient of this tensor with respect to the graph leaves."""
        from .autograd import backward as _backward

        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """The same data (shared), cut out of the graph."""
        t = _make(self._data)
        t._vc = self._counter()
        return t

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._requires_grad = False
        self._base = None
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` of this non-leaf tensor after ``backward()``."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def keep(grad):
            me = ref()
            if me is not None:
                me._grad = grad.detach() if me._grad is None else me._grad + grad.detach()

        self._grad_fn._add_tensor_prehook(self._output_nr, keep)

    def register_hook(self, hook) -> _Handle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_tensor_prehook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = []
        return _Handle(self._hooks, hook)

    def _edge(self):
        """Where this tensor's gradient goes: (grad_fn, output_nr) or its AccumulateGrad."""
        if self._base is not None:
            self._refresh_view_history()
        fn = self._grad_fn
        if fn is not None:
            return (fn, self._output_nr)
        return (_accumulate_grad_node(self), 0)

    def _counter(self) -> list:
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        return vc

    def _bump(self) -> None:
        """Record an in-place change (views share the counter, so they see it too)."""
        self._counter()[0] += 1

    def _refresh_view_history(self) -> None:
        """After an in-place op rewrote the base's graph, re-derive this view from it."""
        base = self._base
        if base._history != self._seen_history and base._requires_grad:
            from .ops.inplace import regenerate_view_grad_fn

            regenerate_view_grad_fn(self)

    # ------------------------------------------------------------------ conversion
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array behind this tensor (shared memory, not a copy)."""
        if force:
            return np.asarray(move(self._data, CPU))
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if type(self._data) is not np.ndarray:
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype)
        return array.copy() if copy else array

    def item(self):
        """The single value of a one-element tensor, as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            amount = "more than one" if self._data.size else "no"
            raise RuntimeError(f"Boolean value of Tensor with {amount} value is ambiguous")
        return bool(self._data.item())

    def __int__(self) -> int:
        return int(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._data.item())

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __repr__(self, *, tensor_contents=None) -> str:
        data = self._data if type(self._data) is np.ndarray else move(self._data, CPU)
        fn = self._grad_fn
        return _tensor_str.tensor_repr(
            data, dtype_name=self.dtype.name, device=str(self.device),
            requires_grad=self._requires_grad,
            grad_fn_name=fn.name() if fn is not None else None)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (_rebuild, (np.asarray(move(self._data, CPU)), self._requires_grad,
                           str(self.device)))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment. If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        result = type(self).__new__(type(self))
        result.__dict__.update({k: v for k, v in self.__dict__.items()
                                if k not in ("_data", "_grad", "_vc", "_grad_acc", "_base",
                                             "_view_chain", "_hooks")})
        result._data = self._data.copy()
        if self._grad is not None:
            result._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result

    # ------------------------------------------------------------ devices and dtypes
    def to(self, *args, **kwargs) -> Tensor:
        """Convert to another dtype and/or device: ``to(dtype)``, ``to('cuda')``, ``to(t)``."""
        dtype, dev, copy = _parse_to(self, args, kwargs)
        from .ops.conversion import to_copy

        return to_copy(self, dtype, dev, copy)

    def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
        return self.to("cuda" if device is None else to_device(device))

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        """Without argument, the type's name (``'tensorkit.FloatTensor'``); else convert."""
        if dtype is None:
            legacy = self.dtype.legacy_name
            cuda = "" if type(self._data) is np.ndarray else "cuda."
            return f"tensorkit.{cuda}{legacy}Tensor"
        from .ops.creation import parse_type_name

        dt, dev = parse_type_name(dtype)
        return self.to(dtype=dt, device=dev if dev is not None else self.device)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self) -> Tensor:
        return self.to(D.float32)

    def double(self) -> Tensor:
        return self.to(D.float64)

    def half(self) -> Tensor:
        return self.to(D.float16)

    def int(self) -> Tensor:
        return self.to(D.int32)

    def long(self) -> Tensor:
        return self.to(D.int64)

    def short(self) -> Tensor:
        return self.to(D.int16)

    def char(self) -> Tensor:
        return self.to(D.int8)

    def byte(self) -> Tensor:
        return self.to(D.uint8)

    def bool(self) -> Tensor:
        return self.to(D.bool)

    # ----------------------------------------------------------------- new tensors
    def new_tensor(self, data, dtype=None, device=None, requires_grad: builtins.bool = False):
        from .ops.creation import tensor

        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        from .ops.creation import empty

        return empty(*size, dtype=dtype or self.dtype, device=device or self.device,
                     requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        from .ops.creation import zeros

        return zeros(*size, dtype=dtype or self.dtype, device=device or self.device,
                     requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        from .ops.creation import ones

        return ones(*size, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from .ops.creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)


def _rebuild(array, requires_grad, device="cpu"):
    data = move(array, to_device(device)) if device != "cpu" else array
    return _make(data, requires_grad)


def _address(array) -> int:
    if type(array) is np.ndarray:
        return array.__array_interface__["data"][0]
    return array.data.ptr


def _wrap_dim(dim: int, ndim: int) -> int:
    """Turn a possibly negative ``dim`` into an index, with torch's IndexError."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def _parse_to(t: Tensor, args, kwargs):
    """Sort ``to``'s flexible arguments into (dtype, device, copy)."""
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, D.dtype) or (a is not None and type(a).__name__ == "dtype"):
            dtype = a
        elif isinstance(a, builtins.bool):
            copy = a
        elif a is not None:
            dev = a
    dtype = D.to_dtype(dtype) if dtype is not None else None
    dev = to_device(dev) if dev is not None else None
    return dtype, dev, copy


_function.Tensor = Tensor  # the autograd core needs these; importing them there would loop
_function._make = _make
