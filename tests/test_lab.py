"""The vanishing-gradient lab without a browser: set a control's value, check the numbers and the plotted data."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest

import acts
import acts.widgets
from acts.lab import (
    VanishingGradientsLab,
    _log_limits,
    float32_was_enough,
    layer_axis_end,
    layer_histograms,
    vanishing_gradients,
    within_target,
)
from acts.network import gradient_norms, probe

from widget_tree import find_control, walk

# the lab computes in float32 (acts.network.MLP(dtype=np.float32) with rescaled gradients): its norms agree with
# the float64 ones of gradient_norms to about 1e-6 (sigmoid at depths 42-57 and weight scales 0.1-4), up to 1.4e-5
# with layer norm at depth 80; another CPU's BLAS may round differently
FLOAT32_RTOL = 1e-4


@pytest.fixture(scope="module")
def box():
    return acts.widgets.vanishing_gradients(depth=12, width=20, batch=32)


def test_widget_has_its_controls_and_an_image(box):
    assert isinstance(box, widgets.VBox)
    depth = find_control(box, "depth")
    assert (depth.min, depth.max, depth.value) == (1, 100, 12)
    assert set(find_control(box, "activation").options) == set(acts.ACTIVATIONS)
    assert list(find_control(box, "initialisation").options) == ["standard", "xavier", "he"]
    assert isinstance(find_control(box, "weight scale"), widgets.FloatSlider)
    for description in ("residual connections", "layer norm"):
        switch = find_control(box, description)
        assert isinstance(switch, widgets.Checkbox) and switch.value is False
    images = [w for w in walk(box) if isinstance(w, widgets.Image)]
    assert len(images) == 1 and images[0].value[:8] == b"\x89PNG\r\n\x1a\n"


def _plotted(line):
    x, y = (np.asarray(d, dtype=float) for d in line.get_data())
    return x, y


@pytest.mark.parametrize("description, value", [("activation", "tanh"), ("initialisation", "xavier"),
                                                ("depth", 30), ("weight scale", 1.5)])
def test_each_control_updates_the_plotted_norms(box, description, value):
    lab = box.lab
    renders = lab.view.renders
    find_control(box, description).value = value
    assert lab.view.renders == renders + 1  # one render per change
    kwargs = dict(depth=lab.depth.value, width=20, init=lab.init.value, scale=lab.scale.value, batch=32, seed=0)
    expected = gradient_norms(lab.activation.value, **kwargs)
    expected_w = gradient_norms(lab.activation.value, wrt="weights", **kwargs)
    np.testing.assert_allclose(lab.norms, expected, rtol=FLOAT32_RTOL)
    x, y = _plotted(lab.line_signal)
    np.testing.assert_array_equal(x, np.arange(1, lab.depth.value + 1))
    np.testing.assert_allclose(y, lab.norms)
    np.testing.assert_allclose(_plotted(lab.line_weights)[1], expected_w, rtol=FLOAT32_RTOL)
    assert lab.ratio == pytest.approx(expected[0] / expected[-1], rel=FLOAT32_RTOL)
    assert lab.histograms.shape[0] == lab.depth.value
    np.testing.assert_allclose(np.asarray(lab.heatmap.get_array()), lab.histograms)
    assert f"{lab.ratio:.2e}" in lab.summary.value


def test_sigmoid_with_standard_init_shows_vanishing_and_a_centred_histogram():
    lab = VanishingGradientsLab(depth=20, activation="sigmoid", init="standard", width=100, batch=256)
    assert lab.ratio < 1e-6
    assert lab.hist_range == (0.0, 1.0) and lab.hist_label == "activation value"
    centre = lab.histograms[:, 15:26].sum(axis=1)  # bins covering about 0.37-0.63
    # standard init keeps sigmoid's layers near 0.5, where its slope is at most 1/4: no saturation at 0 or 1
    assert centre[0] > 0.5 and np.all(centre[1:] > 0.85)
    assert np.all(lab.histograms[:, [0, -1]].sum(axis=1) == 0)


def test_tanh_with_large_weights_saturates_in_the_end_bins():
    lab = VanishingGradientsLab(depth=10, activation="tanh", init="xavier", scale=4.0, width=100, batch=64)
    ends = lab.histograms[:, [0, -1]].sum(axis=1)
    assert np.all(ends[1:] > 0.5)


def test_unbounded_activations_are_shown_per_layer_relative_to_their_rms():
    lab = VanishingGradientsLab(depth=30, activation="relu", init="he", scale=1.2, width=50, batch=64)
    assert lab.hist_label == "activation / its layer's RMS"
    low, high = lab.hist_range
    assert low == 0.0 and 1.0 < high < 20.0  # RMS units, although the raw scale grows 1.2x per layer
    np.testing.assert_allclose(lab.histograms.sum(axis=1), 1.0)
    zero_share = lab.histograms[:, 0]
    assert np.all(zero_share > 0.3)  # ReLU zeroes about half of every layer, whatever the scale
    assert lab.view.axes[1].get_xlabel() == lab.hist_label


def test_dead_relu_layers_are_left_off_the_log_axis():
    lab = VanishingGradientsLab(depth=5, activation="relu", init="he", width=3, batch=2, seed=0)
    lab.scale.value = 0.1  # tiny weights: still positive gradients or exact zeros, never negative or inf
    y = _plotted(lab.line_signal)[1]
    zero = lab.norms == 0
    assert np.all(np.isnan(y[zero])) and np.all(y[~zero] > 0)


def _pixels(png):
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_blitted_renders_reuse_the_axes_and_match_a_full_redraw():
    lab = VanishingGradientsLab(depth=10, activation="tanh", init="xavier", width=20, batch=32)
    full_draws = lab.full_draws
    for scale in (1.05, 1.1, 1.0):  # small nudges: the axes keep their limits
        lab.scale.value = scale
    assert lab.full_draws == full_draws
    blitted = _pixels(lab.view.image.value)
    lab.invalidate()  # force a full redraw of the same state
    lab.draw()
    assert lab.full_draws == full_draws + 1
    np.testing.assert_array_equal(_pixels(lab.view.image.value), blitted)
    for change in ({"depth": 20}, {"activation": "sigmoid"}, {"activation": "relu"}, {"scale": 2.5}):
        # new layer axes (depth), new value axes (y-limits of the norms, the histogram's range and label): the
        # cached panels are reused and only those axes drawn again, and the picture is that of a full redraw
        name, value = next(iter(change.items()))
        getattr(lab, name).value = value
        assert lab.full_draws == full_draws + 1
        layered = _pixels(lab.view.image.value)
        lab.invalidate()
        lab.draw()
        full_draws += 1
        np.testing.assert_array_equal(_pixels(lab.view.image.value), layered, err_msg=str(change))


def test_histograms_count_every_value_once_and_clip_to_the_end_bins():
    a = np.array([[-5.0, 0.05, 0.5, 0.99, 7.0]])
    hist = layer_histograms([a], 0.0, 1.0, bins=10)
    np.testing.assert_allclose(hist.sum(axis=1), 1.0)
    np.testing.assert_allclose(hist[0, [0, 5, 9]], [0.4, 0.2, 0.4])
    reference = np.histogram(np.clip(a, 0, 1), bins=10, range=(0, 1))[0] / a.size
    np.testing.assert_allclose(hist[0], reference)


def test_switches_reach_the_probe_and_the_band_follows_the_last_layer(monkeypatch):
    import acts.lab

    calls = []

    def recording_probe(*args, **kwargs):
        calls.append(kwargs)
        return acts.network.probe(*args, **kwargs)

    monkeypatch.setattr(acts.lab, "probe", recording_probe)
    lab = VanishingGradientsLab(depth=30, activation="tanh", init="standard", width=20, batch=32)
    assert (calls[-1]["residual"], calls[-1]["norm"]) == (False, None)
    assert lab.ratio < 0.5 and not lab.in_band and "within 2x, the band: <b>no</b>" in lab.summary.value
    renders = lab.view.renders
    lab.residual.value = True
    assert (calls[-1]["residual"], calls[-1]["norm"]) == (True, None) and lab.view.renders == renders + 1
    lab.layer_norm.value = True
    assert (calls[-1]["residual"], calls[-1]["norm"]) == (True, "layer") and lab.view.renders == renders + 2
    expected = gradient_norms("tanh", depth=30, width=20, init="standard", batch=32, residual=True, norm="layer")
    np.testing.assert_allclose(lab.norms, expected, rtol=FLOAT32_RTOL)
    assert lab.net.residual and lab.net.norm == "layer"
    assert "residual, layer norm" in lab.summary.value
    assert lab.hist_label == "activation / its layer's RMS"  # tanh plus a shortcut leaves (-1, 1)
    # the band runs from last / 2 to last x 2, and lies inside the axis limits
    last = expected[-1]
    assert lab.band.get_visible()
    assert lab.band.get_y() == pytest.approx(last / 2, rel=FLOAT32_RTOL)
    assert lab.band.get_y() + lab.band.get_height() == pytest.approx(2 * last, rel=FLOAT32_RTOL)
    low, high = lab.view.axes[0].get_ylim()
    assert low <= last / 2 and 2 * last <= high
    assert lab.in_band == within_target(expected[0] / last)
    assert f"within 2x, the band: <b>{'yes' if lab.in_band else 'no'}</b>" in lab.summary.value


def test_a_scale_can_bring_the_ratio_into_the_band():
    """The learner's task: tanh with Xavier at depth 50 vanishes at scale 1 (ratio about 0.15), is inside the
    band at 1.2 (about 1.7) and explodes out of it at 1.5 (about 35)."""
    lab = VanishingGradientsLab(depth=50, activation="tanh", init="xavier", width=100, batch=64)
    assert lab.ratio < 0.5 and not lab.in_band and "<b>no</b>" in lab.summary.value
    lab.scale.value = 1.2
    assert 0.5 <= lab.ratio <= 2 and lab.in_band and "<b>yes</b>" in lab.summary.value
    lab.scale.value = 1.5
    assert lab.ratio > 2 and not lab.in_band and "<b>no</b>" in lab.summary.value


@pytest.mark.parametrize("ratio, inside", [(1.0, True), (0.5, True), (2.0, True), (0.49, False), (2.01, False),
                                           (float("nan"), False)])
def test_within_target_is_the_closed_band_from_half_to_twice(ratio, inside):
    assert within_target(ratio) is inside


@pytest.mark.parametrize("kwargs, message", [({"activation": "sigmod"}, "unknown activation"),
                                             ({"init": "glorot"}, "unknown init"),
                                             ({"depth": 0}, "depth"), ({"depth": 101}, "depth"),
                                             ({"norm": "batch"}, "unknown norm")])
def test_bad_arguments_get_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        vanishing_gradients(**kwargs)


def test_settings_seen_before_reuse_their_numbers_and_the_net_follows_the_settings(monkeypatch):
    import acts.lab

    calls = []

    def counting_probe(*args, **kwargs):
        calls.append(args)
        return acts.network.probe(*args, **kwargs)

    monkeypatch.setattr(acts.lab, "probe", counting_probe)
    lab = VanishingGradientsLab(depth=12, activation="tanh", width=20, batch=32)
    first = (lab.norms.copy(), lab.weight_norms.copy(), lab.histograms.copy(), lab.ratio)
    lab.depth.value = 15
    assert len(calls) == 2 and lab.reused == 0
    lab.depth.value = 12  # dragged back: the kept numbers, no new pass through the network
    assert len(calls) == 2 and lab.reused == 1 and lab.view.renders == 3
    np.testing.assert_array_equal(lab.norms, first[0])
    np.testing.assert_array_equal(lab.weight_norms, first[1])
    np.testing.assert_array_equal(lab.histograms, first[2])
    assert lab.ratio == first[3]
    np.testing.assert_allclose(lab.norms, gradient_norms("tanh", depth=12, width=20, batch=32), rtol=FLOAT32_RTOL)
    assert lab.net.depth == 12 and len(calls) == 3, "the net of the current settings, computed when asked for"
    assert lab.net.depth == 12 and len(calls) == 3


def test_float32_stands_in_for_float64_only_where_its_range_suffices(monkeypatch):
    """Sigmoid at depth 100: gradients of 1e-70, far below float32's 1e-38, still come out right (rescaled);
    ReLU at weight scale 4 explodes forwards (2.8^100 > float32's 3e38), so the lab computes it in float64."""
    deep = probe("sigmoid", depth=100, width=30, batch=16, dtype=np.float32)
    norms, weights = deep.true_norms(), deep.true_norms("weights")
    assert float32_was_enough(deep, norms, weights)
    expected = gradient_norms("sigmoid", depth=100, width=30, batch=16)
    assert expected[0] < 1e-60
    np.testing.assert_allclose(norms, expected, rtol=FLOAT32_RTOL)

    with np.errstate(over="ignore", invalid="ignore"):  # float32 overflows: that is the point
        exploding = probe("relu", depth=100, width=30, batch=16, init="he", scale=4.0, dtype=np.float32)
    assert not float32_was_enough(exploding, exploding.true_norms(), exploding.true_norms("weights"))
    import acts.lab

    dtypes = []

    def recording_probe(*args, **kwargs):
        dtypes.append(np.dtype(kwargs.get("dtype", np.float64)))
        return acts.network.probe(*args, **kwargs)

    monkeypatch.setattr(acts.lab, "probe", recording_probe)
    lab = VanishingGradientsLab(depth=100, activation="relu", init="he", scale=4.0, width=30, batch=16)
    assert dtypes == [np.float32, np.float64] and lab.net.dtype == np.float64
    np.testing.assert_array_equal(lab.norms, gradient_norms("relu", depth=100, width=30, batch=16, init="he",
                                                            scale=4.0))


@pytest.mark.parametrize("depth, end", [(1, 5), (5, 5), (6, 10), (20, 20), (21, 30), (41, 50), (50, 50), (51, 60),
                                        (100, 100)])
def test_the_layer_axes_end_on_a_round_number_of_layers(depth, end):
    assert layer_axis_end(depth) == end


def test_log_limits_leave_room_on_the_side_the_norms_grow_to():
    low, high = _log_limits(1e-40, 1.0, grows="down")
    assert high == 10.0 and low <= 1e-48  # a fifth of 40 decades below the data
    assert _log_limits(1e-41, 1.0, (low, high), grows="down") == (low, high)  # one layer deeper: same axis
    low, high = _log_limits(1e-3, 1e30, grows="up")
    assert low == 1e-4 and high >= 1e36
    assert _log_limits(1e-3, 1.0) == (1e-4, 10.0)


def test_dragging_the_depth_mostly_draws_no_axis():
    """Text is the slow part of a render: nine steps of a drag over depths 42..50 redraw at most one axis (before
    the layer axes ended on round numbers and the norms' axis left room below, each step redrew one or two)."""
    lab = VanishingGradientsLab(depth=40, width=20, batch=32)
    lab.depth.value = 41
    draws = lab.view.layer_draws
    for depth in range(42, 51):
        lab.depth.value = depth
    assert lab.view.layer_draws - draws <= 1
