"""Finite differences: the independent check of every analytic derivative in the course."""

from __future__ import annotations

import numpy as np


def _default_step_size(x: np.ndarray) -> np.ndarray:
    # h = eps^(1/3) * max(1, |x|) balances truncation error (h^2) against rounding error (eps / h)
    return np.cbrt(np.finfo(np.float64).eps) * np.maximum(1.0, np.abs(x))


def central_difference(f, x, h=None):
    """f'(x) ~ (f(x + h) - f(x - h)) / (2h), elementwise, in float64."""
    x = np.asarray(x, dtype=np.float64)
    h = _default_step_size(x) if h is None else np.asarray(h, dtype=np.float64)
    return (np.asarray(f(x + h), dtype=np.float64) - np.asarray(f(x - h), dtype=np.float64)) / (2 * h)


def gradient_check(f, df, x, h=None) -> float:
    """Max error of the analytic derivative df against central differences of f at the points x.

    error = max_i |df(x_i) - fd_i| / max(1, |fd_i|): absolute where the slope is small, relative where it
    is large. About 1e-10 for a correct derivative of a smooth function; order 1 for a wrong one.
    Keep x away from kinks (ReLU at 0), where no derivative exists to check.
    """
    x = np.asarray(x, dtype=np.float64)
    numeric = central_difference(f, x, h)
    analytic = np.asarray(df(x), dtype=np.float64)
    err = np.abs(analytic - numeric) / np.maximum(1.0, np.abs(numeric))
    return float(np.max(err)) if err.size else 0.0


def numerical_jacobian(f, x, h=None) -> np.ndarray:
    """J[..., i, j] ~ d f(x)_i / d x_j for a vector function of the last axis, by central differences."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[-1]
    h = np.cbrt(np.finfo(np.float64).eps) if h is None else h
    jac = np.empty(x.shape + (n,))
    for j in range(n):
        step = np.zeros(n)
        step[j] = h
        jac[..., :, j] = (np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * h)
    return jac
