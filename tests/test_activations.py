"""The acts core API and its numeric rules (design.md section 2): dtypes, shapes, errors, edge values, kinks."""

import warnings

import numpy as np
import pytest
import scipy.special

import acts
from acts import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh

CLASSIC = [sigmoid, tanh, relu, leaky_relu]
VECTOR = [softmax, log_softmax]


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_registry_holds_elementwise_activations_only():
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        assert acts.ACTIVATIONS[name].name == name
    assert "softmax" not in acts.ACTIVATIONS and "log_softmax" not in acts.ACTIVATIONS
    assert all(isinstance(f, acts.Activation) for f in acts.ACTIVATIONS.values())


def test_seed_softmax_example_to_8_digits():
    np.testing.assert_allclose(softmax([0.4, 2, 5]), [0.00948431, 0.04697607, 0.94353962], atol=5e-9)


@pytest.mark.parametrize("f", CLASSIC, ids=lambda f: f.name)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_dtypes_and_shapes_are_kept(f, dtype):
    x = np.linspace(-5, 5, 24, dtype=dtype).reshape(2, 3, 4)
    for fn in (f, f.derivative):
        out = fn(x)
        assert out.dtype == dtype and out.shape == x.shape


@pytest.mark.parametrize("f", CLASSIC, ids=lambda f: f.name)
def test_ints_bools_lists_compute_in_float64(f):
    for x in ([-2, 0, 3], np.array([-2, 0, 3], dtype=np.int8), np.array([True, False]), range(3)):
        assert f(x).dtype == np.float64 and f.derivative(x).dtype == np.float64


@pytest.mark.parametrize("f", CLASSIC, ids=lambda f: f.name)
def test_scalars_in_scalars_out(f):
    for x in (0.5, 2, True, np.float32(0.5), np.array(0.5)):
        out = f(x)
        assert np.ndim(out) == 0 and not isinstance(out, np.ndarray)
        assert np.ndim(f.derivative(x)) == 0
    assert isinstance(f(np.float32(0.5)), np.float32)
    assert f(np.array([])).shape == (0,)


@pytest.mark.parametrize("f", CLASSIC + VECTOR, ids=lambda f: f.name)
@pytest.mark.parametrize("bad", ["1.0", None, object(), 1 + 2j, np.array([1, 2], dtype=object),
                                 np.array([1j]), [[1], [1, 2]], b"1"])
def test_non_numeric_input_raises_type_error_naming_function_and_type(f, bad):
    with pytest.raises(TypeError, match=f.name) as info:
        f(bad)
    assert any(word in str(info.value) for word in ("str", "NoneType", "object", "complex", "list", "bytes"))


@pytest.mark.parametrize("f", CLASSIC, ids=lambda f: f.name)
def test_derivative_rejects_non_numeric_too(f):
    with pytest.raises(TypeError, match=rf"{f.name}\.derivative\(\).*str"):
        f.derivative("x")


def test_parameters_are_checked():
    with pytest.raises(TypeError, match="alpha"):
        leaky_relu(1.0, alpha="big")
    with pytest.raises(TypeError, match="unexpected"):
        sigmoid(1.0, alpha=0.1)
    with pytest.raises(ValueError, match="finite"):
        leaky_relu(1.0, alpha=np.nan)


@pytest.mark.parametrize("f", CLASSIC, ids=lambda f: f.name)
def test_no_warning_for_any_finite_or_infinite_input_and_nan_propagates(f):
    for dtype in (np.float16, np.float32, np.float64):
        info = np.finfo(dtype)
        x = np.array([-np.inf, -info.max, -1000, -745, -1, -0.0, 0.0, info.smallest_subnormal, 1, 1000, info.max,
                      np.inf, np.nan], dtype=dtype)
        for fn in (f, f.derivative):
            with np.errstate(all="raise"):
                out = fn(x)
            assert np.isnan(out[-1]) and not np.isnan(out[:-1]).any()


def test_edge_values():
    assert sigmoid(np.inf) == 1.0 and sigmoid(-np.inf) == 0.0 and sigmoid(-1000) == 0.0
    assert sigmoid(0) == 0.5 and sigmoid.derivative(0) == 0.25 and tanh.derivative(0) == 1.0
    assert sigmoid(-740) > 0  # subnormal, not flushed to zero
    assert sigmoid.derivative(40.0) > 0 and tanh.derivative(20.0) > 0  # tails do not cancel
    assert sigmoid.derivative(np.inf) == 0 and tanh.derivative(-np.inf) == 0
    assert tanh(np.inf) == 1 and tanh(-np.inf) == -1


def test_kinks_follow_pytorch():
    assert relu.derivative(0.0) == 0.0 and relu.derivative(-0.0) == 0.0
    assert leaky_relu.derivative(0.0) == 0.01 and leaky_relu.derivative(0.0, alpha=0.2) == 0.2
    assert "relu'(0) = 0" in relu.kink and "alpha" in leaky_relu.kink


def test_relu_gradient_is_exactly_zero_for_negatives_and_one_for_positives():
    x = -np.logspace(-300, 300, 601)
    assert np.all(relu.derivative(x) == 0) and np.all(relu.derivative(-x) == 1)
    assert np.all(leaky_relu.derivative(x, alpha=0.3) == 0.3) and np.all(leaky_relu.derivative(-x, alpha=0.3) == 1)


@pytest.mark.parametrize("alpha", [0.0, 0.01, 0.2, 0.3, 0.999, 1.0, 1.5, 3.0, -0.5])
def test_leaky_relu_any_alpha(alpha):
    x = np.array([-3.0, -1.0, 0.0, 2.0, np.nan])
    expected = np.where(x > 0, x, alpha * x)
    np.testing.assert_array_equal(leaky_relu(x, alpha=alpha), expected)
    np.testing.assert_array_equal(leaky_relu.derivative(x, alpha=alpha), [alpha, alpha, alpha, 1.0, np.nan])


@pytest.mark.parametrize("f", CLASSIC, ids=lambda f: f.name)
def test_derivatives_match_finite_differences(f):
    x = np.concatenate([np.linspace(-8, -0.05, 60), np.linspace(0.05, 8, 60)])  # away from the kink at 0
    assert acts.gradient_check(f, f.derivative, x) < 1e-8
    if f.parameters:
        for value in (0.05, 0.5):
            g = lambda z, v=value: f(z, alpha=v)  # noqa: E731
            dg = lambda z, v=value: f.derivative(z, alpha=v)  # noqa: E731
            assert acts.gradient_check(g, dg, x) < 1e-8


def test_gradient_check_catches_a_wrong_derivative():
    x = np.linspace(-3, 3, 31)
    assert acts.gradient_check(sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)), x) < 1e-8
    assert acts.gradient_check(sigmoid, sigmoid, x) > 0.1  # f is not its own derivative


def test_against_scipy_and_numpy():
    x = np.linspace(-50, 50, 10001)
    np.testing.assert_allclose(sigmoid(x), scipy.special.expit(x), rtol=1e-15, atol=0)
    np.testing.assert_allclose(tanh(x), np.tanh(x), rtol=0, atol=0)
    np.testing.assert_array_equal(relu(x), np.maximum(x, 0))
    z = np.random.default_rng(0).normal(scale=10, size=(50, 7))
    for axis in (-1, 0):
        np.testing.assert_allclose(softmax(z, axis=axis), scipy.special.softmax(z, axis=axis), rtol=1e-13, atol=1e-300)
        # absolute tolerance: SciPy's log(sum(exp)) loses the relative accuracy of entries near 0 that ours keeps
        np.testing.assert_allclose(log_softmax(z, axis=axis), scipy.special.log_softmax(z, axis=axis),
                                   rtol=1e-13, atol=1e-14)


# ------------------------------------------------------------------ softmax and log_softmax
def test_softmax_of_large_logits_does_not_overflow():
    np.testing.assert_allclose(softmax([1000, 1001, 1002]), softmax([0, 1, 2]), rtol=1e-15)
    np.testing.assert_allclose(log_softmax([1000, 1001, 1002]), log_softmax([0, 1, 2]), rtol=1e-15)
    assert np.isclose(softmax(np.array([-1000.0, 0.0]))[0], 0.0) and log_softmax([-1000.0, 0.0])[0] == -1000.0


def test_softmax_non_finite_rows():
    assert np.all(np.isnan(softmax([np.inf, 1.0]))) and np.all(np.isnan(softmax([-np.inf, -np.inf])))
    assert np.all(np.isnan(log_softmax([np.inf, 1.0]))) and np.all(np.isnan(log_softmax([-np.inf, -np.inf])))
    np.testing.assert_array_equal(softmax([-np.inf, 0.0, -np.inf]), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(log_softmax([-np.inf, 0.0]), [-np.inf, 0.0])
    assert np.all(np.isnan(softmax([np.nan, 1.0])))
    rows = softmax(np.array([[0.0, 1.0], [np.inf, 0.0], [-np.inf, -np.inf]]))
    assert np.all(np.isfinite(rows[0])) and np.all(np.isnan(rows[1:]))


def test_log_softmax_keeps_tiny_values():
    # -log(1 + e^-40) = -4.25e-18, which log(sum(exp)) would round to 0
    assert log_softmax([0.0, -40.0])[0] == pytest.approx(-4.248354255291589e-18, rel=1e-15)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_softmax_dtypes_axes_and_sums(dtype):
    z = np.random.default_rng(1).normal(size=(3, 4, 5)).astype(dtype)
    for axis in (0, 1, 2, -1):
        s = softmax(z, axis=axis)
        assert s.dtype == dtype and s.shape == z.shape
        np.testing.assert_allclose(s.sum(axis=axis), 1, rtol=5e-3 if dtype == np.float16 else 1e-6)
        assert log_softmax(z, axis=axis).dtype == dtype
    assert softmax([1, 2, 3]).dtype == np.float64


@pytest.mark.parametrize("shape, axis", [((0,), -1), ((3, 0), -1), ((0, 4), 0), ((2, 0, 3), 1), ((0,), None)])
def test_softmax_of_an_empty_axis_is_empty(shape, axis):
    x = np.ones(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (softmax, log_softmax):
            out = f(x, axis=axis)
            assert out.shape == shape and out.dtype == np.float64
        if axis == -1:
            assert softmax.jacobian(x).shape == shape + (0,)
            assert log_softmax.jacobian(x).shape == shape + (0,)


@pytest.mark.parametrize("axis", [None, (0, 1), (1, 2), (0, 2), (-1, 0), 1])
def test_softmax_and_log_softmax_take_the_same_axes_as_scipy(axis):
    z = np.random.default_rng(3).normal(scale=5, size=(3, 4, 5))
    np.testing.assert_allclose(softmax(z, axis=axis), scipy.special.softmax(z, axis=axis), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(log_softmax(z, axis=axis), scipy.special.log_softmax(z, axis=axis),
                               rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(np.exp(log_softmax(z, axis=axis)).sum(axis=axis), 1, rtol=1e-14)


def test_log_softmax_with_tied_maxima_stays_exact():
    np.testing.assert_array_equal(log_softmax([0.0, 0.0]), [-np.log(2), -np.log(2)])
    np.testing.assert_allclose(log_softmax([3.0, 3.0, 3.0, -50.0])[:3], -np.log(3), rtol=1e-15)
    assert log_softmax([5.0, 5.0, -40.0])[2] == pytest.approx(-45 - np.log(2), rel=1e-15)


def test_softmax_needs_a_vector():
    with pytest.raises(ValueError, match="softmax.*scalar"):
        softmax(3.0)


def test_softmax_jacobian_against_finite_differences_and_formula():
    z = np.random.default_rng(2).normal(size=(4, 6))
    jac = softmax.jacobian(z)
    assert jac.shape == (4, 6, 6)
    np.testing.assert_allclose(jac, acts.numerical_jacobian(softmax, z), atol=1e-9)
    s = softmax(z)
    np.testing.assert_allclose(jac, np.einsum("bi,ij->bij", s, np.eye(6)) - np.einsum("bi,bj->bij", s, s), atol=1e-16)
    np.testing.assert_allclose(jac.sum(axis=1), 0, atol=1e-15)  # probabilities always sum to 1
    np.testing.assert_allclose(log_softmax.jacobian(z), acts.numerical_jacobian(log_softmax, z), atol=1e-8)
    assert softmax.jacobian([0.4, 2, 5]).shape == (3, 3)


def test_metadata_is_complete():
    for f in CLASSIC + VECTOR:
        assert f.title and f.latex and f.latex_derivative and f.output_range and f.summary
    for f in CLASSIC:
        assert set(f.properties.as_dict()) == {"monotonic", "smooth", "bounded_below", "bounded_above"}
    assert leaky_relu.defaults == {"alpha": 0.01} and leaky_relu.parameters[0].high == 1.0
    assert repr(sigmoid) == "<activation sigmoid>"


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_both_cpu_paths_give_the_same_numbers_block_by_block(dtype, monkeypatch):
    """The formulas are picked per CPU (acts.functions.NUMPY_AVX512) and run in blocks: results do not depend on
    either, beyond the last bits where the two tanh' forms for float32/16 differ."""
    from acts import functions

    x = np.random.default_rng(4).normal(scale=30, size=3 * functions.BLOCK + 17).astype(dtype)
    x[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30]
    whole = {flag: None for flag in (False, True)}
    for flag in whole:
        monkeypatch.setattr(functions, "NUMPY_AVX512", flag)
        whole[flag] = (sigmoid(x), sigmoid.derivative(x), tanh.derivative(x))
        blocks = [np.concatenate([f(x[i:i + 1000]) for i in range(0, x.size, 1000)])
                  for f in (sigmoid, sigmoid.derivative, tanh.derivative)]
        for got, want in zip(whole[flag], blocks):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(whole[False][0], whole[True][0])
    np.testing.assert_array_equal(whole[False][1], whole[True][1])
    rtol = {np.float16: 5e-3, np.float32: 1e-6, np.float64: 0}[dtype]  # a few ULPs of float16 (eps ~1e-3)
    subnormal_ulps = 8 * np.finfo(dtype).smallest_subnormal  # the two forms differ in the last subnormal bits
    np.testing.assert_allclose(whole[False][2], whole[True][2], rtol=rtol, atol=subnormal_ulps)
