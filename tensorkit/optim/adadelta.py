"""Adadelta: a step whose size comes from the running size of past steps, not from lr."""

from __future__ import annotations

from typing import Any

from .. import ops
from .._tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check_no_differentiable, _scalar_dtype, _to_scalar


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012).

    With gradient :math:`g_t`, decay :math:`\rho`, weight decay :math:`\lambda` and a
    learning rate :math:`\gamma` that only scales the final step (default 1.0), each
    step does::

        g_t ← -g_t                                  if maximize
        g_t ← g_t + λ θ_{t-1}                       if λ ≠ 0
        v_t ← ρ v_{t-1} + (1 - ρ) g_t²               running mean of squared gradients
        Δ_t ← √(u_{t-1} + ε) / √(v_t + ε) · g_t      the step, in the units of θ
        u_t ← ρ u_{t-1} + (1 - ρ) Δ_t²               running mean of squared steps
        θ_t ← θ_{t-1} - γ Δ_t

    State: ``step``, ``square_avg`` (v) and ``acc_delta`` (u).

    Args:
        params: tensors or param groups to optimize.
        lr: scales the step :math:`\gamma` (default: 1.0).
        rho: decay :math:`\rho` of the running averages (default: 0.9).
        eps: added inside the square roots (default: 1e-6).
        weight_decay: L2 penalty :math:`\lambda` (default: 0).
        maximize: climb the objective instead of descending it.
        foreach, capturable: accepted for compatibility; no effect in tensorkit.
        differentiable: must be False.
    """

    def __init__(self, params: ParamsT, lr: float | Tensor = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        state = self.state[param]
        if len(state) == 0:
            state["step"] = ops.zeros((), dtype=_scalar_dtype())
            state["square_avg"] = ops.zeros_like(param)
            state["acc_delta"] = ops.zeros_like(param)
        rho, eps = group["rho"], group["eps"]

        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param

        v, u = state["square_avg"], state["acc_delta"]
        v.mul_(rho).add_(grad * grad, alpha=1 - rho)              # v ← ρ v + (1 - ρ) g²
        delta = (u + eps).sqrt() / (v + eps).sqrt() * grad       # Δ ← √(u + ε)/√(v + ε) g
        u.mul_(rho).add_(delta * delta, alpha=1 - rho)            # u ← ρ u + (1 - ρ) Δ²
        param.sub_(_to_scalar(group["lr"]) * delta)
