"""The explorer's logic without a browser: set a control's value, check the plotted data and the readout."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest

import acts
from acts.activation import Activation, Parameter, Properties
from acts.explorers import Explorer, explore

from widget_tree import find_control, walk

NAMES = sorted(acts.ACTIVATIONS)


def _curve_matches(line, func, **params):
    """The line's points lie on func; NaN points (the gaps drawn at a derivative's jumps) are left out."""
    x, y = (np.asarray(d, dtype=float) for d in line.get_data())
    drawn = ~np.isnan(y)
    np.testing.assert_allclose(y[drawn], func(x[drawn], **params), rtol=1e-12, atol=0)
    return x[drawn]


def _gaps(line):
    x, y = (np.asarray(d, dtype=float) for d in line.get_data())
    return x[np.isnan(y)]


@pytest.mark.parametrize("name", NAMES)
def test_every_activation_builds_with_its_curves(name):
    explorer = explore(name)
    assert isinstance(explorer, widgets.Box)
    f = acts.ACTIVATIONS[name]
    x = _curve_matches(explorer.function_line, f)
    _curve_matches(explorer.derivative_line, f.derivative)
    assert (x.min(), x.max()) == (-6.0, 6.0)
    assert bytes(explorer.image.value).startswith(b"\x89PNG"), "the first render is a PNG"
    assert explorer.image in list(walk(explorer)), "the image is part of the widget tree"


@pytest.mark.parametrize("name, jumps", [("relu", [0.0]), ("leaky_relu", [0.0]), ("hardsigmoid", [-3.0, 3.0]),
                                         ("hardswish", [-3.0, 3.0]), ("sigmoid", []), ("gelu", []), ("elu", []),
                                         ("selu", [0.0]), ("mish", []), ("softsign", [])])
def test_derivative_jumps_are_gaps_not_vertical_segments(name, jumps):
    explorer = explore(name, x_range=(-5.0, 5.0))
    step = 10.0 / 600
    np.testing.assert_allclose(_gaps(explorer.derivative_line), jumps, atol=step)
    assert _gaps(explorer.function_line).size == 0, "the functions themselves are continuous"


def test_elu_gets_a_gap_only_when_alpha_makes_its_derivative_jump():
    explorer = explore("elu", x_range=(-5.0, 5.0))
    assert _gaps(explorer.derivative_line).size == 0  # alpha = 1: elu'(0-) = elu'(0+) = 1
    explorer.controls["alpha"].value = 0.3
    np.testing.assert_allclose(_gaps(explorer.derivative_line), [0.0], atol=10.0 / 600)


@pytest.mark.parametrize("name", NAMES)
def test_every_parameter_has_a_reachable_control(name):
    explorer = explore(name)
    for param in acts.ACTIVATIONS[name].parameters:
        control = find_control(explorer, param.name)
        assert control is explorer.controls[param.name]
        if isinstance(control, widgets.FloatSlider):  # strictly inside the open interval (low, high)
            assert param.low < control.min <= control.value <= control.max < param.high


def test_leaky_relu_alpha_slider_changes_the_curves():
    explorer = explore("leaky_relu")
    alpha = find_control(explorer, "alpha")
    assert 0 < alpha.min and alpha.max < 1, "alpha is kept inside (0, 1)"
    renders = explorer.canvas.renders
    alpha.value = 0.3
    assert explorer.canvas.renders == renders + 1, "one render per change"
    _curve_matches(explorer.function_line, acts.leaky_relu, alpha=0.3)
    x = _curve_matches(explorer.derivative_line, acts.leaky_relu.derivative, alpha=0.3)
    slope = np.asarray(explorer.derivative_line.get_ydata())
    slope = slope[~np.isnan(slope)]
    assert np.all(slope[x < 0] == 0.3) and np.all(slope[x > 0] == 1)
    assert "(alpha=0.3)" in explorer.readout.value


def test_leaky_relu_alpha_cannot_leave_the_open_interval():
    alpha = explore("leaky_relu").controls["alpha"]
    alpha.value = 5.0
    assert alpha.value < 1
    alpha.value = -1.0
    assert alpha.value > 0
    with pytest.raises(ValueError, match=r"strictly inside \(0, 1\)"):
        explore("leaky_relu", alpha=1.0)


def test_x_range_slider_resamples_and_keeps_x0_inside():
    explorer = explore("tanh", x0=1.0)
    find_control(explorer, "x range").value = (2.0, 10.0)
    x = _curve_matches(explorer.function_line, acts.tanh)
    assert (x.min(), x.max()) == (2.0, 10.0)
    assert explorer.function_axes.get_xlim() == (2.0, 10.0)
    assert 2.0 <= explorer.x0.value <= 10.0 and (explorer.x0.min, explorer.x0.max) == (2.0, 10.0)
    explorer.x_range.value = (-15.0, -12.0)  # jump past the old range: x0 follows
    assert (explorer.x0.min, explorer.x0.max) == (-15.0, -12.0)
    assert explorer.point.get_xdata()[0] == explorer.x0.value


@pytest.mark.parametrize("name, x0", [("sigmoid", 0.0), ("sigmoid", -2.5), ("tanh", 1.25), ("relu", 2.0),
                                      ("relu", -1.0), ("leaky_relu", -3.0)])
def test_tangent_slope_is_the_derivative_at_x0(name, x0):
    f = acts.ACTIVATIONS[name]
    explorer = explore(name)
    find_control(explorer, "x0").value = x0
    (xa, xb), (ya, yb) = explorer.tangent_line.get_data()
    assert xa < x0 < xb
    assert (yb - ya) / (xb - xa) == pytest.approx(f.derivative(x0), abs=1e-12)
    assert ya + (yb - ya) * (x0 - xa) / (xb - xa) == pytest.approx(f(x0), abs=1e-12), "it touches f at x0"
    assert tuple(explorer.point.get_data()) == ([x0], [pytest.approx(f(x0))])
    assert explorer.derivative_point.get_ydata()[0] == pytest.approx(f.derivative(x0))
    text = explorer.readout.value
    assert f"f(x0) = {f(x0):.4g}" in text and f"f'(x0) = {f.derivative(x0):.4g}" in text


def test_sigmoid_readout_at_zero():
    explorer = explore("sigmoid", x0=0.0)
    assert "f(x0) = 0.5<" in explorer.readout.value and "f'(x0) = 0.25<" in explorer.readout.value


def test_derivative_toggle_hides_and_shows_the_panel():
    explorer = explore("sigmoid")
    wide = explorer.function_axes.get_position().width
    explorer.show_derivative.value = False
    assert not explorer.derivative_axes.get_visible()
    assert explorer.function_axes.get_position().width > 1.8 * wide, "the function panel takes the space"
    explorer.show_derivative.value = True
    assert explorer.derivative_axes.get_visible()
    assert explorer.function_axes.get_position().width == pytest.approx(wide)
    assert not explore("relu", show_derivative=False).derivative_axes.get_visible()


def test_each_change_produces_a_new_image():
    explorer = explore("sigmoid")
    images = {bytes(explorer.image.value)}
    for x0 in (-3.0, 0.5, 4.0):
        explorer.x0.value = x0
        images.add(bytes(explorer.image.value))
    explorer.x_range.value = (-10.0, 10.0)
    images.add(bytes(explorer.image.value))
    assert len(images) == 5


def test_cached_layers_give_the_same_pixels_as_a_full_redraw():
    explorer = explore("leaky_relu")
    for change in [("x0", -2.0), ("x_range", (-4.0, 10.0)), ("x0", 3.0), ("alpha", 0.5), ("x_range", (-8.0, 2.0))]:
        control = explorer.controls["alpha"] if change[0] == "alpha" else getattr(explorer, change[0])
        control.value = change[1]
        layered = bytes(explorer.image.value)
        explorer.canvas.invalidate()  # forget the cached layers: draw from scratch
        explorer._render()
        assert bytes(explorer.image.value) == layered, f"stale pixels after setting {change[0]}"


def test_hold_renders_once():
    explorer = explore("leaky_relu")
    before = explorer.canvas.renders
    with explorer.hold():
        explorer.controls["alpha"].value = 0.2
        explorer.x0.value = -2.0
        explorer.x_range.value = (-4.0, 4.0)
    assert explorer.canvas.renders == before + 1
    _curve_matches(explorer.function_line, acts.leaky_relu, alpha=0.2)


def test_initial_values_are_honoured():
    explorer = explore("leaky_relu", alpha=0.2, x_range=(-3, 5), x0=-1.5, show_derivative=False)
    assert explorer.params == {"alpha": 0.2}
    assert explorer.x_range.value == (-3.0, 5.0) and explorer.x0.value == -1.5
    _curve_matches(explorer.function_line, acts.leaky_relu, alpha=0.2)


def test_bad_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'swishh'") as info:
        explore("swishh")
    for name in NAMES:
        assert name in str(info.value)
    with pytest.raises(TypeError, match="valid names"):
        explore(3)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"beta": 2.0}, TypeError, "unknown parameter"),
    ({"x_range": (5, -5)}, ValueError, "x_range"),
    ({"x_range": (-50, 5)}, ValueError, "x_range"),
    ({"x0": 9.0}, ValueError, "x0"),
])
def test_bad_arguments_give_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        explore("leaky_relu", **kwargs)


def test_controls_are_built_generically_from_parameters():
    """An activation added later (string choices, several numbers, unbounded) gets matching controls."""

    def forward(x, scale, mode):
        return scale * (np.tanh(x) if mode == "tanh" else x)

    def backward(x, scale, mode):
        return scale * (1 - np.tanh(x) ** 2 if mode == "tanh" else np.ones_like(x))

    toy = Activation(name="toy", title="Toy", forward=forward, backward=backward, latex="", latex_derivative="",
                     output_range="", properties=Properties(True, True, False, False),
                     parameters=(Parameter("scale", 1.0, 0.0, float("inf"), "a factor"),
                                 Parameter("mode", "tanh", None, None, "shape", choices=("tanh", "linear"))))
    explorer = explore(toy)
    assert isinstance(explorer, Explorer)
    assert isinstance(explorer.controls["scale"], widgets.FloatSlider)
    assert isinstance(explorer.controls["mode"], widgets.Dropdown)
    assert explorer.controls["mode"].options == ("tanh", "linear")
    explorer.controls["mode"].value = "linear"
    explorer.controls["scale"].value = 2.0
    x, y = explorer.function_line.get_data()
    np.testing.assert_allclose(y, 2.0 * np.asarray(x))
    with pytest.raises(ValueError, match="not one of"):
        explore(toy, mode="cubic")


def test_public_facade():
    import acts.widgets

    assert acts.widgets.explore is explore


@pytest.mark.parametrize("build", [lambda: explore("relu"), lambda: acts.widgets.zoo(),
                                   lambda: acts.widgets.softmax_explorer(),
                                   lambda: acts.widgets.vanishing_gradients(depth=5, width=10, batch=8)])
def test_output_bundle_carries_a_png_of_the_figure_for_viewers_without_the_widget(build):
    import base64

    widget = build()
    bundle, metadata = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle, "the live widget stays the first choice"
    assert metadata["image/png"]["alt"].startswith("Figure"), "the picture has alternative text like every figure"
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG") and png == bytes(widget.figure_image.image.value)
    assert "children=" not in bundle["text/plain"] and "run the cell" in bundle["text/plain"]


def test_shared_helpers_y_limits_and_gaps():
    from acts._controls import with_gaps_at_jumps, y_limits

    lo, hi = y_limits([np.array([0.2, 0.9])])
    assert lo <= 0 < 0.9 < hi, "0 is always shown, with a margin above the data"
    assert y_limits([np.array([0.1, 0.95])], current=(lo, hi)) == (lo, hi), "limits hold while the data fit"
    assert y_limits([np.array([0.0, 3.0])], current=(lo, hi)) != (lo, hi)
    assert y_limits([np.array([np.nan, np.inf])]) == (-1.5, 1.5), "no finite data: the span -1..1, padded"
    x = np.linspace(-1, 1, 201)
    gx, gy = with_gaps_at_jumps(x, (x > 0).astype(float))
    assert np.isnan(gy).sum() == 1 and abs(gx[np.isnan(gy)][0]) < 0.01
    smooth = with_gaps_at_jumps(x, np.tanh(8 * x))
    assert not np.isnan(smooth[1]).any(), "a steep but smooth curve gets no gap"


def test_figure_image_needs_one_key_per_cached_level():
    from acts._display import FigureImage

    view = FigureImage(1, 1, figsize=(2, 2))
    (line,) = view.axes[0].plot([0, 1], [0, 1])
    view.set_layers([view.axes[0].yaxis], moving=[line])
    with pytest.raises(ValueError, match="2 keys"):
        view.render(keys=("only one",))
    first = view.render(keys=(1, 1))
    assert view.render(keys=(1, 1)) == first and view.full_draws == 1, "unchanged keys: no full draw"
    view.render(keys=(2, 1))
    assert view.full_draws == 2


def test_figure_image_reuses_the_pixels_of_keys_met_recently():
    from acts._display import KEPT_PER_LEVEL, FigureImage

    view = FigureImage(1, 1, figsize=(2, 2))
    ax = view.axes[0]
    (line,) = ax.plot([0, 1], [0, 1])
    view.set_layers([ax.yaxis], moving=[line])
    pictures = {}
    for top in (1, 2, 3):
        ax.set_ylim(0, top)
        pictures[top] = view.render(keys=("panel", top))
    assert (view.full_draws, view.layer_draws) == (1, 3)
    ax.set_ylim(0, 1)  # back to limits drawn before: their pixels are restored, nothing is drawn again
    assert view.render(keys=("panel", 1)) == pictures[1] and (view.full_draws, view.layer_draws) == (1, 3)
    for top in range(4, 4 + KEPT_PER_LEVEL):  # enough new limits to push the least recently used ones out
        ax.set_ylim(0, top)
        view.render(keys=("panel", top))
    ax.set_ylim(0, 2)
    assert view.render(keys=("panel", 2)) == pictures[2] and view.layer_draws == 3 + KEPT_PER_LEVEL + 1
    view.invalidate()
    view.render(keys=("panel", 2))
    assert view.full_draws == 2


def test_png_encoder_writes_the_canvas_pixels_exactly():
    import io

    from PIL import Image

    from acts._display import FigureImage, encode_png

    view = FigureImage(1, 1, figsize=(2.5, 1.5), dpi=50)
    view.axes[0].plot([0, 1, 2], [0, 1, 0], color="#D55E00")
    view.render()
    png = encode_png(view.agg)
    Image.open(io.BytesIO(png)).verify()  # PIL checks every chunk's CRC
    decoded = Image.open(io.BytesIO(png))
    assert decoded.mode == "RGB" and decoded.size == view.agg.get_width_height()
    np.testing.assert_array_equal(np.asarray(decoded), np.asarray(view.agg.buffer_rgba())[..., :3])
