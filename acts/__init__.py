"""acts: the helper package of the activation-functions course.

    import acts
    acts.sigmoid(x), acts.sigmoid.derivative(x), acts.softmax(x), acts.softmax.jacobian(x)
    acts.ACTIVATIONS["relu"], acts.gradient_check(f, df, x), acts.plot(func, ylim=(-0.25, 1.25))
"""

from .activation import Activation, Parameter, Properties, VectorActivation
from .functions import CLASSICS, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .modern import MODERN, elu, gelu, hardsigmoid, hardswish, log_sigmoid, mish, selu, silu, softplus, softsign
from .numerics import central_difference, gradient_check, numerical_jacobian
from .plotting import PALETTE, plot

# name -> elementwise activation; softmax and log_softmax work on whole vectors and stand outside it
ACTIVATIONS: dict[str, Activation] = {**CLASSICS, **MODERN}

__version__ = "0.1.0"

# Submodules that pull in heavier libraries (ipywidgets, nbclient) load on first use: `acts.widgets.explore(...)`
# works after a plain `import acts`, and `import acts` stays fast.
_LAZY = {"widgets", "network", "data", "check", "grade", "exercises", "properties", "zoo", "lab", "explorers"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'acts' has no attribute {name!r}")

__all__ = [
    "ACTIVATIONS", "Activation", "PALETTE", "Parameter", "Properties", "VectorActivation",
    "central_difference", "gradient_check", "leaky_relu", "log_softmax", "numerical_jacobian", "plot",
    "relu", "sigmoid", "softmax", "tanh",
    "elu", "gelu", "hardsigmoid", "hardswish", "log_sigmoid", "mish", "selu", "silu", "softplus", "softsign",
]
