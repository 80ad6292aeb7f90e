"""Exercise 05, back-propagation through softmax: the vector-Jacobian product J^T g for rows of a batch without
forming J (checked at n = 100,000, where J would need 80 GB), and the debugged backward of a softmax with
temperature (the classic s(1 - s) mistake)."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import numpy as np

from ..functions import softmax as ref_softmax
from .engine import fmt, hidden_rng, task_check

BIG_N = 100_000           # forming J for one row of this size needs 8 n^2 bytes = 80 GB
MEMORY_HEADROOM = 2 << 30  # the learner's function may allocate this much during the big case (O(n) needs ~10 MB)


def jacobian_vjp(z, g):
    """J^T g row by row, by forming each row's Jacobian (acts.softmax.jacobian): the slow, obvious reference."""
    return np.einsum("...ji,...j->...i", ref_softmax.jacobian(z), g)


def vjp(z, g):
    """J^T g = s * (g - sum_j s_j g_j) along the last axis, s = softmax(z): O(n) memory."""
    s = ref_softmax(z, axis=-1)
    return s * (g - np.sum(s * g, axis=-1, keepdims=True))


def _virtual_memory_bytes():
    """This process's virtual memory size (Linux /proc), or None where unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@contextmanager
def memory_limit(headroom=MEMORY_HEADROOM):
    """Within the block, allocations beyond ``headroom`` more bytes raise MemoryError (Linux: RLIMIT_AS), so
    an n x n Jacobian at n = 100,000 fails at once instead of filling the machine's memory and swap.
    Elsewhere, nothing changes."""
    try:
        import resource
    except ImportError:  # Windows: allocations are committed up front, so 80 GB fails with MemoryError anyway
        resource = None
    used = _virtual_memory_bytes() if sys.platform.startswith("linux") else None
    if resource is None or used is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + headroom
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _vjp_hint(z, g, transform=lambda t: t, scale=1.0):
    """A hint naming the mistake when the result matches a known wrong formula (z already divided by T)."""
    def hint(actual) -> str:
        s = ref_softmax(transform(z), axis=-1)
        if np.allclose(actual, s * (1 - s) * g * scale, atol=1e-12) or np.allclose(actual, s * (1 - s) * g):
            return ("s(1 - s) g is only the diagonal of the Jacobian: every z_j moves every s_i "
                    "(d s_i / d z_j = s_i (delta_ij - s_j)), so each entry also collects -s_i s_j g_i from the "
                    "others. Work out sum_i g_i d s_i / d z_j.")
        if scale != 1.0 and np.allclose(actual, vjp(transform(z), g), atol=1e-12):
            return ("Right for temperature 1; with s = softmax(z / T) the chain rule multiplies by d(z / T) / dz "
                    "= 1 / T.")
        if np.asarray(actual).ndim > 1 and np.allclose(actual, s * (g - np.sum(s * g)) * scale, atol=1e-12):
            return ("You summed s * g over the whole batch: each row needs its own sum, "
                    "np.sum(s * g, axis=-1, keepdims=True).")
        return "J^T g = s * (g - s . g), with s . g = sum_j s_j g_j taken row by row (axis=-1, keepdims=True)."
    return hint


@task_check("softmax_vjp")
def softmax_vjp(task, fn, hidden=False):
    """J^T g for softmax along the last axis: single rows and batches against Jacobians formed with
    acts.softmax.jacobian; rows of n = 100,000 (J would need 80 GB) against the O(n) formula and against finite
    differences along random directions v (r . v = g . (J v))."""
    rng = hidden_rng(506) if hidden else np.random.default_rng(505)
    shapes = [(5,), (3, 4)] if not hidden else [(7,), (4, 6), (2, 3, 5)]
    for shape in shapes:
        z, g = np.round(rng.normal(0, 3, shape), 3), np.round(rng.normal(0, 1, shape), 3)
        task.close(f"shape {shape}: equals J^T g row by row", fn, (z, g), jacobian_vjp(z, g),
                   input=f"z = {fmt(z)}, g = {fmt(g)}", rtol=1e-9, atol=1e-14, hint=_vjp_hint(z, g))
    big = np.array([[1000.0, 0.0, -1000.0], [3.0, 2.0, 1.0]])
    g = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, -1.0]])
    task.close("large scores, without overflow or warnings", fn, (big, g), jacobian_vjp(big, g),
               input=f"z = {fmt(big)}, g = {fmt(g)}", rtol=1e-9, atol=1e-14, no_warnings=True,
               hint=_vjp_hint(big, g), warn_hint="Use a stable softmax: subtract each row's maximum first "
               "(or call acts.softmax).")
    # the big case: 2 rows of 100,000 scores (~5 MB of inputs); only the O(n) form fits in memory
    z = rng.normal(0, 2, (2, BIG_N))
    g = rng.normal(0, 1, (2, BIG_N))
    label = f"2 rows of n = {BIG_N:,}: equals s * (g - s . g) (tolerance 1e-9 relative + 1e-15 absolute)"
    with memory_limit():
        result, problem = task.call(fn, z, g)
    if problem and problem.startswith("raised MemoryError"):
        task.add(label, False, input=f"z, g of shape {z.shape}", expected="J^T g, computed in O(n) memory",
                 actual=problem, hint=f"Forming the n x n Jacobian at n = {BIG_N:,} needs 80 GB per row. "
                 "Write J^T g entry by entry, sum_i g_i s_i (delta_ij - s_j), and simplify it to an expression "
                 "of s and g alone.")
        return
    arr = task.validate(label, result, problem, input=f"z, g of shape {z.shape}", shape=z.shape)
    if arr is None:
        return
    expected = vjp(z, g)
    ok = bool(np.isfinite(arr).all() and np.allclose(arr, expected, rtol=1e-9, atol=1e-15))
    task.add(label, ok, input=f"z, g of shape {z.shape}", expected=expected, actual=arr,
             hint="" if ok else _vjp_hint(z, g)(arr))
    # independent of the formula: r . v = g . (J v), with J v by central differences of softmax along v
    v = rng.normal(0, 1, z.shape)
    h = 1e-5
    jv = (ref_softmax(z + h * v) - ref_softmax(z - h * v)) / (2 * h)
    lhs, rhs = np.sum(arr * v, axis=-1), np.sum(g * jv, axis=-1)
    ok = bool(np.allclose(lhs, rhs, rtol=1e-5, atol=1e-10))
    task.add("the same rows: r . v = g . (J v) along a random direction v (J v by finite differences, "
             "tolerance 1e-5 relative)", ok, input=f"z, g, v of shape {z.shape}", expected=rhs, actual=lhs,
             hint="" if ok else "Your result is not J^T g: check it against acts.softmax.jacobian on a small "
             "row first.")


def temperature_vjp(z, g, temperature):
    """d/dz of g . softmax(z / T) = s * (g - s . g) / T with s = softmax(z / T), along the last axis."""
    return vjp(np.asarray(z, dtype=np.float64) / temperature, g) / temperature


@task_check("softmax_temperature_backward")
def softmax_temperature_backward(task, fn, hidden=False):
    """The gradient of g . softmax(z / T) with respect to z, against J^T g formed with acts.softmax.jacobian
    (scaled by 1 / T), for several temperatures and a gradient g that is not one-hot."""
    rng = hidden_rng(508) if hidden else np.random.default_rng(507)
    temperatures = [1.0, 0.5, 4.0] if not hidden else list(np.round(hidden_rng(509).uniform(0.2, 5.0, 3), 2))
    for temperature in temperatures:
        n = 4 if not hidden else 6
        z, g = np.round(rng.normal(0, 2, n), 3), np.round(rng.normal(0, 1, n), 3)
        expected = ref_softmax.jacobian(z / temperature).T @ g / temperature
        task.close(f"T = {temperature:g}: equals J^T g / T", fn, (z, g, temperature), expected,
                   input=f"z = {fmt(z)}, g = {fmt(g)}, T = {temperature:g}", rtol=1e-9, atol=1e-14,
                   hint=_vjp_hint(z, g, transform=lambda t, T=temperature: t / T, scale=1 / temperature))
