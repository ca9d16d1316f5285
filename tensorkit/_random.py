"""PyTorch-compatible random numbers on the CPU, written with NumPy only.

PyTorch's CPU generator is a 32-bit Mersenne Twister (mt19937).  Every random
function draws raw 32-bit words from it (or 64-bit words built from two 32-bit
draws) and turns them into floats, integers or permutations with a fixed recipe.
This module reproduces the twister *and* the recipes, so that after
``manual_seed(s)`` the same sequence of calls gives bit-for-bit the numbers that
``torch`` gives after ``torch.manual_seed(s)``.

NumPy's ``MT19937`` bit generator is the same twister: we load torch's seeding
into it and then draw thousands of words per call with ``random_raw(n)``, so
every distribution below is a handful of vectorised NumPy operations.

The recipes mirror these ATen files (PyTorch 2.x):
``core/MT19937RNGEngine.h`` (seeding), ``CPUGeneratorImpl.cpp`` (32/64-bit draws,
state layout), ``core/TransformationHelper.h`` and ``core/DistributionsHelper.h``
(raw bits -> numbers), ``native/cpu/DistributionTemplates.h`` (the CPU kernels),
``native/TensorFactories.cpp`` (randperm), ``native/cpu/MultinomialKernel.cpp``
and ``native/Distributions.cpp`` (multinomial).  Two details matter for exact
bits: the C++ compiler fuses ``a * b + c`` into one FMA instruction (rounded
once), and ``torch.randn`` on x86 uses an AVX2 kernel with its own polynomial
``log``/``sin``/``cos`` ("avx_mathfun.h").  Both are reproduced below.

Known limits:

* float32 ``randn`` follows the x86 AVX2 kernel (also used on AVX-512 machines).  On
  CPUs without AVX2 (e.g. ARM) torch uses the C library's float log/sin/cos instead,
  which is not reproduced here.
* float64 log/sin/cos/log1p/tan/exp must equal the C library's, as torch calls it.  NumPy's
  vectorised versions are checked once against Python's ``math`` (the C library); if they
  differ on this machine, the slow exact per-element path is used.
* ``multinomial`` without replacement asking for more samples than there are non-zero
  probabilities returns the zero-probability categories in index order; torch orders
  these ties by its sort implementation.
* bfloat16 is not supported (NumPy has no bfloat16).
"""

from __future__ import annotations

import functools
import math
import secrets
from collections.abc import Sequence

import numpy as np

Shape = int | Sequence[int]
DTypeLike = np.dtype | type | str

DEFAULT_SEED = 67280421310721  # seed of a fresh torch.Generator()
_MT_N = 624  # number of 32-bit words in the Mersenne Twister state
_UINT64_MASK = (1 << 64) - 1

__all__ = [
    "DEFAULT_SEED",
    "Generator",
    "default_generator",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]


# ----------------------------------------------------------------------------------------------
# Small numeric helpers
# ----------------------------------------------------------------------------------------------


def _shape_tuple(shape: Shape) -> tuple[int, ...]:
    """Normalise an int or a sequence of ints to a shape tuple."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _round_to_odd_sum(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x + y in float64 rounded "to odd": if inexact, force the last mantissa bit to 1.

    A sum rounded to odd in a format with at least two more bits than the target can
    then be rounded to nearest in the target without any double-rounding error.
    """
    s = x + y
    bb = s - x
    err = (x - (s - bb)) + (y - bb)  # TwoSum: exact error of s
    bits = s.view(np.uint64)
    inexact_even = (err != 0) & ((bits & np.uint64(1)) == 0)
    bits = np.where(inexact_even, np.where((err > 0) == (s > 0), bits + 1, bits - 1), bits)
    return bits.view(np.float64)


def _fma32(a, b, c) -> np.ndarray:
    """float32 fused multiply-add: a * b + c rounded once, like the CPU's FMA instruction.

    torch's kernels are compiled with FMA contraction, so ``x * scale + shift`` is
    rounded once.  The product of two float32s is exact in float64, so float64
    ``a * b + c`` has a single rounding error; rounding that to float32 is already
    correct unless the float64 result sits exactly halfway between two float32s (or is
    too small to be a normal float32).  Those rare elements are redone with the sum
    rounded to odd, which makes the second rounding exact.
    """
    s = np.asarray(np.multiply(a, b, dtype=np.float64))
    s += c
    out = s.astype(np.float32)
    low_bits = s.view(np.uint64) & np.uint64(0x1FFFFFFF)  # the 29 bits float32 drops
    suspect = (low_bits == np.uint64(0x10000000)) | (np.abs(s) < 2.0**-125)
    if suspect.any():
        idx = np.nonzero(suspect)
        a64, b64, c64 = (np.broadcast_to(np.asarray(v, dtype=np.float64), s.shape)[idx]
                         for v in (a, b, c))
        out[idx] = _round_to_odd_sum(a64 * b64, c64).astype(np.float32)
    return out


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's exact product: a * b == hi + lo exactly (barring overflow/underflow)."""

    def split(x):
        t = 134217729.0 * x  # 2**27 + 1
        hi = t - (t - x)
        return hi, x - hi

    p = a * b
    a_hi, a_lo = split(a)
    b_hi, b_lo = split(b)
    err = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, err


def _fma64(a, b, c) -> np.ndarray:
    """float64 fused multiply-add, emulated exactly (Boldo & Melquiond, 2008).

    a*b is split into an exact sum hi + lo; c + hi is computed exactly; the two
    small error terms are added with rounding to odd; one final rounding to nearest.
    """
    a, b, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c)))
    with np.errstate(over="ignore", invalid="ignore"):
        hi, lo = _two_product(a, b)
        t_hi = c + hi
        bb = t_hi - c
        t_lo = (c - (t_hi - bb)) + (hi - bb)
        result = t_hi + _round_to_odd_sum(t_lo, lo)
    # Infinities and NaNs break the error-free transformations; use the plain formula there.
    plain = a * b + c
    return np.where(np.isfinite(result), result, plain)


@functools.cache
def _numpy_matches_libm(name: str) -> bool:
    """Does np.<name> give exactly the C library's <name> for float64 on this machine?

    torch calls the C library (std::log, std::sin, ...).  Python's ``math`` module calls
    the same library, but NumPy may use its own SIMD code that differs in the last bit.
    We compare once on a few thousand points of the domain we use.
    """
    domains = {
        "log": (1e-12, 1.0),
        "log1p": (-0.999999, 0.0),
        "sin": (0.0, 2 * math.pi),
        "cos": (0.0, 2 * math.pi),
        "tan": (-1.5, 1.5),
        "exp": (-30.0, 30.0),
    }
    lo, hi = domains[name]
    x = np.random.Generator(np.random.PCG64(12345)).uniform(lo, hi, 4096)
    ours = getattr(np, name)(x)
    ref = np.array([getattr(math, name)(v) for v in x.tolist()])
    return bool(np.array_equal(ours, ref))


def _libm(name: str, x: np.ndarray) -> np.ndarray:
    """Apply the C library's float64 function ``name`` elementwise (vectorised if safe)."""
    x = np.asarray(x, dtype=np.float64)
    if _numpy_matches_libm(name):
        with np.errstate(divide="ignore", invalid="ignore"):
            return getattr(np, name)(x)
    f = getattr(math, name)

    def safe(v: float) -> float:
        try:
            return f(v)
        except (ValueError, OverflowError):  # math raises where C returns inf/nan
            with np.errstate(all="ignore"):
                return float(getattr(np, name)(v))

    return np.array([safe(v) for v in x.ravel().tolist()], dtype=np.float64).reshape(x.shape)


# ----------------------------------------------------------------------------------------------
# Box-Muller kernels for 16 values at a time (torch.randn with 16 or more elements)
# ----------------------------------------------------------------------------------------------

_f32 = np.float32
# Cephes polynomial coefficients, as float32 constants (avx_mathfun.h).
_LOG_P = [_f32(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                            1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                            3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = _f32(-2.12194440e-4), _f32(0.693359375)
_SQRTHF = _f32(0.707106781186547524)
_DP1, _DP2, _DP3 = _f32(-0.78515625), _f32(-2.4187564849853515625e-4), _f32(-3.77489497744594108e-8)
_SIN_P = [_f32(c) for c in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COS_P = [_f32(c) for c in (2.443315711809948e-005, -1.388731625493765e-003,
                            4.166664568298827e-002)]
_FOUR_OVER_PI = _f32(1.27323954473516)
_TWO_PI_F32 = _f32(2.0 * math.pi)


def _avx2_log(x: np.ndarray) -> np.ndarray:
    """float32 natural log exactly as ``log256_ps`` (Cephes logf) computes it.

    Split x = m * 2**e with m in [sqrt(1/2), sqrt(2)), then log(x) = e*log(2) + poly(m - 1).
    The "multiply then add" steps are fused (FMA) as GCC compiles them.
    """
    x = np.maximum(x, np.float32(np.finfo(np.float32).tiny))  # flush denormals, as the kernel
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(np.float32) + _f32(1)
    m = ((bits & ~0x7F800000) | np.float32(0.5).view(np.int32)).view(np.float32)  # in [0.5, 1)
    small = m < _SQRTHF
    e = e - np.where(small, _f32(1), _f32(0))
    m = (m - _f32(1)) + np.where(small, m, _f32(0))  # m - 1, or 2m - 1 when m < sqrt(1/2)
    z = m * m
    y = _fma32(_LOG_P[0], m, _LOG_P[1])
    for p in _LOG_P[2:]:
        y = _fma32(y, m, p)
    y = y * m
    y = _fma32(y, z, e * _LOG_Q1)
    y = _fma32(-z, _f32(0.5), y)
    return _fma32(e, _LOG_Q2, m + y)


def _avx2_sincos(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32 (sin x, cos x) for x >= 0 exactly as ``sincos256_ps`` (Cephes sinf/cosf).

    Reduce x by a multiple j of pi/4 (subtracting pi/4 in three parts for accuracy),
    evaluate the sine and cosine polynomials on the remainder, then pick and sign them
    according to the octant j.
    """
    j = (x * _FOUR_OVER_PI).astype(np.int32)
    j = (j + 1) & ~1  # round up to an even octant
    y = j.astype(np.float32)
    r = _fma32(y, _DP1, x)
    r = _fma32(y, _DP2, r)
    r = _fma32(y, _DP3, r)
    z = r * r
    cos_poly = _fma32(_COS_P[0], z, _COS_P[1])
    cos_poly = _fma32(cos_poly, z, _COS_P[2])
    cos_poly = _fma32(cos_poly * z, z, -(z * _f32(0.5))) + _f32(1)
    sin_poly = _fma32(_SIN_P[0], z, _SIN_P[1])
    sin_poly = _fma32(sin_poly, z, _SIN_P[2])
    sin_poly = _fma32(sin_poly * z, r, r)
    use_sin_poly = (j & 2) == 0
    s = np.where(use_sin_poly, sin_poly, cos_poly)
    c = np.where(use_sin_poly, cos_poly, sin_poly)
    s = np.where((j & 4) != 0, -s, s)
    c = np.where(((j - 2) & 4) == 0, -c, c)
    return s, c


def _box_muller_avx2(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Turn blocks of 16 float32 uniforms into 16 normals, as ``normal_fill_16_AVX2``.

    Within a block, u[0:8] give the radius and u[8:16] the angle; outputs 0..7 are
    r*cos and outputs 8..15 are r*sin, then ``fma(n, std, mean)``.
    """
    blocks = u.reshape(-1, 16)
    radius = np.sqrt(_f32(-2) * _avx2_log(_f32(1) - blocks[:, :8]))
    s, c = _avx2_sincos(_TWO_PI_F32 * blocks[:, 8:])
    out = np.concatenate([radius * c, radius * s], axis=1)
    return _fma32(out, _f32(std), _f32(mean)).reshape(-1)


def _box_muller_double(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """float64 blocks of 16 as ``normal_fill_16<double>`` with the C library's log/cos/sin."""
    blocks = u.reshape(-1, 16)
    radius = np.sqrt(-2.0 * _libm("log", 1.0 - blocks[:, :8]))
    theta = 2.0 * math.pi * blocks[:, 8:]
    out = np.concatenate([radius * _libm("cos", theta), radius * _libm("sin", theta)], axis=1)
    return _fma64(out, std, mean).reshape(-1)


# ----------------------------------------------------------------------------------------------
# The generator
# ----------------------------------------------------------------------------------------------

# Byte layout of torch's CPU generator state (CPUGeneratorImplState, 5056 bytes).
_STATE_DTYPE = np.dtype({
    "names": ["initial_seed", "left", "seeded", "next", "mt", "normal_x", "normal_y",
              "normal_rho", "normal_is_valid", "float_normal", "float_normal_is_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", _MT_N), "<f8", "<f8", "<f8", "<i4", "<f4",
                "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": 5056,
})


def _init_genrand(seed32: int) -> np.ndarray:
    """The standard mt19937 seeding (init_genrand) that torch uses for the low 32 bits."""
    key = np.empty(_MT_N, dtype=np.uint32)
    s = seed32 & 0xFFFFFFFF
    key[0] = s
    for i in range(1, _MT_N):
        s = (1812433253 * (s ^ (s >> 30)) + i) & 0xFFFFFFFF
        key[i] = s
    return key


def _uniform_float32(words: np.ndarray) -> np.ndarray:
    """float32 in [0, 1) from 32-bit words: the low 24 bits times 2**-24.

    24 bits is float32's precision, so every value k / 2**24 is exact and equally likely.
    """
    return (words & np.uint32(0xFFFFFF)).astype(np.float32) * np.float32(2.0**-24)


def _uniform_float64(words: np.ndarray) -> np.ndarray:
    """float64 in [0, 1) from 64-bit words: the low 53 bits times 2**-53."""
    return (words & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0**-53


def _from_double(x: np.ndarray, dtype: DTypeLike) -> np.ndarray:
    """Cast a float64 result to ``dtype`` as C++ does: a double becomes a Half via float."""
    dtype = np.dtype(dtype)
    if dtype == np.float16:
        x = np.asarray(x).astype(np.float32)
    return np.asarray(x).astype(dtype)


def _float_digits(dtype: np.dtype) -> int:
    """Mantissa bits including the hidden one (std::numeric_limits<T>::digits)."""
    return int(np.finfo(dtype).nmant) + 1


def _update_from(low: int, dtype: np.dtype) -> int:
    """torch's update_from: if low + 1 rounds below low in the float dtype, move low up
    to the next integer the dtype represents (so every output is a representable integer).
    """
    low_plus_1 = int(dtype.type(low + 1))
    if low_plus_1 < low:
        n = abs(low + 1).bit_length() - 1
        low = low_plus_1 + (1 << (n - _float_digits(dtype) + 1))
    return low


def _update_to(high: int, dtype: np.dtype) -> int:
    """torch's update_to: the mirror image of _update_from for the exclusive upper bound."""
    high_minus_1 = int(dtype.type(high - 1))
    if high_minus_1 >= high:
        n = abs(high - 1).bit_length() - 1
        high = high_minus_1 - (1 << (n - _float_digits(dtype) + 1))
    return high


class Generator:
    """A CPU random generator that produces exactly the numbers torch.Generator produces."""

    device = "cpu"

    def __init__(self, device: str = "cpu") -> None:
        if str(device) != "cpu":
            raise ValueError("tensorkit.Generator only implements the CPU generator")
        self._bitgen = np.random.MT19937(0)
        self.manual_seed(DEFAULT_SEED)

    def __repr__(self) -> str:
        return f"<tensorkit.Generator device=cpu initial_seed={self._initial_seed}>"

    # ---- seeding and state -------------------------------------------------------------------

    def manual_seed(self, seed: int) -> Generator:
        """Seed like torch: keep the 64-bit seed, feed its low 32 bits to init_genrand.

        Negative seeds wrap around to unsigned 64-bit, as torch does; the cached second
        Box-Muller sample is dropped.
        """
        seed = int(seed)
        if not -(2**63) <= seed < 2**64:
            raise ValueError("Overflow when unpacking long long")
        self._initial_seed = seed & _UINT64_MASK
        self._set_mt(_init_genrand(self._initial_seed), pos=_MT_N)
        self._fresh = True  # torch stores a freshly seeded twister as left=1, next=0
        self._next_double_normal: float | None = None
        self._next_float_normal: float | None = None
        return self

    def seed(self) -> int:
        """Reseed from the OS entropy pool (torch reads 64 bits of /dev/urandom) and return it."""
        s = secrets.randbits(64)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last given to manual_seed() or seed()."""
        return self._initial_seed

    def _set_mt(self, key: np.ndarray, pos: int) -> None:
        self._bitgen.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.asarray(key, dtype=np.uint32), "pos": int(pos)},
        }

    def get_state(self):
        """The state as a uint8 tensor of 5056 bytes, laid out like torch.get_rng_state()
        (byte-compatible, and a plain tensor, so checkpoints holding it load with
        ``weights_only=True``)."""
        from ._tensor import _make  # (the tensor module itself imports this one)

        return _make(self._state_bytes())

    def _state_bytes(self) -> np.ndarray:
        st = np.zeros((), dtype=_STATE_DTYPE)
        mt = self._bitgen.state["state"]
        pos = int(mt["pos"])
        st["initial_seed"] = self._initial_seed
        st["seeded"] = 1
        # torch counts "left" down to the next regeneration; NumPy counts "pos" up.
        st["next"], st["left"] = (0, 1) if self._fresh else (pos, _MT_N + 1 - pos)
        st["mt"] = mt["key"]
        if self._next_double_normal is not None:
            st["normal_is_valid"], st["normal_y"] = 1, self._next_double_normal
        if self._next_float_normal is not None:
            st["float_normal_is_valid"], st["float_normal"] = 1, self._next_float_normal
        return np.frombuffer(st.tobytes(), dtype=np.uint8).copy()

    def set_state(self, state) -> Generator:
        """Restore a state from get_state() or from torch.get_rng_state()."""
        if hasattr(state, "numpy"):
            state = state.numpy()
        raw = np.ascontiguousarray(np.asarray(state, dtype=np.uint8))
        if raw.size != _STATE_DTYPE.itemsize:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_DTYPE.itemsize} "
                f"but found the input RNG state size to be {raw.size}"
            )
        st = raw.view(_STATE_DTYPE)[0]
        left, nxt = int(st["left"]), int(st["next"])
        if not (st["seeded"] and 1 <= left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        fresh = left == 1 and nxt == 0
        if not fresh and left + nxt != _MT_N + 1:
            raise RuntimeError("Invalid mt19937 state (left and next disagree)")
        self._initial_seed = int(st["initial_seed"])
        self._set_mt(st["mt"].astype(np.uint32), pos=_MT_N if fresh else nxt)
        self._fresh = fresh
        self._next_double_normal = float(st["normal_y"]) if st["normal_is_valid"] else None
        self._next_float_normal = (
            float(st["float_normal"]) if st["float_normal_is_valid"] else None
        )
        return self

    # ---- raw draws ---------------------------------------------------------------------------

    def _random32(self, n: int) -> np.ndarray:
        """n raw 32-bit words (torch's generator->random())."""
        if n > 0:
            self._fresh = False
        return self._bitgen.random_raw(n).astype(np.uint32)

    def _random64(self, n: int) -> np.ndarray:
        """n 64-bit words, each from two draws: first draw is the high half (random64())."""
        w = self._random32(2 * n).astype(np.uint64)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def _uniform_float(self, n: int) -> np.ndarray:
        """n float32 in [0, 1) as uniform_real_distribution<float>(0, 1)."""
        return _uniform_float32(self._random32(n))

    def _uniform_double(self, n: int) -> np.ndarray:
        """n doubles in [0, 1) as uniform_real_distribution<double>(0, 1)."""
        return _uniform_float64(self._random64(n))

    # ---- continuous distributions ------------------------------------------------------------

    def uniform(
        self, shape: Shape, dtype: DTypeLike = np.float32, low: float = 0.0, high: float = 1.0
    ) -> np.ndarray:
        """torch.rand / Tensor.uniform_(low, high): ``x * (high - low) + low`` with one FMA.

        float32 uses the low 24 bits of a 32-bit draw, float64 the low 53 bits of a
        64-bit draw, so x = k / 2**bits is exact.  A result that rounds up to ``high`` is
        replaced by ``low`` to keep the interval half-open.  float16 is generated in
        float32 and rounded (again mapping ``high`` to ``low``).
        """
        shape = _shape_tuple(shape)
        dtype = np.dtype(dtype)
        n = math.prod(shape)
        if dtype == np.float64:
            lo, hi = float(low), float(high)
            out = _fma64(self._uniform_double(n), hi - lo, lo)
        elif dtype in (np.float32, np.float16):
            lo, hi = np.float32(low), np.float32(high)
            out = _fma32(self._uniform_float(n), hi - lo, lo)
        else:
            raise TypeError(f"uniform_ is not implemented for {dtype}")
        out = np.where(out == hi, lo, out).astype(dtype)
        if dtype == np.float16:
            out = np.where(out == dtype.type(high), dtype.type(low), out)
        return out.reshape(shape)

    def normal(
        self, shape: Shape, dtype: DTypeLike = np.float32, mean: float = 0.0, std: float = 1.0
    ) -> np.ndarray:
        """torch.randn / Tensor.normal_(mean, std) / torch.normal(mean, std, size).

        With 16 or more elements torch fills the tensor with uniforms and applies
        Box-Muller to blocks of 16; if the size is not a multiple of 16, 16 fresh
        uniforms are drawn and the last 16 outputs recomputed from them.  (For float16
        torch computes in float32 and only pre-draws the whole blocks.)  With fewer than
        16 elements it uses a scalar Box-Muller on 64-bit draws that returns r*cos and
        caches r*sin for the next call.
        """
        shape = _shape_tuple(shape)
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64, np.float16):
            raise TypeError(f"normal_ is not implemented for {dtype}")
        n = math.prod(shape)
        if n < 16:
            return _from_double(self._normal_scalar(n, mean, std), dtype).reshape(shape)
        if dtype == np.float64:
            draw, transform = self._uniform_double, _box_muller_double
        else:
            draw, transform = self._uniform_float, _box_muller_avx2
        full = n - n % 16  # elements covered by whole blocks of 16
        u = draw(full if dtype == np.float16 else n)
        out = np.empty(n, dtype=np.float64 if dtype == np.float64 else np.float32)
        out[:full] = transform(u[:full], mean, std)
        if n % 16:
            out[n - 16:] = transform(draw(16), mean, std)
        return out.astype(dtype).reshape(shape)

    def _normal_scalar(self, n: int, mean: float, std: float) -> np.ndarray:
        """n float64 normals from normal_distribution<double>, using and refilling the cache.

        Each fresh pair costs two 64-bit draws u1, u2: r = sqrt(-2 log1p(-u2)),
        theta = 2 pi u1; the sample is r*cos(theta) and r*sin(theta) is kept for later.
        """
        z = np.empty(n, dtype=np.float64)
        start = 0
        if n > 0 and self._next_double_normal is not None:
            z[0] = self._next_double_normal
            self._next_double_normal = None
            start = 1
        pairs = (n - start + 1) // 2
        if pairs:
            u = self._uniform_double(2 * pairs)
            r = np.sqrt(-2.0 * _libm("log1p", -u[1::2]))
            theta = 2.0 * math.pi * u[0::2]
            with_cos, with_sin = r * _libm("cos", theta), r * _libm("sin", theta)
            z[start:] = np.column_stack([with_cos, with_sin]).reshape(-1)[: n - start]
            if (n - start) % 2:
                self._next_double_normal = float(with_sin[-1])
        return _fma64(z, std, mean)

    def normal_tensor(self, mean, std, dtype: DTypeLike | None = None) -> np.ndarray:
        """torch.normal(mean_tensor, std_tensor) (either may be a float).

        torch draws standard normals of the broadcast shape, then computes
        ``out * std + mean`` as two separate (unfused) tensor operations; with a float std
        and a tensor mean it draws normal(0, std) and adds the mean.
        """
        tensors = [a for a in (mean, std) if isinstance(a, np.ndarray)]
        if dtype is None:  # Python floats do not take part in type promotion
            dtype = np.result_type(*tensors) if tensors else np.float32
        dtype = np.dtype(dtype)
        mean_arr, std_arr = np.asarray(mean, dtype=dtype), np.asarray(std, dtype=dtype)
        shape = np.broadcast_shapes(mean_arr.shape, std_arr.shape)
        if isinstance(std, np.ndarray):
            out = self.normal(shape, dtype) * std_arr
        else:
            out = self.normal(shape, dtype, 0.0, float(std))
        return (out + mean_arr).astype(dtype)

    def exponential(
        self, shape: Shape, dtype: DTypeLike = np.float32, lambd: float = 1.0
    ) -> np.ndarray:
        """Tensor.exponential_(lambd): ``-1/lambd * log1p(-u)`` from 64-bit uniforms u."""
        shape = _shape_tuple(shape)
        u = self._uniform_double(math.prod(shape))
        return _from_double((-1.0 / lambd) * _libm("log1p", -u), dtype).reshape(shape)

    def geometric(self, shape: Shape, p: float, dtype: DTypeLike = np.float32) -> np.ndarray:
        """Tensor.geometric_(p): ``ceil(log(u) / log1p(-p))`` from 64-bit uniforms u."""
        shape = _shape_tuple(shape)
        u = self._uniform_double(math.prod(shape))
        with np.errstate(divide="ignore"):
            z = np.ceil(_libm("log", u) / math.log1p(-p))
        return _from_double(z, dtype).reshape(shape)

    def cauchy(
        self, shape: Shape, dtype: DTypeLike = np.float32, median: float = 0.0,
        sigma: float = 1.0,
    ) -> np.ndarray:
        """Tensor.cauchy_(median, sigma): ``median + sigma * tan(pi * (u - 0.5))`` (one FMA)."""
        shape = _shape_tuple(shape)
        u = self._uniform_double(math.prod(shape))
        t = _libm("tan", math.pi * (u - 0.5))
        return _from_double(_fma64(sigma, t, median), dtype).reshape(shape)

    def log_normal(
        self, shape: Shape, dtype: DTypeLike = np.float32, mean: float = 1.0, std: float = 2.0
    ) -> np.ndarray:
        """Tensor.log_normal_(mean, std): exp of the scalar (cached) Box-Muller normal."""
        shape = _shape_tuple(shape)
        z = self._normal_scalar(math.prod(shape), mean, std)
        return _from_double(_libm("exp", z), dtype).reshape(shape)

    # ---- integers ----------------------------------------------------------------------------

    def randint(
        self, low: int, high: int, shape: Shape, dtype: DTypeLike = np.int64
    ) -> np.ndarray:
        """torch.randint(low, high, shape): ``low + word % (high - low)``.

        The word is 32-bit, or 64-bit when the range is 2**28 or more.  For float dtypes
        the bounds are first pulled in to integers the dtype can represent.
        """
        low, high = int(low), int(high)
        dtype = np.dtype(dtype)
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        if dtype.kind == "f":  # keep the bounds on integers the float type can hold exactly
            low, high = _update_from(low, dtype), _update_to(high, dtype)
        return self._random_from_to(_shape_tuple(shape), dtype, high - low, low)

    def _random_from_to(
        self, shape: tuple[int, ...], dtype: np.dtype, span: int, base: int
    ) -> np.ndarray:
        """``static_cast<T>(int64(word % span + base))`` for every element."""
        n = math.prod(shape)
        # torch 2.13 takes a 64-bit word once the range reaches 2**28 (any dtype), which keeps
        # the bias of the modulo tiny; older releases switched only at 2**32.
        wide = span >= 2**28
        words = self._random64(n) if wide else self._random32(n).astype(np.uint64)
        values = (words % np.uint64(span) + np.uint64(base & _UINT64_MASK)).view(np.int64)
        return values.astype(dtype).reshape(shape)

    def random_(
        self, shape: Shape, dtype: DTypeLike = np.int64, from_: int | None = None,
        to: int | None = None,
    ) -> np.ndarray:
        """Tensor.random_() and Tensor.random_(from, to).

        Without bounds: integers get ``word % (max + 1)`` (int64 uses a 64-bit word, so
        ``torch.empty((), dtype=torch.int64).random_()`` is in [0, 2**63)); floats get
        ``word % (2**digits + 1)`` so every value is an exactly representable integer;
        bool gets the lowest bit.  With bounds it is randint(from, to); ``to=None`` means
        "up to the dtype's maximum".
        """
        shape = _shape_tuple(shape)
        dtype = np.dtype(dtype)
        n = math.prod(shape)
        if from_ is None and to is None:
            if dtype == np.bool_:
                return (self._random32(n) & np.uint32(1)).astype(np.bool_).reshape(shape)
            if dtype == np.int64:
                words, modulus = self._random64(n), 2**63
            elif dtype == np.float64:
                words, modulus = self._random64(n), 2**53 + 1
            elif dtype.kind == "f":
                words, modulus = self._random32(n).astype(np.uint64), 2 ** _float_digits(dtype) + 1
            elif dtype.kind in "iu":
                words, modulus = self._random32(n).astype(np.uint64), int(np.iinfo(dtype).max) + 1
            else:
                raise TypeError(f"random_ is not implemented for {dtype}")
            return (words % np.uint64(modulus)).astype(dtype).reshape(shape)
        from_ = 0 if from_ is None else int(from_)
        if to is not None:
            return self.randint(from_, to, shape, dtype)
        if from_ == -(2**63):  # the full 64-bit range: a 64-bit word read as int64
            if dtype not in (np.int64, np.float64, np.float32):
                raise RuntimeError(f"from=-2**63 with to=None is not supported for {dtype}")
            return self._random64(n).view(np.int64).astype(dtype).reshape(shape)
        if dtype.kind == "f":
            top = 2 ** _float_digits(dtype)
            from_ = _update_from(from_, dtype)
        elif dtype == np.bool_:
            top = 1
        else:
            top = int(np.iinfo(dtype).max)
        return self._random_from_to(shape, dtype, top - from_ + 1, from_)

    def randperm(self, n: int, dtype: DTypeLike = np.int64) -> np.ndarray:
        """torch.randperm(n): a Fisher-Yates shuffle of 0..n-1.

        For i = 0 .. n-2, swap position i with i + (word % (n - i)), 32-bit words.
        (For n >= 2**32 / 20 torch switches to the "inside-out" variant with 64-bit words.)
        The words are drawn in one go; only the swaps run as a Python loop.
        """
        n = int(n)
        if n < 0:
            raise RuntimeError(f"n must be non-negative, got{n}")
        if n < (2**32 - 1) // 20:
            offsets = (self._random32(max(n - 1, 0)).astype(np.int64)
                       % np.arange(n, 1, -1, dtype=np.int64))
            perm = list(range(n))
            for i, z in enumerate(offsets.tolist()):
                j = i + z
                perm[i], perm[j] = perm[j], perm[i]
        else:
            picks = self._random64(n) % np.arange(1, n + 1, dtype=np.uint64)
            perm = list(range(n))
            for i, z in enumerate(picks.tolist()):
                perm[i] = perm[z]
                perm[z] = i
        return np.array(perm, dtype=np.int64).astype(dtype)

    # ---- discrete choices --------------------------------------------------------------------

    def bernoulli(
        self, p, shape: Shape | None = None, dtype: DTypeLike | None = None
    ) -> np.ndarray:
        """Tensor.bernoulli_(p) for a float p, or torch.bernoulli(p_tensor).

        Each element is ``u < p``.  For a float p (and for float64 tensors) u is a double
        from a 64-bit draw; for float32/float16 probability tensors u is a float32 from a
        32-bit draw.  (Official x86 builds of torch >= 2.5 no longer route the float-p case
        through MKL; see pytorch issue 132395.)
        """
        if np.ndim(p) == 0 and not isinstance(p, np.ndarray):
            if shape is None:
                raise TypeError("bernoulli with a float p needs a shape")
            shape = _shape_tuple(shape)
            u = self._uniform_double(math.prod(shape))
            return (u < float(p)).astype(np.float32 if dtype is None else dtype).reshape(shape)
        p = np.asarray(p)
        shape = p.shape if shape is None else _shape_tuple(shape)
        dtype = p.dtype if dtype is None else np.dtype(dtype)
        p = np.broadcast_to(p, shape)
        n = math.prod(shape)
        if p.dtype == np.float64:
            u = self._uniform_double(n)
        else:
            u = self._uniform_float(n)
            p = p.astype(np.float32)
        return (u < p.reshape(-1)).astype(dtype).reshape(shape)

    def dropout_mask(self, shape: Shape, p: float, dtype: DTypeLike = np.float32) -> np.ndarray:
        """The mask torch.nn.functional.dropout(x, p) multiplies x by on the CPU.

        torch fills ``noise`` (x's dtype) with bernoulli_(1 - p), divides it by (1 - p)
        in that dtype and returns ``x * noise``.
        """
        dtype = np.dtype(dtype)
        keep = self.bernoulli(1.0 - p, shape, dtype)
        compute = np.float32 if dtype == np.float16 else dtype.type  # half math runs in float
        return (keep.astype(compute) / compute(1.0 - p)).astype(dtype)

    def multinomial(
        self, probs, num_samples: int, replacement: bool = False
    ) -> np.ndarray:
        """torch.multinomial(probs, num_samples, replacement) for 1-D or 2-D probs.

        Without replacement, or for a single sample, torch uses the "exponential race":
        q ~ Exp(1) per category (same shape as probs) and takes the top-k of probs / q.
        With replacement it builds each row's cumulative distribution in the input's
        precision (float for float16) and binary-searches one 64-bit uniform per sample.
        """
        probs = np.asarray(probs)
        if probs.ndim not in (1, 2):
            raise RuntimeError("prob_dist must be 1 or 2 dim")
        num_samples = int(num_samples)
        n_categories = probs.shape[-1]
        if not replacement and num_samples > n_categories:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        if np.any(probs < 0) or not np.all(np.isfinite(probs)):
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0, infinity or NaN)")
        if np.any(probs.sum(axis=-1) == 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement or num_samples == 1:
            q = self.exponential(probs.shape, probs.dtype, 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = probs / q
            if num_samples == 1:
                return np.argmax(ratio, axis=-1, keepdims=True).astype(np.int64)
            order = np.argsort(-ratio, axis=-1, kind="stable")
            return order[..., :num_samples].astype(np.int64)
        rows = probs.reshape(-1, n_categories)
        acc = np.float64 if probs.dtype == np.float64 else np.float32
        out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
        for i, row in enumerate(rows):
            cum = np.cumsum(row.astype(acc), dtype=acc)  # sequential, like the C++ loop
            if not cum[-1] > 0:
                raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
            cum = cum / cum[-1]
            cum[-1] = 1
            u = self._uniform_double(num_samples)
            out[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
        return out.reshape(*probs.shape[:-1], num_samples)


# ----------------------------------------------------------------------------------------------
# The default generator and torch's module-level functions
# ----------------------------------------------------------------------------------------------

default_generator = Generator()
default_generator.seed()  # like torch, the default generator starts from a random seed


def manual_seed(seed: int) -> Generator:
    """torch.manual_seed: seed the default generator and return it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """torch.seed: reseed the default generator non-deterministically; return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """torch.initial_seed: the default generator's current seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """torch.get_rng_state: the default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """torch.set_rng_state: restore the default generator's state."""
    default_generator.set_state(new_state)
