"""Speed of the vanishing-gradient lab and of lesson 09 (issue 4's targets).

    python benchmarks/network.py [--updates 20] [--blas-threads N] [--skip-notebook | --notebook-only]

1. One lab update at depth 50, width 100, batch 256: forward, backward (signal and weight gradients), the
   per-layer histograms, and the redraw of the reused figure into its PNG. Measured by changing the lab's
   controls in turn (activation, initialisation, weight scale), as a learner does; most of these changes move
   the axes' limits, so the whole figure is redrawn. Targets: median update <= 100 ms, compute alone
   (everything but the redraw) <= 40 ms. Also printed: small weight-scale nudges, where the cached axes are
   reused and only the curves and the histogram image are drawn again.
2. Executing notebooks/09_putting_it_together.ipynb top to bottom in a fresh kernel, kernel start included,
   on a temporary copy (the committed notebook is not touched). Target: <= 60 s on 2 cores (it trains
   225 small networks: 3 data sets x 5 activations x 3 learning rates x 5 seeds). The load average before and
   after is printed with it: on a shared machine, a high load means the wall time overstates an idle machine's.

Figures depend on the machine and its load. Verdicts use wall time; the CPU time of this process is printed
beside it: with one BLAS thread it is close to what an idle machine's wall time would be, so on a shared,
busy machine read it, and the best (minimum) sample, as the better estimates of an idle machine.
``--blas-threads`` sets OPENBLAS/OMP/MKL thread counts before NumPy loads (on a busy machine 1 thread is
often faster for these 100 x 100 matrices).

Memory note (Linux, glibc): one update allocates about 40 MB of arrays (every layer's Z, f(Z), dL/dZ, dL/dA).
Freed before the next update, that memory went back to the system and was page-faulted in again each time
(~25 ms of the compute here); the lab therefore keeps the previous net until the new one exists.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_UPDATE_MS, TARGET_COMPUTE_MS, TARGET_NOTEBOOK_S = 100.0, 40.0, 60.0


def lab_timings(updates: int) -> dict:
    """Medians over ``updates`` control changes at depth 50 of: one full update (wall and CPU time of this process,
    ms), and the compute alone; plus the p95 of the update's wall time."""
    import numpy as np

    from acts.lab import VanishingGradientsLab

    lab = VanishingGradientsLab(depth=50, activation="sigmoid", init="standard", width=100, batch=256)
    changes = [(lab.activation, "tanh"), (lab.init, "xavier"), (lab.scale, 1.5), (lab.activation, "relu"),
               (lab.init, "he"), (lab.scale, 1.0), (lab.activation, "leaky_relu"), (lab.init, "standard"),
               (lab.activation, "sigmoid"), (lab.scale, 0.8)]
    for control, value in changes[:3]:  # warm-up: first renders, caches
        control.value = value
    samples = {"update": [], "update_cpu": [], "compute": [], "compute_cpu": []}

    def timed(key, action):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        samples[key].append((time.perf_counter() - wall) * 1e3)
        samples[key + "_cpu"].append((time.process_time() - cpu) * 1e3)

    for i in range(updates):
        control, value = changes[i % len(changes)]
        if control.value == value:
            continue
        renders = lab.view.renders
        # the observer runs compute() and draw(); the defaults bind this iteration's control and value
        timed("update", lambda control=control, value=value: setattr(control, "value", value))
        assert lab.view.renders == renders + 1, "a control change must render exactly once"
        timed("compute", lab.compute)
    result = {key: statistics.median(values) for key, values in samples.items()}
    result.update({key + "_best": min(values) for key, values in samples.items()})
    result["update_p95"] = float(np.percentile(samples["update"], 95))
    # a learner nudging the weight-scale slider: the axes usually keep their limits and only the data are redrawn
    nudges = []
    for i in range(updates):
        start = time.perf_counter()
        lab.scale.value = (0.95, 1.0, 1.05)[i % 3] if lab.scale.value != (0.95, 1.0, 1.05)[i % 3] else 1.1
        nudges.append((time.perf_counter() - start) * 1e3)
    result["nudge"] = statistics.median(nudges)
    # compute alone per activation (the activation's own cost differs: sigmoid needs more exponentials)
    result["per_activation"] = {}
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        lab.activation.value = name
        times = []
        for _ in range(7):
            start = time.perf_counter()
            lab.compute()
            times.append((time.perf_counter() - start) * 1e3)
        result["per_activation"][name] = statistics.median(times)
    return result


def matmul_floor_ms(repeats: int = 5) -> float:
    """The arithmetic floor of one update: the 150 products of (256 x 100) by (100 x 100) matrices that a depth-50
    forward and backward pass needs (best of ``repeats``). Shows how fast, or how busy, this machine is."""
    import numpy as np

    rng = np.random.default_rng(0)
    a, w = rng.standard_normal((256, 100)), rng.standard_normal((100, 100))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(150):
            a @ w
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def notebook_seconds(path: Path) -> float:
    """Wall time to execute a copy of the notebook in a fresh kernel, kernel start included."""
    import nbformat
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        nb = nbformat.read(copy, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        return time.perf_counter() - start


def verdict(value, target):
    return "met" if value <= target else "MISSED"


def lab_report(updates: int) -> bool:
    """Print the lab's figures; True when its targets are met."""
    print(f"reference: 150 matrix products (256x100 @ 100x100), best of 5: {matmul_floor_ms():.1f} ms")
    t = lab_timings(updates)
    print(f"lab update (depth 50, width 100, batch 256): median {t['update']:6.1f} ms (best {t['update_best']:.1f}, "
          f"p95 {t['update_p95']:.1f}, CPU {t['update_cpu']:.1f})  target <= {TARGET_UPDATE_MS:g} ms: "
          f"{verdict(t['update'], TARGET_UPDATE_MS)}")
    print(f"lab compute alone (forward, backward, histograms): median {t['compute']:6.1f} ms (best "
          f"{t['compute_best']:.1f}, CPU {t['compute_cpu']:.1f})  target <= {TARGET_COMPUTE_MS:g} ms: "
          f"{verdict(t['compute'], TARGET_COMPUTE_MS)}")
    print(f"lab update, weight-scale nudges (axes kept, only the data redrawn): median {t['nudge']:6.1f} ms")
    print("lab compute alone by activation (median ms): "
          + ", ".join(f"{name} {ms:.1f}" for name, ms in t["per_activation"].items()))
    return t["update"] <= TARGET_UPDATE_MS and t["compute"] <= TARGET_COMPUTE_MS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20, help="measured lab updates (default 20)")
    parser.add_argument("--blas-threads", type=int, help="BLAS threads (set before NumPy loads)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--skip-notebook", action="store_true", help="only time the lab")
    group.add_argument("--notebook-only", action="store_true", help="only time lesson 09")
    args = parser.parse_args(argv)
    if args.updates < 1:
        parser.error("--updates must be at least 1")
    if args.blas_threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.blas_threads)
    os.environ.setdefault("MPLBACKEND", "agg")

    met = True
    if not args.notebook_only:
        met = lab_report(args.updates)
    if not args.skip_notebook:
        load_before = os.getloadavg()[0]
        seconds = notebook_seconds(ROOT / "notebooks" / "09_putting_it_together.ipynb")
        print(f"notebook 09, fresh kernel, top to bottom: {seconds:6.1f} s  "
              f"target <= {TARGET_NOTEBOOK_S:g} s: {verdict(seconds, TARGET_NOTEBOOK_S)}  "
              f"(load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} CPUs)")
        met = met and seconds <= TARGET_NOTEBOOK_S
    print(f"all targets met: {met}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
