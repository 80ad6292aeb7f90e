"""acts.check: correct implementations of every task pass (however they are written), wrong ones fail with a
message that names the input, the expected and actual values and a hint; stubs say "not implemented yet"."""

from pathlib import Path

import numpy as np
import pytest
from scipy import special

import acts
import acts.check as check


def _stable_sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_errstate(x):
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def _tanh_expm1(x):
    u = np.expm1(-2 * np.abs(x))
    return np.sign(x) * -u / (2 + u)


def _softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


CORRECT = {
    "sigmoid": [_stable_sigmoid, _sigmoid_errstate, special.expit, acts.sigmoid],
    "sigmoid_derivative": [lambda x: _stable_sigmoid(x) * _stable_sigmoid(-np.asarray(x)), acts.sigmoid.derivative,
                           lambda x: np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2],
    "tanh": [_tanh_expm1, np.tanh, lambda x: np.sign(x) * -np.expm1(-2 * np.abs(x)) / (1 + np.exp(-2 * np.abs(x)))],
    "tanh_derivative": [lambda x: 4 * np.exp(-2 * np.abs(x)) / (1 + np.exp(-2 * np.abs(x))) ** 2,
                        acts.tanh.derivative,
                        lambda x: 4 * _stable_sigmoid(2 * np.asarray(x)) * _stable_sigmoid(-2 * np.asarray(x))],
    "relu": [lambda x: np.maximum(x, 0), lambda x: np.where(np.asarray(x) > 0, x, 0.0),
             lambda x: np.asarray(x) * (np.asarray(x) > 0), lambda x: np.clip(x, 0, None)],
    "relu_derivative": [lambda x: (np.asarray(x) > 0).astype(float), lambda x: np.heaviside(x, 0.0),
                        lambda x: np.heaviside(x, 1.0), lambda x: np.where(np.asarray(x) > 0, 1.0, 0.0)],
    "leaky_relu": [lambda x, alpha=0.01: np.where(np.asarray(x) > 0, x, alpha * np.asarray(x)),
                   lambda x, alpha=0.01: np.maximum(x, 0) + alpha * np.minimum(x, 0)],
    "leaky_relu_derivative": [lambda x, alpha=0.01: np.where(np.asarray(x) > 0, 1.0, alpha),
                              lambda x, alpha=0.01: np.where(np.asarray(x) >= 0, 1.0, alpha)],
    "softmax": [_softmax, lambda z: special.softmax(z, axis=-1), acts.softmax,
                lambda z: np.exp(z - special.logsumexp(z, axis=-1, keepdims=True))],
    "softmax_jacobian": [lambda z: np.diag(_softmax(z)) - np.outer(_softmax(z), _softmax(z)),
                         acts.softmax.jacobian,
                         lambda z: _softmax(z)[:, None] * (np.eye(len(z)) - _softmax(z)[None, :])],
    "weighted_cross_entropy_gradient": [lambda z, y, w: np.sum(w * y) * _softmax(z) - w * y,
                                        lambda z, y, w: (np.asarray(w) @ np.asarray(y)) * special.softmax(z)
                                        - np.asarray(w) * y],
    "xavier_init": [lambda i, o, rng: rng.normal(0, np.sqrt(2 / (i + o)), (i, o)),
                    lambda i, o, rng: rng.uniform(-1, 1, (i, o)) * np.sqrt(6 / (i + o))],
    "he_init": [lambda i, o, rng: rng.normal(0, np.sqrt(2 / i), (i, o)),
                lambda i, o, rng: rng.uniform(-1, 1, (i, o)) * np.sqrt(6 / i)],
}


def _norms(weights, x):
    a, zs = x, []
    for w in weights:
        zs.append(a @ w)
        a = acts.sigmoid(zs[-1])
    grad, out = np.ones_like(a), []
    for w, z in zip(weights[::-1], zs[::-1]):
        dz = grad * acts.sigmoid.derivative(z)
        out.append(np.linalg.norm(dz))
        grad = dz @ w.T
    return np.array(out[::-1])


CORRECT["layer_gradient_norms"] = [_norms]


@pytest.mark.parametrize("task,fn", [(t, f) for t, fs in CORRECT.items() for f in fs])
@pytest.mark.parametrize("hidden", [False, True])
def test_correct_implementations_pass(task, fn, hidden):
    feedback = getattr(check, task).evaluate(fn, hidden=hidden)
    assert feedback.passed, repr(feedback)
    assert getattr(check, task)(fn, hidden=hidden) is None  # shown, not returned: no value for nbgrader to read
    assert ("All hidden checks passed" if hidden else "All visible checks passed") in repr(feedback)
    assert "All visible checks passed" in feedback._repr_html_() or hidden


def test_every_check_used_by_exercises_01_to_06_is_covered():
    import re

    root = Path(__file__).resolve().parent.parent / "solutions"
    used = set()
    for nb in sorted(root.glob("0[1-6]_*.ipynb")):
        used |= set(re.findall(r"acts\.check\.fresh\(\)\.(\w+)\(", nb.read_text()))
    # the derive / predict / debug tasks added for issue 12 are covered in tests/test_check_thinking.py
    thinking = {"leaky_he_gain", "predicted_vanishing_depth", "softmax_vjp", "softmax_temperature_backward",
                "predicted_dead_fraction"}
    assert used and used - thinking == set(CORRECT) and used <= set(check.TASKS)


WRONG = [
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), "overflow encountered in exp"),
    ("sigmoid", lambda x: 1 / (1 + np.exp(np.asarray(x))), "values"),
    ("sigmoid", lambda x: [0.5] * len(x), "list"),
    ("sigmoid", lambda x: np.ravel(_stable_sigmoid(x)), "shape (3, 4)"),
    ("sigmoid", lambda x: np.full(np.shape(x), np.nan), "nan"),
    ("sigmoid", lambda x: _stable_sigmoid(x).astype(np.complex128), "real numbers"),
    ("sigmoid", lambda x: 1 / 0, "raised ZeroDivisionError"),
    ("sigmoid_derivative", lambda x: _stable_sigmoid(_stable_sigmoid(x)) * (1 - _stable_sigmoid(
        _stable_sigmoid(x))), "against the exact slope"),
    ("tanh", lambda x: 2 * _stable_sigmoid(np.asarray(x)) - 1, "note the 2x"),
    ("tanh_derivative", lambda x: 1 - np.asarray(x) ** 2, "finite differences"),
    ("relu", np.vectorize(lambda v: v if v > 0 else 0.0, otypes=[float]), "vectorised"),
    ("relu", lambda x: np.abs(x), "values"),
    ("relu_derivative", lambda x: np.where(np.asarray(x) > 0, 1.0, -1.0), "finite differences"),
    ("leaky_relu", lambda x, alpha=0.1: np.where(np.asarray(x) > 0, x, alpha * np.asarray(x)), "default alpha"),
    ("leaky_relu", lambda x, alpha=0.01: np.where(np.asarray(x) > 0, x, 0.01 * np.asarray(x)), "alpha = 0.1"),
    ("leaky_relu_derivative", lambda x, alpha=0.01: np.where(np.asarray(x) > 0, 1.0, 0.0), "alpha = 0.2"),
    ("softmax", lambda z: np.exp(z) / np.exp(z).sum(), "overflow"),
    ("softmax", lambda z: np.exp(z - np.max(z)) / np.exp(z - np.max(z)).sum(), "each row"),
    ("softmax_jacobian", lambda z: np.diag(_softmax(z)), "finite differences"),
    ("weighted_cross_entropy_gradient", lambda z, y, w: y - _softmax(z), "finite differences"),
    ("xavier_init", lambda i, o, rng: rng.normal(0, 1, (i, o)), "variance"),
    ("he_init", lambda i, o, rng: np.random.normal(0, np.sqrt(2 / i), (i, o)), "uses the rng"),
    ("layer_gradient_norms", lambda w, x: _norms(w, x)[::-1], "input side first"),
]


@pytest.mark.parametrize("task,fn,message", WRONG)
def test_wrong_implementations_fail_with_a_helpful_message(task, fn, message):
    with pytest.raises(check.CheckFailed) as info:
        getattr(check, task)(fn)
    lines = info.value._render_traceback_()
    text = "\n".join(lines)
    assert message in text
    assert "✗" in text and "hint:" in text and "expected:" in text and "actual:" in text
    assert "Traceback" not in text and len(lines) < 40
    assert str(info.value) == lines[0] and "checks failed" in str(info.value)
    assert "All visible checks passed" not in text


def test_stub_says_not_implemented_yet():
    def stub(x):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(check.NotImplementedYet) as info:
        check.sigmoid(stub)
    assert str(info.value) == "sigmoid: not implemented yet"
    assert "NotImplementedError" in "\n".join(info.value._render_traceback_())


def test_feedback_is_deterministic_and_lists_each_passed_check():
    first, second = check.softmax.evaluate(_softmax), check.softmax.evaluate(_softmax)
    assert repr(first) == repr(second) and first._repr_html_() == second._repr_html_()
    lines = repr(first).splitlines()
    assert lines[0] == "softmax: All visible checks passed (4 checks)"
    assert sum(line.strip().startswith("✓") for line in lines[1:]) == 4
    assert "tolerance" in repr(first)
    with pytest.raises(check.CheckFailed) as a:
        check.sigmoid(lambda x: 1 / (1 + np.exp(-x)))
    with pytest.raises(check.CheckFailed) as b:
        check.sigmoid(lambda x: 1 / (1 + np.exp(-x)))
    assert a.value._render_traceback_() == b.value._render_traceback_() and str(a.value) == str(b.value)


def test_checks_never_change_the_caller_state():
    with np.errstate(all="ignore"):
        before = np.geterr()
        check.sigmoid(_stable_sigmoid)
        assert np.geterr() == before


def test_modifying_the_input_fails():
    def relu_in_place(x):
        x = np.asarray(x)
        x[x < 0] = 0
        return x

    with pytest.raises(check.CheckFailed, match="1 of 5") as info:
        check.relu(relu_in_place)
    assert "leaves its input array unchanged" in "\n".join(info.value._render_traceback_())


def test_not_a_function():
    with pytest.raises(check.CheckFailed) as info:
        check.sigmoid(42)
    assert "expected a function" in "\n".join(info.value._render_traceback_())


GENERIC = [
    ("softplus", {}, lambda x: np.logaddexp(0, x), lambda x: special.expit(x)),
    ("elu", {"alpha": 0.5}, lambda x, alpha=1.0: np.where(np.asarray(x) > 0, x, alpha * np.expm1(np.minimum(x, 0))),
     lambda x, alpha=1.0: np.where(np.asarray(x) > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))),
    ("silu", {}, lambda x: x * special.expit(x), lambda x: special.expit(x) * (1 + x * special.expit(-x))),
    ("gelu", {}, lambda x: 0.5 * x * special.erfc(-np.asarray(x) / np.sqrt(2)),
     lambda x: special.ndtr(x) + x * np.exp(-0.5 * np.square(x)) / np.sqrt(2 * np.pi)),
]


@pytest.mark.parametrize("name,params,f,df", GENERIC)
@pytest.mark.parametrize("hidden", [False, True])
def test_generic_activation_checks_for_lesson_07(name, params, f, df, hidden):
    assert check.activation.evaluate(f, name, hidden=hidden, **params).passed
    assert check.derivative.evaluate(df, name, hidden=hidden, **params).passed
    assert check.activation(f, name, hidden=hidden, **params) is None
    with pytest.raises(check.CheckFailed):
        check.derivative(f, name, **params)


def test_generic_check_rejects_an_overflowing_formula_and_unknown_names():
    with pytest.raises(check.CheckFailed) as info:
        check.activation(lambda x: np.log(1 + np.exp(x)), "softplus")
    assert "overflow encountered in exp" in "\n".join(info.value._render_traceback_())
    with pytest.raises(ValueError, match="unknown activation"):
        check.activation(np.tanh, "no_such_thing")


# ---------------------------------------------------------------- each failing case's hint matches how it failed
def _failure(task, fn, **kwargs):
    with pytest.raises(check.CheckFailed) as info:
        getattr(check, task)(fn, **kwargs)
    return {c.name.split(" (tolerance")[0].split(" (max error")[0]: c for c in info.value.feedback.failed}


def test_mirror_image_sigmoid_gets_the_value_and_symmetry_hint_not_an_overflow_hint():
    failed = _failure("sigmoid", lambda x: _stable_sigmoid(-np.asarray(x)))  # no warning at any input
    assert set(failed) == {"values", "sigmoid at extreme inputs, finite and without warnings",
                           "sigmoid: tiny values far left, accurate relative to their size"}
    for case in failed.values():
        assert "overflow" not in case.hint and "warning" not in case.hint
        assert "sigmoid(0) = 0.5 holds" in case.hint and "sigmoid(-x) = 1 - sigmoid(x) holds" in case.hint
        assert "decreases" in case.hint and "mirror image" in case.hint


def test_value_hint_names_the_identity_that_fails():
    failed = _failure("sigmoid", lambda x: 1 / (2 + np.exp(-np.abs(x))))
    hint = failed["values"].hint
    assert "sigmoid(0) = 0.5 fails (yours gives 0.3333)" in hint and "sigmoid(-x) = 1 - sigmoid(x) fails" in hint
    assert "overflow" not in hint and "decreases" not in hint


def test_overflowing_naive_sigmoid_gets_the_overflow_hint_only_where_it_warned():
    failed = _failure("sigmoid", lambda x: 1 / (1 + np.exp(-x)))
    assert list(failed) == ["sigmoid at extreme inputs, finite and without warnings"]
    case = failed["sigmoid at extreme inputs, finite and without warnings"]
    assert "overflow encountered in exp" in case.actual
    assert "emitted a warning" in case.hint and "exp(-x) overflows" in case.hint


def test_silenced_overflow_giving_nan_gets_the_nan_hint():
    def softmax_silenced(z):
        with np.errstate(all="ignore"):
            return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)

    failed = _failure("softmax", softmax_silenced)
    case = failed["large scores, without overflow or warnings"]
    assert "nan or inf" in case.hint and "subtract max(z)" in case.hint and "emitted a warning" not in case.hint


@pytest.mark.parametrize("fn,expected_hint", [
    (lambda x: np.ravel(_stable_sigmoid(x)), "flattened"),
    (lambda x: float(np.sum(_stable_sigmoid(x))), "one number"),
])
def test_wrong_shape_gets_the_shape_hint(fn, expected_hint):
    failed = _failure("sigmoid", fn)
    case = failed["sigmoid keeps the shape of a 3x4 input and returns floats"]
    assert case.expected == "shape (3, 4)" and case.actual.startswith("shape (")
    assert expected_hint in case.hint and "shape" in case.hint
    assert "overflow" not in case.hint


def test_shape_check_compares_only_shape_and_dtype():
    # wrong values but the right shape and dtype: the shape check passes, the value checks fail
    failed = _failure("sigmoid", lambda x: _stable_sigmoid(-np.asarray(x)))
    assert not any("shape" in name for name in failed)
    failed = _failure("relu_derivative", lambda x: (np.asarray(x) > 0).astype(int))
    assert list(failed) == ["relu' keeps the shape of a 3x4 input and returns floats"]
    assert "dtype int" in failed["relu' keeps the shape of a 3x4 input and returns floats"].actual
    assert "floats" in failed["relu' keeps the shape of a 3x4 input and returns floats"].hint


def test_derivative_hints_name_the_function_and_the_mistake():
    at_f = _failure("sigmoid_derivative", lambda x: _stable_sigmoid(_stable_sigmoid(x)) * (
        1 - _stable_sigmoid(_stable_sigmoid(x))))
    name = "sigma' on a grid, against the exact slope"
    assert name in at_f
    assert "evaluated at sigma(x) instead of at x" in at_f[name].hint
    flipped = _failure("tanh_derivative", lambda x: np.tanh(x) ** 2 - 1)
    assert "wrong sign" in flipped["tanh' matches finite differences of tanh(x)"].hint


def test_leaky_relu_hint_reports_the_slope_used():
    failed = _failure("leaky_relu", lambda x, alpha=0.1: np.where(np.asarray(x) > 0, x, alpha * np.asarray(x)))
    assert "multiplied by 0.1 in yours" in failed["values with the default alpha = 0.01"].hint
    failed = _failure("leaky_relu", lambda x, alpha=0.01: np.where(np.asarray(x) > 0, x, 0.01 * np.asarray(x)))
    assert "not by alpha = 0.1" in failed["values with alpha = 0.1"].hint


def test_exception_gets_an_exception_hint():
    failed = _failure("sigmoid", lambda x: 1 / 0)
    (case,) = failed.values()
    assert case.actual.startswith("raised ZeroDivisionError") and "raised an exception" in case.hint


KERNEL_CELLS = [  # (source, what the cell's outputs must show); run top to bottom in one real IPython kernel
    ("import numpy as np\nimport acts.check", None),
    ("def sigmoid(x):\n    return 0.5 * (1 + np.tanh(np.asarray(x, float) / 2)) + 0 * x", None),
    ("def sigmoid(x):\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))", None),
    ("acts.check.sigmoid(sigmoid)", "passed"),
    # edited into a SyntaxError: the older sigmoid is still defined, the check must not pass on it
    ("def sigmoid(x):\n    return 1 / (1 + np.exp(-x)", "SyntaxError"),
    ("acts.check.sigmoid(sigmoid)", "stale SyntaxError"),
    ("def sigmoid(x):\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n"
     "sigmoid(np.array([1.0])) + 'oops'", "error"),
    ("acts.check.sigmoid(sigmoid)", "stale UFuncTypeError"),
    ("def sigmoid(x):\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))", None),
    ("acts.check.sigmoid(sigmoid)", "passed"),
    # a definition and its check in one cell: a failing check there does not count as a broken cell
    ("def sigmoid(x):\n    return x\nacts.check.sigmoid(sigmoid)", "failed"),
    ("def sigmoid(x):\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))\n"
     "acts.check.sigmoid(sigmoid)", "passed"),
    # an infinite loop is stopped after the time limit with one paragraph
    ("def spin(x):\n    while True:\n        pass\nacts.check.Task.time_limit_s = 1.0\ntry:\n"
     "    acts.check.sigmoid(spin)\nfinally:\n"
     "    acts.check.Task.time_limit_s = acts.check.CALL_TIME_LIMIT_S", "timeout"),
    # a library's function named like a broken cell's is checked as usual
    ("def sigmoid(x):\n    return 1 / (1 + np.exp(-x)", "SyntaxError"),
    ("import types\nlib = types.ModuleType('lib')\nexec('import numpy as np\\ndef sigmoid(x):\\n"
     "    e = np.exp(-np.abs(x))\\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))', lib.__dict__)\n"
     "acts.check.sigmoid(lib.sigmoid)", "passed"),
    # a learner's sigmoid that just calls the course's is not an answer (the grader gives it 0: answer lookup)
    ("def sigmoid(x):\n    return acts.sigmoid(x)\nacts.check.sigmoid(sigmoid)", "lookup"),
    ("def sigmoid(x):\n    e = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))", None),
    # the learner's own interrupt: two lines, no traceback through the checks
    ("def pressed_stop(x):\n    raise KeyboardInterrupt\nacts.check.sigmoid(pressed_stop)", "interrupted"),
    # the one-line NotImplementedError message is for the learner's stubs only
    ("def stub(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\nstub(1.0)", "stub"),
    ("import types\nlib = types.ModuleType('lib')\nexec('def f():\\n    raise NotImplementedError(\\'lib\\')', "
     "lib.__dict__)\nlib.f()", "library"),
    ("1 / 0", "other"),
    # a learner's patch of the loaded checks does not reach a freshly imported copy
    ("acts.check.sigmoid = lambda *a, **k: None\nacts.check.fresh().sigmoid(lambda x: x)", "failed"),
]


def test_checks_in_a_real_kernel():
    """Stale definitions, the time limit, the stub handler and fresh() in one IPython kernel (nbclient)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src, _ in KERNEL_CELLS])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    for cell, (src, expect) in zip(nb.cells, KERNEL_CELLS):
        outputs = cell.outputs
        assert not [o for o in outputs if o.output_type == "execute_result"], src  # no value for nbgrader to read
        errors = [o for o in outputs if o.output_type == "error"]
        text = "\n".join(errors[0].traceback) if errors else ""
        if expect is None:
            assert not errors, (src, text)
        elif expect == "passed":
            assert not errors, (src, text)
            (shown,) = [o for o in outputs if o.output_type == "display_data"]
            assert "All visible checks passed" in shown.data["text/plain"] and "text/html" in shown.data
        elif expect.startswith("stale"):
            error_type = expect.split()[1]
            assert errors[0].ename == "CheckFailed" and f"its latest run failed with {error_type}" in text, text
            assert "All visible checks passed" not in text and "run it again" in text
        elif expect == "failed":
            assert errors[0].ename == "CheckFailed" and "latest run failed" not in text, text
        elif expect == "lookup":
            assert errors[0].ename == "CheckFailed" and "course's own `acts.sigmoid`" in text, text
        elif expect == "timeout":
            assert errors[0].ename == "CheckFailed" and "did not return within 1 s: an infinite loop?" in text
            assert len(errors[0].traceback) < 12 and "KeyboardInterrupt" not in text
        elif expect == "interrupted":
            assert errors[0].ename == "CheckInterrupted" and len(errors[0].traceback) <= 3, text
            assert errors[0].traceback[0] == "sigmoid: interrupted"
        elif expect == "stub":
            assert errors[0].ename == "NotImplementedError"  # what nbval and the grader compare is unchanged
            assert len(errors[0].traceback) == 1 and "`stub` is not implemented yet" in text
        elif expect == "SyntaxError":
            assert errors[0].ename == "SyntaxError"
        elif expect in ("library", "other", "error"):
            assert len(errors) == 1 and len(errors[0].traceback) > 1  # other errors keep their traceback
            assert "is not implemented yet" not in text


# ---------------------------------------------------------------- each exercise fails the pitfall its lesson teaches
def _gelu_erf(x):
    return 0.5 * np.asarray(x) * (1 + special.erf(np.asarray(x) / np.sqrt(2)))


PITFALLS = [  # (task, naive version the lesson warns about, the case that must catch it, a word of its hint)
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), "extreme inputs", "overflows"),                       # lesson 01
    ("sigmoid_derivative", lambda x: _stable_sigmoid(x) * (1 - _stable_sigmoid(x)), "the tails", "cancellation"),
    ("tanh", lambda x: 2 * _stable_sigmoid(2 * np.asarray(x)) - 1, "tiny inputs", "expm1"),            # lesson 02
    ("tanh_derivative", lambda x: 1 - np.tanh(x) ** 2, "the tails", "lesson 02"),
    ("relu", np.vectorize(lambda v: max(v, 0.0), otypes=[float]), "vectorised", "np.vectorize"),       # lesson 03
    ("relu", lambda x: np.maximum(x, 0, out=x), "leaves its input array unchanged", "new array"),
    ("leaky_relu", lambda x, alpha=0.2: np.where(np.asarray(x) > 0, x, alpha * np.asarray(x)),           # lesson 04
     "default alpha", "default"),  # TensorFlow's default slope, not PyTorch's 0.01
    ("softmax", lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True), "large scores", "subtract max"),
    ("softmax", lambda z: np.exp(z - np.max(z)) / np.exp(z - np.max(z)).sum(axis=-1, keepdims=True),
     "each row", "own maximum"),                                                                         # lesson 05
    ("softmax", lambda z: _softmax(_softmax(z)), "values", "differ"),                                  # softmax twice
    ("softmax_jacobian", lambda z: np.diag(_softmax(z) * (1 - _softmax(z))), "finite differences", "off-diagonal"),
    ("weighted_cross_entropy_gradient", lambda z, y, w: _softmax(z) - y, "one-hot", "unweighted"),
    ("weighted_cross_entropy_gradient", lambda z, y, w: w * (_softmax(z) - y), "one-hot", "entry by entry"),
    ("xavier_init", lambda i, o, rng: rng.normal(0, np.sqrt(1 / i), (i, o)), "xavier_init(400, 200)", "variance"),
    ("he_init", lambda i, o, rng: rng.normal(0, np.sqrt(1 / i), (i, o)), "he_init(400, 200)", "variance"),
    ("silu", lambda x: np.asarray(x) / (1 + np.exp(-np.asarray(x))), "extreme inputs", "overflows"),   # lesson 07
    ("gelu", _gelu_erf, "tiny values", "erfc"),
    ("gelu_derivative", lambda x: 0.5 * (1 + special.erf(np.asarray(x) / np.sqrt(2)))
     + np.asarray(x) * np.exp(-0.5 * np.square(x)) / np.sqrt(2 * np.pi), "tiny values", "erfc"),
]


@pytest.mark.parametrize("task,naive,case,word", PITFALLS)
def test_each_check_fails_the_pitfall_its_lesson_teaches(task, naive, case, word):
    feedback = getattr(check, task).evaluate(naive)
    failed = [c for c in feedback.failed if case in c.name]
    assert failed, repr(feedback)
    assert word in failed[0].hint


def test_max_of_x_and_alpha_x_is_a_correct_leaky_relu():
    assert check.leaky_relu.evaluate(lambda x, alpha=0.01: np.maximum(x, alpha * np.asarray(x))).passed


@pytest.mark.parametrize("task,value,x", [("sigmoid_derivative", 4.248354255291589e-18, 40.0),
                                          ("tanh_derivative", 1.6993417021166355e-17, 20.0),
                                          ("tanh", 1e-12, 1e-12), ("gelu", -1.0279773571668917e-18, -9.0)])
def test_the_tiny_values_the_issue_names_are_checked_relative_to_their_size(task, value, x):
    feedback = getattr(check, task).evaluate(lambda v: np.zeros_like(np.asarray(v, dtype=float)) + 0.0)
    tiny = next(c for c in feedback.cases if "accurate relative" in c.name)
    assert not tiny.passed and "0 relative" not in tiny.name and "+ 0 absolute" in tiny.name
    import ast

    checked = ast.literal_eval(tiny.input.replace(" ", ""))
    assert x in checked
    expected = ast.literal_eval(tiny.expected.replace(" ", ""))
    assert expected[checked.index(x)] == pytest.approx(value, rel=1e-6)  # the true value, far from 0 relatively


GENERIC_PITFALLS = [
    ("softplus", lambda x: np.where(np.asarray(x) > 0, x, 0) + np.log(1 + np.exp(-np.abs(x)))),  # log(1 + tiny)
    ("elu", lambda x: np.where(np.asarray(x) > 0, x, np.exp(np.minimum(x, 0)) - 1)),            # exp(x) - 1
    ("log_sigmoid", lambda x: np.log(_stable_sigmoid(x))),                                      # log(1 - tiny)
]


@pytest.mark.parametrize("name,naive", GENERIC_PITFALLS)
def test_generic_check_fails_cancelling_formulas(name, naive):
    feedback = check.activation.evaluate(naive, name)
    assert [c for c in feedback.failed if "accurate relative" in c.name], repr(feedback)


# ---------------------------------------------------------------- feedback text: wrapped at spaces
def test_hints_wrap_at_word_boundaries():
    feedback = check.softmax.evaluate(lambda z: np.exp(z - np.max(z)) / np.exp(z - np.max(z)).sum())
    lines = feedback.lines()
    from acts.checks.engine import TEXT_WIDTH
    assert all(len(line) <= TEXT_WIDTH for line in lines)
    case = feedback.failed[0]
    text = " ".join(line.strip() for line in lines)
    for word in case.hint.split():  # every word of the hint survives whole: no "ins|ide", no "keepdims=Tru|e"
        assert word in text.split()
    assert any(word.startswith("keepdims=True") for word in text.split())
    assert "overflow-wrap: break-word" in feedback._repr_html_() and "word-break: normal" in feedback._repr_html_()


# ---------------------------------------------------------------- never hang
def test_call_with_time_limit_stops_an_infinite_loop_and_passes_results_through():
    from acts.checks.engine import CallTimedOut, call_with_time_limit

    def spin():
        while True:
            pass

    with pytest.raises(CallTimedOut, match="did not return within 0.5 s"):
        call_with_time_limit(spin, (), {}, 0.5)
    assert call_with_time_limit(lambda a, b=1: a + b, (1,), {"b": 2}, 0.5) == 3


def test_the_time_limit_fires_where_sigint_was_ignored():
    # a process started with `cmd &` from a script ignores SIGINT, so interrupt_main alone would never stop it
    import signal
    import subprocess
    import sys

    program = ("from acts.checks.engine import CallTimedOut, call_with_time_limit\n"
               "import signal\n"
               "assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN\n"
               "def spin():\n    while True:\n        pass\n"
               "try:\n    call_with_time_limit(spin, (), {}, 0.3)\nexcept CallTimedOut:\n    print('stopped')\n"
               "assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert done.returncode == 0 and done.stdout.strip() == "stopped", done.stderr


def test_a_hanging_function_fails_with_one_paragraph(monkeypatch):
    monkeypatch.setattr(check.Task, "time_limit_s", 0.5)

    def sigmoid(x):
        while True:
            x = x + 0

    feedback = check.sigmoid.evaluate(sigmoid)
    (case,) = feedback.failed
    assert "did not return within 0.5 s: an infinite loop?" in case.actual and feedback.stopped
    assert "Traceback" not in repr(feedback) and len(repr(feedback).splitlines()) < 12


def test_a_not_implemented_error_from_a_library_is_not_a_stub():
    library = {}  # a module of its own: the error is raised outside the learner's namespace
    exec("def helper(x):\n    raise NotImplementedError('this library cannot do that')", library)

    def sigmoid(x):
        return library["helper"](x)

    feedback = check.sigmoid.evaluate(sigmoid)
    assert not feedback.not_implemented
    assert "raised NotImplementedError: this library cannot do that" in feedback.failed[0].actual


# ---------------------------------------------------------------- the grader's hooks: one door into learner code
@pytest.mark.parametrize("task", sorted(CORRECT))
def test_every_call_into_learner_code_goes_through_the_grading_caller(task):
    fn, through_caller, direct = CORRECT[task][0], [], []

    def counted(*args, **kwargs):
        direct.append(1)
        return fn(*args, **kwargs)

    def caller(call_directly, f, args, kwargs):
        through_caller.append(1)
        return call_directly(f, *args, **kwargs)

    timings = []
    with check.grading_hooks(caller=caller, timer=lambda f, x, kw: timings.append(x.size) or (0.001, None, None),
                             hidden_seed=7):
        feedback = getattr(check, task).evaluate(counted, hidden=True)
    assert feedback.passed, repr(feedback)
    assert len(direct) == len(through_caller) > 0  # no call bypasses Task.call
    assert timings == ([check.SPEED_N] if task in ("relu", "relu_derivative") else [])


def test_the_graders_seed_changes_the_hidden_inputs_only():
    seen = {}

    def sigmoid(x):
        seen.setdefault(key, []).append(np.array(x, copy=True))
        return _stable_sigmoid(x)

    for key, seed in (("a", None), ("b", 1), ("c", 1), ("d", 2)):  # noqa: B007 (sigmoid reads key)
        with check.grading_hooks(hidden_seed=seed):
            assert check.sigmoid.evaluate(sigmoid, hidden=True).passed
    assert np.array_equal(seen["b"][0], seen["c"][0]) and not np.array_equal(seen["b"][0], seen["d"][0])
    assert not np.array_equal(seen["a"][0], seen["b"][0])
    with check.grading_hooks(hidden_seed=3):
        visible = check.sigmoid.evaluate(_stable_sigmoid)
    assert repr(visible) == repr(check.sigmoid.evaluate(_stable_sigmoid))


def test_a_replayed_timeout_gives_the_same_feedback():
    def timed_out(call_directly, f, args, kwargs):
        return None, "did not return within 5 s: an infinite loop?"

    with check.grading_hooks(caller=timed_out):
        feedback = check.sigmoid.evaluate(_stable_sigmoid)
    (case,) = feedback.failed
    assert case.name == "`_stable_sigmoid` returns within 5 s" and feedback.stopped


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parent.parent / "solutions").glob("0*.ipynb")),
                         ids=lambda p: p.stem)
def test_every_solution_passes_every_check_of_its_notebook(path, capsys):
    """The other half of each pitfall test: the course's own answers pass, visible and hidden, in-process."""
    import re

    import nbformat

    from acts.nbmeta import is_check

    namespace = {}
    for cell in nbformat.read(path, 4).cells:
        if cell.cell_type != "code":
            continue
        if not is_check(cell):
            exec(compile(cell.source, f"<{path.stem}>", "exec"), namespace)
            continue
        for task, fn, hidden in re.findall(r"acts\.check\.fresh\(\)\.(\w+)\((\w+)(, hidden=True)?\)", cell.source):
            feedback = getattr(check, task).evaluate(namespace[fn], hidden=bool(hidden))
            assert feedback.passed, repr(feedback)


# ---------------------------------------------------------------- exercise 07 (supersedes the copy in test_modern.py)
CORRECT_07 = {  # different accurate formulas: every one passes, visible and hidden
    "silu": [lambda x: np.asarray(x) * _stable_sigmoid(x), acts.silu, lambda x: np.asarray(x) * special.expit(x)],
    "silu_derivative": [lambda x: _stable_sigmoid(x) * (1 + np.asarray(x) * _stable_sigmoid(-np.asarray(x))),
                        acts.silu.derivative,
                        lambda x: special.expit(x) + np.asarray(x) * special.expit(x) * special.expit(-np.asarray(x))],
    "gelu": [acts.gelu, lambda x: np.asarray(x) * special.ndtr(x),
             lambda x: 0.5 * np.asarray(x) * special.erfc(-np.asarray(x) / np.sqrt(2))],
    "gelu_derivative": [acts.gelu.derivative,
                        lambda x: special.ndtr(x)
                        + np.asarray(x) * np.exp(-np.asarray(x) ** 2 / 2) / np.sqrt(2 * np.pi)],
}
WRONG_07 = [
    ("silu", _stable_sigmoid, "values"),
    ("silu", lambda x: np.asarray(x) * 0.5 * (1 + np.tanh(np.asarray(x) / 2)), "tiny values"),  # 1 + tanh cancels
    ("silu_derivative", lambda x: _stable_sigmoid(x) * (1 - _stable_sigmoid(x)), "finite differences"),
    ("gelu", lambda x: acts.gelu(x, approximate="tanh"), "tanh approximation"),
    ("gelu", lambda x: np.asarray(x) * 0.5 * (1 + special.erf(np.asarray(x))), "sqrt(2)"),
    ("gelu_derivative", special.ndtr, "finite differences"),
]


@pytest.mark.parametrize("task,fn", [(t, f) for t, fs in CORRECT_07.items() for f in fs])
@pytest.mark.parametrize("hidden", [False, True])
def test_exercise_07_checks_accept_accurate_implementations(task, fn, hidden):
    feedback = getattr(check, task).evaluate(fn, hidden=hidden)
    assert feedback.passed, repr(feedback)
    assert task in check.TASKS


@pytest.mark.parametrize("task,fn,message", WRONG_07)
def test_exercise_07_checks_reject_wrong_ones_helpfully(task, fn, message):
    with pytest.raises(check.CheckFailed) as info:
        getattr(check, task)(fn)
    text = "\n".join(info.value._render_traceback_())
    assert message in text and "expected:" in text and "actual:" in text and "hint:" in text


def test_exercise_07_stub_is_not_implemented_yet():
    def stub(x):
        raise NotImplementedError()

    with pytest.raises(check.NotImplementedYet):
        check.gelu(stub)


def test_an_interrupt_during_a_check_is_two_lines_and_still_an_interrupt():
    def sigmoid(x):
        raise KeyboardInterrupt  # what the learner's ■ button raises while their function runs

    with pytest.raises(KeyboardInterrupt) as info:
        check.sigmoid(sigmoid)
    lines = info.value._render_traceback_()
    assert lines[0] == "sigmoid: interrupted" and len(lines) <= 3 and "Traceback" not in "\n".join(lines)
