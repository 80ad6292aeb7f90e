"""How long the test suite takes: `make unit` and `make test`, timed, with the CPU they used.

    python benchmarks/suite.py [--only unit|test] [--workers N] [--json FILE]

Runs the README's commands themselves and prints, for each: the wall-clock time (the set-up check of .venv and,
for `make test`, ruff included: about a second), the CPU time they used, and the load average before and after.
CPU is counted twice: the children's rusage (what `time` prints) counts only processes that were waited for, and
misses those that outlive their parent (the kernels of a JupyterLab server that is shut down, Chromium's helpers);
the whole machine's busy time (Linux's /proc/stat) counts everything, and on a quiet machine is the honest figure
(it counted about 1.5x the rusage for `make test`). Targets (issue 15): `make unit`
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


def machine_busy_s() -> float | None:
    """Seconds of CPU the whole machine has spent busy since boot (all cores; user, nice, system, interrupts), or
    None where /proc/stat does not exist."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:8]]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def timed(argv: list[str]) -> dict:
    busy_before = machine_busy_s()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    busy_after = machine_busy_s()
    machine = busy_after - busy_before if busy_before is not None and busy_after is not None else None
    last = (done.stdout.strip().splitlines() or [""])[-1]
    return {"wall_s": wall, "cpu_s": cpu, "machine_cpu_s": machine, "load_before": load_before,
            "load_after": os.getloadavg()[0], "returncode": done.returncode, "summary": last}


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
        cpu = r["machine_cpu_s"] if r["machine_cpu_s"] is not None else r["cpu_s"]
        machine = f"{r['machine_cpu_s']:6.0f} s CPU machine-wide, " if r["machine_cpu_s"] is not None else ""
        print(f"make {which:4}: {r['wall_s']:6.0f} s wall ({verdict} the {TARGETS_S[which]:.0f} s target), "
              f"{machine}{r['cpu_s']:6.0f} s CPU of waited-for children (floor on {cores} cores: "
              f"{cpu / cores:.0f} s), load {r['load_before']:.1f} -> {r['load_after']:.1f}: {r['summary']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all(r["returncode"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
