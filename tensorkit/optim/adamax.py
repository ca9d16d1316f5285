"""Adamax: Adam with the root-mean-square replaced by a running maximum of |gradient|."""

from __future__ import annotations

from typing import Any

from .. import ops
from .._tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check_no_differentiable, _scalar_dtype, _to_scalar


class Adamax(Optimizer):
    r"""Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2014, section 7).

    With gradient :math:`g_t`, learning rate :math:`\gamma`, betas :math:`\beta_1, \beta_2`
    and weight decay :math:`\lambda`, each step does::

        g_t ← -g_t                                 if maximize
        g_t ← g_t + λ θ_{t-1}                      if λ ≠ 0
        m_t ← β1 m_{t-1} + (1 - β1) g_t             first moment, as in Adam
        u_t ← max(β2 u_{t-1}, |g_t| + ε)            decaying maximum of |g|
        θ_t ← θ_{t-1} - γ / (1 - β1^t) · m_t / u_t

    State: ``step``, ``exp_avg`` (m) and ``exp_inf`` (u).

    Args:
        params: tensors or param groups to optimize.
        lr: learning rate :math:`\gamma` (default: 2e-3).
        betas: :math:`(\beta_1, \beta_2)` (default: (0.9, 0.999)).
        eps: keeps u away from zero (default: 1e-8).
        weight_decay: L2 penalty :math:`\lambda` (default: 0).
        maximize: climb the objective instead of descending it.
        foreach, capturable: accepted for compatibility; no effect in tensorkit.
        differentiable: must be False.
    """

    def __init__(self, params: ParamsT, lr: float | Tensor = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        state = self.state[param]
        if len(state) == 0:
            state["step"] = ops.tensor(0.0, dtype=_scalar_dtype())
            state["exp_avg"] = ops.zeros_like(param)
            state["exp_inf"] = ops.zeros_like(param)
        beta1, beta2 = group["betas"]

        state["step"] += 1
        t = state["step"].item()
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param

        m, u = state["exp_avg"], state["exp_inf"]
        m.lerp_(grad, 1 - beta1)                                   # m ← β1 m + (1 - β1) g
        u.copy_(ops.maximum(u * beta2, grad.abs() + group["eps"]))  # u ← max(β2 u, |g| + ε)
        step_size = _to_scalar(group["lr"]) / (1 - beta1 ** t)
        param.sub_(step_size * (m / u))
