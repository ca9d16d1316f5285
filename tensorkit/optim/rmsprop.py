"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import Any

from .. import ops
from .._tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check_no_differentiable, _scalar_dtype, _to_scalar


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes), optionally centered and with momentum.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, smoothing :math:`\alpha`,
    weight decay :math:`\lambda` and momentum :math:`\mu`, each step does::

        g_t ← -g_t                             if maximize
        g_t ← g_t + λ θ_{t-1}                  if λ ≠ 0
        v_t ← α v_{t-1} + (1 - α) g_t²          running mean of squares
        ḡ_t ← α ḡ_{t-1} + (1 - α) g_t           if centered: running mean
        s_t ← √(v_t - ḡ_t²) + ε                if centered (an estimate of the std)
        s_t ← √v_t + ε                          otherwise
        b_t ← μ b_{t-1} + g_t / s_t;  θ_t ← θ_{t-1} - γ b_t      if μ > 0
        θ_t ← θ_{t-1} - γ g_t / s_t                               otherwise

    State: ``step``, ``square_avg`` (v), ``momentum_buffer`` (b, if μ > 0) and
    ``grad_avg`` (ḡ, if centered).

    Args:
        params: tensors or param groups to optimize.
        lr: learning rate :math:`\gamma` (default: 1e-2).
        alpha: smoothing constant :math:`\alpha` (default: 0.99).
        eps: added to the denominator for numerical stability (default: 1e-8).
        weight_decay: L2 penalty :math:`\lambda` (default: 0).
        momentum: momentum factor :math:`\mu` (default: 0).
        centered: normalise by the estimated variance instead of the raw second moment.
        maximize: climb the objective instead of descending it.
        capturable, foreach: accepted for compatibility; no effect in tensorkit.
        differentiable: must be False.
    """

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        state = self.state[param]
        if len(state) == 0:
            state["step"] = ops.zeros((), dtype=_scalar_dtype())
            state["square_avg"] = ops.zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = ops.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = ops.zeros_like(param)
        lr = _to_scalar(group["lr"])
        alpha, momentum = group["alpha"], group["momentum"]

        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param

        v = state["square_avg"]
        v.mul_(alpha).add_(grad * grad, alpha=1 - alpha)        # v ← α v + (1 - α) g²
        if group["centered"]:
            g_avg = state["grad_avg"]
            g_avg.lerp_(grad, 1 - alpha)                        # ḡ ← α ḡ + (1 - α) g
            scale = (v - g_avg * g_avg).sqrt() + group["eps"]   # √(v - ḡ²) + ε
        else:
            scale = v.sqrt() + group["eps"]                     # √v + ε

        if momentum > 0:
            buf = state["momentum_buffer"]
            buf.mul_(momentum).add_(grad / scale)               # b ← μ b + g / s
            param.sub_(lr * buf)
        else:
            param.sub_(lr * (grad / scale))
