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


def _softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


CORRECT = {
    "sigmoid": [_stable_sigmoid, _sigmoid_errstate, special.expit, acts.sigmoid,
                lambda x: 0.5 * (1 + np.tanh(np.asarray(x, dtype=float) / 2))],
    "sigmoid_derivative": [lambda x: _stable_sigmoid(x) * (1 - _stable_sigmoid(x)), acts.sigmoid.derivative,
                           lambda x: np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2],
    "tanh": [lambda x: 2 * _stable_sigmoid(2 * np.asarray(x)) - 1, np.tanh,
             lambda x: (1 - _stable_sigmoid(-2 * np.asarray(x))) - _stable_sigmoid(-2 * np.asarray(x))],
    "tanh_derivative": [lambda x: 1 - np.tanh(x) ** 2,
                        lambda x: 4 * np.exp(-2 * np.abs(x)) / (1 + np.exp(-2 * np.abs(x))) ** 2,
                        acts.tanh.derivative],
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
    "softmax_cross_entropy_gradient": [lambda z, y: _softmax(z) - y,
                                       lambda z, y: _softmax(z) * np.sum(y) - np.asarray(y)],
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
    feedback = getattr(check, task)(fn, hidden=hidden)
    assert feedback.passed
    assert ("All hidden checks passed" if hidden else "All visible checks passed") in repr(feedback)
    assert "All visible checks passed" in feedback._repr_html_() or hidden


def test_every_check_used_by_exercises_01_to_06_is_covered():
    import re

    root = Path(__file__).resolve().parent.parent / "solutions"
    used = set()
    for nb in sorted(root.glob("0[1-6]_*.ipynb")):
        used |= set(re.findall(r"acts\.check\.(\w+)\(", nb.read_text()))
    assert used and used == set(CORRECT) and used <= set(check.TASKS)


WRONG = [
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), "overflow encountered in exp"),
    ("sigmoid", lambda x: 1 / (1 + np.exp(np.asarray(x))), "values"),
    ("sigmoid", lambda x: [0.5] * len(x), "list"),
    ("sigmoid", lambda x: np.ravel(_stable_sigmoid(x)), "shape (3, 4)"),
    ("sigmoid", lambda x: np.full(np.shape(x), np.nan), "nan"),
    ("sigmoid", lambda x: _stable_sigmoid(x).astype(np.complex128), "real numbers"),
    ("sigmoid", lambda x: 1 / 0, "raised ZeroDivisionError"),
    ("sigmoid_derivative", lambda x: _stable_sigmoid(_stable_sigmoid(x)) * (1 - _stable_sigmoid(
        _stable_sigmoid(x))), "finite differences"),
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
    ("softmax_cross_entropy_gradient", lambda z, y: y - _softmax(z), "finite differences"),
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
    first, second = check.softmax(_softmax), check.softmax(_softmax)
    assert repr(first) == repr(second) and first._repr_html_() == second._repr_html_()
    lines = repr(first).splitlines()
    assert lines[0] == "softmax: All visible checks passed (4 checks)"
    assert len(lines) == 5 and all(line.strip().startswith("✓") for line in lines[1:])
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
    ("gelu", {}, lambda x: 0.5 * x * (1 + special.erf(np.asarray(x) / np.sqrt(2))),
     lambda x: 0.5 * (1 + special.erf(np.asarray(x) / np.sqrt(2))) + x * np.exp(-0.5 * np.square(x)) / np.sqrt(
         2 * np.pi)),
]


@pytest.mark.parametrize("name,params,f,df", GENERIC)
@pytest.mark.parametrize("hidden", [False, True])
def test_generic_activation_checks_for_lesson_07(name, params, f, df, hidden):
    assert check.activation(f, name, hidden=hidden, **params).passed
    assert check.derivative(df, name, hidden=hidden, **params).passed
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
    assert set(failed) == {"values", "sigmoid at extreme inputs, finite and without warnings"}
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
    name = "sigmoid' matches finite differences of sigmoid(x)"
    assert name in at_f and not any(" of f" in n for n in at_f)
    assert "evaluated at sigmoid(x) instead of at x" in at_f[name].hint
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


def test_a_stub_raising_not_implemented_shows_one_line_in_a_notebook():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import acts.check\ndef sigmoid(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"),
        nbformat.v4.new_code_cell("sigmoid(1.0)"),
        nbformat.v4.new_code_cell("1 / 0"),
    ])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    (stub,) = nb.cells[1].outputs
    assert stub.ename == "NotImplementedError"  # what nbval and the grader compare is unchanged
    assert len(stub.traceback) == 1 and "`sigmoid` is not implemented yet" in stub.traceback[0]
    (other,) = nb.cells[2].outputs
    assert other.ename == "ZeroDivisionError" and len(other.traceback) > 1  # other errors keep their traceback
