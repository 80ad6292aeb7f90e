"""The softmax explorer's logic, without a browser: set a widget's value, check the plotted data."""

import io

import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

import acts
import acts.widgets
from acts.softmax_explorer import MAX_LOGITS, SoftmaxExplorer, parse_logits


def bar_heights(w):
    return np.array([bar.get_height() for bar in w.bars])


def heatmap_data(w):
    return np.asarray(w.heatmap.get_array())


def sliders(widget):
    """Every slider inside a widget, found through .children as a browser test would."""
    found = []
    for child in getattr(widget, "children", ()):
        if isinstance(child, (widgets.FloatSlider, widgets.FloatLogSlider)):
            found.append(child)
        found.extend(sliders(child))
    return found


@pytest.fixture
def w():
    return acts.widgets.softmax_explorer()


def test_public_facade_returns_a_container(w):
    assert isinstance(w, widgets.Box)
    assert isinstance(w, SoftmaxExplorer)
    assert w.temperature in sliders(w)
    assert all(s in sliders(w) for s in w.logit_sliders)
    assert w.view.image in w.children


def test_starts_on_the_seed_example(w):
    np.testing.assert_allclose(bar_heights(w), [0.00948431, 0.04697607, 0.94353962], atol=5e-9)
    assert [label.get_text() for label in w.bar_labels] == ["0.009", "0.047", "0.944"]
    np.testing.assert_allclose(heatmap_data(w), acts.softmax.jacobian([0.4, 2, 5]), rtol=0, atol=1e-15)


@pytest.mark.parametrize("T", [0.1, 0.37, 1.0, 2.5, 10.0])
def test_temperature_slider_sets_bars_to_softmax_of_z_over_T(w, T):
    z = np.array([0.4, 2.0, 5.0])
    w.temperature.value = T
    T = w.temperature.value  # as the slider stores it
    np.testing.assert_allclose(bar_heights(w), acts.softmax(z / T), rtol=1e-12, atol=0)
    np.testing.assert_allclose(heatmap_data(w), acts.softmax.jacobian(z / T), rtol=1e-12, atol=1e-300)
    assert w.title.get_text() == f"x = [0.4, 2, 5]\nT = {T:.3g}"


def test_numbers_of_p_and_jacobian_are_printed(w):
    w.logits_text.value = "0, 0"                   # p = (1/2, 1/2), J = [[1/4, -1/4], [-1/4, 1/4]]
    assert "p = [0.5000, 0.5000],  sum = 1.0000" in w.message.value
    assert "[ 0.2500  -0.2500]" in w.message.value and "[-0.2500   0.2500]" in w.message.value


def test_temperature_extremes_sharpen_and_flatten(w):
    w.temperature.value = 0.1
    assert bar_heights(w).max() > 0.999           # nearly one-hot
    w.temperature.value = 10.0
    p = bar_heights(w)
    assert p.max() - p.min() < 0.5                 # much flatter than at T = 1 (0.94 - 0.01)
    assert p.argmax() == 2                         # the order of the logits never changes


def test_typed_logits_change_bars_heatmap_and_sliders(w):
    w.logits_text.value = "1, -2, 3.5, 0"
    z = np.array([1.0, -2.0, 3.5, 0.0])
    assert len(w.bars) == 4 and heatmap_data(w).shape == (4, 4)
    np.testing.assert_allclose(bar_heights(w), acts.softmax(z), rtol=1e-12)
    np.testing.assert_allclose(heatmap_data(w), acts.softmax.jacobian(z), rtol=1e-12, atol=1e-300)
    assert [s.value for s in w.logit_sliders] == list(z)
    assert len(sliders(w)) == 5                    # temperature + one per logit
    w.temperature.value = 2.0
    np.testing.assert_allclose(bar_heights(w), acts.softmax(z / 2.0), rtol=1e-12)


def test_logit_slider_updates_text_and_chart(w):
    w.logit_sliders[0].value = 6.0
    assert w.logits_text.value == "6, 2, 5"
    np.testing.assert_allclose(bar_heights(w), acts.softmax([6.0, 2.0, 5.0]), rtol=1e-12)
    np.testing.assert_allclose(heatmap_data(w), acts.softmax.jacobian([6.0, 2.0, 5.0]), rtol=1e-12)


def test_heatmap_is_the_finite_difference_jacobian(w):
    w.logits_text.value = "0.5, -1, 2"
    u = np.array([0.5, -1.0, 2.0]) / w.temperature.value
    np.testing.assert_allclose(heatmap_data(w), acts.numerical_jacobian(acts.softmax, u), atol=1e-9)
    assert np.all(np.abs(heatmap_data(w)) <= w.heatmap.norm.vmax)   # |J_ij| <= 1/4: the fixed colour scale


def test_typed_logit_outside_slider_range_is_kept(w):
    w.logits_text.value = "-25, 0, 40"
    assert [s.value for s in w.logit_sliders] == [-25.0, 0.0, 40.0]
    np.testing.assert_allclose(bar_heights(w), acts.softmax([-25.0, 0.0, 40.0]), rtol=1e-12)


@pytest.mark.parametrize("text, words", [
    ("1, x, 3", "'x' (logit 2) is not a number"),
    ("", "No logits given"),
    ("1,,2", "Logit 2 is empty"),
    ("1, inf", "finite"),
    ("1, nan", "finite"),
    (", ".join(["1"] * (MAX_LOGITS + 1)), f"at most {MAX_LOGITS}"),
])
def test_bad_text_shows_a_message_and_keeps_the_last_chart(w, text, words):
    before_heights, before_renders = bar_heights(w), w.view.renders
    w.logits_text.value = text                     # must not raise
    assert "Cannot use these logits" in w.message.value
    assert words in w.message.value.replace("&#x27;", "'")
    np.testing.assert_array_equal(bar_heights(w), before_heights)
    assert w.view.renders == before_renders
    w.logits_text.value = "1, 2"                   # and it recovers
    assert "Cannot" not in w.message.value
    np.testing.assert_allclose(bar_heights(w), acts.softmax([1.0, 2.0]), rtol=1e-12)


def test_parse_logits_accepts_spaces_semicolons_and_a_trailing_comma():
    np.testing.assert_array_equal(parse_logits(" 0.4 ; 2,5e0, "), [0.4, 2.0, 5.0])
    with pytest.raises(ValueError, match="not a number"):
        parse_logits("one, two")


def test_constructor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="temperature"):
        acts.widgets.softmax_explorer(temperature=0)
    with pytest.raises(ValueError, match="finite"):
        acts.widgets.softmax_explorer([1.0, np.inf])
    w = acts.widgets.softmax_explorer("1, 2, 3", temperature=0.5)
    np.testing.assert_allclose(bar_heights(w), acts.softmax(np.array([1.0, 2.0, 3.0]) / 0.5), rtol=1e-12)


def test_one_render_per_change(w):
    start = w.view.renders
    w.temperature.value = 3.0
    w.logit_sliders[1].value = -1.0
    w.logits_text.value = "1, 2, 3, 4, 5"          # rebuilds sliders and bars: still one render
    w.logits_text.value = "1, 2, 3, 4, 6"          # same length: sliders are reused
    assert w.view.renders == start + 4


def test_every_slider_move_changes_the_picture(w):
    # even where the probabilities look the same (T small: one-hot), z and T are printed in the chart
    w.temperature.value = 0.1
    for slider, value in [(w.logit_sliders[0], -5.0), (w.logit_sliders[0], -6.0), (w.temperature, 0.11)]:
        before = w.view.image.value
        slider.value = value
        assert w.view.image.value != before


def test_figure_is_reused_and_image_is_a_png_that_changes(w):
    figure, axes, first = w.view.figure, list(w.view.figure.axes), w.view.image.value
    w.temperature.value = 0.2
    w.logits_text.value = "3, 1, 2, 0, -1"
    assert w.view.figure is figure and list(figure.axes) == axes
    assert w.view.image.value != first
    image = Image.open(io.BytesIO(w.view.image.value))
    assert image.format == "PNG" and image.size == (720, 304)
    assert w.view.render() == w.view.image.value   # FigureImage.render is the explorer's blit
