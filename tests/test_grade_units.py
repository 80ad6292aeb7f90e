"""The grader's parts without a kernel: the data channel, recording and replaying checks, answer lookup, the
hidden-input seed, the report helpers and the sandbox's description. Fast: no kernel, no sandbox started."""

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest

from acts import check
from acts.answer_lookup import looked_up, looked_up_function
from acts.grade import Records
from acts.grade_judge import MISMATCH, NO_RESULT, judge, timing_key
from acts.grade_kernel import feedback_of, record, records_name
from acts.grade_report import student_of, task_status
from acts.grade_sandbox import Limits, Sandbox
from acts.grade_wire import Opaque, decode, encode, same
from acts.grade_worker import _kwargs_literal


# ------------------------------------------------------------------------------------------ the data channel
def _round_trip(value):
    store = {}

    def save(arr):
        buffer = io.BytesIO()
        np.save(buffer, arr, allow_pickle=False)
        store[f"{len(store)}.npy"] = buffer.getvalue()
        return f"{len(store) - 1}.npy"

    tree = json.loads(json.dumps(encode(value, save)))   # what travels is JSON and .npy bytes only
    return decode(tree, lambda name: np.load(io.BytesIO(store[name]), allow_pickle=False))


@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 0.1, float("nan"), float("-inf"), "text", [1.5, "a", None], (1, (2.0, [3])),
    {"alpha": 0.2, "rng": None}, np.array([-1000.0, 0.0, np.nan]), np.arange(12, dtype=np.float32).reshape(3, 4),
    np.array([True, False]), np.float64(2.5), np.int64(7), np.array([1 + 2j]), np.zeros((0, 3)),
])
def test_values_survive_the_channel_exactly(value):
    assert same(_round_trip(value), value)


def test_generators_travel_by_state():
    rng = np.random.default_rng(5)
    back = _round_trip(rng)
    assert same(back, rng) and back.normal() == rng.normal()
    assert not same(back, np.random.default_rng(6))


def test_what_the_channel_does_not_carry_becomes_opaque():
    back = _round_trip([object(), np.array(["a"], dtype=object), np.zeros(2).view(np.matrix)])
    assert all(isinstance(v, Opaque) for v in back)
    assert "object" in repr(back[0])
    for tree in ({"eval": "__import__('os')"}, {"array": 3}, {"float": "0x1p+99999"}, [1, 2], {"int": "9" * 500}):
        assert isinstance(decode(tree, lambda name: np.zeros(1)), Opaque)


def test_same_compares_types_dtypes_and_shapes():
    assert not same(np.array([1.0]), np.array([1.0], dtype=np.float32))
    assert not same(np.array([1.0]), [1.0]) and not same((1,), [1]) and not same(1, 1.0)
    assert same(np.array([np.nan]), np.array([np.nan]))


def test_records_refuse_pickles_and_non_numbers():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    strings = io.BytesIO()
    np.save(strings, np.array(["a"]), allow_pickle=False)
    records = Records({"p.npy": base64.b64encode(buffer.getvalue()).decode(),
                       "s.npy": base64.b64encode(strings.getvalue()).decode(), records_name(0): "not base64 json",
                       records_name(1): base64.b64encode(b"[1, 2]").decode()})
    assert records.entry(0) is None and records.entry(1) is None and records.entry(2) is None
    with pytest.raises(ValueError):
        records.load("p.npy")
    with pytest.raises(ValueError):
        records.load("s.npy")


# ------------------------------------------------------------------------------- recording, then replaying
def good_sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def zeros(x):
    return np.zeros_like(np.asarray(x, dtype=float))


def stub(x):
    raise NotImplementedError()


def good_relu(x):
    return np.maximum(x, 0.0)


def _recorded(tmp_path, namespace, specs, seed=11):
    record({"results": str(tmp_path), "seed": seed, "checks": specs}, namespace)
    files = {p.name: base64.b64encode(p.read_bytes()).decode() for p in tmp_path.iterdir()}
    return Records(files)


def _text(verdict) -> str:
    """A verdict's lines as one text, line wrapping undone (checks wrap long lines at spaces)."""
    return " ".join(" ".join(verdict.lines).split())


SIGMOID = [{"function": "sigmoid", "args": [{"name": "sigmoid"}], "kwargs": {"hidden": True}},
           {"function": "sigmoid", "args": [{"name": "sigmoid"}], "kwargs": {}}]


@pytest.mark.parametrize("fn,passed,summary", [(good_sigmoid, True, "All hidden checks passed"),
                                               (zeros, False, "hidden checks failed"),
                                               (stub, False, "not implemented yet")])
def test_the_grader_judges_recorded_calls_with_the_same_check(tmp_path, fn, passed, summary):
    records = _recorded(tmp_path, {"sigmoid": fn}, SIGMOID)
    verdict = judge(SIGMOID[0], records.entry(0), records.load, {}, seed=11)
    assert verdict.passed is passed and summary in _text(verdict)


def test_a_record_for_other_inputs_is_rejected(tmp_path):
    """The kernel saw seed 11; the grader replays with seed 12: its hidden inputs differ, no record matches."""
    records = _recorded(tmp_path, {"sigmoid": good_sigmoid}, SIGMOID)
    verdict = judge(SIGMOID[0], records.entry(0), records.load, {}, seed=12)
    assert not verdict.passed and MISMATCH in _text(verdict)
    visible = judge(SIGMOID[1], records.entry(1), records.load, {}, seed=12)
    assert visible.passed  # the visible inputs do not depend on the seed


def test_missing_records_and_missing_functions_fail(tmp_path):
    records = _recorded(tmp_path, {}, SIGMOID)
    verdict = judge(SIGMOID[0], records.entry(0), records.load, {}, seed=11)
    assert not verdict.passed and "`sigmoid` is not defined" in _text(verdict)
    nothing = judge(SIGMOID[0], {"missing": [], "calls": []}, records.load, {}, seed=11)
    assert not nothing.passed and NO_RESULT in _text(nothing)
    assert not judge(SIGMOID[0], None, records.load, {}, seed=11).passed


def test_forged_results_are_only_values(tmp_path):
    """Records rewritten by the kernel can only change what the learner's function returned."""
    records = _recorded(tmp_path, {"sigmoid": zeros}, SIGMOID)
    entry = records.entry(1)
    for call in entry["calls"]:
        call["problem"] = None
        call["passed"] = True            # a field the grader never reads
    verdict = judge(SIGMOID[1], entry, records.load, {}, seed=11)
    assert not verdict.passed


def test_speed_is_timed_outside_the_kernel(tmp_path):
    spec = {"function": "relu", "args": [{"name": "relu"}], "kwargs": {}}
    records = _recorded(tmp_path, {"relu": good_relu}, [spec])
    timings = records.entry(0)["timings"]
    assert timings == [{"function": "relu", "kwargs": {"dict": {}}}]   # asked for, never measured in the kernel
    untimed = judge(spec, records.entry(0), records.load, {}, seed=11)
    assert not untimed.passed and "not timed" in _text(untimed)
    fast = {timing_key("relu", {"dict": {}}): {"seconds": 0.002, "problem": None}}
    assert judge(spec, records.entry(0), records.load, fast, seed=11).passed
    slow = {timing_key("relu", {"dict": {}}): {"seconds": 0.5, "problem": None}}
    assert not judge(spec, records.entry(0), records.load, slow, seed=11).passed
    # a busy grading machine: over the absolute bound, but within 20x np.maximum timed alongside, passes;
    # np.vectorize-like slowness (100x and more) still fails
    busy = {timing_key("relu", {"dict": {}}): {"seconds": 0.08, "problem": None, "reference_seconds": 0.01}}
    assert judge(spec, records.entry(0), records.load, busy, seed=11).passed
    loop = {timing_key("relu", {"dict": {}}): {"seconds": 0.5, "problem": None, "reference_seconds": 0.002}}
    assert not judge(spec, records.entry(0), records.load, loop, seed=11).passed
    bogus = {timing_key("relu", {"dict": {}}): {"seconds": 0.5, "problem": None, "reference_seconds": True}}
    assert not judge(spec, records.entry(0), records.load, bogus, seed=11).passed


def test_a_function_that_writes_into_its_input_is_replayed_as_such(tmp_path):
    def in_place(x):
        np.maximum(x, 0, out=x)
        return x

    spec = {"function": "relu", "args": [{"name": "relu"}], "kwargs": {}}
    records = _recorded(tmp_path, {"relu": in_place}, [spec])
    fast = {timing_key("relu", {"dict": {}}): {"seconds": 0.001, "problem": None}}
    verdict = judge(spec, records.entry(0), records.load, fast, seed=11)
    assert not verdict.passed and "leaves its input array unchanged" in _text(verdict)


def _hidden_sigmoid_inputs(seed=None):
    """The hidden inputs of the sigmoid check, read off the first call it makes."""
    seen = []

    def caller(call_directly, fn, args, kwargs):
        seen.append(args[0].copy())
        return call_directly(fn, *args, **kwargs)

    with check.grading_hooks(caller=caller, hidden_seed=seed):
        feedback_of(check.sigmoid, (good_sigmoid,), {"hidden": True})
    return seen[0]


def test_hidden_inputs_come_from_the_graders_seed():
    public = _hidden_sigmoid_inputs()
    assert np.array_equal(_hidden_sigmoid_inputs(1), _hidden_sigmoid_inputs(1))
    assert not np.array_equal(_hidden_sigmoid_inputs(1), _hidden_sigmoid_inputs(2))
    assert not np.array_equal(_hidden_sigmoid_inputs(1), public)   # not the public package's inputs


def test_hooks_are_restored():
    public = _hidden_sigmoid_inputs()
    with check.grading_hooks(caller=lambda *a: (None, None), hidden_seed=3):
        pass
    assert np.array_equal(_hidden_sigmoid_inputs(), public)
    assert feedback_of(check.sigmoid, (good_sigmoid,), {}).passed


# ------------------------------------------------------------------------------------------- answer lookup
@pytest.mark.parametrize("source,context,task", [
    ("def sigmoid(x):\n    return acts.sigmoid(x)", "import acts", "sigmoid"),
    ("def sigmoid(x):\n    x = np.asarray(x)\n    return acts.functions.sigmoid(x)", "import acts", "sigmoid"),
    ("def sigmoid(x):\n    return s(x)", "from acts import sigmoid as s", "sigmoid"),
    ("sigmoid = a.ACTIVATIONS['sigmoid']", "import acts as a", "sigmoid"),
    ("def tanh_derivative(x):\n    return acts.tanh.derivative(x)", "import acts", "tanh_derivative"),
    ("def softmax_jacobian(z):\n    return getattr(acts, 'softmax').jacobian(z)", "import acts", "softmax_jacobian"),
    ("def he_init(i, o, rng):\n    return acts.network.init_weights(i, o, 'he', rng=rng)", "import acts", "he_init"),
    # exercise 01 asks for the derivative from the quotient rule with NumPy only
    ("def sigmoid_derivative(x):\n    s = acts.sigmoid(x)\n    return s * (1 - s)", "import acts",
     "sigmoid_derivative"),
    ("def predicted_dead_fraction(shift, n):\n    return measured_dead_fraction(shift, n)",
     "from acts.checks.dead_units import measured_dead_fraction", "predicted_dead_fraction"),
    ("def gradient_ratio(a, i, seed=0, data_seed=0):\n    return acts.checks.comparison.first_last_ratio(a, i)",
     "import acts.checks.comparison", "gradient_ratio"),
])
def test_answer_lookup_is_flagged(source, context, task):
    assert "uses the course's own" in looked_up(source, task, context)


@pytest.mark.parametrize("source,context,task", [
    ("def tanh(x):\n    return 2 * sigmoid(2 * x) - 1", "from acts import sigmoid", "tanh"),   # exercise 02
    ("def sigmoid(x):\n    return 1 / (1 + np.exp(-x))", "import acts", "sigmoid"),
    ("def sigmoid(x):\n    return (1 +", "import acts", "sigmoid"),
])
def test_other_references_stay_allowed(source, context, task):
    assert looked_up(source, task, context) is None


def test_answer_lookup_for_the_instant_check():
    import acts

    namespace = {"acts": acts, "np": np}
    exec("def sigmoid(x):\n    return acts.sigmoid(x)\n", namespace)
    assert looked_up_function(acts.sigmoid, "sigmoid") and looked_up_function(acts.sigmoid.derivative,
                                                                              "sigmoid_derivative")
    assert looked_up_function(good_sigmoid, "sigmoid") is None


# --------------------------------------------------------------------------------------- reports, sandbox
def test_student_from_nbgraders_layout():
    assert student_of(Path("course/submitted/ada/01_sigmoid/01_sigmoid.ipynb")) == ("ada", "01_sigmoid")
    assert student_of(Path("submitted/01_sigmoid.ipynb")) == ("", None)
    assert student_of(Path("class/ada.ipynb")) == ("", None)


def test_status_gives_the_reason_and_the_counts():
    assert task_status(True, "") == "done"
    assert task_status(False, "sigmoid: not implemented yet") == "not implemented yet"
    assert task_status(False, "x", 1, 8, "values", stopped=True) == (
        "failing: values (1 of 8 checks failed, the rest not run)")
    assert task_status(False, "", lookup="note").startswith("answer lookup")


def test_timing_requests_accept_plain_keywords_only():
    assert _kwargs_literal({"dict": {"alpha": {"float": (0.5).hex()}}}) == "{'alpha': 0.5}"
    assert _kwargs_literal({"dict": {"a); import os; (": 1}}) is None
    assert _kwargs_literal({"dict": {"alpha": {"array": "0.npy"}}}) is None


def test_sandbox_says_what_it_is():
    sandbox = Sandbox.choose("processes")
    assert sandbox.describe()["sandbox"] == "processes" and "without bubblewrap" in sandbox.describe()[
        "description"]
    assert Limits().rlimits(10)["RLIMIT_NPROC"] == 10 + Limits().processes
