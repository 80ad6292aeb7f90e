"""float64 accuracy against a 200-bit mpmath reference (design.md section 2).

sigmoid, tanh, relu, leaky_relu within 2 ULP and their derivatives within 4 ULP over [-800, 800], subnormal
results counted in units of the smallest subnormal; softmax and log_softmax within 4 ULP per unit of the
problem's condition number, element by element.

That condition number: every algorithm that works in doubles rounds the shifted logits d = x - max x, and exp
turns an absolute error u|d_j| into a relative one. Relative to the result, that moves softmax_i by up to
u (|d_i| + sum_j s_j |d_j|) and log_softmax_i by the same amount divided by |log_softmax_i|. So
cond_i = max(1, |d_i| + sum_j s_j |d_j|) for softmax: |x_i - max x| plus a weighted mean, which matters only for
the top entries. For log_softmax it is divided by |log_softmax_i|, so the top entry of a row whose other
entries are tiny (log_softmax = -log1p(tiny)) is judged against what its inputs can determine.
"""

import mpmath
import numpy as np
import pytest

import acts

from reference import MP, accuracy_grid, cached_reference, reference, ulp_error

GRID = accuracy_grid(-800.0, 800.0, n=2001)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_functions_within_2_ulp_and_derivatives_within_4(name):
    f, df = MP[name]
    if name == "leaky_relu":  # the double nearest 0.01 is what the code multiplies by
        f = lambda x: x if x > 0 else mpmath.mpf(0.01) * x  # noqa: E731
        df = lambda x: mpmath.mpf(1) if x > 0 else mpmath.mpf(0.01)  # noqa: E731
    act = acts.ACTIVATIONS[name]
    # the 200-bit references are kept on disk between runs (reference.cached), keyed by this file and the grid
    value_error = ulp_error(act(GRID), cached_reference(f, GRID, name, "f", sources=[__file__]))
    slope_error = ulp_error(act.derivative(GRID), cached_reference(df, GRID, name, "f'", sources=[__file__]))
    assert value_error.max() <= 2, f"{name}: {value_error.max()} ULP at x = {GRID[value_error.argmax()]}"
    assert slope_error.max() <= 4, f"{name}': {slope_error.max()} ULP at x = {GRID[slope_error.argmax()]}"


def test_subnormal_tails_are_resolved():
    x = np.array([-709.0, -720.0, -740.0, -744.0])
    assert ulp_error(acts.sigmoid(x), reference(MP["sigmoid"][0], x)).max() <= 2
    assert ulp_error(acts.sigmoid.derivative(-x), reference(MP["sigmoid"][1], -x)).max() <= 4
    assert ulp_error(acts.tanh.derivative(x / 2), reference(MP["tanh"][1], x / 2)).max() <= 4


def _mp_softmax_row(row):
    row = [mpmath.mpf(float(v)) for v in row]
    top = max(row)
    rest = mpmath.fsum(sorted(mpmath.exp(v - top) for v in row)[:-1])  # every term but the top one (= 1)
    log_total = mpmath.log1p(rest)  # log(1 + rest): log(total) would round 1 + 1e-65 to 1 even at 200 bits
    return ([float(mpmath.exp(v - top) / (1 + rest)) for v in row],
            [float((v - top) - log_total) for v in row])


def _condition(z, log=False):
    d = np.abs(z - z.max(axis=-1, keepdims=True))
    s = acts.softmax(z)
    cond = d + np.sum(s * d, axis=-1, keepdims=True)
    if log:
        with np.errstate(divide="ignore"):
            cond = cond / np.abs(acts.log_softmax(z))
    return np.maximum(1.0, np.nan_to_num(cond, posinf=1.0))


@pytest.mark.parametrize("scale", [0.1, 1.0, 10.0, 300.0])
def test_softmax_and_log_softmax_within_4_ulp_per_unit_of_condition(scale):
    rng = np.random.default_rng(int(scale * 10))
    z = rng.normal(scale=scale, size=(40, 12))
    z[0, :] = [0.0, -40.0, -1e-3, 1e-3, -700, -745, 5, 5, 5, 0.4, 2, 5]  # ties, tiny and subnormal outputs
    expected = [_mp_softmax_row(row) for row in z]
    for log, got, want in ((False, acts.softmax(z), np.array([e[0] for e in expected])),
                           (True, acts.log_softmax(z), np.array([e[1] for e in expected]))):
        per_unit = ulp_error(got, want) / _condition(z, log)
        assert per_unit.max() <= 4, f"{per_unit.max()} ULP per unit of condition (log={log})"
