"""AdamW: Adam whose weight decay shrinks the weights directly instead of adding to the gradient."""

from __future__ import annotations

from .._tensor import Tensor
from .adam import Adam
from .optimizer import ParamsT


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2017): Adam with decoupled weight decay.

    Plain Adam adds :math:`\lambda\theta` to the gradient, so the decay gets divided by
    :math:`\sqrt{\hat v}` like the rest of the gradient and weights with large gradients
    are barely decayed.  AdamW shrinks every weight by the same factor instead::

        θ_{t-1} ← θ_{t-1} (1 - γ λ)
        m_t ← β1 m_{t-1} + (1 - β1) g_t
        v_t ← β2 v_{t-1} + (1 - β2) g_t²
        θ_t ← θ_{t-1} - γ (m_t / (1 - β1^t)) / (√(v_t / (1 - β2^t)) + ε)

    The options are Adam's (see :class:`Adam`), with ``weight_decay`` defaulting to 1e-2.
    """

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
