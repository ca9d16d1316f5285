"""Autograd semantics, each checked against PyTorch: graphs, accumulation, hooks, grad
modes, in-place ops and version counters, higher-order gradients, custom Functions."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import tensorkit


def both(torch, fn):
    """Run ``fn(lib)`` with tensorkit and torch; return both results as NumPy."""
    return _np(fn(tensorkit)), _np(fn(torch))


def _np(x):
    if isinstance(x, tuple | list):
        return [_np(v) for v in x]
    if x is None:
        return None
    if hasattr(x, "detach"):
        return x.detach().numpy()
    return x


def assert_same(pair, rtol=1e-6, atol=1e-6):
    actual, expected = pair
    if isinstance(expected, list):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same((a, e), rtol, atol)
        return
    if expected is None:
        assert actual is None
        return
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# ---------------------------------------------------------------------- graphs

def test_seed_example_gives_4_5_everywhere(torch):
    def fn(lib):
        x = lib.ones(2, 2, requires_grad=True)
        y = x + 2
        z = y * y * 3
        out = z.mean()
        out.backward()
        return out, x.grad

    (out, grad), (t_out, t_grad) = both(torch, fn)
    assert out == t_out == 27
    np.testing.assert_array_equal(grad, np.full((2, 2), 4.5, np.float32))
    np.testing.assert_array_equal(grad, t_grad)


def test_graph_names_and_next_functions_match_torch(torch):
    def structure(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        loss = ((x * w + 2).sigmoid() - 1).pow(2).mean()
        names = []
        node = loss.grad_fn
        seen = []
        stack = [node]
        while stack:  # walk the graph in a fixed order
            n = stack.pop(0)
            if n is None or n in seen:
                continue
            seen.append(n)
            names.append((type(n).__name__, [None if f is None else type(f).__name__
                                             for f, _ in n.next_functions]))
            stack.extend(f for f, _ in n.next_functions)
        return names

    assert structure(tensorkit) == structure(torch)


def test_leaves_and_requires_grad_propagation():
    x = tensorkit.tensor([1.0], requires_grad=True)
    c = tensorkit.tensor([2.0])
    y = x * c
    assert x.is_leaf and c.is_leaf and not y.is_leaf
    assert y.requires_grad and not c.requires_grad
    assert x.grad_fn is None and type(y.grad_fn).__name__ == "MulBackward0"
    acc = y.grad_fn.next_functions[0][0]
    assert acc.name() == "AccumulateGrad" and acc.variable is x
    assert y.grad_fn.next_functions[1] == (None, 0)
    z = c * 3
    assert not z.requires_grad and z.grad_fn is None


def test_gradients_accumulate_until_zeroed(torch):
    def fn(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        grads = []
        for _ in range(3):
            (x * x).sum().backward()
            grads.append(x.grad.clone())
        x.grad.zero_()
        (x * 2).sum().backward()
        grads.append(x.grad.clone())
        x.grad = None
        (x ** 3).sum().backward()
        grads.append(x.grad.clone())
        return grads

    assert_same(both(torch, fn))


@pytest.mark.parametrize("case", ["sum", "mean", "expand", "shared_by_add", "cat_of_leaves",
                                  "caller_gradient", "transposed_weight"])
def test_a_leaf_grad_is_its_own_memory(torch, case):
    """The first gradient a leaf receives may be a broadcast (sum), the very tensor another
    leaf got (a + b), or the caller's ``gradient=``: ``.grad`` must still accumulate in
    place, and changing it must not change anything else."""
    def fn(lib):
        a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = lib.tensor([[0.5, -1.0], [2.0, 0.0]], requires_grad=True)
        given = lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
        def run():
            if case == "sum":
                a.sum().backward()
            elif case == "mean":
                a.mean().backward()
            elif case == "expand":
                a[:1].expand(3, 2).sum().backward()
            elif case == "shared_by_add":
                (a + b).sum().backward()
            elif case == "cat_of_leaves":
                lib.cat([a.view(-1), b.view(-1)]).backward(given)
            elif case == "caller_gradient":
                a.view(-1).backward(given[:4])
            else:  # a linear layer's weight.t(): the gradient arrives transposed
                (lib.ones(3, 2) @ a.t()).sum().backward()
        run()
        run()  # accumulates in place into what the first backward stored
        first = [a.grad.clone(), None if b.grad is None else b.grad.clone()]
        a.grad.mul_(10)  # must change a.grad alone
        return first + [a.grad, b.grad, given]

    ours, theirs = both(torch, fn)
    assert_same((ours[:4], theirs[:4]))
    # torch lets .grad alias a view of the caller's ``gradient=`` (then a.grad.mul_(10)
    # changes the caller's tensor); tensorkit copies it and leaves the caller's alone
    np.testing.assert_array_equal(ours[4], np.arange(1, 9, dtype=np.float32))


def test_tensor_used_twice_gets_the_sum_of_both_paths(torch):
    def fn(lib):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        y = x.exp()
        (y * y.sin() + y).sum().backward()
        return x.grad

    assert_same(both(torch, fn))


def test_non_scalar_backward_needs_a_gradient(torch):
    x = tensorkit.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * 2).backward()

    def fn(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).backward(lib.tensor([0.1, 1.0, 10.0]))
        return x.grad

    assert_same(both(torch, fn))


def test_gradient_argument_shape_is_checked():
    x = tensorkit.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape.*\[3\].*\[2\]"):
        (x * 2).backward(tensorkit.ones(3))


def test_backward_twice_needs_retain_graph(torch):
    x = tensorkit.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()

    def fn(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad

    assert_same(both(torch, fn))


def test_backward_of_a_tensor_without_grad_explains():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tensorkit.tensor(1.0).backward()


def test_saved_tensors_are_freed_after_backward():
    x = tensorkit.randn(1000, requires_grad=True)
    y = x.exp()
    saved = weakref.ref(y.grad_fn._saved[0].data)
    loss = y.sum()
    del y
    loss.backward()
    gc.collect()
    assert saved() is None


def test_no_reference_cycles_in_a_training_step():
    """A graph is freed by reference counting alone, without the cycle collector."""
    w = tensorkit.randn(20, 20, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        x = tensorkit.randn(8, 20)
        h = (x @ w).tanh().sigmoid().exp()
        probe = weakref.ref(h)
        loss = h.sum()
        loss.backward()
        del h, loss
        assert probe() is None
    finally:
        gc.enable()


# ------------------------------------------------------------------- retain_grad, hooks

def test_retain_grad_and_non_leaf_grad_warning(torch):
    def fn(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        (y * y).sum().backward()
        return y.grad, x.grad

    assert_same(both(torch, fn))
    x = tensorkit.tensor([1.0], requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="retain_grad"):
        assert y.grad is None


def test_hooks_can_change_gradients(torch):
    def fn(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        x.register_hook(lambda g: g * 10)
        y = x * x
        handle = y.register_hook(lambda g: seen.append(g.clone()))
        y.register_hook(lambda g: g + 1)
        y.sum().backward()
        handle.remove()
        (x * x).sum().backward()
        return x.grad, seen[0]

    assert_same(both(torch, fn))


def test_node_hooks(torch):
    def fn(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        record = []
        y.grad_fn.register_hook(lambda gi, go: record.append((gi[0].clone(), go[0].clone())))
        y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        y.sum().backward()
        return record[0][0], record[0][1], x.grad

    assert_same(both(torch, fn))


def test_hook_on_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        tensorkit.ones(2).register_hook(lambda g: g)


# ------------------------------------------------------------------------ grad modes

def test_no_grad_enable_grad_and_set_grad_enabled():
    x = tensorkit.ones(2, requires_grad=True)
    with tensorkit.no_grad():
        assert not tensorkit.is_grad_enabled()
        y = x * 2
        with tensorkit.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad
    assert tensorkit.is_grad_enabled()

    @tensorkit.no_grad()
    def evaluate(t):
        return t * 2

    assert not evaluate(x).requires_grad
    with tensorkit.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert tensorkit.is_grad_enabled()
    tensorkit.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        tensorkit.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_grad_mode_is_per_thread():
    import threading

    seen = []
    with tensorkit.no_grad():
        t = threading.Thread(target=lambda: seen.append(tensorkit.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_detach_shares_data_and_cuts_the_graph():
    x = tensorkit.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    d[0] = 100.0
    assert y[0].item() == 100.0  # same memory
    y2 = x * 3
    y2.detach_()
    assert y2.is_leaf and not y2.requires_grad


def test_data_attribute_updates_like_the_seeds(torch):
    """The seeds' hand-written gradient descent: w.data = w.data - lr * w.grad."""
    def fn(lib):
        xs = lib.tensor([1.0, 2.0, 3.0])
        ys = lib.tensor([2.0, 4.0, 6.0])
        w = lib.tensor([1.0], requires_grad=True)
        losses = []
        for _ in range(10):
            loss = ((xs * w - ys) ** 2).mean()
            loss.backward()
            w.data = w.data - 0.01 * w.grad.data
            w.grad.data.zero_()
            losses.append(loss.item())
        return w, np.array(losses)

    assert_same(both(torch, fn))


def test_variable_is_a_tensor(torch):
    from tensorkit.autograd import Variable

    x = Variable(tensorkit.Tensor([1.0]), requires_grad=True)
    assert isinstance(x, tensorkit.Tensor) and isinstance(x, Variable)
    (x * 3).backward()
    assert x.grad.item() == 3.0


# -------------------------------------------------------------- in-place and versions

def test_modified_saved_tensor_is_detected():
    x = tensorkit.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*output 0 of Exp"
                                            r".*version 1; expected version 0"):
        y.sum().backward()
    a = tensorkit.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b * b
    b += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.sum().backward()


def test_inplace_on_leaf_is_an_error_but_fine_under_no_grad():
    w = tensorkit.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        w[0:2].mul_(2)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        w[0] = 5.0
    with tensorkit.no_grad():
        w.sub_(0.5)
        w[0] = 7.0
    assert w.tolist() == [7.0, 0.5, 0.5] and w.is_leaf and w._version == 2


def test_inplace_ops_in_the_graph_match_torch(torch):
    def fn(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        a = x * 1
        a.mul_(b)          # needs a's old value for b's gradient
        a += x
        a.sigmoid_()
        a.sum().backward()
        return a, x.grad, b.grad

    assert_same(both(torch, fn))


def test_writing_into_a_view_updates_the_base_graph(torch):
    def fn(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 2
        row = y[1]
        row.mul_(x[0])     # in place through a view
        y[0, 0] = 10.0     # assignment into the base
        (y * y).sum().backward()
        return y, row, x.grad

    assert_same(both(torch, fn))


def test_building_a_tensor_by_assignment(torch):
    """The RNN pattern: out = zeros(...); out[t] = h."""
    def fn(lib):
        w = lib.tensor([0.5, -0.25], requires_grad=True)
        out = lib.zeros(3, 2)
        h = lib.ones(2)
        for t in range(3):
            h = (h * w).tanh()
            out[t] = h
        out.sum().backward()
        return out, w.grad

    assert_same(both(torch, fn))
    out = tensorkit.zeros(2)
    out[0] = tensorkit.tensor(1.0, requires_grad=True) * 2
    assert out.grad_fn.name() == "CopySlices"


def test_advanced_index_assignment_with_grad(torch):
    def fn(lib):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        v = lib.tensor([5.0, 6.0], requires_grad=True)
        y = x * 1
        y[lib.tensor([0, 2])] = v * 2
        y[y > 5] = 0.0
        (y * lib.arange(4.0)).sum().backward()
        return y, x.grad, v.grad

    assert_same(both(torch, fn))


# ------------------------------------------------------------------ higher order

def test_second_derivative(torch):
    def fn(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g, h

    (g, h), expected = both(torch, fn)
    assert_same(([g, h], expected))
    np.testing.assert_allclose(g, [3.0, 12.0])
    np.testing.assert_allclose(h, [6.0, 12.0])


def test_create_graph_backward_then_backward_again(torch):
    def fn(lib):
        x = lib.tensor([0.3, -0.7], requires_grad=True, dtype=lib.float64)
        y = (x.sin() * x.exp()).sum()
        y.backward(create_graph=True)
        first = x.grad.clone()
        g = x.grad.sum()
        x.grad = None
        g.backward()
        return first, x.grad

    assert_same(both(torch, fn))


def test_autograd_grad_unused_inputs():
    x = tensorkit.tensor([1.0], requires_grad=True)
    z = tensorkit.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        tensorkit.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = tensorkit.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
    assert gx.tolist() == [2.0] and gz is None
    gx, gz = tensorkit.autograd.grad(y, [x, z], materialize_grads=True)
    assert gz.tolist() == [0.0]
    assert x.grad is None  # grad() returns gradients, it does not accumulate them


def test_backward_inputs_limits_accumulation():
    x = tensorkit.tensor([1.0], requires_grad=True)
    w = tensorkit.tensor([3.0], requires_grad=True)
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and w.grad.tolist() == [1.0]


# -------------------------------------------------------------------- custom Function

def _legendre(lib):
    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    return LegendrePolynomial3


def test_custom_function_as_in_the_torch_tutorial(torch):
    def fn(lib):
        P3 = _legendre(lib)
        x = lib.linspace(-1, 1, 7, requires_grad=True)
        y = P3.apply(x)
        y.sum().backward()
        assert type(y.grad_fn).__name__ == "LegendrePolynomial3" or y.grad_fn is not None
        return y, x.grad, y.grad_fn.name()

    (y, g, name), (ty, tg, tname) = both(torch, fn)
    assert name == tname == "LegendrePolynomial3Backward"
    assert_same(([y, g], [ty, tg]))


def test_gradcheck_reports_numbers_side_by_side():
    class Wrong(tensorkit.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2 * x

    x = tensorkit.tensor([1.0, 2.0], dtype=tensorkit.float64, requires_grad=True)
    with pytest.raises(tensorkit.autograd.GradcheckError) as info:
        tensorkit.autograd.gradcheck(Wrong.apply, (x,))
    text = str(info.value)
    assert "numerical" in text and "analytical" in text and "Jacobian mismatch" in text
    assert "4" in text and "2" in text  # d(x^2)/dx at 2 is 4; the wrong backward says 2
    assert tensorkit.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False
    assert tensorkit.autograd.gradcheck(lambda t: t * t, (x,))
    assert tensorkit.autograd.gradgradcheck(lambda t: (t * t).sin(), (x,))


# ------------------------------------------------------------------- observing graphs

def test_graph_observer_hooks():
    from tensorkit.autograd import graph

    created, executed = [], []
    h1 = graph.register_node_created_hook(lambda n: created.append(n))
    h2 = graph.register_node_executed_hook(lambda n, gi, go: executed.append(n.name()))
    try:
        x = tensorkit.ones(2, 3, requires_grad=True)
        loss = (x * 2).sum()
        loss.backward()
    finally:
        h1.remove()
        h2.remove()
    assert [n.name() for n in created] == ["MulBackward0", "SumBackward0"]
    assert created[0].output_shapes == ((2, 3),)
    assert created[0].output_dtypes == (tensorkit.float32,)
    assert executed == ["SumBackward0", "MulBackward0"]
    assert [n.name() for n in graph.walk(loss)] == ["SumBackward0", "MulBackward0",
                                                   "AccumulateGrad"]


def test_float32_model_gradients_stay_float32():
    w = tensorkit.randn(5, 3, requires_grad=True)
    b = tensorkit.zeros(3, requires_grad=True)
    x = tensorkit.randn(4, 5)
    target = tensorkit.tensor([0, 2, 1, 1])
    h = (x @ w + b).relu() * 0.5 + 1
    loss = -(h.log() - h.exp().sum(1, keepdim=True).log())[tensorkit.arange(4), target].mean()
    loss = loss + (1 - h.sigmoid()).pow(2).mean() / 3
    loss.backward()
    assert loss.dtype == tensorkit.float32
    assert w.grad.dtype == tensorkit.float32 and b.grad.dtype == tensorkit.float32


def test_a_leaf_node_whose_tensor_is_gone_still_describes_its_output():
    import gc

    out = (tensorkit.ones(2, requires_grad=True) + 2).sum()
    gc.collect()
    leaf_node = tensorkit.autograd.graph.walk(out)[-1]
    assert leaf_node.name() == "AccumulateGrad"
    assert leaf_node.output_shapes == ((),) and leaf_node.output_dtypes == (None,)
