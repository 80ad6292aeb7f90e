"""Exercise 05: a stable softmax, its Jacobian, and the gradient of a class-weighted cross-entropy."""

from __future__ import annotations

import numpy as np

from ..functions import log_softmax as ref_log_softmax
from ..functions import softmax as ref_softmax
from ..numerics import central_difference, numerical_jacobian
from .engine import fmt, hidden_rng, task_check


def _logits(hidden, visible, seed, n=5):
    """The visible scores, or seeded normal ones (sd 3) for the hidden checks."""
    return np.asarray(visible, dtype=np.float64) if not hidden else np.round(
        hidden_rng(seed).normal(0, 3, n), 3)


def _softmax_hint(actual) -> str:
    """A value hint for softmax: whether each row (or only the whole array) sums to 1."""
    sums = actual.sum(axis=-1)
    if np.allclose(sums, 1, atol=1e-9):
        return ("Each row sums to 1, but the values differ: exponentiate each score, then divide by the sum of "
                "the exponentials of its own row.")
    if actual.ndim > 1 and np.isclose(actual.sum(), 1, atol=1e-9):
        return ("The whole batch sums to 1 instead of each row: use axis=-1 and keepdims=True in np.max and "
                "np.sum.")
    return (f"Your probabilities sum to {fmt(np.round(sums, 6))}, not 1: divide the exponentials by their sum "
            "(along axis=-1, with keepdims=True).")


@task_check("softmax")
def softmax(task, fn, hidden=False):
    """softmax(z)_i = e^{z_i} / sum_j e^{z_j}: values, sums to 1, shift invariance, +-1000, rows of a batch."""
    z = _logits(hidden, [0.4, 2.0, 5.0], seed=501)
    task.close("values", fn, (z,), ref_softmax(z), input=z, rtol=1e-9, atol=1e-15, hint=_softmax_hint)
    p = task.array("positive entries that sum to 1", fn, (z + 7.0,), input=z + 7.0, shape=z.shape)
    if p is not None:
        task.add("shift invariance softmax(z + 7) = softmax(z) (tolerance 1e-12)",
                 np.allclose(p, ref_softmax(z), atol=1e-12), input=z + 7.0, expected=ref_softmax(z), actual=p,
                 hint="Adding the same number to every score must not change the probabilities.")
    big = np.array([1000.0, 0.0, -1000.0]) if not hidden else np.array([-1000.0, 999.0, 1000.0, 0.0])
    task.close("large scores, without overflow or warnings", fn, (big,), ref_softmax(big), input=big, rtol=1e-9,
               atol=1e-15, no_warnings=True, hint=_softmax_hint, warn_hint="exp(1000) overflows: subtract "
               "max(z) first; softmax(z - c) = softmax(z), and every exponent is then <= 0.")
    batch = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -5.0]])
    task.close("each row of a 2-D batch (axis -1) sums to 1", fn, (batch,), ref_softmax(batch), input=batch,
               rtol=1e-9, atol=1e-15, hint=_softmax_hint, warn_hint="Subtract each row's own maximum: "
               "np.max(z, axis=-1, keepdims=True); one maximum for the whole batch leaves a row of exp(-997) = 0.")


@task_check("softmax_jacobian")
def softmax_jacobian(task, fn, hidden=False):
    """J[i, j] = d s_i / d z_j for one vector z: finite differences, symmetry, rows summing to 0, large z."""
    z = _logits(hidden, [0.4, 2.0, 5.0], seed=502, n=4)
    label = "matches finite differences (max error 1e-7)"
    jac = task.array(label, fn, (z,), input=z, shape=(z.size, z.size), shape_hint="The Jacobian of n outputs with "
                     "respect to n inputs is an n x n matrix.")
    if jac is not None:
        numeric = numerical_jacobian(ref_softmax, z)
        task.add(label, np.allclose(jac, numeric, atol=1e-7), input=z, expected=numeric, actual=jac,
                 hint="d s_i / d z_j = s_i (delta_ij - s_j): the diagonal is s_i (1 - s_i), off-diagonal -s_i s_j.")
        task.add("symmetric, with rows that sum to 0 (tolerance 1e-12)",
                 np.allclose(jac, jac.T, atol=1e-12) and np.allclose(jac.sum(axis=1), 0, atol=1e-12), input=z,
                 expected="J = J.T and J.sum(axis=1) = 0", actual=jac, hint="The probabilities always sum to 1, "
                 "so moving any z_j changes their sum by 0.")
    big = np.array([1000.0, 0.0, -1000.0])
    task.close("large scores, without overflow or warnings", fn, (big,), ref_softmax.jacobian(big), input=big,
               rtol=1e-9, atol=1e-15, no_warnings=True, hint="At these scores softmax(z) = [1, 0, 0] to double "
               "precision: J = diag(s) - s s^T is then 0 everywhere.",
               warn_hint="Use a stable softmax inside the Jacobian (subtract max(z) first).")


def weighted_cross_entropy(z, y, w):
    """L = -sum_i w_i y_i log softmax(z)_i: cross-entropy with a weight per class (e.g. for rare classes)."""
    return -np.sum(w * y * ref_log_softmax(z))


def weighted_cross_entropy_grad(z, y, w):
    """dL/dz_j = -sum_i w_i y_i (delta_ij - p_j) = (sum_i w_i y_i) p_j - w_j y_j, with p = softmax(z)."""
    return np.sum(w * y) * ref_softmax(z) - w * y


def _weighted_hint(z, y, w):
    def hint(actual) -> str:
        p = ref_softmax(z)
        if np.allclose(actual, p - y, atol=1e-9):
            return ("That is the unweighted gradient p - y of lesson 05: with weights, redo the chain rule with "
                    "dL/dp_i = -w_i y_i / p_i.")
        if np.allclose(actual, w * (p - y), atol=1e-9):
            return ("Weighting p - y entry by entry is not the gradient: every score z_j moves every p_i, so the "
                    "term with p_j collects the weights of all the classes in y (sum_i w_i y_i), while the -y_j "
                    "term keeps its own weight w_j.")
        return ("Chain rule: dL/dz_j = sum_i (dL/dp_i)(dp_i/dz_j) with dL/dp_i = -w_i y_i / p_i and "
                "dp_i/dz_j = p_i (delta_ij - p_j), then simplify.")
    return hint


@task_check("weighted_cross_entropy_gradient")
def weighted_cross_entropy_gradient(task, fn, hidden=False):
    """dL/dz for L = -sum_i w_i y_i log softmax(z)_i: finite differences with one-hot and soft targets and
    unequal weights, equal weights giving p - y, large scores without warnings."""
    z = _logits(hidden, [0.4, 2.0, 5.0, -1.0], seed=503, n=4)
    rng = hidden_rng(504)
    w = np.array([2.0, 0.5, 1.0, 4.0]) if not hidden else np.round(rng.uniform(0.2, 5.0, z.size), 2)
    soft = np.array([0.1, 0.6, 0.0, 0.3]) if not hidden else np.round(rng.dirichlet(np.ones(z.size)), 3)
    soft = soft / soft.sum()
    cases = [(np.eye(z.size)[1], w, "one-hot target"), (soft, w, "soft target"),
             (soft, np.ones(z.size), "equal weights w = 1 (the unweighted loss)")]
    for y, weights, what in cases:
        label = f"{what}: matches finite differences of the loss (max error 1e-7)"
        shown = f"z = {fmt(z)}, y = {fmt(y)}, w = {fmt(weights)}"
        g = task.array(label, fn, (z, y, weights), input=shown, shape=z.shape,
                       shape_hint="One number per score: the gradient has the shape of z.")
        if g is not None:
            numeric = np.array([central_difference(lambda t, i=i, y=y, weights=weights: weighted_cross_entropy(
                np.concatenate([z[:i], [t], z[i + 1:]]), y, weights), z[i]) for i in range(z.size)])
            task.add(label, np.allclose(g, numeric, atol=1e-7), input=shown, expected=numeric, actual=g,
                     hint=_weighted_hint(z, y, weights)(g))
    big, y, weights = np.array([1000.0, 0.0, -1000.0]), np.array([0.0, 1.0, 0.0]), np.array([1.0, 2.0, 0.5])
    task.close("large scores, without overflow or warnings", fn, (big, y, weights),
               weighted_cross_entropy_grad(big, y, weights), input=f"z = {fmt(big)}, y = {fmt(y)}, "
               f"w = {fmt(weights)}", rtol=1e-9, atol=1e-12, no_warnings=True,
               hint="At these scores softmax(z) = [1, 0, 0] to double precision: compare your formula's value "
               "there with 'expected'.", warn_hint="Compute with a stable softmax; never take log of a "
               "probability that underflowed to 0.")
