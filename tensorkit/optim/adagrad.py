"""Adagrad: each element's step shrinks with the sum of all its past squared gradients."""

from __future__ import annotations

from typing import Any

from .. import ops
from .._tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check_no_differentiable, _scalar_dtype, _to_scalar


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011).

    With gradient :math:`g_t`, learning rate :math:`\gamma`, learning-rate decay
    :math:`\eta` and weight decay :math:`\lambda`, each step does::

        g_t ← -g_t                             if maximize
        g_t ← g_t + λ θ_{t-1}                  if λ ≠ 0
        γ̃ ← γ / (1 + (t - 1) η)                 decayed learning rate
        S_t ← S_{t-1} + g_t²                    sum of squares (starts at
                                               initial_accumulator_value)
        θ_t ← θ_{t-1} - γ̃ g_t / (√S_t + ε)

    Rarely-updated elements keep large steps; often-updated ones slow down.  State:
    ``step`` and ``sum`` (S), created for every parameter when the optimizer is made.

    Args:
        params: tensors or param groups to optimize.
        lr: learning rate :math:`\gamma` (default: 1e-2).
        lr_decay: :math:`\eta` (default: 0).
        weight_decay: L2 penalty :math:`\lambda` (default: 0).
        initial_accumulator_value: the starting value of S (default: 0).
        eps: added to the denominator for numerical stability (default: 1e-10).
        maximize: climb the objective instead of descending it.
        foreach, fused: accepted for compatibility; no effect in tensorkit.
        differentiable: must be False.
    """

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                self._init_state(param, group)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> None:
        state = self.state[param]
        state["step"] = ops.tensor(0.0, dtype=_scalar_dtype())
        state["sum"] = ops.full_like(param, group["initial_accumulator_value"])

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        state = self.state[param]
        if len(state) == 0:  # a param group added after construction
            self._init_state(param, group)
        state["step"] += 1
        t = state["step"].item()
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param

        lr = _to_scalar(group["lr"]) / (1 + (t - 1) * group["lr_decay"])
        total = state["sum"]
        total.add_(grad * grad)                           # S ← S + g²
        std = total.sqrt() + group["eps"]                 # √S + ε
        param.sub_(lr * (grad / std))
