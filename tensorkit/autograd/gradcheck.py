"""``gradcheck``: compare backward's gradients with finite differences.

For a function f and an input x, the derivative of output element i with respect to
input element j can be estimated without any calculus:

    (f(x + eps e_j)[i] - f(x - eps e_j)[i]) / (2 eps)        (central difference)

Doing this for every j gives the *numerical* Jacobian.  Backward, run once per output
element i with a one-hot gradient, gives the *analytical* Jacobian.  If the two agree
(in float64, where rounding is small), the op's backward is right.
"""

from __future__ import annotations

import numpy as np

from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when backward disagrees with finite differences."""


def _tensors(inputs):
    from .._tensor import Tensor

    inputs = inputs if isinstance(inputs, tuple | list) else (inputs,)
    return tuple(inputs), [i for i, x in enumerate(inputs) if isinstance(x, Tensor)
                           and x._requires_grad]


def _outputs(func, inputs):
    from .._tensor import Tensor

    out = func(*inputs)
    out = out if isinstance(out, tuple | list) else (out,)
    return [o for o in out if isinstance(o, Tensor)]


def numerical_jacobian(func, inputs, eps: float = 1e-6):
    """For each (output, differentiable input) pair, the finite-difference Jacobian."""
    inputs, diff = _tensors(inputs)
    with no_grad():
        outs = _outputs(func, inputs)
        jac = {(o, i): np.zeros((outs[o]._data.size, inputs[i]._data.size))
               for o in range(len(outs)) for i in diff}
        for i in diff:
            data = inputs[i]._data
            for j in range(data.size):
                idx = np.unravel_index(j, data.shape)
                orig = data[idx].item()
                data[idx] = orig + eps
                plus = [np.array(_host(o._data), dtype=np.float64).ravel()
                        for o in _outputs(func, inputs)]
                data[idx] = orig - eps
                minus = [np.array(_host(o._data), dtype=np.float64).ravel()
                         for o in _outputs(func, inputs)]
                data[idx] = orig
                for o in range(len(outs)):
                    jac[o, i][:, j] = (plus[o] - minus[o]) / (2 * eps)
    return jac, outs, diff


def analytical_jacobian(func, inputs, create_graph: bool = False):
    """For each (output, differentiable input) pair, the Jacobian backward computes."""
    from .._tensor import _make
    from . import grad as autograd_grad

    inputs, diff = _tensors(inputs)
    outs = _outputs(func, inputs)
    jac = {}
    for o, out in enumerate(outs):
        n_out = out._data.size
        for i in diff:
            jac[o, i] = np.zeros((n_out, inputs[i]._data.size))
        if not out._requires_grad:
            continue
        for k in range(n_out):
            onehot = np.zeros(n_out, dtype=out._data.dtype)
            onehot[k] = 1
            g = _make(_like(out._data, onehot.reshape(out._data.shape)))
            grads = autograd_grad([out], [inputs[i] for i in diff], [g], retain_graph=True,
                                  allow_unused=True, create_graph=create_graph)
            for i, gi in zip(diff, grads):
                if gi is not None:
                    jac[o, i][k] = np.asarray(_host(gi._data), dtype=np.float64).ravel()
    return jac


def _host(a):
    return a if type(a) is np.ndarray else a.get()


def _like(ref, host_array):
    if type(ref) is np.ndarray:
        return host_array
    from .._device import array_module

    return array_module(ref).asarray(host_array)


def _side_by_side(numerical: np.ndarray, analytical: np.ndarray, atol, rtol) -> str:
    bad = ~np.isclose(analytical, numerical, rtol=rtol, atol=atol)
    rows = ["  (output i, input j)      numerical      analytical      difference"]
    for i, j in list(zip(*np.nonzero(bad)))[:10]:
        n, a = numerical[i, j], analytical[i, j]
        rows.append(f"  ({i:>4}, {j:>4})   {n:>16.8g} {a:>15.8g} {a - n:>15.3g}")
    if bad.sum() > 10:
        rows.append(f"  ... and {int(bad.sum()) - 10} more mismatching entries")
    return "\n".join(rows)


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, check_undefined_grad: bool = True,
              nondet_tol: float = 0.0, fast_mode: bool = False, **kwargs) -> bool:
    """True if backward matches finite differences for every output and input.

    Use float64 inputs with ``requires_grad=True``: in float32 the finite differences
    themselves are too inaccurate to judge.
    """
    import warnings

    inputs_t, diff = _tensors(inputs)
    for i in diff:
        if inputs_t[i].dtype.name != "float64":
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of "
                          "double precision floating point. ", UserWarning, stacklevel=2)
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    numerical, outs, _ = numerical_jacobian(func, inputs_t, eps)
    analytical = analytical_jacobian(func, inputs_t)
    for (o, i), num in numerical.items():
        ana = analytical[o, i]
        if not np.allclose(ana, num, rtol=rtol, atol=atol):
            message = (f"Jacobian mismatch for output {o} with respect to input {i},\n"
                       f"numerical:{num}\nanalytical:{ana}\n\n"
                       f"Entries that differ (atol={atol}, rtol={rtol}):\n"
                       f"{_side_by_side(num, ana, atol, rtol)}\n")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, **kwargs) -> bool:
    """gradcheck of the gradient itself: checks that backward is differentiable correctly."""
    from .._tensor import _make
    from . import grad as autograd_grad

    inputs_t, diff = _tensors(inputs)

    def differentiable(outputs):  # integer outputs (indices, say) carry no gradient
        return [o for o in outputs if o.dtype.is_floating_point or o.dtype.is_complex]

    outs = differentiable(_outputs(func, inputs_t))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [
            _make(_like(o._data, rng.standard_normal(o._data.shape).astype(o._data.dtype)))
            .requires_grad_(True) for o in outs]
    grad_outputs = list(grad_outputs)
    n_in = len(inputs_t)

    def first_derivatives(*args):
        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():  # the finite differences run it under no_grad
            outs_ = differentiable(_outputs(func, ins))
            grads = autograd_grad(outs_, [ins[i] for i in diff], list(gos), create_graph=True,
                                  allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, tuple(inputs_t) + tuple(grad_outputs), eps=eps,
                     atol=atol, rtol=rtol, raise_exception=raise_exception)
