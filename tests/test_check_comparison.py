"""The checks of exercise 09 (choose an activation under a budget): correct answers pass however they are written;
wrong ones fail with the hint that matches the mistake; a choice is graded on the accuracy the check measures when it
trains it; malformed choices get a clear message without any training; stubs say "not implemented yet".

Each budget run trains an 8-layer network for 200 steps (a fraction of a second); the check's own runs are cached
within a process (acts.checks.comparison._trained), so the tests below repeat few of them."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import acts.check as check
from acts.checks import comparison
from acts.network import MLP, accuracy, train

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "09_putting_it_together.ipynb"


def _said(feedback) -> str:
    """What the failing cases say, unwrapped (the feedback's text wraps at 88 columns)."""
    return " ".join(f"{c.actual} {c.hint}" for c in feedback.failed)


def _net(activation, init, seed):
    return MLP([2] + [comparison.WIDTH] * comparison.HIDDEN_LAYERS + [comparison.CLASSES], activation, init=init,
               seed=seed)


# ---------------------------------------------------------------- Task 1: the budget's held-out accuracy
def _budget_accuracy(activation, init, learning_rate, seed=0, data_seed=0):
    X_train, y_train, X_val, y_val = comparison.budget_data(data_seed)
    net = _net(activation, init, seed)
    train(net, X_train, y_train, steps=200, lr=learning_rate, optimizer="adam", loss="cross_entropy")
    return accuracy(net, X_val, y_val)


def _budget_accuracy_by_hand(activation, init, learning_rate, seed=0, data_seed=0):
    """The same recipe written differently: recorded every step, scored with predict, returned as a NumPy float."""
    X_train, y_train, X_val, y_val = comparison.budget_data(data_seed)
    net = _net(activation, init, seed)
    train(net, X_train, y_train, steps=200, lr=learning_rate, record_every=50)
    return np.mean(net.predict(X_val) == y_val)


def test_budget_accuracy_accepts_the_recipe_however_written():
    for fn in (_budget_accuracy, _budget_accuracy_by_hand):
        feedback = check.budget_accuracy.evaluate(fn)
        assert feedback.passed, repr(feedback)
    feedback = check.budget_accuracy.evaluate(_budget_accuracy, hidden=True)
    assert feedback.passed and "All hidden checks passed (2 checks)" in repr(feedback), repr(feedback)


def _training_accuracy(activation, init, learning_rate, seed=0, data_seed=0):
    X_train, y_train, _, _ = comparison.budget_data(data_seed)
    net = _net(activation, init, seed)
    train(net, X_train, y_train, steps=200, lr=learning_rate, record_every=None)
    return accuracy(net, X_train, y_train)


def _untrained(activation, init, learning_rate, seed=0, data_seed=0):
    _, _, X_val, y_val = comparison.budget_data(data_seed)
    return accuracy(_net(activation, init, seed), X_val, y_val)


@pytest.mark.parametrize("fn,message", [
    (_training_accuracy, "accuracy on the training points"),
    (_untrained, "untrained network"),
    (lambda *args: 100 * comparison.held_out_accuracy(*args), "not a percentage"),
    (lambda *args: "0.9", "Return one number"),
    (lambda *args: None, "Return one number"),
])
def test_budget_accuracy_rejects_other_recipes_with_the_matching_hint(fn, message):
    feedback = check.budget_accuracy.evaluate(fn)
    assert not feedback.passed and message in _said(feedback), repr(feedback)


# ---------------------------------------------------------------- Task 2: the gradient ratio (debug)
def _ratio(activation, init, seed=0, data_seed=0, *, fix_init=True, fix_order=True):
    X_train, y_train, _, _ = comparison.budget_data(data_seed)
    net = _net(activation, init if fix_init else "he", seed)
    net.gradients(X_train, y_train, loss="cross_entropy")
    norms = [np.linalg.norm(g) for g in net.grad_preactivations]
    return norms[0] / norms[-1] if fix_order else norms[-1] / norms[0]


def _ratio_from_weights_gradients(activation, init, seed=0, data_seed=0):
    """dL/dZ_l recovered from the bias gradients is not the same norm: dL/db sums over the batch."""
    X_train, y_train, _, _ = comparison.budget_data(data_seed)
    net = _net(activation, init, seed)
    net.gradients(X_train, y_train, loss="cross_entropy")
    return np.linalg.norm(net.grad_biases[0]) / np.linalg.norm(net.grad_biases[-2])


@pytest.mark.parametrize("hidden", [False, True])
def test_gradient_ratio_accepts_the_fixed_function(hidden):
    feedback = check.gradient_ratio.evaluate(_ratio, hidden=hidden)
    assert feedback.passed, repr(feedback)


@pytest.mark.parametrize("options,message", [
    (dict(fix_init=False, fix_order=False), "Two things to fix"),          # the colleague's function as given
    (dict(fix_init=False), "MLP's init defaults to 'he'"),
    (dict(fix_order=False), "the inverse"),
])
def test_gradient_ratio_hints_name_the_remaining_mistake(options, message):
    feedback = check.gradient_ratio.evaluate(lambda *args: _ratio(*args, **options))
    assert not feedback.passed and message in _said(feedback), repr(feedback)


def test_gradient_ratio_rejects_another_quantity():
    feedback = check.gradient_ratio.evaluate(_ratio_from_weights_gradients)
    assert not feedback.passed and "net.grad_preactivations" in _said(feedback), repr(feedback)


def test_the_ratios_the_choice_rests_on():
    # sigmoid's gradient at the first layer starts orders of magnitude below the last layer's, with either init;
    # tanh + Xavier and ReLU + He keep it within a factor of 2
    assert comparison.first_last_ratio("sigmoid", "standard") < 1e-4
    assert comparison.first_last_ratio("sigmoid", "xavier") < 1e-3
    for activation, init in (("tanh", "xavier"), ("relu", "he")):
        assert 0.5 < comparison.first_last_ratio(activation, init) < 2


# ---------------------------------------------------------------- Task 3: the choice, graded on its measurement
def _choice(activation, init, rate, claim=None):
    if claim is None:
        claim = np.mean([comparison.held_out_accuracy(activation, init, rate, seed) for seed in (0, 1, 2)])
    return lambda: {"activation": activation, "init": init, "learning_rate": rate, "measured_accuracy": claim}


@pytest.mark.parametrize("hidden", [False, True])
def test_a_choice_that_trains_passes_on_other_seeds_and_data_too(hidden):
    feedback = check.choose_activation.evaluate(_choice("relu", "he", 0.01), hidden=hidden)
    assert feedback.passed, repr(feedback)
    assert check.choose_activation(_choice("relu", "he", 0.01), hidden=hidden) is None


def test_lesson_09s_sigmoid_configuration_fails_here_with_the_gradient_hint():
    # lesson 09 trained sigmoid with Xavier: on 2 hidden layers it was within noise of the others; at 8 it fails,
    # even though the learner reports its measurement honestly
    feedback = check.choose_activation.evaluate(_choice("sigmoid", "xavier", 0.01))
    assert not feedback.passed and len(feedback.failed) == 2, repr(feedback)
    assert "gradient ratio here is" in _said(feedback) and "lesson 06" in _said(feedback)


def test_a_claim_that_is_not_the_measurement_fails():
    feedback = check.choose_activation.evaluate(_choice("relu", "he", 0.01, claim=0.5))
    assert not feedback.passed and [c.name for c in feedback.failed] == [
        "your measured_accuracy matches the check's measurement (within 0.02)"], repr(feedback)


@pytest.mark.parametrize("result,message", [
    ({"activation": "swish", "init": "he", "learning_rate": 0.01, "measured_accuracy": 0.9}, "activation 'swish'"),
    ({"activation": "relu", "init": "kaiming", "learning_rate": 0.01, "measured_accuracy": 0.9}, "init 'kaiming'"),
    ({"activation": "relu", "init": "he", "learning_rate": 0.1, "measured_accuracy": 0.9}, "budget's rates"),
    ({"activation": "relu", "init": "he", "learning_rate": 0.01, "measured_accuracy": 99}, "fraction between"),
    ({"activation": "relu", "init": "he", "learning_rate": "0.01", "measured_accuracy": 0.9}, "budget's rates"),
    ({"activation": "relu", "init": "he", "learning_rate": 0.01}, "keys"),
    (("relu", "he", 0.01), "tuple"),
])
def test_malformed_choices_fail_clearly_without_training(result, message, monkeypatch):
    def no_training(*args):
        raise AssertionError("a malformed choice must not be trained")
    monkeypatch.setattr(comparison, "held_out_accuracy", no_training)
    feedback = check.choose_activation.evaluate(lambda: result)
    assert not feedback.passed and feedback.stopped and message in _said(feedback), repr(feedback)


# ---------------------------------------------------------------- the exercise's own set-up and stubs
def test_the_notebooks_set_up_is_the_checks():
    cell = next(c for c in nbformat.read(SOLUTION, as_version=4).cells
                if c.cell_type == "code" and "def budget_data" in c.source)
    namespace = {}
    exec(cell.source, namespace)
    assert (namespace["HIDDEN_LAYERS"], namespace["WIDTH"], namespace["CLASSES"]) == (
        comparison.HIDDEN_LAYERS, comparison.WIDTH, comparison.CLASSES)
    assert (namespace["STEPS"], namespace["RATES"]) == (comparison.STEPS, comparison.RATES)
    for data_seed in (0, 7):
        for ours, theirs in zip(namespace["budget_data"](data_seed), comparison.budget_data(data_seed)):
            np.testing.assert_array_equal(ours, theirs)


def test_the_solution_uses_every_check_of_this_module():
    used = set(re.findall(r"acts\.check\.fresh\(\)\.(\w+)\(", SOLUTION.read_text()))
    assert used == {"budget_accuracy", "gradient_ratio", "choose_activation"} and used <= set(check.TASKS)
