"""Exercise 06, tasks that ask for thought: the leaky-ReLU He gain (derive, then verify) and the depth at which
a sigmoid network's gradient vanishes (predict, then check against a measurement)."""

from __future__ import annotations

import numpy as np

from ..network import gradient_norms
from .engine import Stop, hidden_rng, task_check

RATIO = 1e-6           # "vanished": first/last gradient norm below this
DEPTH_TOLERANCE = 1    # a prediction within one layer of the measured depth passes
MAX_DEPTH = 40         # the measurement stops here (sigmoid + standard init crosses 1e-6 near 8 layers)


def leaky_gain(alpha):
    """Var(w) n_in = 2 / (1 + alpha^2): E[leaky(z)^2] = (1 + alpha^2) Var(z) / 2 for z symmetric about 0."""
    return 2.0 / (1.0 + np.asarray(alpha, dtype=np.float64) ** 2)


def _gain_hint(alpha, value) -> str:
    if np.isclose(value, 2.0 / (1.0 + alpha)):
        return ("The negative half is scaled by alpha, so its *square* is scaled by alpha^2: E[f(z)^2] = "
                "(1 + alpha^2) Var(z) / 2.")
    if np.isclose(value, 2.0):
        return "2 is He's gain for ReLU (alpha = 0): with alpha > 0 the negative half passes alpha z."
    if np.isclose(value, (1.0 + alpha ** 2) / 2.0):
        return ("That is E[f(z)^2] / Var(z); the gain is its inverse: Var(w) n_in E[f(z)^2] / Var(z) = 1 keeps "
                "the variance steady.")
    return ("Keep Var(z_l) = n_in Var(w) E[f(z_{l-1})^2] equal to Var(z_{l-1}); for z symmetric about 0, "
            "half of E[z^2] comes from z > 0 (kept) and half from z < 0 (scaled by alpha).")


@task_check("leaky_he_gain")
def leaky_he_gain(task, fn, hidden=False):
    """gain(alpha) = n_in Var(w) that keeps the variance of leaky-ReLU layers steady: 2 / (1 + alpha^2)."""
    alphas = [0.0, 0.2, 0.5, 1.0] if not hidden else list(np.round(hidden_rng(605).uniform(0.01, 0.99, 3), 3))
    for alpha in alphas:
        expected = float(leaky_gain(alpha))
        label = f"leaky_he_gain({alpha:g}) (tolerance 1e-9 relative)"
        result, problem = task.call(fn, alpha)
        try:
            value = float(result)
        except (TypeError, ValueError):
            task.add(label, False, input=f"alpha = {alpha:g}", expected=expected,
                     actual=problem or type(result).__name__, hint="Return one number for one alpha.")
            raise Stop from None
        ok = bool(np.isclose(value, expected, rtol=1e-9, atol=0))
        task.add(label, ok, input=f"alpha = {alpha:g}", expected=expected, actual=value,
                 hint="" if ok else _gain_hint(alpha, value))


def vanishing_depth(seed=0, ratio=RATIO, max_depth=MAX_DEPTH):
    """The smallest depth whose first/last gradient norm (acts.network.gradient_norms("sigmoid",
    init="standard", seed=seed), width 100, batch 256) is below ``ratio``; None if none up to max_depth."""
    for depth in range(2, max_depth + 1):
        norms = gradient_norms("sigmoid", depth=depth, init="standard", seed=seed)
        if norms[0] / norms[-1] < ratio:
            return depth
    return None


@task_check("predicted_vanishing_depth")
def predicted_vanishing_depth(task, fn, hidden=False):
    """The learner's predicted depth at which sigmoid + standard init first gives first/last < 1e-6, against
    the depth measured with acts.network.gradient_norms (seed 0; seeds 1 and 2 when hidden), within one layer."""
    result, problem = task.call(fn)
    try:
        value = float(result)
    except (TypeError, ValueError):
        task.add("predicted_vanishing_depth() returns a number", False, expected="a number of layers",
                 actual=problem or type(result).__name__,
                 hint="Return your prediction as a number, e.g. `return 25`.")
        raise Stop from None
    for seed in ((1, 2) if hidden else (0,)):
        measured = vanishing_depth(seed)
        ok = measured is not None and abs(value - measured) <= DEPTH_TOLERANCE
        if value > measured:
            hint = ("The gradient vanishes sooner than you predicted. Each sigmoid layer multiplies the "
                    "back-propagated norm by about sqrt(n Var(w)) E[sigma'(z)] with Var(w) = 1/(3n) and "
                    "sigma' <= 1/4: estimate that factor, then solve factor^(depth - 1) = 1e-6.")
        else:
            hint = ("The gradient survives longer than you predicted: sigma'(z) is 1/4 only at z = 0 and the "
                    "pre-activations here stay small, so the factor per layer is close to sqrt(1/3) / 4; solve "
                    "factor^(depth - 1) = 1e-6.")
        task.add(f"seed {seed}: within {DEPTH_TOLERANCE} layer of the measured depth", ok,
                 input=f"gradient_norms('sigmoid', depth=d, init='standard', seed={seed})",
                 expected=f"{measured} layers (+- {DEPTH_TOLERANCE})", actual=value, hint="" if ok else hint)
