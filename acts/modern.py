"""The modern activations, each with its derivative right beside it (names and kinks as in PyTorch).

    softplus, elu, selu, gelu (approximate="none" | "tanh"), silu, mish, hardsigmoid, hardswish,
    softsign, log_sigmoid

Every formula is written in a form that does not cancel in the tails: exp only of a non-positive number,
log1p(exp(-|x|)) instead of log(1 + exp(x)), erfc instead of 1 + erf, Mish's sech^2 as a ratio of
polynomials in exp(-|x|) instead of 1 - tanh^2. The limits at +-inf are set explicitly where a formula
would give inf * 0. Inputs arrive as floating arrays of at least one dimension (acts.activation does that).
"""

from __future__ import annotations

import math

import numpy as np

from .activation import Activation, Parameter, Properties
from .functions import _exp_neg_abs, _sigmoid, _sigmoid_derivative

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
GELU_C = math.sqrt(2 / math.pi)  # sqrt(2/pi), the tanh approximation's inner scale
GELU_K = 0.044715  # the tanh approximation's cubic coefficient
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
SQRT_HALF = math.sqrt(0.5)
SQRT_HALF_PI = math.sqrt(math.pi / 2)


def _scipy_special():
    """scipy.special, imported on first use: SciPy takes longer to import than NumPy, and `import acts` stays fast."""
    from scipy import special

    return special


def _set_infinite_limits(out, x, at_minus_inf, at_plus_inf):
    """Write f(-inf) and f(+inf) where the formula would have produced inf * 0 = nan."""
    out[x == -np.inf] = at_minus_inf
    out[x == np.inf] = at_plus_inf
    return out


def _in_float64(fn):
    """Compute in float64 (SciPy's special functions, huge intermediates) and return the input's dtype."""
    def wrapper(x, **params):
        out = fn(x.astype(np.float64, copy=False), **params)
        return out if x.dtype == np.float64 else out.astype(x.dtype)
    wrapper.__name__ = fn.__name__
    return wrapper


# ---------------------------------------------------------------- softplus
def _softplus(x):
    # softplus(x) = log(1 + e^x) = log1p(exp(-|x|)) + max(x, 0)   (never exp of a positive number)
    out = _exp_neg_abs(x)
    np.log1p(out, out=out)
    return np.add(out, np.maximum(x, 0), out=out)


def _softplus_derivative(x):
    # softplus'(x) = sigma(x)
    return _sigmoid(x)


softplus = Activation(
    name="softplus",
    title="Softplus",
    forward=_softplus,
    backward=_softplus_derivative,
    latex=r"\mathrm{softplus}(x) = \log\left(1 + e^{x}\right)",
    latex_derivative=r"\mathrm{softplus}'(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
    output_range=r"(0, \infty)",
    properties=Properties(monotonic=True, smooth=True, bounded_below=True, bounded_above=False),
    summary="A smooth ReLU: close to 0 for x << 0 and to x for x >> 0; its derivative is the sigmoid.",
)


# ---------------------------------------------------------------- ELU and SELU
def _elu(x, alpha):
    # elu(x) = x for x > 0, alpha (e^x - 1) for x <= 0   (expm1 keeps e^x - 1 exact near 0)
    out = np.expm1(np.minimum(x, 0))
    out *= alpha
    return np.where(x > 0, x, out)


def _elu_derivative(x, alpha):
    # elu'(x) = 1 for x > 0, alpha e^x for x <= 0; elu'(0) = alpha as in PyTorch
    out = np.exp(np.minimum(x, 0))
    out *= alpha
    return np.where(x > 0, np.ones_like(out), out)


elu = Activation(
    name="elu",
    title="ELU (exponential linear unit)",
    forward=_elu,
    backward=_elu_derivative,
    latex=r"\mathrm{ELU}_\alpha(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
    latex_derivative=r"\mathrm{ELU}_\alpha'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
    output_range=r"(-\alpha, \infty)",
    properties=Properties(monotonic=True, smooth=True, bounded_below=True, bounded_above=False),
    parameters=(Parameter("alpha", 1.0, 0.0, 3.0, "saturation value -alpha for x -> -inf (PyTorch and Keras: 1.0)"),),
    summary="Identity for x > 0 and a smooth exponential approach to -alpha for x < 0: negative outputs pull "
            "mean activations towards 0. Smooth (C^1) for alpha = 1 only.",
    kink="elu'(0) = alpha, as in PyTorch (for alpha = 1 both sides agree).",
)

_SELU_SLOPE = SELU_SCALE * SELU_ALPHA  # the left branch's factor, lambda * alpha ~ 1.7581


def _selu(x):
    # selu(x) = lambda x for x > 0, lambda alpha (e^x - 1) for x <= 0
    out = np.expm1(np.minimum(x, 0))
    out *= _SELU_SLOPE
    return np.where(x > 0, x * SELU_SCALE, out)


def _selu_derivative(x):
    # selu'(x) = lambda for x > 0, lambda alpha e^x for x <= 0; selu'(0) = lambda alpha as in PyTorch
    out = np.exp(np.minimum(x, 0))
    out *= _SELU_SLOPE
    return np.where(x > 0, np.full_like(out, SELU_SCALE), out)


selu = Activation(
    name="selu",
    title="SELU (scaled ELU)",
    forward=_selu,
    backward=_selu_derivative,
    latex=r"\mathrm{SELU}(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases},"
          r"\quad \alpha \approx 1.6733,\ \lambda \approx 1.0507",
    latex_derivative=r"\mathrm{SELU}'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
    output_range=r"(-\lambda\alpha, \infty) \approx (-1.7581, \infty)",
    properties=Properties(monotonic=True, smooth=False, bounded_below=True, bounded_above=False),
    summary="ELU scaled by fixed constants chosen so that activations keep mean 0 and variance 1 through "
            "many layers (self-normalising networks, with LeCun-normal weights).",
    kink="selu'(0) = lambda alpha ~ 1.7581, as in PyTorch (the slope jumps to lambda ~ 1.0507 for x > 0).",
)


# ---------------------------------------------------------------- GELU, exact and tanh approximation
_ERFC = np.frompyfunc(math.erfc, 1, 1)  # the C library's erfc, correctly rounded to about 1 ULP


def _ndtr(x):
    """Phi(x) = erfc(-x / sqrt 2) / 2: the erfc form, never 1 + erf, which cancels in the left tail.

    SciPy's ndtr is that form, but its erfc(z) computes 1 - erf(z) for z < 1 and loses up to 3 bits for
    -3 <= x < -0.5; there the C library's erfc (element by element, about 8x slower) takes over.
    """
    out = _scipy_special().ndtr(x)
    band = (x >= -3) & (x < -0.5)
    if band.any():
        out[band] = 0.5 * _ERFC(-x[band] * SQRT_HALF).astype(np.float64)
    return out


def _x_phi(x):
    """x phi(x) = x exp(-x^2 / 2) / sqrt(2 pi), also where phi(x) alone is subnormal but x phi(x) is not."""
    out = np.square(x)
    out *= -0.5
    far = np.abs(x) > 30  # fold log|x| into the exponent: exp(-x^2/2) underflows before x exp(-x^2/2)
    out[far] += np.log(np.abs(x[far]))
    np.exp(out, out=out)
    out *= INV_SQRT_2PI
    out[~far] *= x[~far]
    out[far] *= np.sign(x[far])
    return out


def _mills(x):
    """R(x) = Phi(x) / phi(x) = sqrt(pi/2) erfcx(-x / sqrt 2): about 1/|x| in the left tail, never underflows."""
    return SQRT_HALF_PI * _scipy_special().erfcx(-x * SQRT_HALF)


def _gelu_exact(x):
    # gelu(x) = x Phi(x),  Phi(x) = erfc(-x / sqrt 2) / 2;  for x < -30: x phi(x) R(x), where Phi alone underflows
    out = _ndtr(x)
    out *= x
    far = x < -30
    out[far] = _x_phi(x[far]) * _mills(x[far])
    return _set_infinite_limits(out, x, 0.0, np.inf)


def _gelu_exact_derivative(x):
    # gelu'(x) = Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi);  for x < -30: x phi(x) (1 + R(x) / x)
    out = _ndtr(x)
    out += _x_phi(x)
    far = x < -30
    xf = x[far]
    out[far] = _x_phi(xf) * (1 + _mills(xf) / xf)
    return _set_infinite_limits(out, x, 0.0, 1.0)


def _gelu_tanh_inner(x):
    # 2u = 2 sqrt(2/pi) (x + 0.044715 x^3), on x clipped to +-1e4 (beyond, sigma(2u) is exactly 0 or 1)
    xc = np.clip(x, -1e4, 1e4)
    two_u = np.square(xc)
    two_u *= GELU_K
    two_u += 1
    two_u *= xc
    two_u *= 2 * GELU_C
    return xc, two_u


def _gelu_tanh(x):
    # gelu_tanh(x) = x/2 (1 + tanh u) = x sigma(2u)   (1 + tanh u cancels for u << 0; sigma(2u) does not)
    _, two_u = _gelu_tanh_inner(x)
    out = _sigmoid(two_u)
    out *= x
    return _set_infinite_limits(out, x, 0.0, np.inf)


def _gelu_tanh_derivative(x):
    # gelu_tanh'(x) = sigma(2u) + x sigma'(2u) 2u',   2u' = 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2)
    xc, two_u = _gelu_tanh_inner(x)
    slope = np.square(xc)
    slope *= 3 * GELU_K
    slope += 1
    slope *= 2 * GELU_C
    slope *= _sigmoid_derivative(two_u)  # sigma(1 - sigma) = e / (1 + e)^2, e = exp(-|2u|): no 1 - s
    slope *= x
    slope += _sigmoid(two_u)
    return _set_infinite_limits(slope, x, 0.0, 1.0)


@_in_float64
def _gelu(x, approximate):
    return _gelu_tanh(x) if approximate == "tanh" else _gelu_exact(x)


@_in_float64
def _gelu_derivative(x, approximate):
    return _gelu_tanh_derivative(x) if approximate == "tanh" else _gelu_exact_derivative(x)


gelu = Activation(
    name="gelu",
    title="GELU (Gaussian error linear unit)",
    forward=_gelu,
    backward=_gelu_derivative,
    latex=r"\mathrm{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \mathrm{erf}\frac{x}{\sqrt{2}}\right)"
          r"\approx \frac{x}{2}\left(1 + \tanh\left[\sqrt{2/\pi}\,(x + 0.044715\,x^{3})\right]\right)",
    latex_derivative=r"\mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x), \quad \varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}",
    output_range=r"[\approx -0.17, \infty)",
    properties=Properties(monotonic=False, smooth=True, bounded_below=True, bounded_above=False),
    parameters=(Parameter("approximate", "none", None, None,
                          'exact x Phi(x) ("none", PyTorch default) or the tanh formula of GPT and GPT-2 ("tanh")',
                          choices=("none", "tanh")),),
    summary="Weights x by the probability Phi(x) that a standard normal variable is below it: a smooth ReLU "
            "with a small negative dip (minimum -0.170 at x = -0.752). GPT, BERT, GPT-2 and GPT-3 use it.",
)


# ---------------------------------------------------------------- SiLU (swish) and Mish
def _silu(x):
    # silu(x) = x sigma(x) = x / (1 + e^-x)
    out = _sigmoid(x)
    out *= x
    return _set_infinite_limits(out, x, 0.0, np.inf)


def _silu_derivative(x):
    # silu'(x) = sigma(x) + x sigma(x) (1 - sigma(x)) = sigma(x) (1 + x (1 - sigma(x)))
    out = _sigmoid_derivative(x)  # e / (1 + e)^2, no 1 - sigma cancellation
    out *= x
    out += _sigmoid(x)
    return _set_infinite_limits(out, x, 0.0, 1.0)


silu = Activation(
    name="silu",
    title="SiLU / Swish",
    forward=_silu,
    backward=_silu_derivative,
    latex=r"\mathrm{SiLU}(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
    latex_derivative=r"\mathrm{SiLU}'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)",
    output_range=r"[\approx -0.28, \infty)",
    properties=Properties(monotonic=False, smooth=True, bounded_below=True, bounded_above=False),
    summary="x gated by its own sigmoid (Swish with beta = 1): smooth, non-monotonic, minimum -0.278 at "
            "x = -1.278. Used in EfficientNet and, gated, in LLaMA's SwiGLU.",
)


def _mish_parts(x):
    """Mish's pieces as ratios in e = exp(-|x|) <= 1 (no overflow, no 1 - tanh^2 cancellation).

    With E = e^x:  tanh(softplus x) = E(E + 2) / (E^2 + 2E + 2),  sech^2(softplus x) = 4 (1 + E)^2 / (E^2 + 2E + 2)^2.
    For x <= 0, E = e; for x > 0 divide by E^2:  tanh = (1 + 2e) / (1 + 2e + 2e^2), sech^2 = 4 e^2 (1 + e)^2 / (...)^2.
    Returns (t, w): t = tanh(softplus x), w = sigma(x) sech^2(softplus x), both exact to a few ULP.
    """
    e = _exp_neg_abs(x)
    left = x <= 0
    two_e = 2 * e
    den = e * (e + 2)
    den += 2  # left: E^2 + 2E + 2
    den_r = two_e * e
    den_r += two_e
    den_r += 1  # right: 1 + 2e + 2e^2
    num = np.where(left, e * (e + 2), two_e + 1)
    den = np.where(left, den, den_r)
    t = num / den
    # w = sigma(x) sech^2(softplus x): left 4 E (1 + E) / den^2, right 4 e^2 (1 + e) / den^2
    w = np.where(left, e, e * e)
    w *= e + 1
    w /= den
    w /= den
    w *= 4
    return t, w


def _mish(x):
    # mish(x) = x tanh(softplus(x)) = x tanh(log(1 + e^x))
    t, _ = _mish_parts(x)
    t *= x
    return _set_infinite_limits(t, x, 0.0, np.inf)


def _mish_derivative(x):
    # mish'(x) = tanh(softplus x) + x sigma(x) sech^2(softplus x)
    t, w = _mish_parts(x)
    w *= x
    w += t
    # for x <= 0 the two terms cancel near the minimum; over one denominator (E = e^x, P = E^2 + 2E + 2) the
    # numerator folds into E (1 + (1 + E)(E^2 + 3E + 3 + 4x)), which rounds far less
    left = x <= 0
    xl = np.maximum(x[left], -1000)  # e^x = 0 below: keeps 4x finite
    e = np.exp(xl)
    p = e * (e + 2)
    p += 2
    inner = e * (e + 3)
    inner += 3
    inner += 4 * xl
    inner *= e + 1
    inner += 1
    inner *= e
    w[left] = inner / (p * p)
    return _set_infinite_limits(w, x, 0.0, 1.0)


mish = Activation(
    name="mish",
    title="Mish",
    forward=_mish,
    backward=_mish_derivative,
    latex=r"\mathrm{Mish}(x) = x \tanh\bigl(\mathrm{softplus}(x)\bigr) = x \tanh\bigl(\log(1 + e^{x})\bigr)",
    latex_derivative=r"\mathrm{Mish}'(x) = \tanh\bigl(\mathrm{softplus}(x)\bigr)"
                     r" + x\,\sigma(x)\,\mathrm{sech}^2\bigl(\mathrm{softplus}(x)\bigr)",
    output_range=r"[\approx -0.31, \infty)",
    properties=Properties(monotonic=False, smooth=True, bounded_below=True, bounded_above=False),
    summary="Like SiLU, a smooth self-gated ReLU with a negative dip (minimum -0.309 at x = -1.192); "
            "the default activation of YOLOv4's backbone.",
)


# ---------------------------------------------------------------- hard sigmoid and hard swish (PyTorch's)
def _hardsigmoid(x):
    # hardsigmoid(x) = relu6(x + 3) / 6 = 0 for x <= -3, 1 for x >= 3, x/6 + 1/2 in between
    out = np.add(x, 3)
    np.clip(out, 0, 6, out=out)
    out /= 6
    return out


def _hardsigmoid_derivative(x):
    # hardsigmoid'(x) = 1/6 for -3 < x < 3, else 0 (0 at x = +-3, as in PyTorch); NaN propagates
    inside = (x > -3) & (x < 3)
    out = np.where(inside, 1 / 6, 0.0).astype(x.dtype)
    out[np.isnan(x)] = np.nan
    return out


hardsigmoid = Activation(
    name="hardsigmoid",
    title="Hard sigmoid",
    forward=_hardsigmoid,
    backward=_hardsigmoid_derivative,
    latex=r"\mathrm{hardsigmoid}(x) = \frac{\mathrm{ReLU6}(x + 3)}{6}"
          r" = \begin{cases} 0 & x \le -3 \\ x/6 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}",
    latex_derivative=r"\mathrm{hardsigmoid}'(x) = \begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
    output_range=r"[0, 1]",
    properties=Properties(monotonic=True, smooth=False, bounded_below=True, bounded_above=True),
    summary="A piecewise-linear sigmoid, cheap on phones (no exp); PyTorch's version, ReLU6(x + 3) / 6 as in "
            "MobileNetV3, slope 1/6 on (-3, 3) (Theano's and older Keras's hard_sigmoid: slope 0.2).",
    kink="hardsigmoid'(-3) = hardsigmoid'(3) = 0, as in PyTorch.",
)


def _hardswish(x):
    # hardswish(x) = x relu6(x + 3) / 6 = 0 for x <= -3, x for x >= 3, x (x + 3) / 6 in between
    out = _hardsigmoid(x)
    out *= x  # x * (relu6 / 6): never x * 6, which overflows for huge x
    return _set_infinite_limits(out, x, 0.0, np.inf)


def _hardswish_derivative(x):
    # hardswish'(x) = 0 for x <= -3, (2x + 3) / 6 for -3 < x < 3, 1 for x >= 3 (0 at -3 and 1 at 3, as PyTorch)
    mid = np.multiply(x, 2)
    mid += 3
    mid /= 6
    out = np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, mid)).astype(x.dtype)
    return out


hardswish = Activation(
    name="hardswish",
    title="Hard swish",
    forward=_hardswish,
    backward=_hardswish_derivative,
    latex=r"\mathrm{hardswish}(x) = x\,\frac{\mathrm{ReLU6}(x + 3)}{6}"
          r" = \begin{cases} 0 & x \le -3 \\ x(x + 3)/6 & -3 < x < 3 \\ x & x \ge 3 \end{cases}",
    latex_derivative=r"\mathrm{hardswish}'(x) = \begin{cases} 0 & x \le -3 \\ (2x + 3)/6 & -3 < x < 3 \\"
                     r" 1 & x \ge 3 \end{cases}",
    output_range=r"[-0.375, \infty)",
    properties=Properties(monotonic=False, smooth=False, bounded_below=True, bounded_above=False),
    summary="SiLU with the sigmoid replaced by the hard sigmoid: no exp, so fast on mobile CPUs "
            "(introduced by MobileNetV3, in its later layers). Minimum -0.375 at x = -1.5.",
    kink="hardswish'(-3) = 0 and hardswish'(3) = 1, as in PyTorch (the outer pieces' slopes at both ends).",
)


# ---------------------------------------------------------------- softsign and log-sigmoid
def _softsign(x):
    # softsign(x) = x / (1 + |x|)
    den = np.abs(x)
    den += 1
    out = np.divide(x, den, out=den)
    return _set_infinite_limits(out, x, -1.0, 1.0)


def _softsign_derivative(x):
    # softsign'(x) = 1 / (1 + |x|)^2
    den = np.abs(x)
    den += 1
    np.multiply(den, den, out=den)
    return np.reciprocal(den, out=den)


softsign = Activation(
    name="softsign",
    title="Softsign",
    forward=_softsign,
    backward=_softsign_derivative,
    latex=r"\mathrm{softsign}(x) = \frac{x}{1 + |x|}",
    latex_derivative=r"\mathrm{softsign}'(x) = \frac{1}{(1 + |x|)^{2}}",
    output_range=r"(-1, 1)",
    properties=Properties(monotonic=True, smooth=True, bounded_below=True, bounded_above=True),
    summary="A tanh-like S-curve with polynomial instead of exponential tails: it saturates more slowly. "
            "Smooth (C^1), but its second derivative jumps from +2 to -2 at 0.",
)


def _log_sigmoid(x):
    # log sigma(x) = -softplus(-x) = min(x, 0) - log1p(exp(-|x|))
    out = _exp_neg_abs(x)
    np.log1p(out, out=out)
    return np.subtract(np.minimum(x, 0), out, out=out)


def _log_sigmoid_derivative(x):
    # (log sigma)'(x) = 1 - sigma(x) = sigma(-x)
    return _sigmoid(np.negative(x))


log_sigmoid = Activation(
    name="log_sigmoid",
    title="Log-sigmoid",
    forward=_log_sigmoid,
    backward=_log_sigmoid_derivative,
    latex=r"\log\sigma(x) = -\log\left(1 + e^{-x}\right) = -\mathrm{softplus}(-x)",
    latex_derivative=r"(\log\sigma)'(x) = 1 - \sigma(x) = \sigma(-x)",
    output_range=r"(-\infty, 0)",
    properties=Properties(monotonic=True, smooth=True, bounded_below=False, bounded_above=True),
    summary="The logarithm of the sigmoid, computed without forming a probability that could round to 0 or 1; "
            "the building block of binary cross-entropy on logits.",
)


MODERN = {f.name: f for f in (softplus, elu, selu, gelu, silu, mish, hardsigmoid, hardswish, softsign, log_sigmoid)}
