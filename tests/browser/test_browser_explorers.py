"""Every explorer in acts.widgets, in JupyterLab: move a slider with the keyboard, see the plot and readout change.

The explorers are found by introspection (every public function of acts.widgets), so an explorer added there
later is tested without editing this file. ``explore`` is tried with two activations: one without parameters
and one with a parameter slider.
"""

from __future__ import annotations

import inspect

import nbformat
import pytest

EXPLORE_WITH = ("sigmoid", "leaky_relu")


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
def explorers_page(lab, lab_window, shoot):
    """One scratch notebook showing every explorer, run once in a fresh kernel; {case: code cell index}."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell("import acts.widgets"))
    index = {}
    for i, (name, args) in enumerate(CASES, start=1):
        # tagged so that Run All goes on past a failing explorer: each test then reports its own cell
        nb.cells.append(nbformat.v4.new_code_cell(f"acts.widgets.{name}({args})",
                                                  metadata={"tags": ["raises-exception"]}))
        index[(name, args)] = i
    path = lab.root / "scratch" / "explorers_scratch.ipynb"
    nbformat.write(nb, path)
    page = lab_window.open("scratch/explorers_scratch.ipynb")
    try:
        page.wait_ready()
        page.run_all()
        page.wait_execution_done(timeout=180)
        shoot(page.page, "explorers-00-run-all")
        yield page, index
    finally:
        page.close()


@pytest.mark.parametrize("name,args", CASES, ids=[f"{n}({a})".replace("'", "") for n, a in CASES])
def test_slider_updates_plot_and_readout(explorers_page, name, args, drive_slider):
    nb, index = explorers_page
    nb.activate()  # lessons open in other tabs of the same page meanwhile
    cell = nb.code_cell(index[(name, args)])
    stem = f"explorer-{name}-{args.strip(chr(39))}" if args else f"explorer-{name}"
    errors = cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, f"{name}({args}) raised or wrote to stderr:\n{errors.first.inner_text()[:1500]}"
    drive_slider(nb.page, cell.locator(".jp-OutputArea-output").first, f"{name}({args})", stem,
                 idle=lambda: nb.kernel_status().endswith("Idle"), shot_target=cell)
    assert errors.count() == 0, f"{name}({args}) raised after the slider moved:\n{errors.first.inner_text()[:1500]}"
