"""How long `import acts` takes, against `import numpy` (issue 15's target: at most 3x).

    python benchmarks/import_time.py [--runs 15]

Each run is a fresh interpreter that times only the import statement (interpreter start-up excluded); runs of
the two imports are interleaved, so that a machine whose load changes during the benchmark affects both alike.
Prints the medians, their ratio, and which heavy libraries `import acts` loaded (it should load none of pyplot,
SciPy, ipywidgets, PIL, nbclient until a function that needs them is called).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0
HEAVY = ("matplotlib", "scipy", "ipywidgets", "PIL", "nbclient", "nbformat", "IPython")
PROBE = """
import json, sys, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed, "heavy": sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))}}))
"""


def time_import(module: str) -> dict:
    code = PROBE.format(module=module, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per import (default 15)")
    args = parser.parse_args(argv)
    numpy_s, acts_s, heavy = [], [], set()
    for _ in range(args.runs):
        numpy_s.append(time_import("numpy")["seconds"])
        result = time_import("acts")
        acts_s.append(result["seconds"])
        heavy.update(result["heavy"])
    numpy_ms, acts_ms = statistics.median(numpy_s) * 1e3, statistics.median(acts_s) * 1e3
    ratio = acts_ms / numpy_ms
    print(f"import numpy: {numpy_ms:6.1f} ms median of {args.runs} fresh interpreters")
    print(f"import acts:  {acts_ms:6.1f} ms median (NumPy included)")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"ratio acts / numpy: {ratio:.2f} (target <= {TARGET_RATIO:g}): {verdict}")
    print(f"heavy libraries loaded by `import acts`: {', '.join(sorted(heavy)) or 'none'}")
    return 0 if ratio <= TARGET_RATIO and not heavy else 1


if __name__ == "__main__":
    sys.exit(main())
