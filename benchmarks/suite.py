"""How long the test suite takes: `make unit` and `make test`, timed, with the CPU they used.

    python benchmarks/suite.py [--only unit|test] [--workers N] [--json FILE]

Runs the README's commands themselves and prints, for each: the wall-clock time (the set-up check of .venv and,
for `make test`, ruff included: about a second), the CPU time of everything they started (pytest, kernels,
servers, Chromium: the children's rusage), and the load average before and after. Targets (issue 15): `make unit`
at most 60 s and `make test` at most 5 minutes on a quiet 2-core machine. CPU time divided by the number of cores
is the floor that running tests in parallel can bring the wall-clock time down to; a load average well above 0
before the run means the figures are inflated by other work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS_S = {"unit": 60.0, "test": 300.0}


def command(which: str, workers: str | None) -> list[str]:
    """`make unit` or `make test`; ``workers`` overrides the Makefile's number of pytest-xdist workers."""
    variable = {"unit": "UNIT_WORKERS", "test": "TEST_WORKERS"}[which]
    return ["make", "--no-print-directory", which, *([f"{variable}={workers}"] if workers else [])]


def timed(argv: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = (done.stdout.strip().splitlines() or [""])[-1]
    return {"wall_s": wall, "cpu_s": cpu, "load_before": load_before, "load_after": os.getloadavg()[0],
            "returncode": done.returncode, "summary": last}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(TARGETS_S))
    parser.add_argument("--workers", help="pytest-xdist workers (default: the Makefile's)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    print(f"{cores} cores; load average now {os.getloadavg()[0]:.1f}")
    results = {}
    for which in [args.only] if args.only else ["unit", "test"]:
        r = results[which] = timed(command(which, args.workers))
        verdict = "meets" if r["wall_s"] <= TARGETS_S[which] else "misses"
        print(f"make {which:4}: {r['wall_s']:6.0f} s wall ({verdict} the {TARGETS_S[which]:.0f} s target), "
              f"{r['cpu_s']:6.0f} s CPU (floor on {cores} cores: {r['cpu_s'] / cores:.0f} s), "
              f"load {r['load_before']:.1f} -> {r['load_after']:.1f}: {r['summary']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all(r["returncode"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
