"""Input handling shared by every activation: one place decides dtypes, shapes and errors.

Rules (design.md section 2):
- float16/32/64 (and longdouble) keep their dtype; ints and bools compute in float64;
- the shape is kept, and a scalar (or 0-d array) in gives a scalar out;
- anything that is not a real number (str, None, object arrays, complex) raises TypeError
  naming the function and the offending type.
"""

from __future__ import annotations

import numpy as np

_REAL_KINDS = "fiub"  # float, signed int, unsigned int, bool


def as_real_array(x, func_name: str) -> np.ndarray:
    """Return ``x`` as a floating ndarray, or raise TypeError naming ``func_name``."""
    if isinstance(x, np.ndarray):
        arr = x
    else:
        if x is None or isinstance(x, (str, bytes, complex)):
            raise TypeError(f"{func_name}() expects real numbers, got {type(x).__name__}")
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:  # ragged lists and the like
            raise TypeError(f"{func_name}() expects real numbers, got {type(x).__name__}: {exc}") from None
    kind = arr.dtype.kind
    if kind not in _REAL_KINDS:
        what = "complex" if kind == "c" else f"array of dtype {arr.dtype}"
        raise TypeError(f"{func_name}() expects real numbers, got {what}")
    if kind != "f":
        arr = arr.astype(np.float64)
    return arr


def at_least_1d(arr: np.ndarray) -> np.ndarray:
    """A 0-d array as shape (1,), so that in-place ``out=`` buffers work for scalars too."""
    return arr.reshape(1) if arr.ndim == 0 else arr


def scalar_or_array(out: np.ndarray, like: np.ndarray):
    """Give ``out`` the shape of the input ``like``; a 0-d input gets a NumPy scalar (scalars in, scalars out)."""
    return out.reshape(())[()] if like.ndim == 0 else out


def check_param(value, name: str, func_name: str) -> float:
    """A numeric parameter such as alpha: a real finite number, else TypeError/ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func_name}() parameter {name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{func_name}() parameter {name} must be finite, got {value}")
    return value


def check_choice(value, name: str, func_name: str, choices) -> str:
    """A string parameter such as GELU's approximate: one of ``choices``, else TypeError/ValueError."""
    if not isinstance(value, str):
        raise TypeError(f"{func_name}() parameter {name} must be a str, one of {list(choices)}, "
                        f"got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{func_name}() parameter {name} must be one of {list(choices)}, got {value!r}")
    return value
