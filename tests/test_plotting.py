"""acts.plot draws in the seed article's style and returns (fig, ax) for lessons to build on."""

import sys

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


def test_curves_differ_without_colour():
    # line style first, then markers: the seven-curve figures of lesson 07 stay readable in grey
    styles = [acts.plotting.curve_style(i) for i in range(20)]
    assert len({(s["ls"], s.get("marker")) for s in styles}) == 20
    fig, ax = acts.plot([acts.relu, acts.gelu, acts.silu, acts.mish, acts.elu])
    curves = ax.get_lines()[:5]
    assert [c.get_linestyle() for c in curves[:4]] == ["-", "--", "-.", ":"]
    assert curves[4].get_marker() not in (None, "None", "") and curves[0].get_marker() in (None, "None", "")


# ---------------------------------------------------------------- alternative text
def test_alt_text_is_built_from_titles_labels_ranges_and_legend():
    fig, (ax, dax) = plt.subplots(1, 2)
    acts.plot([acts.relu, acts.gelu], ax=ax, ylim=(-1, 3), title="functions", x=np.linspace(-4, 4, 81))
    acts.plot(acts.gelu.derivative, ax=dax, ylabel=r"$\mathrm{GELU}'(x)$", x=np.linspace(-4, 4, 81))
    fig.suptitle("GELU")
    text = acts.plotting.alt_text(fig)
    assert text.startswith("GELU. Figure with 2 panels. Panel 1, functions: f(x) against x")
    assert "f(x) from −1 to 3" in text and "2 entries in the legend: relu, gelu" in text
    assert "Panel 2, GELU'(x) against x" in text and "shows a curve" in text and "$" not in text
    fig, ax = plt.subplots()
    fig.colorbar(ax.imshow(np.eye(3)), label="d s_i / d x_j")
    assert "an image (heatmap) with a colour scale for d s_i / d x_j" in acts.plotting.alt_text(fig)
    assert "Panel" not in acts.plotting.alt_text(fig)  # the colour bar is not a second panel


def test_an_explicit_alt_text_wins_and_bad_ones_are_refused():
    fig, _ = acts.plot(acts.tanh, alt="tanh: an S-curve from -1 to 1,\n  steepest at 0")
    assert acts.plotting.alt_text(fig) == "tanh: an S-curve from -1 to 1, steepest at 0"
    for bad in ("", "   ", None, 3):
        with pytest.raises(ValueError, match="non-empty string"):
            acts.plotting.set_alt_text(fig, bad)


def test_displayed_figures_carry_their_alt_text_in_the_png_metadata():
    # what an IPython kernel does with a figure: the PNG formatter draws, acts adds {"image/png": {"alt": ...}}
    from types import SimpleNamespace

    from IPython.core.formatters import DisplayFormatter
    from IPython.core.pylabtools import select_figure_formats

    shell = SimpleNamespace(display_formatter=DisplayFormatter())
    assert acts.plotting.install_alt_text(shell)
    select_figure_formats(shell, {"png"})  # as matplotlib_inline does, after acts was imported
    fig, _ = acts.plot(acts.relu, alt="ReLU: 0 on the left, the identity on the right")
    data, metadata = shell.display_formatter.format(fig)
    assert data["image/png"] and metadata == {"image/png": {"alt": "ReLU: 0 on the left, the identity on the right"}}
    assert shell.display_formatter.format(np.arange(3))[1] == {}  # nothing else gets metadata
    assert not acts.plotting.install_alt_text()  # outside IPython it does nothing


def test_a_kernel_stores_alt_text_and_the_slides_render_it(tmp_path):
    """End to end: `import acts` in a kernel, the stored PNG carries alt metadata, `make slides`' config renders it."""
    import os
    from pathlib import Path

    import nbformat
    from bs4 import BeautifulSoup
    from nbclient import NotebookClient
    from nbconvert import SlidesExporter
    from traitlets.config import PyFileConfigLoader

    root = Path(__file__).resolve().parents[1]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Figures"),
                nbformat.v4.new_code_cell("import acts\nimport matplotlib.pyplot as plt\n"
                                          "acts.plot([acts.relu, acts.gelu], title='two curves')\nplt.show()"),
                nbformat.v4.new_code_cell("acts.plot(acts.tanh, alt='tanh <S-curve> \"from\" -1 to 1')\nplt.show()")]
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env_path) if p)  # the kernel imports this acts
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                       ).execute()
    finally:
        os.environ["PYTHONPATH"] = env_path
    (first,), (second,) = nb.cells[1].outputs, nb.cells[2].outputs
    assert "image/png" in first.data and "two curves" in first.metadata["image/png"]["alt"]
    assert second.metadata["image/png"]["alt"] == "tanh <S-curve> \"from\" -1 to 1"
    config = PyFileConfigLoader("slides_config.py", path=str(root / "docs")).load_config()
    html, _ = SlidesExporter(config=config).from_notebook_node(nb)
    alts = [img.get("alt") for img in BeautifulSoup(html, "html.parser").find_all("img")]
    assert len(alts) == 2 and alts[0].startswith("Figure showing two curves: f(x) against x")
    assert alts[1] == "tanh <S-curve> \"from\" -1 to 1"  # escaped in the attribute, read back whole


def test_jumps_are_drawn_as_gaps_not_vertical_segments():
    x = np.linspace(-6, 6, 1201)
    fig, ax = acts.plot([acts.hardsigmoid.derivative, acts.sigmoid.derivative], x=x, jumps=(-3, 3))
    hx, hy = ax.get_lines()[0].get_data()
    assert np.isnan(hy[hx == -3]).all() and np.isnan(hy[hx == 3]).all() and np.isnan(hy).sum() == 2
    assert hy[np.searchsorted(hx, -3) - 1] == 0 and hy[np.searchsorted(hx, 3, side="right")] == 0
    sx, sy = ax.get_lines()[1].get_data()  # sigmoid' is continuous at +-3: no gap
    assert not np.isnan(sy).any() and len(sx) == len(x)
    gx, gy = acts.plotting.with_gaps(np.linspace(-1, 1, 4), acts.relu.derivative, [0.0])  # 0 is not on the grid
    np.testing.assert_allclose(gx, [-1, -1 / 3, 0, 1 / 3, 1])
    assert np.isnan(gy[2]) and gy[1] == 0 and gy[3] == 1


def test_execute_counts_figures_without_alt_text():
    import nbformat

    from acts.execute import figures_without_alt

    png = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("plot()")]
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data=png, metadata={"image/png": {"alt": "a"}}),
                           nbformat.v4.new_output("display_data", data=png),
                           nbformat.v4.new_output("stream", text="no figure")]
    assert figures_without_alt(nb) == (2, 1)


def test_import_acts_alone_gives_figures_alt_text_in_ipython(monkeypatch):
    # lessons may draw with plt before touching acts.plot: the hook must not wait for acts.plotting to load
    import types

    registered = {}
    formatter = types.SimpleNamespace(for_type_by_name=lambda module, name, fn: registered.update({(module, name): fn}))
    shell = types.SimpleNamespace(display_formatter=types.SimpleNamespace(mimebundle_formatter=formatter))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    acts._install_alt_text()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("x")
    data, metadata = registered[("matplotlib.figure", "Figure")](fig)
    plt.close(fig)
    assert data == {} and "against x" in metadata["image/png"]["alt"]
