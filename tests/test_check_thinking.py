"""The checks of the tasks that ask learners to think (exercise 00, the derive task of exercise 01, and the new
tasks of exercises 05 and 06):
correct answers pass however they are written; wrong ones, including copies of what a lesson prints, fail with the
hint that matches the mistake; stubs say "not implemented yet"."""

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special

import acts
import acts.check as check
from acts.checks import dead_units, depth, softmax_backward, xor

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- correct answers, written different ways
def _forward(x, W1, b1, W2, b2):
    return np.maximum(0, np.asarray(x) @ W1 + b1) @ W2 + b2


def _forward_loop(x, W1, b1, W2, b2):
    return np.array([sum(max(0.0, row @ W1[:, k] + b1[k]) * W2[k] for k in range(2)) + b2 for row in x])


def _xor_weights():  # h = (ReLU(x1 - x2), ReLU(x2 - x1)); out = h1 + h2 - 1
    return np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros(2), np.ones(2), -1.0


def _xor_weights_other():  # in s = x1 + x2: out = s + 1 for s < 0, 1 - 1.5 s beyond: > 0 only near s = 0
    return np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([2.0, 0.0]), np.array([1.0, -2.5]), -1.0


def _best_by_pairs(X, y):
    """Exact: every labelling a line makes is also made by a line through two points, nudged (or a constant)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y).astype(bool)
    best = max(y.mean(), 1 - y.mean())
    for i in range(len(X)):
        for j in range(len(X)):
            d = X[j] - X[i]
            if i == j or not d.any():
                continue
            for turn in (-1e-7, 0.0, 1e-7):
                normal = np.array([-d[1], d[0]]) + turn * d
                for shift in (-1e-9, 1e-9):
                    best = max(best, ((X @ normal - X[i] @ normal + shift > 0) == y).mean())
    return float(best)


def _sigmoid_slope(x):  # the quotient rule's e^-x / (1 + e^-x)^2, at |x| (sigma' is even)
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def _sigmoid_slope_where(x):  # the same written with e^x on the left
    x = np.asarray(x, dtype=float)
    e = np.exp(np.where(x < 0, x, -x))
    return e / np.square(1 + e)


def _vjp(z, g):
    s = acts.softmax(z)
    return s * (g - np.sum(s * g, axis=-1, keepdims=True))


def _vjp_einsum(z, g):
    s = acts.softmax(z)
    return s * g - s * np.einsum("...i,...i->...", s, g)[..., None]


def _temperature_backward(z, g, t):
    return _vjp(np.asarray(z) / t, g) / t


CORRECT = {
    "xor_forward": [_forward, _forward_loop],
    "sigmoid_derivative": [_sigmoid_slope, _sigmoid_slope_where],
    "predicted_dead_fraction": [lambda shift, n: special.ndtr(shift) ** n,
                                lambda shift, n: (0.5 * (1 + math.erf(shift / math.sqrt(2)))) ** n,
                                lambda shift, n: np.exp(n * special.log_ndtr(shift))],
    "xor_weights": [_xor_weights, _xor_weights_other],
    "best_linear_accuracy": [_best_by_pairs, xor.best_line_accuracy],
    "leaky_he_gain": [lambda alpha: 2 / (1 + alpha ** 2), lambda alpha: np.float64(4) / (2 + 2 * alpha * alpha)],
    "softmax_vjp": [_vjp, _vjp_einsum],
    "softmax_temperature_backward": [_temperature_backward,
                                     lambda z, g, t: acts.softmax.jacobian(np.asarray(z) / t).T @ g / t],
}


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("task,fn", [(task, fn) for task, fns in CORRECT.items() for fn in fns])
def test_correct_answers_pass(task, fn, hidden):
    feedback = getattr(check, task).evaluate(fn, hidden=hidden)
    assert feedback.passed, repr(feedback)
    assert getattr(check, task)(fn, hidden=hidden) is None


def test_predictions_within_one_layer_of_the_measurement_pass():
    measured = depth.vanishing_depth(0)
    # sigmoid + standard init loses a factor of about 7 per layer: 1e-6 is crossed near 8 layers
    assert 7 <= measured <= 9
    assert depth.vanishing_depth(0, ratio=1e-3) < measured < depth.vanishing_depth(0, ratio=1e-9)
    for guess in (measured - 1, measured + 0.5, measured + 1):
        assert check.predicted_vanishing_depth.evaluate(lambda g=guess: g).passed
    assert check.predicted_vanishing_depth.evaluate(lambda: np.int64(measured)).passed


def test_dead_fraction_measurement_spreads_well_inside_the_tolerance():
    """Units of one layer share their inputs, so they are not independent: the check's measurement uses many small
    layers, each with its own inputs, and its seed-to-seed spread stays far inside the tolerance."""
    for shift, n in [dead_units.VISIBLE_CASE, *dead_units.hidden_cases()]:
        predicted = dead_units.closed_form(shift, n)
        measured = np.array([dead_units.measured_dead_fraction(shift, n, seed=s) for s in range(8)])
        assert np.abs(measured - predicted).max() < dead_units.TOLERANCE / 2, (shift, n, measured)
    one_layer = [dead_units.measured_dead_fraction(2.5, 100, seed=s, n_layers=1, units=20_000) for s in range(8)]
    assert np.std(one_layer) > 3 * dead_units.TOLERANCE / 8   # why the check does not use one shared input set


def test_hidden_dead_fraction_cases_tell_dead_from_alive():
    for shift, n in dead_units.hidden_cases():
        p = dead_units.closed_form(shift, n)
        assert 0.2 <= p <= 0.8 and abs(p - (1 - p)) > 2 * dead_units.TOLERANCE + 0.1


def test_every_new_task_is_used_by_a_solution_and_covered_here():
    used = set()
    for nb in sorted((ROOT / "solutions").glob("0[01356]_*.ipynb")):
        used |= set(re.findall(r"acts\.check\.fresh\(\)\.(\w+)\(", nb.read_text()))
    new = set(CORRECT) | {"predicted_vanishing_depth"}
    assert new <= used and new <= set(check.TASKS)


# ---------------------------------------------------------------- wrong answers and their hints
def _lesson_00_weights():
    # lesson 00's printed weights (for inputs in {0, 1}, layout x @ W1.T), copied into this exercise
    return np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0]), np.array([1.0, -2.0]), 0.0


def _s_one_minus_s(z, g):
    s = acts.softmax(z)
    return s * (1 - s) * g


def _lesson_05_vjp(x, g):
    # lesson 05's 1-D softmax_vjp, copied: s @ g is not one number per row of a batch
    s = acts.softmax(x)
    return s * (g - s @ g)


def _forming_j(z, g):
    return np.einsum("...ji,...j->...i", acts.softmax.jacobian(z), g)


def _naive_slope(x):  # the quotient rule's result as derived, before using that sigma' is even
    return np.exp(-np.asarray(x)) / (1 + np.exp(-np.asarray(x))) ** 2


def _naive_slope_silenced(x):
    with np.errstate(over="ignore", invalid="ignore"):
        return _naive_slope(x)


WRONG = [
    ("predicted_dead_fraction", lambda shift, n: special.ndtr(shift), "on ONE example"),
    ("predicted_dead_fraction", lambda shift, n: 1 - special.ndtr(shift), "the unit fires"),
    ("predicted_dead_fraction", lambda shift, n: special.ndtr(-shift) ** n, "the *likely* side"),
    ("predicted_dead_fraction", lambda shift, n: 1 - special.ndtr(shift) ** n, "still alive"),
    ("predicted_dead_fraction", lambda shift, n: 100 * special.ndtr(shift) ** n, "not a percentage"),
    ("predicted_dead_fraction", lambda shift, n: 0.486, "Reason step by step"),   # lesson 03's 48.6% at shift 3
    ("predicted_dead_fraction", lambda shift, n: None, "Return one number"),
    ("sigmoid_derivative", _naive_slope, "is even"),
    ("sigmoid_derivative", _naive_slope_silenced, "overflows to inf"),
    ("sigmoid_derivative", lambda x: -_sigmoid_slope(x), "wrong sign"),
    ("sigmoid_derivative", lambda x: np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))), "not squared"),
    ("sigmoid_derivative", lambda x: acts.sigmoid(x) * (1 - acts.sigmoid(x)), "cancellation"),
    ("xor_forward", lambda x, W1, b1, W2, b2: (np.asarray(x) @ W1 + b1) @ W2 + b2, "without its ReLU"),
    ("xor_forward", lambda x, W1, b1, W2, b2: np.maximum(0, np.asarray(x) @ W1.T + b1) @ W2 + b2,
     "Rows of W1 are inputs"),
    ("xor_weights", _lesson_00_weights, "same class at every point"),
    ("xor_weights", lambda: (-_xor_weights()[0], np.zeros(2), -np.ones(2), 1.0), "XNOR"),
    ("xor_weights", lambda: (_xor_weights()[0], np.zeros(2), np.ones(2), -1.9), "too close to a corner"),
    ("xor_weights", lambda: (np.eye(2), np.zeros(2), np.ones(2)), "tuple (W1, b1, W2, b2)"),
    ("xor_weights", lambda: (np.eye(3), np.zeros(2), np.ones(2), 0.0), "shapes"),
    ("best_linear_accuracy", lambda X, y: 1.0, "No line reaches"),
    ("best_linear_accuracy", lambda X, y: 0.5, "A better line exists"),
    ("best_linear_accuracy", lambda X, y: None, "one number"),
    ("leaky_he_gain", lambda alpha: 2 / (1 + alpha), "its *square*"),
    ("leaky_he_gain", lambda alpha: 2.0, "He's gain for ReLU"),
    ("leaky_he_gain", lambda alpha: (1 + alpha ** 2) / 2, "its inverse"),
    ("predicted_vanishing_depth", lambda: 25, "vanishes sooner"),
    ("predicted_vanishing_depth", lambda: 3, "survives longer"),
    ("predicted_vanishing_depth", lambda: "eight", "as a number"),
    ("softmax_vjp", _s_one_minus_s, "only the diagonal"),
    ("softmax_vjp", lambda z, g: _vjp(z, g) if np.ndim(z) == 1 else _lesson_05_vjp(z, g), "raised ValueError"),
    ("softmax_temperature_backward", lambda z, g, t: _s_one_minus_s(np.asarray(z) / t, g) / t, "only the diagonal"),
    ("softmax_temperature_backward", lambda z, g, t: _vjp(np.asarray(z) / t, g), "multiplies by d(z / T) / dz"),
]


@pytest.mark.parametrize("task,fn,message", WRONG)
def test_wrong_answers_fail_with_the_matching_hint(task, fn, message):
    feedback = getattr(check, task).evaluate(fn)
    assert not feedback.passed
    text = repr(feedback)
    assert message in text, text
    with pytest.raises(check.CheckFailed):
        getattr(check, task)(fn)


def test_batched_vjp_on_whole_batch_sum_gets_the_row_hint():
    def whole_batch(z, g):
        s = acts.softmax(z)
        return s * (g - np.sum(s * g))
    text = repr(check.softmax_vjp.evaluate(whole_batch))
    assert "shape (3, 4)" in text and "each row needs its own sum" in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory limit uses Linux's RLIMIT_AS")
def test_forming_the_jacobian_at_n_100000_fails_fast_with_a_memory_hint():
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    feedback = check.softmax_vjp.evaluate(_forming_j)
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # the limit is lifted again
    assert [c.passed for c in feedback.cases] == [True, True, True, False]
    text = repr(feedback)
    assert "MemoryError" in text and "80 GB per row" in text


def test_memory_limit_raises_memory_error_inside_and_restores_outside():
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with softmax_backward.memory_limit(headroom=1 << 28):
        with pytest.raises(MemoryError):
            np.ones(1 << 30)                                     # 8 GB
        assert np.ones(1 << 20).sum() == 1 << 20                 # 8 MB still fine
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_reference_helpers_agree_with_the_jacobian():
    rng = np.random.default_rng(0)
    z, g = rng.normal(0, 3, (3, 6)), rng.normal(0, 1, (3, 6))
    assert np.allclose(softmax_backward.vjp(z, g), softmax_backward.jacobian_vjp(z, g), rtol=1e-12, atol=1e-15)
    assert np.allclose(depth.leaky_gain([0.0, 1.0]), [2.0, 1.0])
    # XOR: 3 of 4 for every line, in both encodings; AND separable
    assert xor.best_line_accuracy(xor.XOR_POINTS, xor.XOR_LABELS) == 0.75
    assert xor.best_line_accuracy((xor.XOR_POINTS + 1) / 2, [0, 0, 0, 1]) == 1.0
    # the exact pair search and the angle grid agree on random integer point sets
    for seed in range(5):
        r = np.random.default_rng(seed)
        X = np.unique(r.integers(-3, 4, (7, 2)).astype(float), axis=0)
        y = r.integers(0, 2, len(X))
        assert xor.best_line_accuracy(X, y) == _best_by_pairs(X, y)


@pytest.mark.parametrize("task,args", [("xor_forward", 5), ("sigmoid_derivative", 1), ("predicted_dead_fraction", 2),
                                       ("xor_weights", 0), ("best_linear_accuracy", 2),
                                       ("leaky_he_gain", 1), ("predicted_vanishing_depth", 0),
                                       ("softmax_vjp", 2), ("softmax_temperature_backward", 3),
                                       ("budget_accuracy", 5), ("gradient_ratio", 4), ("choose_activation", 0)])
def test_stubs_say_not_implemented_yet(task, args):
    def stub(*received):
        assert len(received) == args
        raise NotImplementedError()
    feedback = getattr(check, task).evaluate(stub)
    assert feedback.not_implemented and repr(feedback).endswith("run this check again.")
    with pytest.raises(check.NotImplementedYet):
        getattr(check, task)(stub)


# ---------------------------------------------------------------- every task says its kind and what it may call
KINDS = ("transcribe", "derive", "debug", "predict|interpret")
TASK_HEADING = re.compile(r"^## Task (\d+) \((\w+)\): .+ \((\d+) points?\)$", re.M)


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("0[0-7]_*.ipynb")), ids=lambda p: p.stem)
def test_every_task_names_its_kind_in_order_and_what_it_may_call(path):
    import nbformat

    from acts.nbmeta import is_check, is_solution, points

    nb = nbformat.read(path, as_version=4)
    tasks, prompt = [], None          # (number, kind, points in the heading, its prompt text, its check's points)
    for cell in nb.cells:
        heading = TASK_HEADING.search(cell.source) if cell.cell_type == "markdown" else None
        if heading:
            prompt = [int(heading[1]), heading[2], int(heading[3]), cell.source[heading.start():]]
        elif is_solution(cell) and prompt is not None:
            tasks.append(prompt)
            prompt = None
        elif prompt is not None and cell.cell_type == "markdown":
            prompt[3] += cell.source
        elif is_check(cell) and tasks:
            tasks[-1].append(points(cell))
    assert [t[0] for t in tasks] == list(range(1, len(tasks) + 1)), "tasks numbered 1, 2, ..."
    assert sum("## Task" in c.source for c in nb.cells if c.cell_type == "markdown") == len(tasks)
    rank = [next(i for i, k in enumerate(KINDS) if re.fullmatch(k, kind)) for _, kind, *_ in tasks]
    assert rank == sorted(rank), f"{path.stem}: kinds out of order: {[t[1] for t in tasks]}"
    for number, kind, heading_points, text, check_points in tasks:
        assert "may call" in text, f"{path.stem} task {number} ({kind}) does not say what it may call"
        assert heading_points == check_points, f"{path.stem} task {number}: heading says {heading_points} points"
