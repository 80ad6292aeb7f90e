"""Exercise 06: Xavier and He initialisation, and per-layer gradient norms of a sigmoid stack."""

from __future__ import annotations

import numpy as np

from ..functions import sigmoid as ref_sigmoid
from .engine import hidden_rng, task_check


def _init_hint(w, target) -> str:
    """Says whether the mean or the variance of the weights is off, and by how much."""
    if abs(w.mean()) >= 0.1 * np.sqrt(target):
        return "Centre the weights on 0: rng.normal(0, std, shape) or rng.uniform(-a, a, shape)."
    ratio = w.var() / target
    return (f"Your variance is {ratio:.3g} times the target: a normal needs std = sqrt(target), a uniform on "
            "[-a, a] needs a = sqrt(3 target).")


def _init_cases(task, fn, name, variance, hidden):
    shapes = [(400, 200), (100, 300)] if not hidden else [(250, 250), (600, 150)]
    for fan_in, fan_out in shapes:
        label = f"{name}({fan_in}, {fan_out}): shape, mean 0 and variance within 10%"
        w = task.array(label, fn, (fan_in, fan_out), kwargs={"rng": np.random.default_rng(0)},
                       input=f"fan_in = {fan_in}, fan_out = {fan_out}", shape=(fan_in, fan_out),
                       shape_hint="Return a matrix of shape (fan_in, fan_out): inputs are rows, outputs columns.")
        if w is None:
            continue
        target = variance(fan_in, fan_out)
        ok = abs(w.var() / target - 1) < 0.10 and abs(w.mean()) < 0.1 * np.sqrt(target)
        task.add(label, ok, input=f"fan_in = {fan_in}, fan_out = {fan_out}",
                 expected=f"mean 0, variance {target:.3g}", actual=f"mean {w.mean():.3g}, variance {w.var():.3g}",
                 hint="" if ok else _init_hint(w, target))
    label = f"{name} uses the rng it is given (same seed, same weights)"
    a, b = (task.array(label, fn, (20, 10), kwargs={"rng": np.random.default_rng(1)},
                       input="rng = np.random.default_rng(1), twice", shape=(20, 10)) for _ in range(2))
    if a is not None and b is not None:
        task.add(label, np.array_equal(a, b), input="rng = np.random.default_rng(1), twice",
                 expected="identical matrices", actual="different matrices",
                 hint="Draw with rng.normal(...) or rng.uniform(...), not np.random.")


@task_check("xavier_init")
def xavier_init(task, fn, hidden=False):
    """Xavier/Glorot: weights of variance 2 / (fan_in + fan_out), any distribution."""
    _init_cases(task, fn, "xavier_init", lambda i, o: 2.0 / (i + o), hidden)


@task_check("he_init")
def he_init(task, fn, hidden=False):
    """He/Kaiming: weights of variance 2 / fan_in, any distribution."""
    _init_cases(task, fn, "he_init", lambda i, o: 2.0 / i, hidden)


@task_check("layer_gradient_norms")
def layer_gradient_norms(task, fn, hidden=False):
    """Per-layer gradient norms of a chain of sigmoid layers, against a hand-checked computation."""
    rng = hidden_rng(602) if hidden else np.random.default_rng(601)
    depth, width, batch = (5, 8, 6) if hidden else (4, 6, 5)
    weights = [rng.normal(0, 1 / np.sqrt(width), (width, width)) for _ in range(depth)]
    x = rng.normal(0, 1, (batch, width))
    # forward: a_l = sigma(a_{l-1} W_l); backward from dL/da_L = 1; norm of dL/dz_l per layer, input side first
    activations, zs = [x], []
    for w in weights:
        zs.append(activations[-1] @ w)
        activations.append(ref_sigmoid(zs[-1]))
    grad, norms = np.ones_like(activations[-1]), []
    for layer in range(depth - 1, -1, -1):
        dz = grad * ref_sigmoid.derivative(zs[layer])
        norms.append(np.linalg.norm(dz))
        grad = dz @ weights[layer].T
    expected = np.array(norms[::-1])
    label = "one norm of dL/dz per layer, input side first (tolerance 1e-9 relative)"
    got = task.array(label, fn, (weights, x), input=f"{depth} layers of width {width}, batch {batch}",
                     shape=(depth,), shape_hint="Return one number per layer, as a NumPy array.")
    if got is not None:
        task.add(label, np.allclose(got, expected, rtol=1e-9, atol=0), input=f"{depth} layers, width {width}",
                 expected=expected, actual=got, hint="Backward: dz = grad * sigma'(z); record norm(dz); then "
                 "grad = dz @ W.T. Reverse the list at the end so the input side comes first.")
        task.add("the norms shrink towards the input (sigmoid' <= 1/4)", np.all(np.diff(got) > 0),
                 input=f"{depth} sigmoid layers", expected="increasing from input to output", actual=got,
                 hint="Each sigmoid layer multiplies the gradient by at most 1/4 times the weights.")
