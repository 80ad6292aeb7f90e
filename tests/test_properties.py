"""Property-based tests (hypothesis): the rules hold for every input, not just the ones we thought of."""

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import acts

FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, width=64)
DTYPES = st.sampled_from([np.float16, np.float32, np.float64])
NAMES = st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu"])


def arrays(max_dims=3):
    """Arrays of any float dtype and shape (0-d included), with every value the dtype can hold: nan, inf, subnormal."""
    return DTYPES.flatmap(lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=max_dims, max_side=5),
                                                elements=hnp.from_dtype(np.dtype(dt))))


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            return fn(*args, **kwargs)


@settings(max_examples=150, deadline=None)
@given(NAMES, arrays())
def test_dtype_shape_nan_and_no_warnings(name, x):
    act = acts.ACTIVATIONS[name]
    for fn in (act, act.derivative):
        out = _quiet(fn, x)
        assert np.shape(out) == x.shape and np.asarray(out).dtype == x.dtype
        np.testing.assert_array_equal(np.isnan(out), np.isnan(x))


@settings(max_examples=200, deadline=None)
@given(FINITE, FINITE)
def test_monotonic_and_bounded(a, b):
    lo, hi = min(a, b), max(a, b)
    for act in (acts.sigmoid, acts.tanh, acts.relu, acts.leaky_relu):
        assert act(lo) <= act(hi)
        assert act.derivative(lo) >= 0
    assert 0 <= acts.sigmoid(a) <= 1 and -1 <= acts.tanh(a) <= 1 and acts.relu(a) >= 0
    assert 0 <= acts.sigmoid.derivative(a) <= 0.25 and 0 <= acts.tanh.derivative(a) <= 1


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-700, max_value=700))
def test_symmetries(x):
    # sigma(-x) = 1 - sigma(x), tanh(x) = 2 sigma(2x) - 1, both derivatives even, tanh odd
    assert np.isclose(acts.sigmoid(-x), 1 - acts.sigmoid(x), rtol=0, atol=2.3e-16)  # 1 - s is exact to ulp(1)
    assert np.isclose(acts.tanh(x), 2 * acts.sigmoid(2 * x) - 1, rtol=0, atol=5e-16)
    assert acts.sigmoid.derivative(x) == acts.sigmoid.derivative(-x)
    assert acts.tanh.derivative(x) == acts.tanh.derivative(-x) and acts.tanh(-x) == -acts.tanh(x)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
                  elements=st.floats(min_value=-1e4, max_value=1e4)))
def test_softmax_is_a_distribution_and_shift_invariant(x):
    s = _quiet(acts.softmax, x)
    assert np.all(s >= 0) and np.all(s <= 1)
    np.testing.assert_allclose(s.sum(axis=-1), 1, rtol=1e-12)
    np.testing.assert_allclose(_quiet(acts.softmax, x + 123.0), s, atol=1e-12)
    np.testing.assert_allclose(np.exp(_quiet(acts.log_softmax, x)), s, atol=1e-12)
    assert np.all(_quiet(acts.log_softmax, x) <= 0)
    # the largest logit gets the largest probability
    np.testing.assert_array_equal(np.take_along_axis(s, np.argmax(x, axis=-1)[..., None], -1)[..., 0], s.max(axis=-1))


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=5),
                  elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_softmax_any_input_is_quiet_and_nan_rows_are_whole(x):
    s = _quiet(acts.softmax, x)
    ls = _quiet(acts.log_softmax, x)
    row_nan = np.isnan(s).any(axis=-1)
    assert np.all(np.isnan(s)[row_nan]) and np.all(np.isnan(ls)[row_nan])
    finite_max = np.isfinite(x.max(axis=-1)) & ~np.isnan(x).any(axis=-1)
    np.testing.assert_array_equal(row_nan, ~finite_max)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(min_value=-20, max_value=20)))
def test_softmax_jacobian_matches_finite_differences(x):
    np.testing.assert_allclose(acts.softmax.jacobian(x), acts.numerical_jacobian(acts.softmax, x), atol=1e-8)
