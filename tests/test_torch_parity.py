"""Values and derivatives against PyTorch (torch.nn.functional + autograd), when torch is installed.

torch is optional and deliberately not in pyproject.toml or environment.yml (several GB with CUDA); on the
course machines ``pip install torch==2.13.0`` installs a CPU build. Without torch, every test here is skipped
with that reason.

Two differences are torch's, not ours, and the tolerances say so: torch's GELU computes x/2 (1 + erf(x/sqrt 2))
(and 1 + tanh(u)), which cancels to -0.0 in the left tail where acts keeps the digits (absolute error ~1e-15 in
float64, ~1e-7 |x| in float32); and torch's hard sigmoid backward uses the float32 constant 1/6 even in float64.
"""

import numpy as np
import pytest

import acts

torch = pytest.importorskip(
    "torch", exc_type=ImportError,
    reason="torch is not installed or not importable (optional): pip install torch==2.13.0 "
           "to compare acts with torch.nn.functional")
F = torch.nn.functional

# acts name (and parameters) -> the same function in torch
TORCH = {
    "sigmoid": (torch.sigmoid, {}),
    "tanh": (torch.tanh, {}),
    "relu": (F.relu, {}),
    "leaky_relu": (lambda t: F.leaky_relu(t, negative_slope=0.01), {}),
    "softplus": (F.softplus, {}),
    "elu": (F.elu, {}),
    "selu": (F.selu, {}),
    "gelu": (F.gelu, {}),
    "gelu_tanh": (lambda t: F.gelu(t, approximate="tanh"), {"approximate": "tanh"}),
    "silu": (F.silu, {}),
    "mish": (F.mish, {}),
    "hardsigmoid": (F.hardsigmoid, {}),
    "hardswish": (F.hardswish, {}),
    "softsign": (F.softsign, {}),
    "log_sigmoid": (F.logsigmoid, {}),
}
KINKS = {"relu": [0.0], "leaky_relu": [0.0], "elu": [0.0], "selu": [0.0], "hardsigmoid": [-3.0, 3.0],
         "hardswish": [-3.0, 3.0]}


def _act(label):
    return acts.ACTIVATIONS["gelu" if label == "gelu_tanh" else label], TORCH[label][1]


def _torch_value_and_grad(fn, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    (grad,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), grad.numpy()


def test_every_registered_activation_is_compared():
    assert set(acts.ACTIVATIONS) <= {label for label in TORCH if label != "gelu_tanh"}


@pytest.mark.parametrize("label", list(TORCH))
def test_values_and_autograd_derivatives_match_torch(label):
    act, params = _act(label)
    rng = np.random.default_rng(7)
    x = np.concatenate([np.linspace(-12, 12, 2401), rng.normal(scale=4, size=2000), [-60.0, -30.0, 30.0, 60.0]])
    for k in KINKS.get(label, []):  # autograd takes one side at a kink: compare away from them, and at them below
        x = x[np.abs(x - k) > 1e-6]
    value, grad = _torch_value_and_grad(TORCH[label][0], x)
    np.testing.assert_allclose(act(x, **params), value, rtol=1e-12, atol=1e-15)
    rtol = 5e-8 if label == "hardsigmoid" else 1e-9  # torch: float(1/6) = 0.16666667163...
    np.testing.assert_allclose(act.derivative(x, **params), grad, rtol=rtol, atol=1e-14)


@pytest.mark.parametrize("label", sorted(KINKS))
def test_conventions_at_kinks_match_autograd(label):
    act, params = _act(label)
    x = np.array(KINKS[label])
    _, grad = _torch_value_and_grad(TORCH[label][0], x)
    np.testing.assert_array_equal(act.derivative(x, **params), grad)


@pytest.mark.parametrize("label", list(TORCH))
def test_float32_values_match_torch(label):
    act, params = _act(label)
    x = np.linspace(-20, 20, 4001, dtype=np.float32)
    ours = act(x, **params)
    theirs = TORCH[label][0](torch.from_numpy(x)).numpy()
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=4e-6)


def test_elu_alpha_matches_torch():
    x = np.linspace(-5, 5, 1001) + 1e-3
    value, grad = _torch_value_and_grad(lambda t: F.elu(t, alpha=0.3), x)
    np.testing.assert_allclose(acts.elu(x, alpha=0.3), value, rtol=1e-12)
    np.testing.assert_allclose(acts.elu.derivative(x, alpha=0.3), grad, rtol=1e-12)
