"""High-precision references (mpmath) and ULP distances for the accuracy tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import mpmath
import numpy as np

mpmath.mp.prec = 200
TINY = np.nextafter(0.0, 1.0)  # the smallest subnormal: below it, errors count in its units
# 200-bit references take seconds to minutes to compute: they are kept on disk between runs, keyed by everything
# they depend on (ACTS_REFERENCE_CACHE=0 turns the disk cache off)
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "acts-course" / "mpmath-references"


def cached(compute, *key_parts, sources=()):
    """compute() -> ndarray, computed once and then read from disk while nothing it depends on changes.

    The key hashes ``key_parts`` (arrays by their bytes, anything else by repr), the text of ``sources`` (the
    files that define the reference formulas: pass ``__file__``), this file and mpmath's precision. Example, for
    a module-scoped fixture: ``cached(lambda: _reference_table(label), label, GRID, sources=[__file__])``."""
    digest = hashlib.sha256(f"prec={mpmath.mp.prec};mpmath={mpmath.__version__}".encode())
    for part in key_parts:
        digest.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
    for source in (__file__, *sources):
        digest.update(Path(source).read_bytes())
    path = CACHE / f"{digest.hexdigest()[:32]}.npy"
    use_disk = os.environ.get("ACTS_REFERENCE_CACHE", "1") != "0"
    if use_disk and path.exists():
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):  # a truncated file from an interrupted run: compute it again
            pass
    table = np.asarray(compute())
    if use_disk:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(partial, table, allow_pickle=False)
            partial.replace(path)  # atomic: parallel test runs never read half a file
        except OSError:  # a read-only home: just no cache
            pass
    return table


def reference(fn, xs):
    """fn(mpf) -> mpf evaluated at each float64 in xs, rounded once to float64."""
    return np.array([float(fn(mpmath.mpf(float(x)))) for x in np.ravel(xs)]).reshape(np.shape(xs))


def cached_reference(fn, xs, *key_parts, sources=()):
    """reference(fn, xs), kept on disk (see cached): ``key_parts`` name fn (its code is not hashed; the files
    in ``sources`` that define it are)."""
    xs = np.asarray(xs, dtype=np.float64)
    return cached(lambda: reference(fn, xs), getattr(fn, "__qualname__", repr(fn)), *key_parts, xs,
                  sources=sources)


def ulp_error(actual, expected):
    """|actual - expected| in units of the last place of expected (subnormals in units of TINY)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    unit = np.maximum(np.spacing(np.abs(expected)), TINY)
    both_equal = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(actual - expected) / unit
    return np.where(both_equal, 0.0, err)


def mp_sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def mp_sigmoid_derivative(x):
    # e / (1 + e)^2 with e = exp(-|x|): s (1 - s) would cancel even at 200 bits for x > 140
    e = mpmath.exp(-abs(x))
    return e / (1 + e) ** 2


def mp_tanh_derivative(x):
    return mpmath.sech(x) ** 2


MP = {
    "sigmoid": (mp_sigmoid, mp_sigmoid_derivative),
    "tanh": (mpmath.tanh, mp_tanh_derivative),
    "relu": (lambda x: max(x, 0), lambda x: mpmath.mpf(1) if x > 0 else mpmath.mpf(0)),
    "leaky_relu": (lambda x: x if x > 0 else mpmath.mpf("0.01") * x,
                   lambda x: mpmath.mpf(1) if x > 0 else mpmath.mpf("0.01")),
}


def accuracy_grid(lo=-800.0, hi=800.0, n=4001, seed=0):
    """A grid of the interval, dense random points, and the points where behaviour changes."""
    rng = np.random.default_rng(seed)
    special = [0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, -0.5, 708.5, -708.5, 709.8, -709.8, 745.0, -745.0,
               744.5, -744.5, 372.0, -372.5, 36.0, 37.0, -36.0, 19.0, 20.0, -20.0, 40.0, -40.0]
    return np.concatenate([np.linspace(lo, hi, n), rng.uniform(lo, hi, n), rng.uniform(-40, 40, n), special])
