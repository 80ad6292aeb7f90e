"""`make app`: the explorers notebook as a standalone Voila app, driven in the browser like a workshop audience."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_make_app_runs_voila_on_the_explorers():
    """The Makefile's app target runs Voila on notebooks/explorers.ipynb (a dry run: nothing starts)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(["make", "-n", "app", "APP_ARGS=--no-browser"], cwd=REPO, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    line = next((ln for ln in dry.stdout.splitlines() if "voila" in ln), "")
    assert "notebooks/explorers.ipynb" in line and "--no-browser" in line, dry.stdout


def test_app_shows_every_explorer():
    """notebooks/explorers.ipynb calls every public function of acts.widgets (no browser needed)."""
    import inspect

    import nbformat

    import acts.widgets

    names = [n for n, f in inspect.getmembers(acts.widgets, inspect.isfunction)
             if not n.startswith("_") and f.__module__.startswith("acts")]
    source = "\n".join(c.source for c in nbformat.read(REPO / "notebooks" / "explorers.ipynb", as_version=4).cells
                       if c.cell_type == "code")
    missing = [n for n in names if f"acts.widgets.{n}(" not in source]
    assert not missing, f"notebooks/explorers.ipynb (the `make app` page) does not show: {', '.join(missing)}"


def test_voila_app_slider_moves_the_plot(voila_app, browser, drive_slider, shoot):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(90_000)
        page.goto(voila_app, wait_until="domcontentloaded")
        # Voila runs the whole notebook in a fresh kernel, then shows its outputs without the code
        page.locator("img.widget-image").first.wait_for(state="visible", timeout=120_000)
        shoot(page, "voila-1-app")
        code = [e for e in page.locator(".jp-InputArea-editor, .cm-editor").all() if e.is_visible()]
        assert not code, "the app shows code cells"
        errors = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
        assert not errors, f"the app shows an error:\n{errors[0][:1500]}"
        images = page.locator("img.widget-image").count()
        assert images >= 2, f"the app shows {images} explorer plot(s)"
        first = page.locator(".jp-OutputArea-output", has=page.locator("img.widget-image")).first
        drive_slider(page, first, "Voila app (first explorer)", "voila-2-slider")
    finally:
        context.close()
