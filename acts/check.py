"""Instant feedback for the exercises: one check per graded task, called from a check cell.

    acts.check.sigmoid(sigmoid)                  # shows the visible checks that passed; returns None
    acts.check.sigmoid(sigmoid, hidden=True)     # the grader's extra cases (other inputs, same maths)
    acts.check.sigmoid.evaluate(sigmoid)         # the Feedback itself, neither shown nor raised
    acts.check.fresh().sigmoid(sigmoid)          # the same, from a freshly imported copy of the checks

Every check tests the maths, never one formula, so every correct implementation passes:
- values against the course's reference within a stated tolerance (relative + absolute), and *relative*
  accuracy where the value is tiny (sigma'(40), tanh(1e-12), GELU(-9)): the cancellations the lessons warn about;
- derivatives against central finite differences of the reference function (acts.gradient_check);
- properties (range, symmetry, rows that sum to 1), extreme inputs (+-1000: finite, no warnings),
  shape and dtype, and that the input array is left unchanged;
- speed only where speed is the point (the vectorised ReLU: 1e6 elements under a generous time bound).

On success a check shows a ``Feedback`` (HTML in JupyterLab, deterministic text elsewhere) that lists what passed
and says "All visible checks passed", and returns None, so a check cell leaves no value for nbgrader to read as a
score. On failure it raises ``CheckFailed``: IPython shows only its ``_render_traceback_`` lines, one short message
per failing case (input, expected, actual, hint), wrapped at spaces, and its message (nbval's ``evalue``) names the
failing checks without any number that could change between runs. A function that still raises
NotImplementedError gives ``NotImplementedYet`` ("not implemented yet"); one that runs longer than
``CALL_TIME_LIMIT_S`` is stopped ("did not return within 5 s: an infinite loop?"); a function whose cell failed
on its latest run is not checked (Python still holds the older definition). Inputs are fixed (seeded), so a check
gives the same verdict every time. The code lives in acts/checks/ (engine, shared cases, one module per lesson).
"""

from __future__ import annotations

import importlib
import sys

from .checks import notebook as _notebook
from .checks.cases import SPEED_BOUND_S, SPEED_N
from .checks.comparison import budget_accuracy, choose_activation, gradient_ratio
from .checks.dead_units import predicted_dead_fraction
from .checks.depth import leaky_he_gain, predicted_vanishing_depth
from .checks.engine import (
    CALL_TIME_LIMIT_S,
    TASKS,
    Case,
    Check,
    CheckFailed,
    Feedback,
    NotImplementedSignal,
    NotImplementedYet,
    Task,
    call_with_time_limit,
    grading_hooks,
)
from .checks.initialisation import he_init, layer_gradient_norms, xavier_init
from .checks.modern import ActivationCheck, activation, derivative, gelu, gelu_derivative, silu, silu_derivative
from .checks.relu import leaky_relu, leaky_relu_derivative, relu, relu_derivative
from .checks.sigmoid import sigmoid, sigmoid_derivative
from .checks.softmax import softmax, softmax_jacobian, weighted_cross_entropy_gradient
from .checks.softmax_backward import softmax_temperature_backward, softmax_vjp
from .checks.tanh import tanh, tanh_derivative
from .checks.xor import best_linear_accuracy, xor_forward, xor_weights

__all__ = [
    "CALL_TIME_LIMIT_S", "Case", "Check", "CheckFailed", "Feedback", "NotImplementedYet", "SPEED_BOUND_S", "SPEED_N",
    "TASKS", "Task", "ActivationCheck", "activation", "call_with_time_limit", "derivative", "fresh", "grading_hooks",
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
    "leaky_relu", "leaky_relu_derivative", "softmax", "softmax_jacobian", "weighted_cross_entropy_gradient",
    "xavier_init", "he_init", "layer_gradient_norms", "silu", "silu_derivative", "gelu", "gelu_derivative",
    "xor_forward", "xor_weights", "best_linear_accuracy", "leaky_he_gain", "predicted_vanishing_depth",
    "softmax_vjp", "softmax_temperature_backward", "predicted_dead_fraction",
    "budget_accuracy", "gradient_ratio", "choose_activation",
]

_NotImplementedSignal = NotImplementedSignal  # the name acts.grade's record/replay callers use


def fresh():
    """acts.check imported afresh from its source, with the acts modules it uses: what a notebook did to the loaded
    copy (``acts.check.sigmoid = lambda *a, **k: None``) does not count. The loaded copy stays as it was.

    A speed bump, not a guarantee: the learner's code shares this kernel. ``python -m acts.grade`` is the grade of
    record where cheating matters."""
    ours = [name for name in sys.modules if name == "acts" or name.startswith("acts.")]
    saved = {name: sys.modules.pop(name) for name in ours}
    try:
        return importlib.import_module("acts.check")
    finally:
        for name in [n for n in sys.modules if n == "acts" or n.startswith("acts.")]:
            del sys.modules[name]
        sys.modules.update(saved)


_notebook.install()
