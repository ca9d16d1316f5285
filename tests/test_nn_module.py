"""``nn.Module`` and friends, each behaviour checked against PyTorch: registration of
parameters/buffers/submodules, iteration, modes, dtype conversion, state dicts, hooks,
printing, containers, ``Parameter`` itself and gradient clipping."""

from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import tensorkit


def np_(t):
    return None if t is None else t.detach().numpy()


def build_net(lib, extra: bool = False):
    """A small nested model with every kind of member, the same code for both libraries."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 4)
            self.act = nn.ReLU()
            self.register_buffer("count", lib.zeros(1, dtype=lib.int64))
            self.register_buffer("scratch", lib.ones(2), persistent=False)

        def forward(self, x):
            return self.act(self.lin(x))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(3, 4)
            self.blocks = nn.Sequential(Block(), nn.Dropout(0.1), Block())
            self.heads = nn.ModuleList([nn.Linear(4, 2), nn.Linear(4, 2)])
            self.scale = nn.Parameter(lib.ones(2))
            self.register_buffer("running", lib.zeros(2))
            if extra:
                self.extra = nn.Linear(2, 2)

        def forward(self, x):
            h = self.blocks(self.fc1(x))
            return sum(head(h) for head in self.heads) * self.scale

    lib.manual_seed(0)
    return Net()


# ------------------------------------------------------------------- Parameter

def test_parameter_repr_and_type(torch):
    for make in (lambda lib: lib.nn.Parameter(lib.tensor([[1.0, 2.5], [3.0, -4.0]])),
                 lambda lib: lib.nn.Parameter(lib.zeros(3, dtype=lib.float64), False),
                 lambda lib: lib.nn.Parameter()):
        ours, theirs = make(tensorkit), make(torch)
        assert repr(ours) == repr(theirs).replace("torch", "tensorkit")
        assert isinstance(ours, tensorkit.Tensor)
        assert ours.requires_grad == theirs.requires_grad and ours.is_leaf
    assert tensorkit.nn.Parameter().shape == (0,)


def test_parameter_shares_memory_and_survives_data_assignment_and_inplace(torch):
    base = tensorkit.zeros(3)
    p = tensorkit.nn.Parameter(base)
    base[0] = 5.0
    assert p[0].item() == 5.0  # same memory, as torch's Parameter(t)
    p.data = tensorkit.ones(2, 2)
    assert type(p) is tensorkit.nn.Parameter and p.requires_grad and p.shape == (2, 2)
    with tensorkit.no_grad():
        p.mul_(3).add_(1)
    assert type(p) is tensorkit.nn.Parameter
    np.testing.assert_array_equal(np_(p), np.full((2, 2), 4.0, np.float32))
    out = p * 2  # ops on parameters give plain tensors, as in torch
    assert type(out) is tensorkit.Tensor and type(torch.nn.Parameter(torch.ones(1)) * 2) \
        is torch.Tensor
    with pytest.raises(RuntimeError, match="leaf"):
        p.add_(1)  # in-place on a leaf that requires grad, outside no_grad
    with pytest.raises(RuntimeError, match="floating point"):
        tensorkit.nn.Parameter(tensorkit.tensor([1, 2]))


def test_parameter_deepcopy_and_pickle():
    p = tensorkit.nn.Parameter(tensorkit.tensor([1.0, 2.0]))
    (p * p).sum().backward()
    q = copy.deepcopy(p)
    assert type(q) is tensorkit.nn.Parameter and q is not p and q.grad is None  # as torch
    np.testing.assert_array_equal(np_(q), np_(p))
    q.data.fill_(0)
    assert p[0].item() == 1.0
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is tensorkit.nn.Parameter and r.requires_grad
    np.testing.assert_array_equal(np_(r), np_(p))


def test_buffer_marker_registers_a_buffer(torch):
    for lib in (tensorkit, torch):
        m = lib.nn.Module()
        m.stats = lib.nn.Buffer(lib.zeros(2))
        m.tmp = lib.nn.Buffer(lib.zeros(1), persistent=False)
        assert [n for n, _ in m.named_buffers()] == ["stats", "tmp"]
        assert list(m.state_dict()) == ["stats"]


# ------------------------------------------------------------------- registration

def test_setattr_registers_and_moves_between_registries(torch):
    def story(lib):
        nn = lib.nn
        m = nn.Module()
        m.w = nn.Parameter(lib.ones(2))
        m.sub = nn.Linear(2, 2)
        m.register_buffer("b", lib.zeros(2))
        m.plain = 3
        log = [sorted(m._parameters), sorted(m._modules), sorted(m._buffers)]
        m.w = None  # a parameter slot may be emptied
        m.sub = None  # and a module slot
        m.b = lib.ones(3)  # a tensor assigned to a buffer name replaces the buffer
        shape = tuple(m.b.shape)
        m.b = nn.Linear(1, 1)  # a module replaces the buffer of that name
        m.plain = nn.Parameter(lib.zeros(1))  # a plain attribute becomes a parameter
        log += [sorted(m._parameters), sorted(m._modules), sorted(m._buffers),
                "plain" in m.__dict__, shape, m.w]
        with pytest.raises(TypeError):
            m.w = nn.Linear(1, 1)  # but not a module where a parameter is registered
        del m.w, m.b, m.plain
        log += [sorted(m._parameters), sorted(m._modules), sorted(m._buffers)]
        return log

    assert story(tensorkit) == story(torch)


@pytest.mark.parametrize("case", [
    "param_to_tensor", "module_to_tensor", "buffer_to_int", "bad_param_name", "dup_name",
    "register_tensor_param", "add_non_module", "missing_attr", "before_init", "no_forward",
    "empty_name", "submodule", "parameter_path"])
def test_registration_errors_match_torch(torch, case):
    def attempt(lib):
        nn = lib.nn
        m = nn.Sequential(nn.Linear(2, 2))
        m.register_buffer("buf", lib.zeros(1))
        actions = {
            "param_to_tensor": lambda: setattr(m[0], "weight", lib.zeros(2)),
            "module_to_tensor": lambda: setattr(m, "0", lib.zeros(2)),
            "buffer_to_int": lambda: setattr(m, "buf", 3),
            "bad_param_name": lambda: m.register_parameter("a.b", None),
            "dup_name": lambda: m.register_buffer("training", lib.zeros(1)),
            "register_tensor_param": lambda: m.register_parameter("p", lib.zeros(1)),
            "add_non_module": lambda: m.add_module("x", 3),
            "missing_attr": lambda: m.nothing,
            "before_init": lambda: _before_init(lib),
            "no_forward": lambda: nn.Module()(lib.zeros(1)),
            "empty_name": lambda: m.add_module("", nn.ReLU()),
            "submodule": lambda: m.get_submodule("0.weight"),
            "parameter_path": lambda: m.get_parameter("0.nothing"),
        }
        with pytest.raises(Exception) as info:
            actions[case]()
        return info.type, str(info.value).replace("torch", "tensorkit")

    ours, theirs = attempt(tensorkit), attempt(torch)
    assert ours[0] is theirs[0]
    assert ours[1] == theirs[1]


def _before_init(lib):
    class Early(lib.nn.Module):
        def __init__(self):
            self.w = lib.nn.Parameter(lib.zeros(1))
            super().__init__()

    Early()


def test_getattr_dir_and_lookups(torch):
    for lib in (tensorkit, torch):
        m = build_net(lib)
        assert {"fc1", "scale", "running", "blocks", "forward"} <= set(dir(m))
        assert m.get_submodule("blocks.0.lin") is m.blocks[0].lin
        assert m.get_parameter("blocks.2.lin.bias") is m.blocks[2].lin.bias
        assert m.get_buffer("blocks.0.count") is m.blocks[0].count
        assert m.get_submodule("") is m


# ------------------------------------------------------------------- iteration

def test_named_members_match_torch(torch):
    def names(lib):
        m = build_net(lib)
        shared = lib.nn.Linear(2, 2)
        m.tie_a, m.tie_b = shared, shared  # one module under two names
        return {
            "params": [n for n, _ in m.named_parameters()],
            "params_dup": [n for n, _ in m.named_parameters(remove_duplicate=False)],
            "params_prefix": [n for n, _ in m.named_parameters(prefix="model")],
            "params_local": [n for n, _ in m.named_parameters(recurse=False)],
            "buffers": [n for n, _ in m.named_buffers()],
            "buffers_local": [n for n, _ in m.named_buffers(recurse=False)],
            "children": [n for n, _ in m.named_children()],
            "modules": [n for n, _ in m.named_modules()],
            "modules_dup": [n for n, _ in m.named_modules(remove_duplicate=False)],
            "n_modules": len(list(m.modules())),
            "n_params": sum(p.numel() for p in m.parameters()),
        }

    assert names(tensorkit) == names(torch)


def test_parameters_are_the_registered_objects():
    m = build_net(tensorkit)
    params = list(m.parameters())
    # the module's own parameters first, then each child's, in registration order
    assert params[0] is m.scale and params[1] is m.fc1.weight and params[-1] is m.heads[1].bias
    assert all(isinstance(p, tensorkit.nn.Parameter) for p in params)


def test_train_eval_propagate(torch):
    def flags(lib):
        m = build_net(lib)
        out = [[x.training for x in m.modules()]]
        assert m.eval() is m
        out.append([x.training for x in m.modules()])
        m.blocks.train()
        out.append([x.training for x in m.modules()])
        return out

    ours = flags(tensorkit)
    assert ours == flags(torch)
    assert not any(ours[1]) and all(ours[0])


def test_dropout_respects_eval(torch):
    m = tensorkit.nn.Sequential(tensorkit.nn.Dropout(0.5))
    x = tensorkit.ones(100)
    assert (np_(m(x)) == 0).any()
    m.eval()
    assert m(x) is x


def test_zero_grad_and_requires_grad(torch):
    for lib in (tensorkit, torch):
        m = build_net(lib)
        m(lib.randn(2, 3)).sum().backward()
        assert all(p.grad is not None for p in m.parameters())
        m.zero_grad(set_to_none=False)
        assert all(p.grad is not None and not np_(p.grad).any() for p in m.parameters())
        m.zero_grad()
        assert all(p.grad is None for p in m.parameters())
        m.requires_grad_(False)
        assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_first(torch):
    def order(lib):
        seen = []
        build_net(lib).apply(lambda mod: seen.append(type(mod).__name__))
        return seen

    assert order(tensorkit) == order(torch)


# ------------------------------------------------------------------- dtype / device

def test_to_double_keeps_parameter_identity_and_trains(torch):
    m = build_net(tensorkit)
    t = build_net(torch)
    before = list(m.parameters())
    grads_before = None
    m(tensorkit.randn(2, 3)).sum().backward()
    grads_before = [p.grad for p in before]
    assert m.to(tensorkit.float64) is m
    after = list(m.parameters())
    assert all(a is b for a, b in zip(before, after))  # the optimizer's references stay valid
    assert all(p.dtype == tensorkit.float64 and p.grad.dtype == tensorkit.float64 for p in after)
    assert all(p.grad is g for p, g in zip(after, grads_before))  # grads converted in place
    assert m.running.dtype == tensorkit.float64
    assert m.blocks[0].count.dtype == tensorkit.int64  # integer buffers keep their dtype
    t.to(torch.float64)
    for (name, a), (_, b) in zip(m.state_dict().items(), t.state_dict().items()):
        assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1], name
    # a training step through the old references works in float64 (optimizer compatibility)
    m.zero_grad()
    x = tensorkit.randn(5, 3, dtype=tensorkit.float64)
    loss = m(x).pow(2).mean()
    loss.backward()
    with tensorkit.no_grad():
        for p in before:
            p -= 0.1 * p.grad
    assert m(x).pow(2).mean().item() < loss.item()
    m.float()
    assert all(p.dtype == tensorkit.float32 for p in before)
    with pytest.raises(TypeError, match="floating point or complex"):
        m.to(tensorkit.int32)


def test_to_with_tensor_and_device_arguments():
    m = build_net(tensorkit)
    ref = tensorkit.zeros(1, dtype=tensorkit.float64)
    m.to(ref)
    assert m.fc1.weight.dtype == tensorkit.float64
    m.to("cpu", dtype=tensorkit.float32)
    assert m.fc1.weight.dtype == tensorkit.float32 and str(m.fc1.weight.device) == "cpu"
    m.double().half()
    assert m.fc1.weight.dtype == tensorkit.float16
    assert m.cpu() is m


def test_optimizer_keeps_working_after_to(torch):
    optim = getattr(tensorkit, "optim", None)
    if optim is None or not hasattr(optim, "SGD"):
        pytest.skip("tensorkit.optim is not available on this branch")
    m = build_net(tensorkit)
    opt = optim.SGD(m.parameters(), lr=0.1)
    m.double()
    x = tensorkit.randn(4, 3, dtype=tensorkit.float64)
    loss = m(x).pow(2).mean()
    loss.backward()
    opt.step()
    assert m(x).pow(2).mean().item() < loss.item()


# ------------------------------------------------------------------- state dicts

def test_state_dict_keys_values_and_detach_match_torch(torch):
    ours, theirs = build_net(tensorkit).state_dict(), build_net(torch).state_dict()
    assert type(ours) is OrderedDict
    assert list(ours) == list(theirs)
    for key in ours:
        np.testing.assert_array_equal(ours[key].numpy(), theirs[key].numpy(), err_msg=key)
        assert not ours[key].requires_grad
    m = build_net(tensorkit)
    sd = m.state_dict()
    sd["fc1.weight"].fill_(7.0)  # the values share memory with the model
    assert m.fc1.weight[0, 0].item() == 7.0
    kept = m.state_dict(keep_vars=True)
    assert kept["fc1.weight"] is m.fc1.weight
    assert list(m.state_dict(prefix="net.")) == ["net." + k for k in sd]
    assert sd._metadata[""] == {"version": 1} and "blocks.0" in sd._metadata


def test_state_dict_round_trip_across_libraries(torch):
    ours = build_net(tensorkit)
    theirs = build_net(torch)
    for p in theirs.parameters():  # make the two differ first
        p.data.mul_(-2.0)
    # torch -> tensorkit, through numpy
    result = ours.load_state_dict({k: tensorkit.tensor(v.numpy())
                                   for k, v in theirs.state_dict().items()})
    assert repr(result) == "<All keys matched successfully>"
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(np_(ours(tensorkit.tensor(x))),
                               np_(theirs(torch.tensor(x))), rtol=1e-5, atol=1e-6)
    # tensorkit -> torch
    with tensorkit.no_grad():
        ours.fc1.weight.add_(1.0)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    np.testing.assert_array_equal(theirs.fc1.weight.detach().numpy(), np_(ours.fc1.weight))


def test_load_state_dict_copies_in_place():
    m = build_net(tensorkit)
    w = m.fc1.weight
    m.load_state_dict({k: v.clone() * 0 for k, v in m.state_dict().items()})
    assert m.fc1.weight is w and not np_(w).any()
    m.load_state_dict({k: v + 1 for k, v in m.state_dict().items()}, assign=True)
    assert m.fc1.weight is not w and isinstance(m.fc1.weight, tensorkit.nn.Parameter)
    assert m.fc1.weight.requires_grad and m.fc1.weight[0, 0].item() == 1.0


def test_load_state_dict_errors_match_torch(torch):
    def failure(lib):
        m = build_net(lib)
        sd = m.state_dict()
        del sd["fc1.bias"]
        sd["fc9.weight"] = lib.zeros(1)
        sd["heads.0.weight"] = lib.zeros(3, 4)
        with pytest.raises(RuntimeError) as info:
            m.load_state_dict(sd)
        loose = m.load_state_dict({k: v for k, v in sd.items() if k != "heads.0.weight"},
                                  strict=False)
        wrong = build_net(lib, extra=True).load_state_dict(m.state_dict(), strict=False)
        return str(info.value), tuple(loose), tuple(wrong), repr(loose)

    ours, theirs = failure(tensorkit), failure(torch)
    assert ours[0] == theirs[0].replace("torch", "tensorkit")
    assert ours[0].startswith("Error(s) in loading state_dict for Net:\n\tMissing key(s) in "
                              'state_dict: "fc1.bias". \n\tUnexpected key(s)')
    assert ours[1:] == theirs[1:]
    with pytest.raises(TypeError, match="dict-like"):
        build_net(tensorkit).load_state_dict([1, 2])


def test_load_state_dict_rejects_non_tensors(torch):
    msgs = []
    for lib in (tensorkit, torch):
        m = lib.nn.Linear(2, 1)
        with pytest.raises(RuntimeError) as info:
            m.load_state_dict({"weight": np.zeros((1, 2)), "bias": lib.zeros(1)})
        msgs.append(str(info.value).replace("torch", "tensorkit"))
    assert msgs[0] == msgs[1]


# ------------------------------------------------------------------- printing

def test_print_matches_torch(torch):
    def model(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 10)
                self.body = nn.Sequential(OrderedDict([
                    ("hidden", nn.Linear(10, 8, bias=False)), ("act", nn.LeakyReLU(0.2)),
                    ("drop", nn.Dropout(0.25, inplace=True))]))
                self.stack = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)]
                                           + [nn.ReLU(inplace=True), nn.ReLU6(), nn.Tanh()])
                self.heads = nn.ModuleDict({"a": nn.GELU("tanh"), "b": nn.Sequential()})
                self.misc = nn.Sequential(
                    nn.ELU(0.5), nn.SiLU(), nn.Sigmoid(), nn.Softplus(2.0, 10.0),
                    nn.Threshold(0.1, 20.0), nn.Hardtanh(-2.0, 2.0), nn.PReLU(3),
                    nn.Flatten(), nn.Unflatten(1, (2, 5)), nn.Identity(), nn.Bilinear(2, 3, 4),
                    nn.Dropout2d(), nn.Softmax(dim=1), nn.LogSoftmax(1))
                self.params = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(4)])
                self.pdict = nn.ParameterDict({"x": nn.Parameter(lib.ones(2))})

        return Net()

    ours, theirs = repr(model(tensorkit)), repr(model(torch))
    assert ours == theirs.replace("torch", "tensorkit")
    assert "  (fc1): Linear(in_features=784, out_features=10, bias=True)" in ours
    assert "(0-2): 3 x Linear(in_features=8, out_features=8, bias=True)" in ours


def test_custom_extra_repr_multiline(torch):
    def model(lib):
        class Custom(lib.nn.Module):
            def extra_repr(self):
                return "alpha=1,\nbeta=2"

        outer = lib.nn.Sequential(Custom(), lib.nn.Sequential(Custom()))
        return repr(outer), repr(Custom())

    assert model(tensorkit) == model(torch)


# ------------------------------------------------------------------- hooks

def _shape(t):
    return None if t is None else tuple(t.shape)


def _hook_log(lib, x_requires_grad: bool):
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
    log = []
    for name, m in model.named_modules():
        m.register_forward_pre_hook(
            lambda mod, args, name=name: log.append(("pre", name, [_shape(a) for a in args])))
        m.register_forward_hook(
            lambda mod, args, out, name=name: log.append(("fwd", name, _shape(out))))
        m.register_full_backward_pre_hook(
            lambda mod, go, name=name: log.append(("bpre", name, [_shape(g) for g in go])))
        m.register_full_backward_hook(
            lambda mod, gi, go, name=name: log.append(
                ("bwd", name, [_shape(g) for g in gi], [_shape(g) for g in go],
                 [None if g is None else np_(g).round(5).tolist() for g in gi + go])))
    x = lib.tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4),
                   requires_grad=x_requires_grad)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model(x).sum().backward()
    messages = sorted({str(w.message) for w in caught})
    return log, messages, np_(model[0].weight.grad), np_(x.grad)


@pytest.mark.parametrize("x_requires_grad", [False, True])
def test_hooks_fire_in_torch_order_with_same_arguments(torch, x_requires_grad):
    ours, theirs = _hook_log(tensorkit, x_requires_grad), _hook_log(torch, x_requires_grad)
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]  # the "no inputs require gradients" warning, or none
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6)
    if x_requires_grad:
        np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-6)


def test_backward_hooks_can_replace_gradients(torch):
    def run(lib):
        lib.manual_seed(1)
        lin = lib.nn.Linear(3, 2)
        lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 10,))
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0] + 1,))
        x = lib.ones(4, 3, requires_grad=True)
        lin(x).pow(2).sum().backward()
        return np_(x.grad), np_(lin.weight.grad)

    for a, b in zip(run(tensorkit), run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_backward_hook_with_tuple_io_and_non_tensor_args(torch):
    def run(lib):
        class Two(lib.nn.Module):
            def forward(self, a, scale, b):
                return a * scale, (a * b).sum(1)

        seen = []
        m = Two()
        m.register_full_backward_hook(lambda mod, gi, go: seen.append(
            ([_shape(g) for g in gi], [_shape(g) for g in go],
             [None if g is None else np_(g).tolist() for g in gi])))
        a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = lib.tensor([[0.5, -1.0], [2.0, 1.0]])  # no gradient: its grad_input is None
        p, q = m(a, 3.0, b)
        (p.sum() + (q * q).sum()).backward()
        return seen, np_(a.grad)

    ours, theirs = run(tensorkit), run(torch)
    assert ours[0] == theirs[0]
    np.testing.assert_array_equal(ours[1], theirs[1])


def test_forward_hooks_modify_and_remove(torch):
    def run(lib):
        lin = lib.nn.Linear(2, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.eye(2))
            lin.bias.zero_()
        x = lib.tensor([[1.0, 2.0]])
        results = []
        h1 = lin.register_forward_pre_hook(lambda m, args: args[0] * 2)  # a single value
        h2 = lin.register_forward_hook(lambda m, args, out: out + 1)
        results.append(np_(lin(x)))
        h3 = lin.register_forward_hook(lambda m, args, out: out * 10, prepend=True)
        results.append(np_(lin(x)))
        h1.remove()
        h3.remove()
        results.append(np_(lin(x)))
        h2.remove()
        results.append(np_(lin(x)))
        h4 = lin.register_forward_pre_hook(
            lambda m, args, kwargs: ((args[0] - 1,), kwargs), with_kwargs=True)
        h5 = lin.register_forward_hook(lambda m, args, kwargs, out: out * 0 + len(kwargs),
                                       with_kwargs=True)
        results.append(np_(lin(x)))
        with h4, h5:  # handles are context managers that remove the hook on exit
            pass
        results.append(np_(lin(x)))
        return results

    for a, b in zip(run(tensorkit), run(torch)):
        np.testing.assert_array_equal(a, b)


def test_always_call_forward_hook_runs_on_error(torch):
    def run(lib):
        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        seen = []
        m = Boom()
        m.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
        with pytest.raises(ValueError, match="boom"):
            m(lib.zeros(1))
        return seen

    assert run(tensorkit) == run(torch) == [None]


# ------------------------------------------------------------------- containers

def test_sequential_api_matches_torch(torch):
    def story(lib):
        nn = lib.nn
        seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        out = [len(seq), type(seq[-1]).__name__, type(seq[1:]).__name__, len(seq[::2])]
        seq.append(nn.Sigmoid())
        seq.insert(1, nn.Tanh())
        seq.extend([nn.Identity()])
        popped = seq.pop(0)
        out += [type(popped).__name__, [type(m).__name__ for m in seq], list(seq._modules)]
        del seq[1]
        seq[0] = nn.ELU()
        out += [[type(m).__name__ for m in seq], list(seq._modules)]
        both = seq + nn.Sequential(nn.ReLU())
        out += [len(both), len(seq * 2), type(both).__name__]
        named = nn.Sequential(OrderedDict([("first", nn.Linear(1, 1)), ("second", nn.ReLU())]))
        out += [[n for n, _ in named.named_children()], type(named[0]).__name__]
        for bad in (lambda: seq[10], lambda: seq + [1], lambda: seq * 0):
            with pytest.raises(Exception) as info:
                bad()
            out.append((info.type.__name__, str(info.value).replace("torch", "tensorkit")))
        return out

    assert story(tensorkit) == story(torch)


def test_sequential_forward_chains(torch):
    def run(lib):
        lib.manual_seed(0)
        seq = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
        return np_(seq(lib.tensor([[1.0, -2.0, 0.5]])))

    np.testing.assert_allclose(run(tensorkit), run(torch), rtol=1e-6)


def test_module_list_and_dict_api_match_torch(torch):
    def story(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
        ml.append(nn.Tanh())
        ml.extend([nn.Sigmoid()])
        ml.insert(0, nn.Identity())
        ml += [nn.ELU()]
        out = [len(ml), [type(m).__name__ for m in ml], type(ml[1:3]).__name__,
               type(ml[-1]).__name__]
        del ml[0]
        out.append(list(ml._modules))
        out.append(type(ml.pop(1)).__name__)
        out.append([n for n, _ in ml.named_parameters()])
        md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(2, 2)})
        md["c"] = nn.Tanh()
        md.update([("d", nn.Sigmoid())])
        out += [list(md), list(md.keys()), "a" in md, len(md),
                type(md.pop("b")).__name__, [n for n, _ in md.named_parameters()]]
        with pytest.raises(IndexError) as info:
            ml[7]
        out.append(str(info.value))
        return out

    assert story(tensorkit) == story(torch)


def test_parameter_list_and_dict_match_torch(torch):
    def story(lib):
        nn = lib.nn
        pl = nn.ParameterList([nn.Parameter(lib.ones(2)), lib.zeros(3)])
        pl.append(lib.ones(1))
        out = [len(pl), [type(p).__name__ for p in pl], [n for n, _ in pl.named_parameters()],
               len(pl[1:])]
        pd = nn.ParameterDict({"w": lib.ones(2), "a": nn.Parameter(lib.zeros(1))})
        pd["z"] = lib.ones(3)
        out += [list(pd), list(pd.keys()), "w" in pd, [n for n, _ in pd.named_parameters()],
                type(pd["w"]).__name__, pd.get("nope", 5)]
        pd.pop("w")
        out.append(list(pd))
        with pytest.raises(RuntimeError) as info:
            pl(1)
        out.append(str(info.value))
        with pytest.raises(TypeError) as info:
            pd[3]
        out.append(str(info.value))
        return out

    assert story(tensorkit) == story(torch)


# ------------------------------------------------------------------- gradient clipping

def _grads_pair(torch, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    values = [rng.standard_normal(s).astype(np.float32) * scale for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) * scale for s in shapes]
    pairs = []
    for lib in (tensorkit, torch):
        params = [lib.nn.Parameter(lib.tensor(v)) for v in values]
        for p, g in zip(params, grads):
            p.grad = lib.tensor(g)
        pairs.append(params)
    return pairs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf"), 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e4])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    ours, theirs = _grads_pair(torch)
    total = tensorkit.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total.dtype == tensorkit.float32 and total.shape == ()
    np.testing.assert_allclose(total.item(), t_total.item(), rtol=1e-6)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(np_(a.grad), b.grad.numpy(), rtol=2e-6, atol=1e-7)


def test_clip_grad_norm_generator_single_tensor_and_errors(torch):
    m = build_net(tensorkit)
    m(tensorkit.randn(2, 3)).sum().backward()
    total = tensorkit.nn.utils.clip_grad_norm_(m.parameters(), 1e-3)
    after = tensorkit.nn.utils.get_total_norm([p.grad for p in m.parameters()])
    assert total.item() > 1e-3 and after.item() == pytest.approx(1e-3, rel=1e-3)
    single = tensorkit.nn.Parameter(tensorkit.ones(4))
    single.grad = tensorkit.full((4,), 3.0)
    assert tensorkit.nn.utils.clip_grad_norm_(single, 1.0).item() == pytest.approx(6.0)
    bad = tensorkit.nn.Parameter(tensorkit.ones(2))
    bad.grad = tensorkit.tensor([float("inf"), 1.0])
    t_bad = torch.nn.Parameter(torch.ones(2))
    t_bad.grad = torch.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError) as ours:
        tensorkit.nn.utils.clip_grad_norm_([bad], 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_([t_bad], 1.0, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)
    with pytest.warns(UserWarning, match="empty generator"):
        tensorkit.nn.utils.clip_grad_norm_((p for p in []), 1.0)
    assert tensorkit.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0


def test_clip_grad_value_matches_torch(torch):
    ours, theirs = _grads_pair(torch, scale=2.0)
    tensorkit.nn.utils.clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(np_(a.grad), b.grad.numpy())


def test_parameters_to_vector_and_back(torch):
    ours, theirs = _grads_pair(torch)
    vec = tensorkit.nn.utils.parameters_to_vector(ours)
    t_vec = torch.nn.utils.parameters_to_vector(theirs)
    np.testing.assert_array_equal(np_(vec), t_vec.detach().numpy())
    assert vec.requires_grad
    tensorkit.nn.utils.vector_to_parameters(vec.detach() * 2, ours)
    torch.nn.utils.vector_to_parameters(t_vec.detach() * 2, theirs)
    for a, b in zip(ours, theirs):
        assert type(a) is tensorkit.nn.Parameter
        np.testing.assert_array_equal(np_(a), b.detach().numpy())
    with pytest.raises(TypeError, match="expected tensorkit.Tensor"):
        tensorkit.nn.utils.vector_to_parameters([1.0], ours)


def test_deepcopy_and_pickle_of_a_model():
    nn = tensorkit.nn
    tensorkit.manual_seed(0)
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2))
    net = build_net(tensorkit)
    net.register_forward_hook(lambda mod, args, out: None)
    for m, clone in ((net, copy.deepcopy(net)), (seq, pickle.loads(pickle.dumps(seq)))):
        assert type(clone.get_parameter("0.weight" if m is seq else "fc1.weight")) \
            is tensorkit.nn.Parameter
        assert next(clone.parameters()) is not next(m.parameters())
        for (name, a), (_, b) in zip(clone.state_dict().items(), m.state_dict().items()):
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
        x = tensorkit.ones(2, 3)
        clone.eval()
        m.eval()
        np.testing.assert_array_equal(np_(clone(x)), np_(m(x)))
    old_style = build_net(tensorkit)
    state = dict(old_style.__dict__)
    del state["_forward_hooks_always_called"]  # a module pickled by an older version
    fresh = object.__new__(type(old_style))
    fresh.__setstate__(state)
    fresh.register_forward_hook(lambda mod, args, out: None, always_call=True)
    fresh(tensorkit.ones(1, 3))
