"""The grader's data channel: values a learner's function took and returned, as JSON plus .npy files.

The learner's kernel writes these files; the grader reads them back as data (``np.load(allow_pickle=False)``,
``json.loads``), never as pickles or code, so whatever the kernel writes can at worst be a wrong value.

    encode(value, save) -> JSON-able tree      save(array) -> file name, writes the array as .npy
    decode(tree, load)  -> value               load(file name) -> array (the reader checks size and dtype)
    same(a, b)          -> bool                the grader's argument against the one the kernel recorded

Supported values: None, bool, int, float (nan and inf included, exact through float.hex), str, list, tuple,
dict with str keys, NumPy arrays and scalars of bool/int/float/complex dtype, and NumPy Generators (their state,
so a call that draws from ``rng`` replays exactly). Anything else becomes ``Opaque``, named by its type.
"""

from __future__ import annotations

import math
import re

import numpy as np

MAX_DEPTH = 6            # nesting of lists, tuples and dicts
MAX_ITEMS = 10_000       # items of one list, tuple or dict
MAX_ELEMENTS = 1 << 23   # elements of one array (64 MB of float64): a bigger result is recorded as Opaque
MAX_TEXT = 2_000         # characters of one string


class Opaque:
    """A value the channel does not carry (an unsupported type, or too large); only its description survives."""

    def __init__(self, description: str):
        self.description = description

    def __repr__(self) -> str:
        return self.description


def _type_name(value) -> str:
    return re.sub(r"[^A-Za-z0-9_.]", "", type(value).__name__)[:60] or "object"


def encode(value, save, depth: int = 0):
    """A JSON-able tree for ``value``; arrays go to ``save`` (which returns the file name)."""
    if depth > MAX_DEPTH:
        return {"opaque": "a value nested too deeply"}
    if type(value) is np.ndarray or isinstance(value, np.generic):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biufc" or arr.dtype.fields is not None:
            return {"opaque": f"an array of dtype {arr.dtype}"}
        if arr.size > MAX_ELEMENTS:
            return {"opaque": f"an array of shape {arr.shape}, too large to hand back"}
        return {"scalar" if isinstance(value, np.generic) else "array": save(arr)}
    if value is None or isinstance(value, (bool, str)):
        return {"str": value[:MAX_TEXT]} if isinstance(value, str) else value
    if isinstance(value, int):
        return {"int": str(value)} if abs(value) < 10 ** 100 else {"opaque": "a huge int"}
    if isinstance(value, float):
        return {"float": value.hex()}
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        if len(value) > MAX_ITEMS:
            return {"opaque": f"a {type(value).__name__} of {len(value)} items"}
        return {type(value).__name__: [encode(v, save, depth + 1) for v in value]}
    if type(value) is dict and all(isinstance(k, str) for k in value) and len(value) <= MAX_ITEMS:
        return {"dict": {k[:MAX_TEXT]: encode(v, save, depth + 1) for k, v in value.items()}}
    if isinstance(value, np.random.Generator) and type(value.bit_generator) is np.random.PCG64:
        return {"generator": _plain(value.bit_generator.state)}
    return {"opaque": f"an object of type {_type_name(value)}"}


def _plain(state):
    """A Generator's state as plain JSON (its ints can exceed 64 bits: JSON keeps them exact)."""
    if isinstance(state, dict):
        return {str(k): _plain(v) for k, v in state.items()}
    return int(state) if isinstance(state, (int, np.integer)) else str(state)


def decode(tree, load, depth: int = 0):
    """The value ``encode`` described; anything malformed decodes to an Opaque, never raises."""
    if depth > MAX_DEPTH:
        return Opaque("a value nested too deeply")
    if tree is None or isinstance(tree, bool):
        return tree
    if not isinstance(tree, dict) or len(tree) != 1:
        return Opaque("a malformed value")
    (kind, body), = tree.items()
    try:
        if kind == "str" and isinstance(body, str):
            return body[:MAX_TEXT]
        if kind == "int" and isinstance(body, str) and len(body) <= 101:
            return int(body)
        if kind == "float" and isinstance(body, str) and len(body) <= 40:
            return float.fromhex(body) if body not in ("nan", "inf", "-inf") else float(body)
        if kind in ("list", "tuple") and isinstance(body, list) and len(body) <= MAX_ITEMS:
            items = [decode(v, load, depth + 1) for v in body]
            return items if kind == "list" else tuple(items)
        if kind == "dict" and isinstance(body, dict) and len(body) <= MAX_ITEMS:
            return {str(k): decode(v, load, depth + 1) for k, v in body.items()}
        if kind == "generator" and isinstance(body, dict):
            rng = np.random.Generator(np.random.PCG64())
            rng.bit_generator.state = body
            return rng
        if kind in ("array", "scalar") and isinstance(body, str):
            arr = load(body)
            return arr[()] if kind == "scalar" else arr
        if kind == "opaque" and isinstance(body, str):
            return Opaque(body[:200])
    except (ValueError, TypeError, KeyError, OverflowError, OSError):
        pass
    return Opaque("a malformed value")


def same(a, b) -> bool:
    """Equal as call arguments: same types, shapes, dtypes and values (nan equal to nan), Generators by state."""
    if isinstance(a, np.random.Generator) or isinstance(b, np.random.Generator):
        return (isinstance(a, np.random.Generator) and isinstance(b, np.random.Generator)
                and _plain(a.bit_generator.state) == _plain(b.bit_generator.state))
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        return (type(a) is type(b) and a_arr.dtype == b_arr.dtype and a_arr.shape == b_arr.shape
                and bool(np.array_equal(a_arr, b_arr, equal_nan=a_arr.dtype.kind in "fc")))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return type(a) is type(b) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b
