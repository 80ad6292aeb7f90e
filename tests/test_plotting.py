"""acts.plot draws in the seed article's style and returns (fig, ax) for lessons to build on."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import acts  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_seed_style():
    fig, ax = acts.plot(acts.sigmoid, ylim=(-0.25, 1.25))
    (line,) = ax.get_lines()[:1]
    x, y = line.get_data()
    np.testing.assert_array_equal(x, np.arange(-6, 6, 0.01))
    np.testing.assert_array_equal(y, acts.sigmoid(x))
    assert line.get_linewidth() == 3 and line.get_color() == acts.PALETTE[0]
    assert ax.get_ylim() == (-0.25, 1.25)
    axis_lines = [ln for ln in ax.get_lines()[1:] if ln.get_color() == "k" and ln.get_linewidth() == 1]
    assert len(axis_lines) == 2  # horizontal and vertical through the origin
    assert not any(spine.get_visible() for spine in ax.spines.values())
    gridline = ax.xaxis.get_gridlines()[0]
    assert gridline.get_visible() and gridline.get_alpha() == 0.4 and gridline.get_linestyle() == "-."
    assert ax.xaxis.get_ticklabels()[0].get_fontsize() == 14
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "sigmoid(x)"
    assert fig is ax.figure


def test_several_functions_get_a_legend_and_distinct_colours():
    fig, ax = acts.plot([acts.sigmoid, acts.tanh, acts.sigmoid.derivative], labels=["s", "t", "s'"])
    curves = ax.get_lines()[:3]
    assert [c.get_label() for c in curves] == ["s", "t", "s'"]
    assert len({c.get_color() for c in curves}) == 3
    assert ax.get_legend() is not None


def test_plot_into_existing_axes_and_custom_grid():
    fig, axes = plt.subplots(1, 2)
    _, ax = acts.plot(acts.relu.derivative, ylim=(-0.5, 1.5), ax=axes[1], x=np.linspace(-1, 1, 5), ylabel="slope")
    assert ax is axes[1] and ax.get_ylabel() == "slope"
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [0, 0, 0, 1, 1])
