"""Speed of the acts activations against SciPy, NumPy and (when installed) PyTorch on one CPU thread.

    python benchmarks/activations.py [--sizes 1e3 1e6 1e7] [--repeats 7]

Prints the CPU and NumPy's SIMD level first (the formulas' speed depends on it: NumPy vectorises float64 exp
only with AVX-512), then ns per element and ratios measured in the same run (the machines are shared and
noisy, so a ratio of two interleaved measurements means more than either figure alone). Targets at 1e6
elements: sigmoid <= 1.0x scipy.special.expit with AVX-512 and <= 1.5x without, softmax <= 1.0x
scipy.special.softmax, relu <= 1.2x np.maximum(x, 0), tanh <= 1.2x np.tanh, leaky_relu <= 2.5x a memory copy,
each derivative <= 3x its function.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
import scipy.special

import acts
from acts.functions import NUMPY_AVX512

try:  # optional: torch is not a dependency of the course
    import torch

    torch.set_num_threads(1)
except ImportError:
    torch = None


def best_time(fn, arg, budget=0.2, repeats=7):
    """Median over `repeats` of the mean time per call, each repeat looping for about `budget`/repeats s."""
    fn(arg)
    start = time.perf_counter()
    fn(arg)
    once = max(time.perf_counter() - start, 1e-7)
    loops = max(1, int(budget / repeats / once))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(loops):
            fn(arg)
        samples.append((time.perf_counter() - start) / loops)
    return statistics.median(samples)


def interleaved_ratio(fn, base, arg, base_arg=None, rounds=5, budget=0.1):
    """Median of time(fn)/time(base) over rounds measured alternately: robust to drifting machine load."""
    base_arg = arg if base_arg is None else base_arg
    ratios, t_fn, t_base = [], [], []
    for _ in range(rounds):
        a = best_time(fn, arg, budget=budget, repeats=3)
        b = best_time(base, base_arg, budget=budget, repeats=3)
        ratios.append(a / b)
        t_fn.append(a)
        t_base.append(b)
    return statistics.median(t_fn), statistics.median(t_base), statistics.median(ratios)


def cases(dtype):
    """(name, our function, baseline name, baseline function, target ratio at 1e6)."""
    copy = np.copy
    rows = [
        ("sigmoid", acts.sigmoid, "scipy expit", scipy.special.expit, 1.0 if NUMPY_AVX512 else 1.5),
        ("softmax", acts.softmax, "scipy softmax", lambda x: scipy.special.softmax(x, axis=-1), 1.0),
        ("log_softmax", acts.log_softmax, "scipy log_softmax", lambda x: scipy.special.log_softmax(x, axis=-1), None),
        ("relu", acts.relu, "np.maximum(x, 0)", lambda x: np.maximum(x, 0), 1.2),
        ("tanh", acts.tanh, "np.tanh", np.tanh, 1.2),
        ("leaky_relu", acts.leaky_relu, "memory copy", copy, 2.5),
    ]
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        f = acts.ACTIVATIONS[name]
        rows.append((f"{name}'", f.derivative, name, f, 3.0))
    if torch is not None:
        tf = torch.nn.functional
        rows += [
            ("sigmoid", acts.sigmoid, "torch.sigmoid", torch.sigmoid, None),
            ("softmax", acts.softmax, "torch.softmax", lambda t: torch.softmax(t, dim=-1), None),
            ("relu", acts.relu, "torch.relu", torch.relu, None),
            ("tanh", acts.tanh, "torch.tanh", torch.tanh, None),
            ("leaky_relu", acts.leaky_relu, "F.leaky_relu", tf.leaky_relu, None),
        ]
    return rows


def cpu_and_simd() -> str:
    """The CPU model and the SIMD extensions NumPy dispatches to (numpy.show_runtime()'s 'simd_extensions')."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    found = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    missing = [f for f in __cpu_dispatch__ if not __cpu_features__.get(f)]
    return (f"CPU: {model}; NumPy SIMD baseline {', '.join(__cpu_baseline__) or 'none'}, found "
            f"{', '.join(found) or 'none'}, not found {', '.join(missing) or 'none'} "
            f"({'AVX-512' if NUMPY_AVX512 else 'no AVX-512'}: acts picks its formulas for this)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e3, 1e6, 1e7])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(cpu_and_simd())
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed'}")
    print(f"{'size':>6} {'dtype':>7}  {'function':<12} {'ns/elem':>8}  {'baseline':<18} {'ns/elem':>8} {'ratio':>6}  "
          "target")
    misses = []
    for size in args.sizes:
        n = int(size)
        for dtype in (np.float32, np.float64):
            x = (rng.standard_normal(n) * 4).astype(dtype)
            x_torch = torch.from_numpy(x) if torch is not None else None
            for name, fn, base_name, base, target in cases(dtype):
                base_arg = x_torch if base_name.startswith(("torch", "F.")) else x
                t_fn, t_base, ratio = interleaved_ratio(fn, base, x, base_arg, rounds=args.rounds if n <= 1e6 else 3)
                ok = ""
                if target is not None and n == 10**6:
                    ok = f"<= {target}x " + ("ok" if ratio <= target else "MISSED")
                    if ratio > target:
                        misses.append(f"{name} vs {base_name} ({np.dtype(dtype).name}): {ratio:.2f}x > {target}x")
                print(f"{size:6.0e} {np.dtype(dtype).name:>7}  {name:<12} {t_fn / n * 1e9:8.2f}  {base_name:<18} "
                      f"{t_base / n * 1e9:8.2f} {ratio:6.2f}  {ok}", flush=True)
    print("\nall targets at 1e6 met" if not misses else "\ntargets missed at 1e6:\n  " + "\n  ".join(misses))


if __name__ == "__main__":
    main()
