"""``Optimizer``: the base class that keeps parameters, their options and their state.

An optimizer holds

* ``param_groups``: a list of dicts, each with a list of tensors under ``"params"``
  and that group's options (``lr``, ``momentum``, ...).  One optimizer can train
  several parts of a model with different learning rates this way;
* ``defaults``: the options a group gets when it doesn't name them;
* ``state``: per-parameter memory (momentum buffers, running averages, step
  counts), a dict keyed by the parameter tensor itself.

``step()`` walks the groups and, for every parameter that received a gradient,
calls the subclass's ``_update(param, grad, group)`` under ``no_grad``: the update
is arithmetic on the numbers, not something to differentiate.

``state_dict()`` replaces every tensor key by an integer id (its position across
all groups, in order), so a checkpoint doesn't depend on object identity; the format
is PyTorch's, key for key.
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad

# What ``params`` may be: tensors, param-group dicts, or (name, tensor) pairs.
ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class _RequiredParameter:
    """Marks an option with no default: every param group must give it."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj) -> str:
    """The name torch puts in error messages: ``tensorkit.FloatTensor``, ``int``, ``list``."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


def _scalar_dtype() -> D.dtype:
    """The dtype of the ``step`` counters: float64 if that is the default dtype, else float32."""
    return D.float64 if D.get_default_dtype() == D.float64 else D.float32


def _to_scalar(value):
    """A hyper-parameter given as a one-element tensor, made 0-d so it broadcasts like a number.

    Numbers pass through.  A tensor learning rate stays a tensor, as in torch: the
    arithmetic on it (``lr / (1 - beta1 ** t)``) then happens in its own dtype.
    """
    if isinstance(value, Tensor) and value.dim() != 0:
        return value.squeeze()
    return value


def _check_no_differentiable(differentiable: bool) -> None:
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported: tensorkit optimizers update parameters "
            "under no_grad. Leave it False.")


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of tensors, or of dicts (param groups) with a ``"params"``
            entry and per-group options; a list of ``(name, tensor)`` pairs is accepted too.
        defaults: the options (``lr``, ...) groups get when they don't give their own.
    """

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ param groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (fine-tuning, unfreezing layers)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        param_group["params"] = self._split_names(params, param_group)

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        new_ids = [id(p) for p in param_group["params"]]
        if len(new_ids) != len(set(new_ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(new_ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    @staticmethod
    def _split_names(params: list, param_group: dict[str, Any]) -> list:
        """``[(name, tensor), ...]`` (from ``named_parameters()``): keep the names aside."""
        names = [p[0] for p in params if isinstance(p, tuple)]
        if not names:
            return params
        if len(names) != len(params):
            raise ValueError("all optimizer params should be with/without names. Some param "
                             "names are missing")
        param_group["param_names"] = names
        return [p[1] for p in params]

    # ---------------------------------------------------------------------- stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients, before the next ``backward()`` accumulates new ones.

        With ``set_to_none`` (the default) ``.grad`` becomes ``None``, which frees memory
        and makes ``step()`` skip parameters that get no new gradient; otherwise the
        gradients are filled with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss; it runs with gradient
        tracking on, before the update.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        self._update(param, param.grad, group)
        return loss

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        """Change ``param`` in place using its gradient; each optimizer writes its own."""
        raise NotImplementedError

    # --------------------------------------------------------------- saving, loading
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as ``{"state": {id: {...}}, "param_groups": [...]}``.

        Parameters are replaced by integer ids (their order across the groups).  The
        state tensors are the optimizer's own, not copies: save them (or deep-copy the
        dict) before stepping again if you want a snapshot.
        """
        ids: dict[int, int] = {}   # id(tensor) -> integer id in the state dict
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                ids.setdefault(id(p), len(ids))
            packed["params"] = [ids[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(ids[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from ``state_dict()``; parameters are matched by position.

        The groups must have the same sizes as this optimizer's.  State tensors are
        copied to their parameter's device and (floating-point) dtype, except the
        ``step`` counters, which keep theirs.
        """
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")

        param_of = {saved_id: p for g, s in zip(groups, saved_groups)
                    for saved_id, p in zip(s["params"], g["params"])}
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in param_of:
                state[param_of[key]] = _cast_state(param_of[key], value)
            else:
                state[key] = value

        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            options = sorted(key for key in group if key != "params")
            text += "".join(f"    {key}: {group[key]}\n" for key in options)
        return text + ")"


def _cast_state(param: Tensor, value, key: str | None = None):
    """A copy of a saved state entry, its tensors moved to ``param``'s device and dtype."""
    if isinstance(value, Tensor):
        if key == "step":  # the step counter keeps its own dtype and stays on the CPU
            return value.clone()
        dtype = param.dtype if param.is_floating_point() else value.dtype
        return value.to(dtype=dtype, device=param.device, copy=True)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_cast_state(param, v) for v in value)
    return value

