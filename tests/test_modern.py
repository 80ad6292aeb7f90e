"""The modern activations (acts.modern): API, dtypes, warnings, special values, float64 accuracy against a 200-bit
mpmath reference, derivatives against finite differences, and every activation's metadata checked numerically.

Accuracy rule (design.md section 2): over [-700, 700], a function within 4 ULP and a derivative within 8 ULP per
unit of the problem's own condition number max(1, |x g'(x) / g(x)|), g being the function or the derivative,
wherever the exact result is a normal double. The condition number is what the input's own rounding (half an ULP
of x) already does to the result: near a root of g or deep in an exponential tail no algorithm can do better.
"""

import re
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import special

import acts
from acts.modern import MODERN, SELU_ALPHA, SELU_SCALE
from acts.properties import normal_mean, normal_negative_share

from reference import accuracy_grid, cached, reference, ulp_error

mpf = mpmath.mpf
NAMES = list(MODERN)
# every variant: (label, activation name, parameters)
VARIANTS = [(n, n, {}) for n in NAMES] + [("gelu_tanh", "gelu", {"approximate": "tanh"})]
VARIANT_IDS = [v[0] for v in VARIANTS]


# ---------------------------------------------------------------- mpmath references (prec 200 set in reference.py)
def _sig(x):
    return 1 / (1 + mpmath.exp(-x))


def _softplus(x):
    return mpmath.log1p(mpmath.exp(x))


_A, _L = mpf(SELU_ALPHA), mpf(SELU_SCALE)  # the doubles the code uses: they define SELU
_C, _K = mpmath.sqrt(2 / mpmath.pi), mpf("0.044715")  # the exact constants of the tanh approximation


def _gelu_tanh_arg(x):  # 2u = 2 sqrt(2/pi) (x + 0.044715 x^3); 1 + tanh u = 2 sigma(2u) (no cancellation)
    return 2 * _C * (x + _K * x ** 3)


MP = {
    "softplus": (_softplus, _sig),
    "elu": (lambda x: x if x > 0 else mpmath.expm1(x), lambda x: mpf(1) if x > 0 else mpmath.exp(x)),
    "selu": (lambda x: _L * x if x > 0 else _L * _A * mpmath.expm1(x),
             lambda x: _L if x > 0 else _L * _A * mpmath.exp(x)),
    "gelu": (lambda x: x * mpmath.ncdf(x), lambda x: mpmath.ncdf(x) + x * mpmath.npdf(x)),
    "gelu_tanh": (lambda x: x * _sig(_gelu_tanh_arg(x)),
                  lambda x: _sig(_gelu_tanh_arg(x)) + x * 2 * _C * (1 + 3 * _K * x ** 2)
                  * _sig(_gelu_tanh_arg(x)) * _sig(-_gelu_tanh_arg(x))),
    "silu": (lambda x: x * _sig(x), lambda x: _sig(x) + x * _sig(x) * _sig(-x)),
    "mish": (lambda x: x * mpmath.tanh(_softplus(x)),
             lambda x: mpmath.tanh(_softplus(x)) + x * _sig(x) * mpmath.sech(_softplus(x)) ** 2),
    "hardsigmoid": (lambda x: min(max(x + 3, 0), 6) / 6, lambda x: mpf(1) / 6 if -3 < x < 3 else mpf(0)),
    "hardswish": (lambda x: x * min(max(x + 3, 0), 6) / 6,
                  lambda x: mpf(0) if x <= -3 else (mpf(1) if x >= 3 else (2 * x + 3) / 6)),
    "softsign": (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
    "log_sigmoid": (lambda x: -mpmath.log1p(mpmath.exp(-x)), lambda x: _sig(-x)),
}

# the accuracy grid: uniform and random points, the tails, and where each formula changes or crosses zero
_KINKS = [-3.0, 3.0, -1.5, -0.5, -0.75, -0.7518, -1.2785, -1.1924, 30.0, -30.0, -30.5, -37.5, -37.7, -38.5, 1e-5]
GRID = np.concatenate([accuracy_grid(-700.0, 700.0, n=1001), _KINKS, np.nextafter(_KINKS, 0),
                       np.nextafter(_KINKS, -1e9)])
GRID = GRID[np.abs(GRID) <= 700]
NORMAL = np.finfo(np.float64).tiny


def _reference_table(label):
    """Reference f, f', and the condition numbers of both, at every grid point (f'' by mpmath.diff)."""
    f, df = MP[label]
    rows = []
    for v in GRID:
        x = mpf(float(v))
        fx, dfx = f(x), df(x)
        d2 = mpmath.diff(df, x)
        rows.append((float(fx), float(dfx),
                     float(max(1, abs(x * dfx / fx))) if fx != 0 else np.inf,
                     float(max(1, abs(x * d2 / dfx))) if dfx != 0 else np.inf))
    return np.array(rows).T


@pytest.fixture(scope="module")
def references():
    # ~90 s of mpmath on 2 cores: computed once, then read from disk while this file and the grid are unchanged
    return {label: cached(lambda label=label: _reference_table(label), "modern", label, GRID, sources=[__file__])
            for label, _, _ in VARIANTS}


# ---------------------------------------------------------------- registry and metadata
def test_registered_under_their_names_next_to_the_classics():
    assert NAMES == ["softplus", "elu", "selu", "gelu", "silu", "mish", "hardsigmoid", "hardswish", "softsign",
                     "log_sigmoid"]
    for name in NAMES:
        act = acts.ACTIVATIONS[name]
        assert act is getattr(acts, name) and act.name == name and isinstance(act, acts.Activation)
        assert name in acts.__all__
    assert {"sigmoid", "tanh", "relu", "leaky_relu"} <= set(acts.ACTIVATIONS)


@pytest.mark.parametrize("name", NAMES)
def test_metadata_is_complete(name):
    act = MODERN[name]
    for text in (act.title, act.latex, act.latex_derivative, act.output_range, act.summary):
        assert isinstance(text, str) and text.strip()
    assert act.latex.count("{") == act.latex.count("}") and act.latex_derivative.count("{") == \
        act.latex_derivative.count("}")
    assert isinstance(act.properties, acts.Properties)
    if not act.properties.smooth or name in ("elu",):  # every point without a derivative has its convention
        assert "PyTorch" in act.kink
    for p in act.parameters:
        assert isinstance(p, acts.Parameter) and p.description
        assert p.default in p.choices if p.choices else p.low <= p.default <= p.high


def test_parameters_and_their_errors():
    assert acts.elu.defaults == {"alpha": 1.0} and acts.gelu.defaults == {"approximate": "none"}
    assert acts.gelu.parameters[0].choices == ("none", "tanh")
    assert acts.elu(-1.0, alpha=2) == pytest.approx(2 * np.expm1(-1.0))
    assert acts.elu.derivative(-1.0, alpha=2) == pytest.approx(2 * np.exp(-1.0))
    with pytest.raises(ValueError, match=r"gelu\(\) parameter approximate must be one of \['none', 'tanh'\]"):
        acts.gelu(1.0, approximate="erf")
    with pytest.raises(TypeError, match=r"gelu\(\) parameter approximate must be a str"):
        acts.gelu(1.0, approximate=True)
    with pytest.raises(TypeError, match=r"gelu.derivative\(\) got unexpected|gelu\(\) got unexpected"):
        acts.gelu.derivative(1.0, alpha=1.0)
    with pytest.raises(TypeError, match=r"elu\(\) parameter alpha must be a real number"):
        acts.elu(1.0, alpha="1")
    with pytest.raises(ValueError, match=r"elu\(\) parameter alpha must be finite"):
        acts.elu(1.0, alpha=float("inf"))
    with pytest.raises(TypeError, match="got unexpected parameter"):
        acts.selu(1.0, alpha=1.0)  # SELU's constants are fixed: that is what makes it self-normalising
    # the classic API is untouched: leaky_relu's alpha is still a number
    assert acts.leaky_relu(-1.0, alpha=0.5) == -0.5


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", ["1.0", None, 1 + 2j, [1, "a"], np.array([1j])])
def test_non_numeric_input_raises_type_error_naming_the_function(name, bad):
    act = MODERN[name]
    with pytest.raises(TypeError, match=rf"^{name}\(\) expects real numbers"):
        act(bad)
    with pytest.raises(TypeError, match=rf"^{name}.derivative\(\) expects real numbers"):
        act.derivative(bad)


# ---------------------------------------------------------------- dtypes, shapes, warnings, special values
def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            return fn(*args, **kwargs)


@pytest.mark.parametrize("label,name,params", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
def test_dtype_shape_and_scalars(label, name, params, dtype):
    act = MODERN[name]
    x = np.linspace(-5, 5, 12).astype(dtype).reshape(3, 4)
    for fn in (act, act.derivative):
        out = _quiet(fn, x, **params)
        assert out.dtype == dtype and out.shape == (3, 4)
        scalar = _quiet(fn, dtype(0.5), **params)
        assert np.ndim(scalar) == 0 and np.asarray(scalar).dtype == dtype
        assert isinstance(_quiet(fn, 0.5, **params), np.float64)
        for ints in (np.arange(-3, 4), [True, False], 2):  # ints and bools compute in float64
            assert np.asarray(_quiet(fn, ints, **params)).dtype == np.float64
        # every precision agrees with float64 to its own resolution
        ref = fn(x.astype(np.float64), **params)
        tol = {np.float16: 4e-3, np.float32: 1e-6}.get(dtype, 1e-15)
        np.testing.assert_allclose(out.astype(np.float64), ref, rtol=tol, atol=tol)


SPECIAL = np.array([-np.inf, -1e308, -1e200, -1e10, -800.0, -745.0, -40.0, -3.0, -1.5, -1e-310, -0.0, 0.0, 5e-324,
                    1e-310, 3.0, 40.0, 800.0, 1e10, 1e200, 1e308, np.inf, np.nan])
# f(-inf), f(+inf), f'(-inf), f'(+inf) at the default parameters
LIMITS = {
    "softplus": (0, np.inf, 0, 1), "elu": (-1, np.inf, 0, 1), "selu": (-SELU_SCALE * SELU_ALPHA, np.inf, 0, SELU_SCALE),
    "gelu": (0, np.inf, 0, 1), "gelu_tanh": (0, np.inf, 0, 1), "silu": (0, np.inf, 0, 1), "mish": (0, np.inf, 0, 1),
    "hardsigmoid": (0, 1, 0, 0), "hardswish": (0, np.inf, 0, 1), "softsign": (-1, 1, 0, 0),
    "log_sigmoid": (-np.inf, 0, 1, 0),
}


@pytest.mark.parametrize("label,name,params", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_no_warnings_nan_in_nan_out_and_limits_at_infinity(label, name, params, dtype):
    act = MODERN[name]
    with np.errstate(all="ignore"):
        x = SPECIAL.astype(dtype)
    values, slopes = _quiet(act, x, **params), _quiet(act.derivative, x, **params)
    for out in (values, slopes):
        np.testing.assert_array_equal(np.isnan(out), np.isnan(x))  # nan exactly where the input is nan
    lo, hi, dlo, dhi = LIMITS[label]
    rel = {np.float16: 1e-3, np.float32: 1e-6}.get(dtype, 1e-12)
    assert values[0] == pytest.approx(lo, rel=rel) and values[-2] == pytest.approx(hi, rel=rel)
    assert slopes[0] == pytest.approx(dlo, rel=rel) and slopes[-2] == pytest.approx(dhi, rel=rel)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(VARIANTS),
       st.sampled_from([np.float16, np.float32, np.float64]).flatmap(
           lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=2, max_side=6),
                                 elements=hnp.from_dtype(np.dtype(dt)))))
def test_any_array_is_quiet_keeps_dtype_and_shape(variant, x):
    _, name, params = variant
    act = MODERN[name]
    for fn in (act, act.derivative):
        out = np.asarray(_quiet(fn, x, **params))
        assert out.shape == x.shape and out.dtype == x.dtype
        np.testing.assert_array_equal(np.isnan(out), np.isnan(x))


# ---------------------------------------------------------------- float64 accuracy against mpmath
def _per_unit(got, expected, cond):
    normal = np.abs(expected) >= NORMAL
    err = ulp_error(got, expected) / cond
    return np.where(normal, err, 0.0)


@pytest.mark.parametrize("label,name,params", VARIANTS, ids=VARIANT_IDS)
def test_float64_within_4_ulp_and_derivative_within_8_per_unit_of_condition(references, label, name, params):
    act = MODERN[name]
    f_ref, df_ref, f_cond, df_cond = references[label]
    for what, got, ref, cond, limit in (("f", act(GRID, **params), f_ref, f_cond, 4),
                                        ("f'", act.derivative(GRID, **params), df_ref, df_cond, 8)):
        per_unit = _per_unit(got, ref, cond)
        i = int(per_unit.argmax())
        assert per_unit[i] <= limit, (f"{label} {what}: {per_unit[i]:.2f} ULP per unit of condition at "
                                      f"x = {GRID[i]!r} (got {got[i]!r}, expected {ref[i]!r}, condition {cond[i]:.3g})")
        # exact zeros stay exact (hard sigmoid's flat parts, the far left tails)
        zero = ref == 0
        np.testing.assert_array_equal(got[zero], 0.0)


def test_tails_do_not_cancel():
    # the places where a naive formula loses every digit: each value against mpmath within a few ULP
    cases = [
        ("softplus", {}, [-700.0, -40.0, 40.0], MP["softplus"][0]),
        ("log_sigmoid", {}, [40.0, 700.0], MP["log_sigmoid"][0]),
        ("gelu", {}, [-10.0, -20.0, -37.0], MP["gelu"][0]),           # 1 + erf(x / sqrt 2) would give 0
        ("gelu", {"approximate": "tanh"}, [-6.0, -9.0], MP["gelu_tanh"][0]),  # 1 + tanh(u) would give 0
        ("silu", {}, [-40.0, -700.0], MP["silu"][0]),
    ]
    for name, params, xs, fn in cases:
        xs = np.array(xs)
        expected = reference(fn, xs)
        assert np.all(expected != 0)
        err = ulp_error(MODERN[name](xs, **params), expected)
        cond = np.abs(xs) ** 2 + 1  # these tails are exponential: condition about x^2 (gelu) or |x|
        assert np.all(err <= 4 * cond), (name, xs, err)
    # Mish's derivative needs sigma(x) sech^2(softplus x): where tanh(softplus x) is 1 to the last bit,
    # 1 - tanh^2 would give 0 (or one ULP of 1); the code's ratio keeps every digit
    from acts.modern import _mish_parts
    xs = np.array([5.0, 20.0, 36.0, 100.0, 300.0])
    _, w = _mish_parts(xs)
    expected = reference(lambda x: _sig(x) * mpmath.sech(_softplus(x)) ** 2, xs)
    assert np.all(expected > 0) and ulp_error(w, expected).max() <= 8
    xs = np.array([-30.0, -200.0, -700.0])  # both terms tiny and of opposite sign: relative accuracy kept
    assert ulp_error(acts.mish.derivative(xs), reference(MP["mish"][1], xs)).max() <= 8


# ---------------------------------------------------------------- derivatives against finite differences
_AWAY = {"elu": [0.0], "selu": [0.0], "hardsigmoid": [-3.0, 3.0], "hardswish": [-3.0, 3.0], "softsign": [0.0]}


@pytest.mark.parametrize("label,name,params", VARIANTS, ids=VARIANT_IDS)
def test_derivative_matches_central_differences_away_from_kinks(label, name, params):
    act = MODERN[name]
    x = np.linspace(-8, 8, 1601) + 0.0037
    for k in _AWAY.get(name, []):
        x = x[np.abs(x - k) > 1e-3]
    err = acts.gradient_check(lambda t: act(t, **params), lambda t: act.derivative(t, **params), x)
    assert err < 1e-7, f"{label}: {err}"
    if name == "elu":  # and for other alphas
        err = acts.gradient_check(lambda t: act(t, alpha=0.4), lambda t: act.derivative(t, alpha=0.4), x)
        assert err < 1e-7


@pytest.mark.parametrize("name,point,expected", [
    ("elu", 0.0, 1.0), ("selu", 0.0, SELU_SCALE * SELU_ALPHA), ("hardsigmoid", -3.0, 0.0), ("hardsigmoid", 3.0, 0.0),
    ("hardswish", -3.0, 0.0), ("hardswish", 3.0, 1.0), ("softsign", 0.0, 1.0), ("gelu", 0.0, 0.5), ("mish", 0.0, 0.6),
])
def test_conventions_at_kinks_follow_pytorch(name, point, expected):
    assert MODERN[name].derivative(point) == pytest.approx(expected, rel=1e-12)
    assert MODERN["elu"].derivative(0.0, alpha=0.5) == 0.5  # elu'(0) = alpha


def test_gelu_tanh_approximation_is_close_to_exact():
    x = np.linspace(-10, 10, 200001)
    gap = np.abs(acts.gelu(x) - acts.gelu(x, approximate="tanh"))
    assert 4.5e-4 < gap.max() < 4.9e-4  # the figure lesson 07 quotes (about 4.7e-4)


def test_selu_keeps_a_standard_normal_standard():
    # the self-normalising fixed point: N(0, 1) in, mean 0 and variance 1 out (to the sample's accuracy)
    z = np.random.default_rng(0).standard_normal(2_000_000)
    out = acts.selu(z)
    assert abs(out.mean()) < 3e-3 and abs(out.var() - 1) < 3e-3


# ---------------------------------------------------------------- every activation's metadata, checked numerically
FINE = np.linspace(-30, 30, 600001)  # step 1e-4
WIDE = np.concatenate([-np.logspace(6, -6, 300), [0.0], np.logspace(-6, 6, 300)])
ALL = sorted(acts.ACTIVATIONS)


def _range_ends(act):
    """The numbers in output_range (after its last approximation sign); alpha and lambda at their defaults."""
    text = act.output_range
    if r"\approx (" in text:
        text = text.rsplit(r"\approx", 1)[1]
    inner = text.strip()[1:-1]
    ends = []
    for part in inner.split(","):
        part = part.replace(r"\approx", "").replace(" ", "")
        part = part.replace(r"\infty", "inf").replace(r"\alpha", repr(act.defaults.get("alpha", np.nan)))
        ends.append(float(part))
    return ends


@pytest.mark.parametrize("name", ALL)
def test_monotonic_property(name):
    act = acts.ACTIVATIONS[name]
    steps = np.diff(act(FINE))
    if act.properties.monotonic:
        assert steps.min() >= 0, f"{name} decreases by {steps.min()} at x = {FINE[steps.argmin()]}"
        assert act.derivative(FINE).min() >= 0
    else:
        assert steps.min() < -1e-6, f"{name}: metadata says not monotonic, but it never decreases"


# E f(Z) for Z ~ N(0, 1) in closed form: E[Z; Z > 0] = phi(0) = 1/sqrt(2 pi), E[e^Z; Z <= 0] = e^(1/2) Phi(-1),
# E[Z Phi(Z)] = E[phi(Z)] = 1/(2 sqrt(pi)) (Stein's lemma); sigmoid - 1/2, tanh, softsign and hardsigmoid - 1/2 are odd
_PHI0 = 1 / np.sqrt(2 * np.pi)
_ELU_LEFT = np.exp(0.5) * special.ndtr(-1.0) - 0.5  # E[e^Z - 1; Z <= 0]
NORMAL_MEANS = [
    ("sigmoid", {}, 0.5), ("tanh", {}, 0.0), ("softsign", {}, 0.0), ("hardsigmoid", {}, 0.5),
    ("relu", {}, _PHI0), ("leaky_relu", {}, 0.99 * _PHI0), ("leaky_relu", {"alpha": 0.3}, 0.7 * _PHI0),
    ("elu", {}, _PHI0 + _ELU_LEFT), ("elu", {"alpha": 2.0}, _PHI0 + 2 * _ELU_LEFT),
    ("selu", {}, SELU_SCALE * (_PHI0 + SELU_ALPHA * _ELU_LEFT)),
    ("gelu", {}, 1 / (2 * np.sqrt(np.pi))),
]


@pytest.mark.parametrize("name,params,expected", NORMAL_MEANS,
                         ids=[f"{n}-{p}" if p else n for n, p, _ in NORMAL_MEANS])
def test_normal_mean_matches_closed_forms(name, params, expected):
    # zero-centred is about the mean output on N(0, 1) inputs (design.md section 8), measured by normal_mean
    act = acts.ACTIVATIONS[name]
    assert normal_mean(act, **params) == pytest.approx(expected, abs=1e-7)
    assert normal_mean(name, **params) == normal_mean(act, **params)  # a name works as well as the object


def test_taking_both_signs_is_not_being_centred():
    # the old flag's definition (f(0) = 0, both signs) holds for all of these, yet only tanh and softsign average 0
    for name in ("tanh", "softsign", "leaky_relu", "elu", "gelu", "silu", "mish", "hardswish"):
        act = acts.ACTIVATIONS[name]
        assert act(0.0) == 0 and act(-1.0) < 0 < act(1.0)
        assert normal_negative_share(act) == pytest.approx(0.5, abs=2e-3)  # every one is negative half the time
        assert (abs(normal_mean(act)) < 1e-7) == (name in ("tanh", "softsign")), name
    assert normal_mean(acts.leaky_relu) > 0.39 and normal_mean(acts.silu) > 0.2
    assert normal_negative_share(acts.relu) == 0 and normal_negative_share(acts.log_sigmoid) > 0.999
    # a plain function of an array works too, and its sampled mean agrees
    z = np.random.default_rng(0).standard_normal(1_000_000)
    assert normal_mean(lambda t: t * t) == pytest.approx(1.0, abs=1e-6)
    assert normal_mean(acts.mish) == pytest.approx(acts.mish(z).mean(), abs=3e-3)


def test_normal_mean_rejects_what_is_not_an_activation():
    with pytest.raises(TypeError, match=r"normal_mean\(\) needs an activation.*got float"):
        normal_mean(0.5)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        normal_mean("swish")
    with pytest.raises(ValueError, match="elementwise"):
        normal_mean(lambda t: float(np.sum(t)))
    with pytest.raises(TypeError, match="unexpected parameter"):
        normal_mean(acts.relu, alpha=0.1)


def test_properties_hold_only_yes_no_facts():
    assert set(acts.relu.properties.as_dict()) == {"monotonic", "smooth", "bounded_below", "bounded_above"}


@pytest.mark.parametrize("name", ALL)
def test_smooth_property(name):
    # C^1: the slopes of neighbouring secants change by O(h) everywhere; at a kink they jump by a fixed amount
    act = acts.ACTIVATIONS[name]
    x = np.linspace(-10, 10, 200001)  # includes -3, 0 and 3 exactly
    secant = np.diff(act(x)) / np.diff(x)
    jump = np.abs(np.diff(secant)).max()
    if act.properties.smooth:
        assert jump < 2e-3, f"{name}: the slope jumps by {jump} near x = {x[np.abs(np.diff(secant)).argmax()]}"
    else:
        assert jump > 0.05, f"{name}: metadata says not smooth, but the slope never jumps (max change {jump})"


@pytest.mark.parametrize("name", ALL)
def test_bounds_agree_with_output_range(name):
    act = acts.ACTIVATIONS[name]
    low, high = _range_ends(act)
    props = act.properties
    assert props.bounded_below == np.isfinite(low) and props.bounded_above == np.isfinite(high)
    with np.errstate(over="ignore"):
        y = np.concatenate([act(FINE), act(WIDE), act(np.array([-1e300, 1e300]))])
    tol = 1e-3  # output_range states the approximate ones to 2-4 digits
    assert y.min() >= low - tol and y.max() <= high + tol, (name, low, high, y.min(), y.max())
    if props.bounded_below:
        assert y.min() == pytest.approx(low, abs=5e-3)  # the bound is reached or approached, not just a bound
    else:
        assert y.min() < -1e6
    if props.bounded_above:
        assert y.max() == pytest.approx(high, abs=5e-3)
    else:
        assert y.max() > 1e6
    # a closed bracket means the bound is attained (within the stated digits), an open one that it is not
    brackets = re.sub(r".*\\approx\s*(?=\()", "", act.output_range).strip()
    if brackets[0] == "[" and np.isfinite(low):
        assert np.any(np.abs(y - low) < 5e-3)


@pytest.mark.parametrize("name,x0", [("gelu", -0.75), ("silu", -1.28), ("mish", -1.19)])
def test_minima_quoted_in_the_summaries(name, x0):
    f, df = MP[name]
    where = mpmath.findroot(df, x0)
    low = float(f(where))
    summary = MODERN[name].summary
    assert f"{low:.3f}" in summary and f"{float(where):.3f}" in summary, (summary, low, float(where))
    assert _range_ends(MODERN[name])[0] == pytest.approx(low, abs=5e-3)
