"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check_no_differentiable, _to_scalar


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    With gradient :math:`g_t`, learning rate :math:`\gamma`, weight decay :math:`\lambda`,
    momentum :math:`\mu` and dampening :math:`\tau`, each step does::

        g_t ← -g_t                         if maximize
        g_t ← g_t + λ θ_{t-1}              if λ ≠ 0   (L2 penalty)
        b_t ← g_t                          on the first step, if μ ≠ 0
        b_t ← μ b_{t-1} + (1 - τ) g_t      on later steps
        g_t ← g_t + μ b_t                  if nesterov
        g_t ← b_t                          otherwise (if μ ≠ 0)
        θ_t ← θ_{t-1} - γ g_t

    Args:
        params: tensors or param groups to optimize.
        lr: learning rate :math:`\gamma` (default: 1e-3).
        momentum: momentum factor :math:`\mu` (default: 0).
        dampening: dampening :math:`\tau` of the momentum (default: 0).
        weight_decay: L2 penalty :math:`\lambda` (default: 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and no dampening).
        maximize: climb the objective instead of descending it.
        foreach, fused: accepted for compatibility; tensorkit always runs one loop.
        differentiable: must be False.
    """

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param

        if momentum != 0:
            state = self.state[param]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.detach().clone()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad + momentum * buf if group["nesterov"] else buf

        param.add_(grad, alpha=-lr)
