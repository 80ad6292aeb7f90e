"""Exercise 00: a 2-2-1 ReLU network's forward pass, XOR built by hand on inputs in {-1, +1}, and the best
accuracy any straight line reaches on a small point set (XOR: 3 of 4)."""

from __future__ import annotations

import numpy as np

from ..functions import relu as ref_relu
from .engine import Stop, fmt, hidden_rng, task_check

# XOR on the bipolar encoding: the output is positive exactly where the two inputs differ
XOR_POINTS = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])
JITTER = 0.25  # the jittered points lie within this distance (per coordinate) of a corner


def reference_forward(x, W1, b1, W2, b2):
    """out = ReLU(x W1 + b1) W2 + b2: rows of x are points, W1 (2, 2), b1 (2,), W2 (2,), b2 a number."""
    return ref_relu(np.asarray(x, dtype=np.float64) @ W1 + b1) @ W2 + b2


@task_check("xor_forward")
def xor_forward(task, fn, hidden=False):
    """forward(x, W1, b1, W2, b2) = ReLU(x W1 + b1) W2 + b2, one output per row of x: against the reference on
    seeded weights and points, and a hidden unit that is switched off on some rows (the ReLU must act)."""
    rng = hidden_rng(1) if hidden else np.random.default_rng(0)
    cases = []
    for n in (4, 7):
        W1, b1 = np.round(rng.normal(0, 1, (2, 2)), 2), np.round(rng.normal(0, 1, 2), 2)
        W2, b2 = np.round(rng.normal(0, 1, 2), 2), float(np.round(rng.normal(), 2))
        cases.append((np.round(rng.uniform(-2, 2, (n, 2)), 2), W1, b1, W2, b2))
    W1 = np.array([[1.0, -1.0], [1.0, 1.0]])  # the first unit is negative on (-1, -1): its ReLU gives 0 there
    cases.append((XOR_POINTS, W1, np.array([0.5, 0.0]), np.array([2.0, -1.0]), 0.25))
    for x, W1, b1, W2, b2 in cases:
        shown = f"x = {fmt(x)}, W1 = {fmt(W1)}, b1 = {fmt(b1)}, W2 = {fmt(W2)}, b2 = {b2!r}"
        expected = reference_forward(x, W1, b1, W2, b2)

        def hint(actual, x=x, W1=W1, b1=b1, W2=W2, b2=b2) -> str:
            if np.allclose(actual, (x @ W1 + b1) @ W2 + b2):
                return "That is the network without its ReLU: apply ReLU (acts.relu or np.maximum(0, z)) to the " \
                       "hidden pre-activations x @ W1 + b1 before the output layer."
            if np.allclose(actual, ref_relu(x @ W1.T + b1) @ W2 + b2):
                return "Rows of W1 are inputs, columns hidden units: compute x @ W1, not x @ W1.T."
            return "Hidden layer h = ReLU(x @ W1 + b1) (one row per point), then the output h @ W2 + b2."
        task.close(f"one output per point ({len(x)} points)", fn, (x, W1, b1, W2, b2), expected, input=shown,
                   rtol=1e-9, atol=1e-12, hint=hint)


def _jittered(rng, per_corner=50):
    """Points within JITTER of each corner, labelled as their corner."""
    noise = rng.uniform(-JITTER, JITTER, (4, per_corner, 2))
    return (XOR_POINTS[:, None, :] + noise).reshape(-1, 2), np.repeat(XOR_LABELS, per_corner)


def _weights(task, fn):
    """The learner's (W1, b1, W2, b2) as float arrays of the right shapes; a failing case (and Stop) otherwise."""
    name = "xor_weights() returns (W1, b1, W2, b2) with shapes (2, 2), (2,), (2,) and ()"
    result, problem = task.call(fn)
    if problem and result is None:
        task.add(name, False, expected="four arrays", actual=problem,
                 hint="Your function raised an exception: call xor_weights() yourself to see where.")
        raise Stop
    try:
        W1, b1, W2, b2 = (np.asarray(part, dtype=np.float64) for part in result)
    except (TypeError, ValueError):
        task.add(name, False, expected="a tuple (W1, b1, W2, b2)", actual=fmt(result),
                 hint="Return the four parts as a tuple: return W1, b1, W2, b2.")
        raise Stop from None
    shapes = [a.shape for a in (W1, b1, W2, b2)]
    ok = shapes == [(2, 2), (2,), (2,), ()] and all(np.isfinite(a).all() for a in (W1, b1, W2, b2))
    task.add(name, ok, expected="shapes [(2, 2), (2,), (2,), ()], finite", actual=f"shapes {shapes}",
             hint="W1 is 2 inputs x 2 hidden units, b1 one bias per hidden unit, W2 one weight per hidden unit "
             "and b2 a single number; all finite.")
    if not ok:
        raise Stop
    return W1, b1, W2, b2


def _xor_hint(predicted, labels) -> str:
    if np.array_equal(predicted, 1 - labels):
        return ("Every prediction is the opposite: you built XNOR. Flip the sign of the output layer "
                "(W2 and b2 -> -W2 and -b2).")
    if np.all(predicted == predicted[0]):
        return ("Your network gives the same class at every point: its output has one sign everywhere. "
                "Compute the hidden values h at the four corners by hand, then choose W2 and b2 so that "
                "h @ W2 + b2 is positive only at (-1, +1) and (+1, -1).")
    return ("The output must be > 0 exactly where the inputs differ. Idea: one hidden unit that fires when "
            "x1 > x2, one when x2 > x1; each is 0 at (-1, -1) and (+1, +1).")


@task_check("xor_weights")
def xor_weights(task, fn, hidden=False):
    """Weights of a 2-2-1 ReLU network whose output is > 0 exactly where the two inputs (in {-1, +1}) differ:
    all four corners right, and every point within 0.25 of a corner (seeded, other points when hidden)."""
    W1, b1, W2, b2 = _weights(task, fn)
    out = reference_forward(XOR_POINTS, W1, b1, W2, b2)
    predicted = (out > 0).astype(int)
    task.add("the four corners: output > 0 exactly where x1 != x2 (accuracy 4/4)",
             np.array_equal(predicted, XOR_LABELS), input=fmt(XOR_POINTS), expected=fmt(XOR_LABELS),
             actual=f"predicted {fmt(predicted)} (outputs {fmt(out)})", hint=_xor_hint(predicted, XOR_LABELS))
    x, labels = _jittered(hidden_rng(3) if hidden else np.random.default_rng(2))
    predicted = (reference_forward(x, W1, b1, W2, b2) > 0).astype(int)
    wrong = predicted != labels
    worst = x[wrong][:3]
    task.add(f"{len(x)} points within {JITTER} of the corners: all classified as their corner",
             not wrong.any(), input=f"{len(x)} jittered points", expected=f"accuracy {len(x)}/{len(x)}",
             actual=f"accuracy {len(x) - wrong.sum()}/{len(x)}; wrong at e.g. {fmt(np.round(worst, 3))}",
             hint="Your boundary passes too close to a corner: the output must keep its sign near each corner "
             "too. Make the outputs at the corners larger (e.g. +1 and -1) rather than just above or below 0.")


def best_line_accuracy(X, y, directions=7200):
    """max over (w, b) of the fraction of points with (w . x + b > 0) == y, for points in the plane.

    For one direction w the best b is found exactly by trying a threshold between each pair of neighbouring
    projections (and beyond both ends); directions on a fine grid of angles cover the rest: an optimal line
    keeps its accuracy over an open range of directions, which the grid hits for the small integer-valued
    point sets the check uses."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    angles = np.arange(directions) * (2 * np.pi / directions)
    proj = X @ np.stack([np.cos(angles), np.sin(angles)])          # (points, directions)
    order = np.sort(proj, axis=0)
    thresholds = np.concatenate([order[:1] - 1, (order[1:] + order[:-1]) / 2, order[-1:] + 1])
    predicted = proj[None, :, :] > thresholds[:, None, :]           # (thresholds, points, directions)
    return float((predicted == y[None, :, None].astype(bool)).mean(axis=1).max())


def _point_sets(hidden):
    """(name, X, y): XOR in both encodings and a separable set; random integer-grid sets when hidden."""
    sets = [("XOR on {-1, +1}", XOR_POINTS, XOR_LABELS),
            ("XOR on {0, 1}", (XOR_POINTS + 1) / 2, XOR_LABELS),
            ("AND on {0, 1} (linearly separable)", (XOR_POINTS + 1) / 2, np.array([0, 0, 0, 1]))]
    if hidden:
        rng = hidden_rng(4)
        for n in (5, 6, 7):
            X = rng.choice(np.arange(-3.0, 4.0), size=(n, 2))
            while len(np.unique(X, axis=0)) < n:  # distinct points, so every labelling is possible
                X = rng.choice(np.arange(-3.0, 4.0), size=(n, 2))
            sets.append((f"{n} random points", X, rng.integers(0, 2, n)))
    return sets


@task_check("best_linear_accuracy")
def best_linear_accuracy(task, fn, hidden=False):
    """The best accuracy any straight line w . x + b > 0 reaches on a labelled point set: exactly the true
    maximum (XOR: 3/4, separable sets: 1), never more than a line can reach."""
    for what, X, y in _point_sets(hidden):
        shown = f"{what}: X = {fmt(X)}, y = {fmt(y)}"
        truth = best_line_accuracy(X, y)
        result, problem = task.call(fn, X.copy(), y.copy())
        label = f"{what}: the best accuracy of a line"
        try:
            value = float(result)
        except (TypeError, ValueError):
            task.add(label, False, input=shown, expected=f"a number ({truth:g})",
                     actual=problem or type(result).__name__,
                     hint="Return one number: the best fraction of points that a line classifies right.")
            raise Stop from None
        if value > truth + 1e-9:
            hint = ("No line reaches that accuracy: count the correct predictions of each line separately (one "
                    "w, b at a time), and take the best line, not the best point-by-point.")
        elif value < truth - 1e-9:
            hint = ("A better line exists: search more directions w, and for each one try every threshold b "
                    "between neighbouring projections w . x (and beyond both ends), in both orientations.")
        else:
            hint = ""
        task.add(label, not hint, input=shown, expected=round(truth, 6), actual=value, hint=hint)
