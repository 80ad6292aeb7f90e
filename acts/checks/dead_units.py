"""Exercise 03, predict then check: the fraction of ReLU units that a negative bias shift kills on a data set.

The set-up: a unit computes z = w . x - shift with a weight vector w of unit norm, and sees ``n_examples``
inputs x with standard-normal features. It is dead on the data when z <= 0 for every example (ReLU passes no
gradient back from any of them). The learner predicts the dead fraction; the check *measures* it by simulation.

Why the simulation uses many small layers. Every unit of one layer reads the same inputs, so the units of one
layer are not independent: measured here (seeds 0-19, shift 2.5, 100 examples, 10 features), one layer of 20,000
units gives dead fractions with a spread (standard deviation) of 0.06 around their mean, however many units it
has. 1,000 layers of 20 units, each with its own inputs, give 0.004, near the binomial floor
sqrt(p (1 - p) / 20,000) = 0.0035; the largest deviation from the mean over 40 seeds was 0.010. TOLERANCE = 0.03 is
about 8 of those spreads, and the typical wrong answers miss by more (see the hints; the hidden cases keep the
dead and the alive fraction at least 0.2 apart).
"""

from __future__ import annotations

import numpy as np

from .engine import Stop, hidden_rng, task_check

N_FEATURES = 10           # features per input; unit-norm weights make z ~ N(-shift, 1) whatever this is
N_LAYERS, UNITS_PER_LAYER = 1_000, 20   # 20,000 units in all; each layer gets its own inputs (see above)
TOLERANCE = 0.03          # absolute, on a fraction
VISIBLE_CASE = (2.5, 100)


def measured_dead_fraction(shift, n_examples, seed=0, n_layers=N_LAYERS, units=UNITS_PER_LAYER,
                           n_features=N_FEATURES):
    """The fraction of units with z = w . x - shift <= 0 on every one of their layer's ``n_examples`` inputs,
    measured on n_layers layers of ``units`` units; w of unit norm, x standard normal, one input set per layer."""
    rng = np.random.default_rng(seed)
    dead = 0
    for start in range(0, n_layers, 100):      # 100 layers at a time: memory stays near 100 n_examples units
        layers = min(100, n_layers - start)
        x = rng.standard_normal((layers, n_examples, n_features))
        w = rng.standard_normal((layers, n_features, units))
        w /= np.linalg.norm(w, axis=1, keepdims=True)
        dead += np.count_nonzero(np.all(x @ w <= shift, axis=1))
    return dead / (n_layers * units)


def closed_form(shift, n_examples):
    """Phi(shift)^n_examples: z ~ N(-shift, 1) on each example, independently, and P(z <= 0) = Phi(shift)."""
    from scipy.special import ndtr

    return float(ndtr(shift)) ** n_examples


def hidden_cases():
    """Two (shift, n_examples) with a dead fraction of 0.25-0.4 or 0.6-0.75, so that the dead and the alive
    fraction differ by at least 0.2 (an answer that mixes them up fails)."""
    from scipy.special import ndtri

    rng = hidden_rng(303)
    cases = []
    for low in (0.25, 0.6):
        n = int(rng.integers(20, 301))
        target = rng.uniform(low, low + 0.15)
        cases.append((round(float(ndtri(target ** (1 / n))), 2), n))
    return cases


def _hint(value, shift, n) -> str:
    """Which wrong reasoning the value matches (each computed for this case), else the line of reasoning."""
    from scipy.special import ndtr

    below = float(ndtr(shift))        # P(z <= 0) on one example
    candidates = [
        (below, "That is the chance that z <= 0 on ONE example. A dead unit needs z <= 0 on every one of the "
         "n examples, which are independent: multiply the chances."),
        (1 - below, "That is the chance that the unit fires (z > 0) on one example. Dead means z <= 0, on every "
         "example."),
        ((1 - below) ** n, "z = w . x - shift has mean -shift, so z <= 0 is the *likely* side: P(z <= 0) = "
         "Phi(shift), not Phi(-shift)."),
        (1 - below ** n, "That is the fraction of units still alive (z > 0 on at least one example)."),
    ]
    for wrong, text in candidates:
        if abs(value - wrong) <= 1e-3 * max(1.0, abs(wrong)):
            return text
    if value > 1:
        return "Return a fraction between 0 and 1, not a percentage."
    return ("Reason step by step: for a unit-norm w and standard-normal x, what is the distribution of w . x? "
            "Then of z = w . x - shift, and the chance that z <= 0 on one example? A dead unit needs that on "
            "every one of the n_examples examples.")


@task_check("predicted_dead_fraction")
def predicted_dead_fraction(task, fn, hidden=False):
    """The learner's predicted dead fraction against the fraction measured by simulation (20,000 unit-norm units,
    standard-normal inputs, seeded), within TOLERANCE: visibly at (2.5, 100), hidden at two other cases."""
    cases = hidden_cases() if hidden else [VISIBLE_CASE]
    seeds = hidden_rng(304).integers(1, 2**31, len(cases)) if hidden else [0]
    for (shift, n), seed in zip(cases, seeds):
        label = f"predicted_dead_fraction({shift:g}, {n}) within {TOLERANCE:g} of the measured fraction"
        result, problem = task.call(fn, shift, n)
        try:
            value = float(result)
        except (TypeError, ValueError):
            task.add(label, False, input=f"shift = {shift:g}, n_examples = {n}", expected="a fraction in [0, 1]",
                     actual=problem or type(result).__name__,
                     hint="Return one number, the fraction of dead units (between 0 and 1), e.g. `return 0.3`.")
            raise Stop from None
        measured = measured_dead_fraction(shift, n, seed=int(seed))
        ok = abs(value - measured) <= TOLERANCE
        task.add(label, ok, input=f"shift = {shift:g}, n_examples = {n}",
                 expected=f"{measured:.4f} (measured on 20,000 units) +- {TOLERANCE:g}", actual=value,
                 hint="" if ok else _hint(value, shift, n))
