"""Speed of the autograder, sandbox included: one submission, then a class folder with --jobs 1 and the default.

    python benchmarks/grading.py [--folder 30] [--repeat 3]

Prints one submission's time (kernel start, the whole notebook, every check with its hidden tests, the sandbox),
then the time for a folder of ``--folder`` submissions graded with ``--jobs 1`` and with the default ``--jobs``,
each the median of ``--repeat`` runs, and their ratio. Targets on 2 cores: one submission <= 10 s; the default
(parallel) run at most 0.65x the --jobs 1 run. The folder mixes full solutions and untouched exercises of every
assignment under arbitrary file names, so recognition is exercised too. Figures vary with machine load.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from acts import grade
from acts.grade_sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent


def _grade_folder(folder: Path, jobs: int) -> float:
    start = time.perf_counter()
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        code = grade.main([str(folder), "--jobs", str(jobs), "--seed", "1"])
    assert code == 0
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=int, default=30, help="submissions in the class folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs per setting (the median is printed)")
    args = parser.parse_args(argv)
    default_jobs = min(2, os.cpu_count() or 1)
    print(f"isolation: {Sandbox.choose('auto').describe()['description']}; {os.cpu_count()} cores")
    solutions = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    exercises = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))

    start = time.perf_counter()
    result = grade.grade_one(solutions[0], grade.load_assignments(), None, 30)
    one = time.perf_counter() - start
    print(f"one submission ({solutions[0].name}, score {result.score:g} / {result.max_score:g}): {one:.1f} s   "
          f"(target <= 10 s: {one <= 10})")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        pool = solutions + exercises
        for i in range(args.folder):
            shutil.copy(pool[i % len(pool)], folder / f"student{i + 1:02d}.ipynb")
        medians = {}
        for jobs in (1, default_jobs):
            times = [_grade_folder(folder, jobs) for _ in range(args.repeat)]
            medians[jobs] = statistics.median(times)
            print(f"folder of {args.folder} with --jobs {jobs}: {medians[jobs]:.1f} s median of {args.repeat} "
                  f"({', '.join(f'{t:.1f}' for t in times)}; {medians[jobs] / args.folder:.1f} s per submission)")
    ratio = medians[default_jobs] / medians[1]
    print(f"--jobs {default_jobs} / --jobs 1: {ratio:.2f}   (target <= 0.65 on 2 cores: {ratio <= 0.65})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
