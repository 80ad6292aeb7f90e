"""The classic activations of the course, each with its derivative right beside it.

Every formula is written in the form that stays exact in floating point: no ``1 - s`` when s is near 1,
no ``exp`` of a large positive number. These functions are also the course's speed reference
(benchmarks/activations.py): work happens in buffers reused within a call, and the formulas with several
passes run block by block (``_in_blocks``), so that their temporaries stay in the CPU's cache.
"""

from __future__ import annotations

import functools

import numpy as np

from .activation import Activation, Parameter, Properties, VectorActivation

BLOCK = 8192  # elements per block: a block's few temporaries (64 KB each in float64) stay in the L2 cache


def _numpy_dispatches_avx512() -> bool:
    """Whether NumPy runs its AVX-512 loops here. Only they vectorise float64 exp and float32 cosh on x86-64;
    elsewhere (AVX2 laptops and cloud machines) each such call is a scalar libm call that costs as much as
    several whole array passes, and the formulas with one exponential fewer win (benchmarks/activations.py)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_features__
    return bool(__cpu_features__.get("AVX512F"))


NUMPY_AVX512 = _numpy_dispatches_avx512()


def _in_blocks(kernel):
    """f(x) from a kernel(x, out, **params) that writes f(x) into out, run on blocks of BLOCK elements: each of
    its passes then reads and writes the cache instead of main memory, and its temporaries are small. The
    numbers are the same as from one call on the whole array."""
    @functools.wraps(kernel)
    def blockwise(x, *params, **named):
        flat = x.reshape(-1)
        out = np.empty_like(flat)
        for start in range(0, flat.size, BLOCK):
            kernel(flat[start:start + BLOCK], out[start:start + BLOCK], *params, **named)
        return out.reshape(x.shape)
    return blockwise


def _exp_neg_abs(x):
    """exp(-|x|), always in (0, 1]: the one exponential that never overflows."""
    e = np.copysign(x, -1)  # -|x| in one pass
    return np.exp(e, out=e)


# ---------------------------------------------------------------- sigmoid
@_in_blocks
def _sigmoid(x, out):
    # sigma(x) = 1 / (1 + e^-x) = exp(min(x, 0)) / (1 + exp(-|x|))   (both exps <= 1: no overflow)
    e = _exp_neg_abs(x)
    # exp(min(x, 0)) is e = exp(-|x|) where x < 0 and exp(0) = 1 elsewhere, which max(e, [x >= 0]) picks (e <= 1,
    # NaN stays NaN): one exponential, not two, for the same numbers (a float64 exp without AVX-512 is a
    # scalar call that costs as much as all the other passes together)
    np.maximum(e, x >= 0, out=out)
    e += 1
    return np.divide(out, e, out=out)


@_in_blocks
def _sigmoid_derivative(x, out):
    # sigma'(x) = sigma(x)(1 - sigma(x)) = e / (1 + e)^2 with e = exp(-|x|)   (no 1 - s cancellation)
    e = _exp_neg_abs(x)
    den = e + 1
    np.multiply(den, den, out=den)
    np.divide(e, den, out=out)
    return np.minimum(out, 0.25, out=out)  # sigma' <= 1/4 exactly; rounding near x = 0 can land one ULP above


sigmoid = Activation(
    name="sigmoid",
    title="Sigmoid (logistic)",
    forward=_sigmoid,
    backward=_sigmoid_derivative,
    latex=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    latex_derivative=r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
    output_range=r"(0, 1)",
    properties=Properties(monotonic=True, smooth=True, bounded_below=True, bounded_above=True),
    summary="Squashes any input into (0, 1): a probability. Saturates, so gradients vanish for |x| > 6.",
)


# ---------------------------------------------------------------- tanh
def _tanh(x):
    # tanh(x) = (e^x - e^-x) / (e^x + e^-x) = 2 sigma(2x) - 1; NumPy's tanh is correctly rounded to ~1 ULP
    return np.tanh(x)


@_in_blocks
def _tanh_derivative(x, out):
    # tanh'(x) = 1 - tanh(x)^2 = sech(x)^2, never as 1 - t^2 (that cancels to 0 for |x| > 19)
    if x.dtype != np.float64 and NUMPY_AVX512:
        # float32/16 with AVX-512: (1 / cosh x)^2 is accurate to the format and ~2x faster than the exp form
        # below; without AVX-512, NumPy's float32 cosh is not vectorised and the exp form is faster
        np.cosh(x, out=out)
        np.reciprocal(out, out=out)
        return np.multiply(out, out, out=out)
    # 4e / (1 + e)^2 with e = exp(-2|x|) stays within 4 ULP everywhere in float64, subnormal tail included
    e = np.abs(x)
    e *= -2
    np.exp(e, out=e)
    den = e + 1
    np.multiply(den, den, out=den)
    e *= 4
    np.divide(e, den, out=out)
    return np.minimum(out, 1, out=out)  # tanh' <= 1 exactly; rounding near x = 0 can land one ULP above


tanh = Activation(
    name="tanh",
    title="Hyperbolic tangent",
    forward=_tanh,
    backward=_tanh_derivative,
    latex=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1",
    latex_derivative=r"\tanh'(x) = 1 - \tanh^2(x)",
    output_range=r"(-1, 1)",
    properties=Properties(monotonic=True, smooth=True, bounded_below=True, bounded_above=True),
    summary="A rescaled sigmoid, 2 sigma(2x) - 1, with outputs in (-1, 1) that average 0 on inputs symmetric "
            "about 0 (zero-centred). Still saturates for |x| > 3.",
)


# ---------------------------------------------------------------- ReLU
def _relu(x):
    # relu(x) = max(x, 0); NaN propagates
    return np.maximum(x, 0)


def _heaviside(x):
    # H(x) = ceil(clip(x, 0, 1)): 0 for x <= 0, 1 for x > 0, NaN stays NaN; SIMD ufuncs (np.heaviside is 10x
    # slower). H(-0.0) is -0.0, equal to 0.
    out = np.clip(x, 0, 1)
    return np.ceil(out, out=out)


def _relu_derivative(x):
    # relu'(x) = 1 if x > 0 else 0, with relu'(0) = 0 as in PyTorch; NaN propagates
    out = _heaviside(x)
    out += 0  # -0.0 -> +0.0, so that printed gradients read 0, not -0
    return out


relu = Activation(
    name="relu",
    title="ReLU (rectified linear unit)",
    forward=_relu,
    backward=_relu_derivative,
    latex=r"\mathrm{ReLU}(x) = \max(0, x)",
    latex_derivative=r"\mathrm{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
    output_range=r"[0, \infty)",
    properties=Properties(monotonic=True, smooth=False, bounded_below=True, bounded_above=False),
    summary="Cheap and non-saturating for x > 0, but its gradient is exactly 0 for every x < 0.",
    kink="relu'(0) = 0, as in PyTorch (the derivative does not exist at 0).",
)


# ---------------------------------------------------------------- leaky ReLU
def _leaky_relu(x, alpha):
    # leaky_relu(x) = x if x > 0 else alpha x  ==  max(x, alpha x) for alpha <= 1 (min for alpha > 1)
    # (two passes over memory; in blocks it measured slower in float32: the loop costs more than it saves)
    out = np.multiply(x, alpha)
    pick = np.maximum if alpha <= 1 else np.minimum
    return pick(x, out, out=out)


def _leaky_relu_derivative(x, alpha):
    # leaky_relu'(x) = 1 if x > 0 else alpha, with leaky_relu'(0) = alpha as in PyTorch; NaN propagates
    slope = _heaviside(x)  # 0, 1 or NaN
    if 0 <= alpha <= 1:
        # H (1 - alpha) + alpha: 0 -> alpha, and 1 -> fl(1 - alpha) + alpha, which rounds to exactly 1
        slope *= 1 - alpha
        slope += alpha
        return slope
    out = np.where(slope > 0, 1, alpha).astype(slope.dtype, copy=False)
    out[np.isnan(slope)] = np.nan
    return out


leaky_relu = Activation(
    name="leaky_relu",
    title="Leaky ReLU",
    forward=_leaky_relu,
    backward=_leaky_relu_derivative,
    latex=r"\mathrm{LeakyReLU}_\alpha(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}",
    latex_derivative=r"\mathrm{LeakyReLU}_\alpha'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}",
    output_range=r"(-\infty, \infty)",
    properties=Properties(monotonic=True, smooth=False, bounded_below=False, bounded_above=False),
    parameters=(Parameter("alpha", 0.01, 0.0, 1.0, "slope for x < 0 (PyTorch 0.01, tf.nn 0.2, Keras 0.3)"),),
    summary="ReLU with a small slope alpha for x < 0, so negative inputs still pass a gradient.",
    kink="leaky_relu'(0) = alpha, as in PyTorch.",
)


# ---------------------------------------------------------------- softmax and log-softmax
def _shifted(x, axis):
    # x - max(x): exp of it is at most 1, and the result is unchanged because softmax(x + c) = softmax(x).
    # axis: an int, a tuple of ints (softmax over those axes jointly) or None (over every element), as in SciPy;
    # initial=-inf makes the max of an empty axis -inf instead of NumPy's "zero-size array" error
    top = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return np.subtract(x, top), top


def _nan_rows_without_finite_max(out, top):
    # a +inf logit (or a row that is all -inf) has no meaningful softmax: NaN, as SciPy and PyTorch give
    bad = ~np.isfinite(top)
    if bad.any():
        out[np.broadcast_to(bad, out.shape)] = np.nan
    return out


def _softmax(x, axis=-1):
    # softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x)
    out, top = _shifted(x, axis)
    np.exp(out, out=out)
    np.divide(out, np.sum(out, axis=axis, keepdims=True), out=out)
    return _nan_rows_without_finite_max(out, top)


def _log_softmax(x, axis=-1):
    # log_softmax(x)_i = (x_i - m) - log1p(sum_{j != one argmax} exp(x_j - m)),   m = max x
    # log1p of the sum without one top term keeps the largest entry exact when the others are tiny: the other
    # entries' exps are summed, and each further entry equal to the max adds exactly 1
    shifted, top = _shifted(x, axis)
    at_top = shifted == 0
    others = np.exp(shifted)
    others[at_top] = 0
    rest = np.sum(others, axis=axis, keepdims=True)
    rest += np.maximum(np.sum(at_top, axis=axis, keepdims=True) - 1, 0)
    out = np.subtract(shifted, np.log1p(rest), out=shifted)
    return _nan_rows_without_finite_max(out, top)


def _softmax_jacobian(x):
    # d s_i / d x_j = s_i (delta_ij - s_j)
    s = _softmax(x, axis=-1)
    jac = -s[..., :, None] * s[..., None, :]
    diagonal = np.einsum("...ii->...i", jac)
    diagonal += s
    return jac


def _log_softmax_jacobian(x):
    # d log s_i / d x_j = delta_ij - s_j
    s = _softmax(x, axis=-1)
    jac = np.broadcast_to(-s[..., None, :], s.shape + s.shape[-1:]).copy()
    diagonal = np.einsum("...ii->...i", jac)
    diagonal += 1
    return jac


softmax = VectorActivation(
    name="softmax",
    title="Softmax",
    forward=_softmax,
    jacobian_fn=_softmax_jacobian,
    latex=r"\mathrm{softmax}(\mathbf{x})_i = \frac{e^{x_i}}{\sum_{j=1}^{n} e^{x_j}}",
    latex_derivative=r"\frac{\partial s_i}{\partial x_j} = s_i\,(\delta_{ij} - s_j)",
    output_range=r"(0, 1),\ \textstyle\sum_i s_i = 1",
    summary="Turns a vector of scores (logits) into probabilities that are positive and sum to 1.",
)

log_softmax = VectorActivation(
    name="log_softmax",
    title="Log-softmax",
    forward=_log_softmax,
    jacobian_fn=_log_softmax_jacobian,
    latex=r"\log\mathrm{softmax}(\mathbf{x})_i = x_i - \log \sum_{j=1}^{n} e^{x_j}",
    latex_derivative=r"\frac{\partial \log s_i}{\partial x_j} = \delta_{ij} - s_j",
    output_range=r"(-\infty, 0]",
    summary="The logarithm of softmax, computed without ever forming a probability that could underflow.",
)

CLASSICS = {f.name: f for f in (sigmoid, tanh, relu, leaky_relu)}
