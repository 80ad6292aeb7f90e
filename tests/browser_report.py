"""Whether the browser tests can run here, and what the end of a run reports about them.

Shared by tests/browser/conftest.py and tests/conftest.py: under pytest-xdist the process that reports collects
nothing and never loads tests/browser/conftest.py, so the summary (skipped browser tests, screenshots, the
latency figures of tests/browser/test_latency.py) is printed from tests/conftest.py, from what the workers left
on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
ENABLE_HINT = ("enable them with `apt-get install chromium` and `pip install -e '.[browser]'` "
               "(or set ACTS_CHROMIUM=/path/to/chromium; never `playwright install`)")
# One folder for the whole run, whichever worker takes the screenshot
SCREENSHOTS = Path(os.environ.get("ACTS_SCREENSHOTS") or Path(tempfile.gettempdir()) / "acts-screenshots")
LATENCY_RESULTS = REPO / "benchmarks" / "results" / "browser_latency.json"   # written by test_latency.py
SKIPPED: list[str] = []          # lines that tests/browser/conftest.py adds when it deselects the browser tests
_SESSION_START: list[float] = []


def find_chromium() -> str | None:
    chosen = os.environ.get("ACTS_CHROMIUM")
    candidates = [chosen] if chosen else ["/usr/bin/chromium", shutil.which("chromium"),
                                          shutil.which("chromium-browser")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def missing_requirement() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed"
    if find_chromium() is None:
        where = os.environ.get("ACTS_CHROMIUM") or "/usr/bin/chromium or `chromium` on PATH"
        return f"no Chromium found ({where})"
    return None



def session_started():
    _SESSION_START.append(time.time() - 1)


def _written_this_run(path: Path) -> bool:
    try:
        return bool(_SESSION_START) and path.stat().st_mtime >= _SESSION_START[0]
    except OSError:
        return False


def summary_lines(config) -> list[str]:
    """What to print at the end of a run that included browser tests (nothing otherwise)."""
    lines = list(SKIPPED)
    if not lines and getattr(config.option, "numprocesses", None) and not IN_CI:
        # under pytest-xdist the workers deselect the browser tests, and only this process prints
        reason = missing_requirement()
        if reason is not None and any("browser" in arg or arg.rstrip("/") in ("tests", ".") for arg in config.args):
            lines.append(f"SKIPPED browser tests: {reason}; {ENABLE_HINT}")
    shots = [p for p in SCREENSHOTS.glob("*.png") if _written_this_run(p)] if SCREENSHOTS.is_dir() else []
    if shots:
        lines.append(f"browser screenshots ({len(shots)}): {SCREENSHOTS}")
    if _written_this_run(LATENCY_RESULTS):
        results = json.loads(LATENCY_RESULTS.read_text())
        lines.append("slider key press -> new picture in Chromium (median of "
                     f"{next(iter(results.values()))['moves']} moves; target median <= 150 ms on a quiet 2-core "
                     "machine):")
        lines += [f"  {call:26} {r['slider']:14} median {r['median_ms']:6.0f} ms   max {r['max_ms']:6.0f} ms"
                  for call, r in results.items()]
    return lines
