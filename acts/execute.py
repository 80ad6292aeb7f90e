"""Execute notebooks top to bottom in a fresh kernel and store their outputs (``make execute``).

    python -m acts.execute notebooks/*.ipynb solutions/*.ipynb

Stored outputs are what nbval compares against, so lessons are committed executed. Widget state that
nbclient stores in ``metadata.widgets`` is stripped afterwards: it is large and changes on every run.
Each figure should carry alternative text in its output metadata (``import acts`` in the kernel adds it,
acts/plotting.py); the report line says how many do not.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 600) -> float:
    """Run one notebook in its own folder with a fresh python3 kernel; write it back; return seconds taken."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    env_backup = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        # coalesce_streams: consecutive prints are stored as one output however the kernel happened to flush them,
        # so that re-running a notebook changes its file only where its results changed
        NotebookClient(nb, timeout=timeout, kernel_name="python3", coalesce_streams=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_backup is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_backup
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    return time.perf_counter() - start


def figures_without_alt(nb) -> tuple[int, int]:
    """(figures, figures without alt text): PNG outputs, and those whose metadata has no image/png alt."""
    figures = missing = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                figures += 1
                missing += not output.get("metadata", {}).get("image/png", {}).get("alt")
    return figures, missing


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    failed = 0
    for path in args.notebooks:
        if not path.exists():  # an unmatched glob such as solutions/*.ipynb before any solution exists
            continue
        try:
            seconds = execute(path, args.timeout)
            figures, missing = figures_without_alt(nbformat.read(path, as_version=4))
            note = f"; {missing} of {figures} figures without alt text (import acts before plotting)" if missing else ""
            print(f"executed {path} in {seconds:.1f} s{note}", flush=True)
        except Exception as exc:  # report and go on: one broken notebook should not hide the others
            failed += 1
            print(f"FAILED {path}: {type(exc).__name__}: {str(exc)[:2000]}", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
