"""Adam: momentum plus a per-element step size from a running average of squared gradients."""

from __future__ import annotations

from typing import Any

from .. import ops
from .._tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check_no_differentiable, _scalar_dtype, _to_scalar


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), optionally with AMSGrad and decoupled weight decay.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, betas :math:`\beta_1, \beta_2`,
    weight decay :math:`\lambda`, each step does::

        g_t ← -g_t                               if maximize
        θ_{t-1} ← θ_{t-1} (1 - γ λ)              if decoupled_weight_decay (AdamW)
        g_t ← g_t + λ θ_{t-1}                    otherwise, if λ ≠ 0 (L2 penalty)
        m_t ← β1 m_{t-1} + (1 - β1) g_t          first moment (a running mean)
        v_t ← β2 v_{t-1} + (1 - β2) g_t²         second moment (running mean of squares)
        m̂_t ← m_t / (1 - β1^t)                   bias corrections: m and v start at 0
        v̂_t ← v_t / (1 - β2^t)
        v̂_t ← max(v̂max_{t-1}, v̂_t) = v̂max_t      if amsgrad (kept on the uncorrected v)
        θ_t ← θ_{t-1} - γ m̂_t / (√v̂_t + ε)

    The state of each parameter is ``step`` (a scalar tensor), ``exp_avg`` (m),
    ``exp_avg_sq`` (v) and, with amsgrad, ``max_exp_avg_sq``.

    Args:
        params: tensors or param groups to optimize.
        lr: learning rate :math:`\gamma` (default: 1e-3).
        betas: :math:`(\beta_1, \beta_2)`, the averaging coefficients (default: (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default: 1e-8).
        weight_decay: :math:`\lambda` (default: 0).
        amsgrad: use the maximum of past second moments (default: False).
        maximize: climb the objective instead of descending it.
        decoupled_weight_decay: shrink the weights directly, as AdamW does.
        foreach, capturable, fused: accepted for compatibility; no effect in tensorkit.
        differentiable: must be False.
    """

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_options(lr, betas, eps, weight_decay)
        if not (all(isinstance(b, float) for b in betas)
                or all(isinstance(b, Tensor) for b in betas)):
            raise ValueError("betas must be either both floats or both Tensors")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, betas=tuple(_to_scalar(b) for b in betas), eps=eps,
                        weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: Tensor, group: dict[str, Any]) -> None:
        state = self.state[param]
        if len(state) == 0:
            state["step"] = ops.tensor(0.0, dtype=_scalar_dtype())
            state["exp_avg"] = ops.zeros_like(param)
            state["exp_avg_sq"] = ops.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = ops.zeros_like(param)
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        m, v = state["exp_avg"], state["exp_avg_sq"]

        state["step"] += 1
        t = state["step"].item()
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad + weight_decay * param

        m.lerp_(grad, 1 - beta1)                        # m ← β1 m + (1 - β1) g
        v.mul_(beta2).add_(grad * grad, alpha=1 - beta2)  # v ← β2 v + (1 - β2) g²
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"]
            v_max.copy_(ops.maximum(v_max, v))
            v = v_max

        step_size = lr / (1 - beta1 ** t)               # γ / (1 - β1^t): corrects m
        denom = v.sqrt() / (1 - beta2 ** t) ** 0.5 + group["eps"]   # √v̂ + ε
        param.sub_(step_size * (m / denom))


def _check_options(lr, betas, eps, weight_decay) -> None:
    """Torch's ValueErrors for out-of-range hyper-parameters of the Adam family."""
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
