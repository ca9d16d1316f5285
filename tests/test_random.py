"""tensorkit._random must reproduce torch's CPU random numbers bit for bit.

Every test seeds tensorkit and torch identically, makes the same calls and compares the
results bitwise (floats are compared through their integer bit patterns, so even -0.0
versus 0.0 would fail).  Sequences of different calls check that the generator state
advances exactly as torch's does.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tensorkit import _random as R  # noqa: E402

SEEDS = [0, 1, 42, 2**32 + 5, R.DEFAULT_SEED]
SIZES = [1, 2, 15, 16, 17, 31, 33, 1000, 10007]
FLOAT_DTYPES = [np.float32, np.float64, np.float16]
TORCH_DTYPE = {
    np.float16: torch.float16,
    np.float32: torch.float32,
    np.float64: torch.float64,
    np.int8: torch.int8,
    np.int16: torch.int16,
    np.int32: torch.int32,
    np.int64: torch.int64,
    np.uint8: torch.uint8,
    np.bool_: torch.bool,
}


def as_numpy(x) -> np.ndarray:
    return x.numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def assert_same(ours: np.ndarray, theirs) -> None:
    """Bitwise equality of values, dtype and shape."""
    theirs = as_numpy(theirs)
    if hasattr(ours, "numpy"):  # get_state() gives a tensor, as torch's does
        ours = ours.numpy()
    assert isinstance(ours, np.ndarray)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    if ours.dtype.kind == "f":
        as_int = np.dtype(f"u{ours.dtype.itemsize}")
        ours, theirs = ours.view(as_int), theirs.view(as_int)
    np.testing.assert_array_equal(ours, theirs)


def pair(seed: int) -> tuple[R.Generator, torch.Generator]:
    return R.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def assert_in_sync(g: R.Generator, tg: torch.Generator) -> None:
    """Same state bytes, and the next draws agree."""
    assert_same(g.get_state(), tg.get_state())
    assert_same(g.uniform(3), torch.rand(3, generator=tg))


# ---- crafted states: make the twister emit chosen 32-bit words ----------------------------


def _untemper(y: np.ndarray) -> np.ndarray:
    """Invert mt19937's output tempering, so a state word produces the output we want."""
    y = np.asarray(y, dtype=np.uint64) & np.uint64(0xFFFFFFFF)
    y ^= y >> np.uint64(18)
    y ^= (y << np.uint64(15)) & np.uint64(0xEFC60000)
    r = y.copy()
    for _ in range(5):
        r = y ^ ((r << np.uint64(7)) & np.uint64(0x9D2C5680))
    y = r & np.uint64(0xFFFFFFFF)
    r = y.copy()
    for _ in range(3):
        r = y ^ (r >> np.uint64(11))
    return r & np.uint64(0xFFFFFFFF)


def crafted_state(words) -> np.ndarray:
    """A torch-format state whose next len(words) <= 623 outputs are exactly `words`."""
    words = np.asarray(words, dtype=np.uint64)
    assert words.size <= 623
    st_ = np.zeros((), R._STATE_DTYPE)
    key = (np.arange(624, dtype=np.uint64) * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)
    key[1 : 1 + words.size] = _untemper(words)
    st_["initial_seed"], st_["seeded"], st_["left"], st_["next"] = 1, 1, 624, 1
    st_["mt"] = key
    return np.frombuffer(st_.tobytes(), dtype=np.uint8).copy()


def crafted_pair(words) -> tuple[R.Generator, torch.Generator]:
    state = crafted_state(words)
    tg = torch.Generator()
    tg.set_state(torch.from_numpy(state.copy()))
    return R.Generator().set_state(state), tg


# ---- seeding ---------------------------------------------------------------------------------


def test_fresh_generator_uses_torch_default_seed():
    g, tg = R.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == R.DEFAULT_SEED
    assert g.device == "cpu"
    assert_in_sync(g, tg)


@pytest.mark.parametrize(
    "seed", [0, 1, 42, 2**31, 2**32 - 1, 2**32 + 5, 2**63, 2**64 - 1, -1, -(2**63)]
)
def test_manual_seed(seed):
    g, tg = pair(seed)
    assert g.initial_seed() == tg.initial_seed()
    assert_in_sync(g, tg)


@pytest.mark.parametrize("seed", [2**64, -(2**63) - 1])
def test_manual_seed_rejects_out_of_range(seed):
    with pytest.raises(ValueError):
        R.Generator().manual_seed(seed)
    with pytest.raises(ValueError):
        torch.Generator().manual_seed(seed)


def test_seed_is_nondeterministic_64_bit():
    g = R.Generator()
    seeds = {g.seed() for _ in range(4)}
    assert len(seeds) == 4
    assert all(0 <= s < 2**64 for s in seeds)
    s = g.seed()
    assert g.initial_seed() == s
    assert_in_sync(g, torch.Generator().manual_seed(s))


def test_module_level_functions_drive_default_generator():
    assert R.manual_seed(7) is R.default_generator
    torch.manual_seed(7)
    assert R.initial_seed() == torch.initial_seed() == 7
    assert_same(R.get_rng_state(), torch.get_rng_state())
    assert_same(R.default_generator.normal(5), torch.randn(5))
    state = R.get_rng_state()
    a = R.default_generator.uniform(10)
    R.set_rng_state(state)
    assert_same(R.default_generator.uniform(10), a)
    s = R.seed()
    assert R.initial_seed() == s


# ---- floats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_uniform(seed, size, dtype):
    g, tg = pair(seed)
    tdt = TORCH_DTYPE[dtype]
    assert_same(g.uniform(size, dtype), torch.rand(size, dtype=tdt, generator=tg))
    for low, high in [(-0.37, 1.3), (2.0, 3.1), (-1e-3, 1e-3)]:
        expected = torch.empty(size, dtype=tdt).uniform_(low, high, generator=tg)
        assert_same(g.uniform(size, dtype, low, high), expected)
    assert_in_sync(g, tg)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_never_returns_high(dtype):
    """The largest draw can round up to `high`; torch returns `low` instead."""
    g, tg = crafted_pair([0xFFFFFFFF] * 8)
    expected = torch.empty(4, dtype=TORCH_DTYPE[dtype]).uniform_(2.0, 3.1, generator=tg)
    assert_same(g.uniform(4, dtype, 2.0, 3.1), expected)
    assert as_numpy(expected)[0] == 2.0


@pytest.mark.parametrize("shape", [(), (3, 4), (2, 3, 4), (5, 0), (64, 33)])
def test_uniform_and_normal_shapes(shape):
    g, tg = pair(3)
    assert_same(g.uniform(shape), torch.rand(shape, generator=tg))
    assert_same(g.normal(shape), torch.randn(shape, generator=tg))
    assert_same(g.normal(shape, np.float64), torch.randn(shape, dtype=torch.float64, generator=tg))
    assert_in_sync(g, tg)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_normal(seed, size, dtype):
    g, tg = pair(seed)
    tdt = TORCH_DTYPE[dtype]
    assert_same(g.normal(size, dtype), torch.randn(size, dtype=tdt, generator=tg))
    expected = torch.empty(size, dtype=tdt).normal_(0.3, 2.7, generator=tg)
    assert_same(g.normal(size, dtype, 0.3, 2.7), expected)
    expected = torch.normal(-1.5, 0.01, (size,), dtype=tdt, generator=tg)
    assert_same(g.normal(size, dtype, -1.5, 0.01), expected)
    assert_in_sync(g, tg)


def test_normal_cache_carries_over_between_calls():
    """Small normals come in Box-Muller pairs; the spare one is used by the next call."""
    g, tg = pair(11)
    for n in [1, 1, 3, 2, 5, 16, 1, 7]:
        assert_same(g.normal(n, np.float64), torch.randn(n, dtype=torch.float64, generator=tg))
        assert_same(g.get_state(), tg.get_state())  # the cached value is part of the state


def test_randn_avx2_kernel_on_sampled_inputs():
    """Feed a spread of uniforms (including both ends) through the AVX2 Box-Muller kernel."""
    rng = np.random.default_rng(0)
    k = np.concatenate([
        np.array([0, 1, 2, 0xFFFFFF, 0xFFFFFE, 0x800000, 0x400000, 0x200000]),
        np.arange(0, 2**24, 2**24 // 4096),
        rng.integers(0, 2**24, 2**14),
    ]).astype(np.uint32)
    k = k[: k.size - k.size % 16]
    words = np.concatenate([k, np.roll(k, 7)])  # radius and angle inputs
    for start in range(0, words.size, 608):
        chunk = words[start : start + 608]
        g, tg = crafted_pair(chunk)
        assert_same(g.normal(chunk.size), torch.randn(chunk.size, generator=tg))
        g, tg = crafted_pair(chunk)
        expected = torch.empty(chunk.size).normal_(0.25, 3.5, generator=tg)
        assert_same(g.normal(chunk.size, np.float32, 0.25, 3.5), expected)


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("size", [1, 15, 16, 100])
def test_normal_with_tensor_arguments(seed, size):
    g, tg = pair(seed)
    mean = np.linspace(-1, 1, size).astype(np.float32)
    std = np.linspace(0.1, 2, size).astype(np.float32)
    tmean, tstd = torch.from_numpy(mean), torch.from_numpy(std)
    assert_same(g.normal_tensor(mean, std), torch.normal(tmean, tstd, generator=tg))
    assert_same(g.normal_tensor(mean, 2.0), torch.normal(tmean, 2.0, generator=tg))
    assert_same(g.normal_tensor(0.5, std), torch.normal(0.5, tstd, generator=tg))
    m64 = mean.astype(np.float64)
    assert_same(g.normal_tensor(m64, std.astype(np.float64)),
                torch.normal(torch.from_numpy(m64), tstd.double(), generator=tg))
    assert_in_sync(g, tg)


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_other_continuous_distributions(seed, dtype):
    g, tg = pair(seed)
    tdt = TORCH_DTYPE[dtype]
    for n in [1, 17, 1000]:
        assert_same(g.exponential(n, dtype, 1.5),
                    torch.empty(n, dtype=tdt).exponential_(1.5, generator=tg))
        for p in [0.01, 0.3, 0.9]:
            assert_same(g.geometric(n, p, dtype),
                        torch.empty(n, dtype=tdt).geometric_(p, generator=tg))
        assert_same(g.cauchy(n, dtype, 0.5, 2.0),
                    torch.empty(n, dtype=tdt).cauchy_(0.5, 2.0, generator=tg))
        assert_same(g.log_normal(n, dtype, 0.2, 0.7),
                    torch.empty(n, dtype=tdt).log_normal_(0.2, 0.7, generator=tg))
    assert_in_sync(g, tg)


# ---- integers --------------------------------------------------------------------------------

RANGES = [(0, 10), (-5, 3), (0, 2**24 + 1), (0, 2**28 - 1), (0, 2**28), (0, 2**31),
          (0, 2**32), (3, 2**33 + 7), (-(2**40), 2**40)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", [1, 17, 1000])
@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64])
def test_randint(seed, size, dtype):
    g, tg = pair(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about float ranges beyond 2**24
        for low, high in RANGES:
            expected = torch.randint(low, high, (size,), dtype=TORCH_DTYPE[dtype], generator=tg)
            assert_same(g.randint(low, high, (size,), dtype), expected)
    assert_in_sync(g, tg)


@pytest.mark.parametrize("dtype,low,high", [
    (np.int32, 0, 100), (np.int32, -(2**31), 2**31 - 1), (np.int16, -300, 300),
    (np.int8, -100, 100), (np.uint8, 0, 256), (np.float16, 0, 1000), (np.bool_, 0, 2),
])
def test_randint_small_dtypes(dtype, low, high):
    g, tg = pair(5)
    expected = torch.randint(low, high, (333,), dtype=TORCH_DTYPE[dtype], generator=tg)
    assert_same(g.randint(low, high, 333, dtype), expected)
    assert_in_sync(g, tg)


def test_randint_rejects_empty_range():
    with pytest.raises(RuntimeError):
        R.Generator().randint(3, 3, 4)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", list(TORCH_DTYPE))
def test_random_(seed, dtype):
    g, tg = pair(seed)
    tdt = TORCH_DTYPE[dtype]
    for n in [1, 16, 1001]:
        assert_same(g.random_(n, dtype), torch.empty(n, dtype=tdt).random_(generator=tg))
    if dtype != np.bool_:
        assert_same(g.random_(50, dtype, 3, 50),
                    torch.empty(50, dtype=tdt).random_(3, 50, generator=tg))
        assert_same(g.random_(50, dtype, to=7),
                    torch.empty(50, dtype=tdt).random_(7, generator=tg))
        assert_same(g.random_(50, dtype, 7),
                    torch.empty(50, dtype=tdt).random_(7, None, generator=tg))
    assert_in_sync(g, tg)


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64])
def test_random_full_64_bit_range(dtype):
    g, tg = pair(9)
    expected = torch.empty(100, dtype=TORCH_DTYPE[dtype]).random_(-(2**63), None, generator=tg)
    assert_same(g.random_(100, dtype, -(2**63)), expected)
    assert_in_sync(g, tg)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 100, 1000, 10007, 60000])
def test_randperm(seed, n):
    g, tg = pair(seed)
    assert_same(g.randperm(n), torch.randperm(n, generator=tg))
    assert_same(g.randperm(n, np.int32), torch.randperm(n, dtype=torch.int32, generator=tg))
    assert_same(g.randperm(min(n, 2048), np.float16),
                torch.randperm(min(n, 2048), dtype=torch.float16, generator=tg))
    assert_in_sync(g, tg)


def test_dataloader_shuffle_order():
    """RandomSampler: one int64 random_() for the iterator's base seed, one to seed a
    fresh Generator, then randperm(n) with it; the default generator moves on."""
    from torch.utils.data import DataLoader

    n, batch = 103, 8
    R.manual_seed(1234)
    torch.manual_seed(1234)
    loader = DataLoader(list(range(n)), batch_size=batch, shuffle=True)
    for _epoch in range(3):
        theirs = [b.tolist() for b in loader]
        R.default_generator.random_((), np.int64)  # _BaseDataLoaderIter._base_seed
        seed = int(R.default_generator.random_((), np.int64))
        assert 0 <= seed < 2**63
        perm = R.Generator().manual_seed(seed).randperm(n).tolist()
        assert theirs == [perm[i : i + batch] for i in range(0, n, batch)]
    assert_same(R.get_rng_state(), torch.get_rng_state())


# ---- discrete choices ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
def test_bernoulli_scalar_p(seed, size):
    g, tg = pair(seed)
    for p, dtype in [(0.3, np.float32), (0.7, np.float64), (0.5, np.int64), (0.9, np.bool_),
                     (0.0, np.float32), (1.0, np.float32)]:
        expected = torch.empty(size, dtype=TORCH_DTYPE[dtype]).bernoulli_(p, generator=tg)
        assert_same(g.bernoulli(p, size, np.dtype(dtype)), expected)
    assert_in_sync(g, tg)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_bernoulli_tensor_p(seed, dtype):
    g, tg = pair(seed)
    for size in [1, 17, 1000]:
        p = np.linspace(0, 1, size).astype(dtype)
        assert_same(g.bernoulli(p), torch.bernoulli(torch.from_numpy(p), generator=tg))
        p2 = np.random.default_rng(size).random((size, 3)).astype(dtype)
        assert_same(g.bernoulli(p2), torch.bernoulli(torch.from_numpy(p2), generator=tg))
    assert_in_sync(g, tg)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", [0.1, 0.25, 0.5, 0.9])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_mask(seed, p, dtype):
    x = np.random.default_rng(seed % 2**32).standard_normal((33, 17)).astype(dtype)
    R.manual_seed(seed)
    torch.manual_seed(seed)
    functional = torch.nn.functional.dropout(torch.from_numpy(x), p, training=True)
    assert_same(x * R.default_generator.dropout_mask(x.shape, p, dtype), functional)
    module = torch.nn.Dropout(p)(torch.from_numpy(x))
    assert_same(x * R.default_generator.dropout_mask(x.shape, p, dtype), module)
    assert_same(R.get_rng_state(), torch.get_rng_state())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_multinomial(seed, dtype):
    g, tg = pair(seed)
    probs = np.random.default_rng(seed % 2**32).random((4, 9)).astype(dtype)
    probs[1, 2] = 0
    tprobs = torch.from_numpy(probs)
    for num_samples, replacement in [(1, True), (1, False), (5, True), (5, False), (8, False),
                                     (50, True)]:
        assert_same(g.multinomial(probs, num_samples, replacement),
                    torch.multinomial(tprobs, num_samples, replacement, generator=tg))
        assert_same(g.multinomial(probs[0], num_samples, replacement),
                    torch.multinomial(tprobs[0], num_samples, replacement, generator=tg))
    assert_in_sync(g, tg)


def test_multinomial_char_rnn_sampling():
    """Sampling one character at a time from a softmax, as in a char-RNN tutorial."""
    g, tg = pair(2024)
    logits = np.random.default_rng(0).standard_normal((200, 65)).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    for row in probs:
        expected = torch.multinomial(torch.from_numpy(row), 1, generator=tg)
        assert_same(g.multinomial(row, 1), expected)
    assert_in_sync(g, tg)


# ---- sequences and state ---------------------------------------------------------------------


def run_sequence(lib, gen):
    """One scripted mix of calls, written once for both libraries."""
    if lib == "torch":
        return [
            torch.rand(7, generator=gen),
            torch.randn(5, generator=gen),
            torch.randint(0, 10, (12,), generator=gen),
            torch.randn(100, generator=gen),
            torch.randperm(10, generator=gen),
            torch.rand(3, dtype=torch.float64, generator=gen),
            torch.randn(1, dtype=torch.float64, generator=gen),
            torch.empty(40).bernoulli_(0.25, generator=gen),
            torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 4, True, generator=gen),
            torch.randn(3, generator=gen),
            torch.empty((), dtype=torch.int64).random_(generator=gen),
            torch.empty(33).uniform_(-0.5, 0.5, generator=gen),
            torch.rand(2, generator=gen),
        ]
    return [
        gen.uniform(7),
        gen.normal(5),
        gen.randint(0, 10, (12,)),
        gen.normal(100),
        gen.randperm(10),
        gen.uniform(3, np.float64),
        gen.normal(1, np.float64),
        gen.bernoulli(0.25, 40),
        gen.multinomial(np.array([0.1, 0.2, 0.7], np.float32), 4, True),
        gen.normal(3),
        gen.random_((), np.int64),
        gen.uniform(33, np.float32, -0.5, 0.5),
        gen.uniform(2),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_interleaved_sequence(seed):
    g, tg = pair(seed)
    for ours, theirs in zip(run_sequence("tk", g), run_sequence("torch", tg), strict=True):
        assert_same(ours, theirs)
    assert_in_sync(g, tg)


@pytest.mark.parametrize("seed", SEEDS)
def test_state_round_trip_and_torch_compatibility(seed):
    g, tg = pair(seed)
    assert_same(g.get_state(), tg.get_state())  # freshly seeded
    g.normal(3)  # leaves a cached Box-Muller sample
    torch.randn(3, generator=tg)
    state = g.get_state()
    assert str(state.dtype) == "tensorkit.uint8" and tuple(state.shape) == (5056,)
    assert_same(state, tg.get_state())

    first = run_sequence("tk", g)
    g.set_state(state)  # our own round trip
    for a, b in zip(run_sequence("tk", g), first, strict=True):
        assert_same(a, b)

    g2 = R.Generator().set_state(tg.get_state())  # torch -> tensorkit
    for a, b in zip(run_sequence("tk", g2), run_sequence("torch", tg), strict=True):
        assert_same(a, b)

    tg2 = torch.Generator()
    tg2.set_state(torch.from_numpy(g2.get_state().numpy()))  # tensorkit -> torch
    for a, b in zip(run_sequence("tk", g2), run_sequence("torch", tg2), strict=True):
        assert_same(a, b)


def test_state_after_exactly_one_block_of_624_words():
    g, tg = pair(5)
    g.uniform(624)
    torch.rand(624, generator=tg)
    assert_in_sync(g, tg)


def test_set_state_rejects_bad_input():
    g = R.Generator()
    with pytest.raises(RuntimeError):
        g.set_state(np.zeros(100, np.uint8))
    with pytest.raises(RuntimeError):
        g.set_state(np.zeros(5056, np.uint8))  # not seeded


# ---- property-based --------------------------------------------------------------------------

OPS = ["rand", "randn", "randn64", "randint", "randperm", "bernoulli", "uniform16", "random_"]


def apply_op(op: str, n: int, g, tg):
    if op == "rand":
        return g.uniform(n), torch.rand(n, generator=tg)
    if op == "randn":
        return g.normal(n), torch.randn(n, generator=tg)
    if op == "randn64":
        return g.normal(n, np.float64), torch.randn(n, dtype=torch.float64, generator=tg)
    if op == "randint":
        return g.randint(-3, n + 5, n), torch.randint(-3, n + 5, (n,), generator=tg)
    if op == "randperm":
        return g.randperm(n), torch.randperm(n, generator=tg)
    if op == "bernoulli":
        return g.bernoulli(0.3, n), torch.empty(n).bernoulli_(0.3, generator=tg)
    if op == "uniform16":
        return (g.uniform(n, np.float16, -2, 2),
                torch.empty(n, dtype=torch.float16).uniform_(-2, 2, generator=tg))
    return g.random_(n, np.int64), torch.empty(n, dtype=torch.int64).random_(generator=tg)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=-(2**63), max_value=2**64 - 1),
    steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 300)), min_size=1,
                   max_size=8),
)
def test_random_call_sequences(seed, steps):
    g, tg = pair(seed)
    for op, n in steps:
        ours, theirs = apply_op(op, n, g, tg)
        assert_same(ours, theirs)
    assert_in_sync(g, tg)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**64 - 1),
    shape=st.lists(st.integers(0, 9), min_size=0, max_size=4),
    mean=st.floats(-10, 10, allow_subnormal=False),
    std=st.floats(0, 10, allow_subnormal=False),
    dtype=st.sampled_from(FLOAT_DTYPES),
)
def test_normal_any_shape(seed, shape, mean, std, dtype):
    g, tg = pair(seed)
    expected = torch.empty(shape, dtype=TORCH_DTYPE[dtype]).normal_(mean, std, generator=tg)
    assert_same(g.normal(shape, dtype, mean, std), expected)
    assert_in_sync(g, tg)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**64 - 1),
    low=st.floats(-100, 100),
    width=st.floats(1e-6, 100),
    n=st.integers(0, 200),
    dtype=st.sampled_from(FLOAT_DTYPES),
)
def test_uniform_any_range(seed, low, width, n, dtype):
    g, tg = pair(seed)
    high = low + width
    expected = torch.empty(n, dtype=TORCH_DTYPE[dtype]).uniform_(low, high, generator=tg)
    assert_same(g.uniform(n, dtype, low, high), expected)
    assert_in_sync(g, tg)
