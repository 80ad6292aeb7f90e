"""Speed of the autograder: one submission, and a class folder of 30 graded with kernels in parallel.

    python benchmarks/grading.py [--folder 30] [--jobs 2]

Targets: one submission <= 10 s (kernel start, the whole notebook, every check with its hidden tests);
a folder of 30 submissions <= 2 min on 2 cores. The folder mixes full solutions and untouched exercises of
every assignment, under arbitrary file names, so recognition is exercised too. Figures vary with machine load.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from acts import grade

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=int, default=30, help="submissions in the class folder")
    parser.add_argument("--jobs", type=int, default=2, help="kernels in parallel")
    args = parser.parse_args(argv)
    assignments = grade.load_assignments()
    sources = grade._acts_sources()
    solutions = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    exercises = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))

    print("one submission (solution: full marks), sequential:")
    worst = 0.0
    for path in solutions:
        start = time.perf_counter()
        result = grade.grade_one(path, assignments, None, 30, sources)
        seconds = time.perf_counter() - start
        worst = max(worst, seconds)
        print(f"  {path.name:<28} {seconds:5.1f} s   score {result.score:g} / {result.max_score:g}")
    print(f"  slowest: {worst:.1f} s   (target <= 10 s: {worst <= 10})")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        pool = solutions + exercises
        for i in range(args.folder):
            shutil.copy(pool[i % len(pool)], folder / f"student{i + 1:02d}.ipynb")
        start = time.perf_counter()
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            code = grade.main([str(folder), "--jobs", str(args.jobs), "--json", str(Path(tmp) / "r.json")])
        seconds = time.perf_counter() - start
    print(f"folder of {args.folder} with {args.jobs} kernels in parallel: {seconds:.1f} s "
          f"({seconds / args.folder:.1f} s per submission; exit {code})   (target <= 120 s: {seconds <= 120})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
