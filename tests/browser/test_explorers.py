"""Every explorer in acts.widgets, in JupyterLab: move a slider with the keyboard, see the plot and readout change.

The explorers are found by introspection (every public function of acts.widgets), so an explorer added there
later is tested without editing this file. ``explore`` is tried with two activations: one without parameters
and one with a parameter slider.
"""

from __future__ import annotations

import inspect
import time

import nbformat
import pytest

EXPLORE_WITH = ("sigmoid", "leaky_relu")
KEY_PRESSES = 3


def explorer_cases() -> list[tuple[str, str]]:
    """(function name, argument source) for every public function of acts.widgets."""
    import acts.widgets

    cases = []
    for name, fn in inspect.getmembers(acts.widgets, inspect.isfunction):
        if name.startswith("_") or not fn.__module__.startswith("acts"):
            continue
        if name == "explore":
            cases += [(name, repr(activation)) for activation in EXPLORE_WITH]
        else:
            cases.append((name, ""))
    return cases


CASES = explorer_cases()


@pytest.fixture(scope="module")
def explorers_page(lab, shoot):
    """One scratch notebook showing every explorer, run once in a fresh kernel; {case: code cell index}."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell("import acts.widgets"))
    index = {}
    for i, (name, args) in enumerate(CASES, start=1):
        nb.cells.append(nbformat.v4.new_code_cell(f"acts.widgets.{name}({args})"))
        index[(name, args)] = i
    path = lab.root / "scratch" / "explorers_scratch.ipynb"
    nbformat.write(nb, path)
    page = lab.open("scratch/explorers_scratch.ipynb")
    try:
        page.wait_ready()
        page.run_all()
        page.wait_execution_done(timeout=180)
        shoot(page.page, "explorers-00-run-all")
        assert page.error_outputs() == [], "an explorer cell raised or wrote to stderr"
        yield page, index
    finally:
        page.close()


FIND_SLIDER = """(output) => {
    // the first slider with a single handle (a range slider has two); its index among all sliders
    const sliders = [...output.querySelectorAll('.widget-slider')];
    const i = sliders.findIndex(s => s.querySelectorAll('.noUi-handle').length === 1);
    return i >= 0 ? i : (sliders.length ? 0 : -1);
}"""


def wait_settled(nb, image, quiet: float = 1.2, timeout: float = 60) -> str:
    """Wait until the image's src stops changing for ``quiet`` seconds with the kernel idle; return the src.

    ipywidgets coalesces queued slider updates, so the kernel may render a few intermediate pictures."""
    deadline = time.monotonic() + timeout
    last, since = image.get_attribute("src"), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        src = image.get_attribute("src")
        if src != last:
            last, since = src, time.monotonic()
        elif time.monotonic() - since >= quiet and nb.kernel_status().endswith("Idle"):
            return last
    raise TimeoutError("the explorer's image kept changing (or the kernel stayed busy)")


def number(text: str) -> float:
    return float(text.replace("−", "-").strip())


@pytest.mark.parametrize("name,args", CASES, ids=[f"{n}({a})".replace("'", "") for n, a in CASES])
def test_slider_updates_plot_and_readout(explorers_page, name, args, shoot):
    nb, index = explorers_page
    cell = nb.code_cell(index[(name, args)])
    output = cell.locator(".jp-OutputArea-output").first
    image = output.locator("img.widget-image").first
    image.wait_for(state="visible", timeout=30_000)
    nb.page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    which = output.evaluate(FIND_SLIDER)
    assert which >= 0, f"{name}({args}) shows no slider"
    slider = output.locator(".widget-slider").nth(which)
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout").first
    label = slider.locator(".widget-label").first.inner_text().strip()
    cell.scroll_into_view_if_needed()
    slider.scroll_into_view_if_needed()
    stem = f"explorer-{name}-{args.strip(chr(39))}" if args else f"explorer-{name}"

    wait_settled(nb, image)
    before_png, before_readout = image.screenshot(), readout.inner_text().strip()
    shoot(cell, f"{stem}-1-before")

    handle.focus()
    for _ in range(KEY_PRESSES):
        nb.page.keyboard.press("ArrowRight")
    wait_settled(nb, image)
    after_png, after_readout = image.screenshot(), readout.inner_text().strip()
    shoot(cell, f"{stem}-2-after")

    assert after_png != before_png, f"{name}({args}): the plot did not change when slider {label!r} moved"
    assert number(after_readout) > number(before_readout), \
        f"{name}({args}): readout of {label!r} went from {before_readout} to {after_readout}"
    # the handle moved to the value the readout shows (a FloatLogSlider's handle holds the exponent and its
    # readout base**exponent; aria-valuenow is rounded to one decimal, aria-valuetext is not)
    position = number(handle.get_attribute("aria-valuetext") or handle.get_attribute("aria-valuenow") or "nan")
    shown = number(after_readout)
    assert any(abs(c - shown) <= max(1e-9, 0.02 * abs(shown)) for c in (position, 10 ** position)), \
        f"{name}({args}): slider {label!r} sits at {position} but its readout says {after_readout}"
    assert nb.error_outputs() == [], f"{name}({args}) raised after the slider moved"
