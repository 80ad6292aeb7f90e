"""How long each lesson takes to Run All: every notebooks/NN_*.ipynb top to bottom in a fresh kernel.

    python benchmarks/lessons.py [notebooks/06_vanishing_gradients.ipynb ...] [--json FILE]

Each lesson runs as nbclient runs it for `make execute` (its own folder, a fresh python3 kernel, the inline
matplotlib backend) but on a copy in memory: the notebook files are never written. Two times are printed: the
cells alone, and the whole run with the kernel's start. Targets for a workshop (issue 15): at most 20 s per
lesson, 45 s for lesson 06 (the vanishing-gradient experiments) and 60 s for the fair comparison (the lesson
"Putting it together"), on a quiet 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGET_S = 20.0
TARGETS_S = {"vanishing_gradients": 45.0, "putting_it_together": 60.0}  # by the lesson's file name


def target_for(path: Path) -> float:
    return next((t for key, t in TARGETS_S.items() if key in path.stem), DEFAULT_TARGET_S)


def run_all(path: Path, timeout: int = 600) -> dict:
    """Execute the lesson in memory; returns total seconds (kernel start included) and seconds in cells."""
    nb = nbformat.read(path, as_version=4)
    cell_seconds = []
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.on_cell_execute = lambda cell, cell_index: cell_seconds.append(-time.perf_counter())
    client.on_cell_executed = lambda cell, cell_index, execute_reply: cell_seconds.append(time.perf_counter())
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    cells = sum(cell_seconds)  # pairs of (-start, end)
    return {"lesson": path.name, "total_s": total, "cells_s": cells, "target_s": target_for(path)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", type=Path, help="default: every notebooks/NN_*.ipynb")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    lessons = args.lessons or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # as `make execute` runs them
    print(f"{'lesson':40} {'cells s':>8} {'total s':>8} {'target s':>8}")
    results, all_met = [], True
    for path in lessons:
        r = run_all(path)
        met = r["total_s"] <= r["target_s"]
        all_met &= met
        results.append(r)
        print(f"{r['lesson']:40} {r['cells_s']:8.1f} {r['total_s']:8.1f} {r['target_s']:8.0f}  "
              f"{'met' if met else 'MISSED'}", flush=True)
    print(f"all lessons within their targets: {all_met} (wall-clock: a loaded machine inflates every figure)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
