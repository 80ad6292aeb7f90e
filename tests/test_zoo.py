"""The activation zoo (acts.zoo.zoo, also acts.widgets.zoo) and the properties table (acts.properties).

Widget logic without a browser (design.md section 5): set a control's value, then check the plotted data.
"""

import html

import mpmath
import numpy as np
import pytest

import acts
import acts.widgets
from acts.properties import MEAN, NEGATIVE, SMOOTH, PropertiesTable, latex_to_text, properties_table
from acts.zoo import MAX_CURVES, Zoo, zoo


def _visible(lines):
    return [line for line in lines if line.get_visible()]


def _assert_curves_match(z):
    """Each visible slot shows its activation and derivative at the current parameters, in registry order."""
    assert len(_visible(z.function_lines)) == len(z.selected) == len(_visible(z.derivative_lines))
    for slot, name in enumerate(z.selected):
        act, params = acts.ACTIVATIONS[name], z.params(name)
        x, y = z.function_lines[slot].get_data()
        dx, dy = (np.asarray(d) for d in z.derivative_lines[slot].get_data())
        np.testing.assert_array_equal(y, act(x, **params))
        drawn = ~np.isnan(dy)  # NaN points are the gaps drawn at a derivative's jumps
        np.testing.assert_array_equal(dy[drawn], act.derivative(dx[drawn], **params))
        np.testing.assert_array_equal(dx[drawn], x)
        for ax, data in ((z.function_axes, y), (z.derivative_axes, dy)):  # every curve fits in its panel
            lo, hi = ax.get_ylim()
            assert lo <= np.nanmin(data) and np.nanmax(data) <= hi


def test_default_zoo_builds_and_renders_once():
    z = zoo()
    assert isinstance(z, Zoo) and acts.widgets.zoo is zoo
    assert z.selected == ("relu", "gelu", "silu", "mish")
    assert z.canvas.renders == 1 and z.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert [c.description for c in z.control_box.children] == ["gelu: approximate"]
    assert set(z.picker.options) == set(acts.ACTIVATIONS)
    _assert_curves_match(z)
    assert z.function_lines[0].get_color() != z.function_lines[1].get_color()
    assert z.function_lines[0].get_linestyle() != z.function_lines[1].get_linestyle()


def test_picking_changes_curves_controls_and_legend():
    z = zoo(["sigmoid"])
    renders = z.canvas.renders
    z.picker.value = ("elu", "leaky_relu", "tanh")
    assert z.selected == ("tanh", "leaky_relu", "elu")  # registry order, so colours do not jump around
    assert [c.description for c in z.control_box.children] == ["leaky_relu: alpha", "elu: alpha"]
    assert z.canvas.renders == renders + 1
    _assert_curves_match(z)
    legend = [t.get_text() for t in z.function_axes.get_legend().get_texts()]
    assert legend == ["tanh", "leaky_relu", "elu"]


def test_at_most_six_at_once():
    z = zoo(["relu", "gelu"])
    z.picker.value = tuple(list(acts.ACTIVATIONS)[:MAX_CURVES + 1])
    assert z.selected == ("relu", "gelu")  # the seventh pick is refused, the previous selection kept
    assert f"At most {MAX_CURVES}" in z.status.value
    z.picker.value = tuple(list(acts.ACTIVATIONS)[:MAX_CURVES])
    assert len(z.selected) == MAX_CURVES and z.status.value == ""
    _assert_curves_match(z)


def test_parameter_slider_moves_only_its_curve_with_one_fast_render():
    z = zoo(["elu", "relu"])
    before_relu = z.function_lines[0].get_data()[1].copy()
    limits, renders, full_draws = (z.function_axes.get_ylim(), z.derivative_axes.get_ylim()), z.canvas.renders, \
        z.canvas.full_draws
    slider = z.controls["elu.alpha"]
    for value in (0.3, 2.5, slider.min, slider.max):
        slider.value = value
        assert z.params("elu") == {"alpha": slider.value}
        _assert_curves_match(z)
    assert z.canvas.renders == renders + 4
    # the axes hold the slider's whole range: each move only blits the curves
    assert (z.function_axes.get_ylim(), z.derivative_axes.get_ylim()) == limits
    assert z.canvas.full_draws == full_draws
    np.testing.assert_array_equal(z.function_lines[0].get_data()[1], before_relu)


def test_gelu_approximation_dropdown():
    z = zoo(["gelu"])
    exact = z.function_lines[0].get_data()[1].copy()
    z.controls["gelu.approximate"].value = "tanh"
    x, y = z.function_lines[0].get_data()
    np.testing.assert_array_equal(y, acts.gelu(x, approximate="tanh"))
    assert 0 < np.max(np.abs(y - exact)) < 1e-3


def test_x_range_slider():
    z = zoo(["softsign", "hardswish"])
    full_draws = z.canvas.full_draws
    z.x_range.value = (-12.0, 3.0)
    assert z.canvas.full_draws == full_draws, "a new x range redraws the axes' levels, not the whole figure"
    layered = bytes(z.image.value)
    z.canvas.invalidate()
    z._render()
    assert bytes(z.image.value) == layered, "the cached levels give the pixels of a full redraw"
    x, _ = z.function_lines[0].get_data()
    assert x[0] == -12.0 and x[-1] == 3.0
    assert z.function_axes.get_xlim() == (-12.0, 3.0) == z.derivative_axes.get_xlim()
    _assert_curves_match(z)


def test_empty_selection_hides_every_curve():
    z = zoo(["relu"])
    z.picker.value = ()
    assert z.selected == () and not _visible(z.function_lines) and not _visible(z.derivative_lines)
    assert "Pick" in z.status.value
    z.picker.value = ("relu",)
    assert len(_visible(z.function_lines)) == 1


@pytest.mark.parametrize("args,kwargs,match", [
    (("swish",), {}, "unknown activation"),
    ((["relu", "sigmod"],), {}, r"unknown activation .sigmod. \(did you mean .sigmoid.\?\)"),
    ((list(acts.ACTIVATIONS)[:7],), {}, "at most 6"),
    ((["relu"],), {"x_range": (2, 1)}, "x_range"),
    ((["relu"],), {"x_range": (-50, 1)}, "x_range"),
])
def test_bad_arguments_are_clear_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        zoo(*args, **kwargs)


def test_derivative_jumps_are_gaps_not_vertical_segments():
    z = zoo(["relu", "hardswish", "gelu"])
    gaps = {name: np.asarray(line.get_xdata())[np.isnan(line.get_ydata())]
            for name, line in zip(z.selected, z.derivative_lines)}
    step = 10.0 / 600
    np.testing.assert_allclose(gaps["relu"], [0.0], atol=step)             # relu' jumps from 0 to 1 at 0
    np.testing.assert_allclose(gaps["hardswish"], [-3.0, 3.0], atol=step)  # hardswish' jumps at -3 and 3
    assert gaps["gelu"].size == 0                                          # gelu' is continuous


def test_a_single_name_is_accepted():
    assert zoo("selu").selected == ("selu",)


# ---------------------------------------------------------------- the properties table
@pytest.fixture(scope="module")
def table():
    return properties_table()


def test_table_has_every_activation_and_the_metadata(table):
    assert isinstance(table, PropertiesTable)
    labels = [row["activation"] for row in table.rows]
    names = list(acts.ACTIVATIONS)
    after = names.index("gelu") + 1
    expected = names[:after] + ["gelu (tanh)"] + names[after:]
    assert labels == ["elu (α = 1)" if label == "elu" else label for label in expected]
    for name, act in acts.ACTIVATIONS.items():
        row = table[name]
        props = act.properties
        for column, value in (("monotonic", props.monotonic), (SMOOTH, props.smooth),
                              ("bounded below", props.bounded_below), ("bounded above", props.bounded_above)):
            assert row[column] == ("yes" if value else "no"), (name, column)
        assert row["range"] == latex_to_text(act.output_range)
    with pytest.raises(KeyError):
        table["swish"]


def test_smooth_column_says_c1_and_elu_row_names_its_alpha(table):
    # "smooth" in the metadata is C1 (acts/activation.py): ELU is C1 only for alpha = 1, so its row says so
    assert SMOOTH == "smooth (C¹)" and SMOOTH in repr(table).splitlines()[0] and SMOOTH in table._repr_html_()
    assert table["elu"] is table["elu (α = 1)"] and table["elu"][SMOOTH] == "yes"
    assert table["softsign"][SMOOTH] == "yes" and table["selu"][SMOOTH] == "no"
    h = 1e-6  # ELU (alpha = 1): slope continuous at 0, its second derivative jumps from 1 to 0
    assert acts.elu.derivative(-h) == pytest.approx(1, abs=1e-5) and acts.elu.derivative(h) == 1
    left = (acts.elu.derivative(0.0) - acts.elu.derivative(-h)) / h
    right = (acts.elu.derivative(h) - acts.elu.derivative(0.0)) / h
    assert left == pytest.approx(1, abs=1e-5) and right == 0
    assert acts.elu.derivative(-h, alpha=2.0) == pytest.approx(2, abs=1e-5)  # any other alpha: the slope jumps


def test_centring_is_measured_not_declared(table):
    # zero-centred means mean output about 0 on N(0, 1) inputs (design.md section 8): no yes/no column states
    # the old definition (f(0) = 0, both signs), two measured columns replace it
    assert MEAN in table.columns and NEGATIVE in table.columns
    assert not any("zero-centred" in c or "both signs" in c for c in table.columns)
    header = repr(table).splitlines()[0]
    assert MEAN in header and NEGATIVE in header and html.escape(NEGATIVE) in table._repr_html_()
    # GELU and leaky ReLU are negative half the time, yet their mean outputs are well above 0; tanh's is 0
    assert table["gelu"][NEGATIVE] == table["leaky_relu"][NEGATIVE] == table["tanh"][NEGATIVE] == "0.50"
    assert table["gelu"][MEAN] == "0.28" and table["leaky_relu"][MEAN] == "0.39" and table["tanh"][MEAN] == "0.00"
    assert table["relu"][NEGATIVE] == "0.00" and table["log_sigmoid"][NEGATIVE] == "1.00"


@pytest.mark.parametrize("name,fn", [
    ("sigmoid", lambda t: 1 / (1 + mpmath.exp(-t))),
    ("tanh", mpmath.tanh),
    ("relu", lambda t: max(t, 0)),
    ("leaky_relu", lambda t: t if t > 0 else t / 100),
    ("softplus", lambda t: mpmath.log1p(mpmath.exp(t))),
    ("elu", lambda t: t if t > 0 else mpmath.expm1(t)),
    ("gelu", lambda t: t * mpmath.ncdf(t)),
    ("silu", lambda t: t / (1 + mpmath.exp(-t))),
    ("mish", lambda t: t * mpmath.tanh(mpmath.log1p(mpmath.exp(t)))),
    ("hardswish", lambda t: t * min(max(t + 3, 0), 6) / 6),
    ("log_sigmoid", lambda t: -mpmath.log1p(mpmath.exp(-t))),
])
def test_mean_on_standard_normal_agrees_with_mpmath(table, name, fn):
    """E f(Z), Z ~ N(0, 1), by mpmath quadrature split at the kinks, rounded as the table prints it."""
    mean = mpmath.quad(lambda t: fn(t) * mpmath.npdf(t), [-mpmath.inf, -3, 0, 3, mpmath.inf])
    expected = f"{round(float(mean), 2) + 0.0:.2f}".replace("-", "−")
    assert table[name][MEAN] == expected, (name, float(mean))


def _mp_extreme(f, start):
    """An interior extreme of f, found by mpmath's root finder on f' (numerical derivative at 200 bits)."""
    where = mpmath.findroot(lambda t: mpmath.diff(f, t), start)
    return float(f(where)), float(where)


@pytest.mark.parametrize("name,column,fn,start", [
    ("gelu", "min f", lambda t: t * mpmath.ncdf(t), -0.7),
    ("silu", "min f", lambda t: t / (1 + mpmath.exp(-t)), -1.3),
    ("mish", "min f", lambda t: t * mpmath.tanh(mpmath.log1p(mpmath.exp(t))), -1.2),
    ("gelu", "max f′", lambda t: mpmath.ncdf(t) + t * mpmath.npdf(t), 1.4),
    ("silu", "max f′", lambda t: (1 + mpmath.exp(-t) + t * mpmath.exp(-t)) / (1 + mpmath.exp(-t)) ** 2, 2.4),
])
def test_interior_extremes_agree_with_mpmath(table, name, column, fn, start):
    value, where = _mp_extreme(fn, start)
    text = table[name][column]
    assert text == f"{value:.4g} at x = {where:.3g}".replace("-", "−"), (text, value, where)


@pytest.mark.parametrize("name,column,text", [
    ("sigmoid", "max f′", "0.25 at x = 0"),             # sigma'(0) = 1/4
    ("relu", "max f′", "1 for x > 0"),                   # relu'(0) = 0, as in PyTorch
    ("relu", "min f", "0 for x ≤ 0"),
    ("elu", "max f′", "1 for x ≥ 0"),                    # elu'(0) = alpha = 1
    ("elu", "min f", "−1 as x → −∞"),                    # -alpha, approached, never reached
    ("selu", "max f′", "1.758 at x = 0"),                # lambda alpha, the left limit, kept at 0
    ("softplus", "max f′", "1 as x → ∞"),
    ("hardsigmoid", "max f′", "0.1667 for −3 < x < 3"),
    ("hardsigmoid", "min f", "0 for x ≤ −3"),
    ("hardswish", "min f", "−0.375 at x = −1.5"),        # x (x + 3) / 6 is smallest at x = -3/2
    ("hardswish", "max f′", "1.5 as x → 3⁻"),            # (2x + 3) / 6 -> 3/2, but hardswish'(3) = 1
    ("leaky_relu", "min f", "−∞ as x → −∞"),
    ("log_sigmoid", "max f′", "1 as x → −∞"),
])
def test_plateaus_limits_and_kinks_are_described(table, name, column, text):
    assert table[name][column] == text


def test_table_renders_deterministically(table):
    again = properties_table()
    assert repr(again) == repr(table) and again._repr_html_() == table._repr_html_()
    html = table._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == len(table) + 1
    text = repr(table).splitlines()
    assert text[0].split()[:2] == ["activation", "range"] and len(text) == len(table) + 2
    assert all(row["activation"] in repr(table) for row in table.rows)


def test_table_selection_and_errors():
    small = properties_table(["relu", "gelu"], variants=False)
    assert [r["activation"] for r in small.rows] == ["relu", "gelu"]
    assert [r["activation"] for r in properties_table("gelu").rows] == ["gelu", "gelu (tanh)"]
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        properties_table(["swish"])


def test_latex_to_text():
    assert latex_to_text(r"[\approx -0.17, \infty)") == "[≈ −0.17, ∞)"
    assert latex_to_text(r"(-\alpha, \infty)") == "(−α, ∞)"
