"""acts: the helper package of the activation-functions course.

    import acts
    acts.sigmoid(x), acts.sigmoid.derivative(x), acts.softmax(x), acts.softmax.jacobian(x)
    acts.ACTIVATIONS["relu"], acts.registry.get("relu"), acts.gradient_check(f, df, x)
    acts.plot(func, ylim=(-0.25, 1.25))

`import acts` loads NumPy and the activations only: pyplot, SciPy, ipywidgets and nbclient load on first use
(benchmarks/import_time.py prints the cost against `import numpy`).
"""

from .activation import Activation, Parameter, Properties, VectorActivation
from .functions import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .modern import elu, gelu, hardsigmoid, hardswish, log_sigmoid, mish, selu, silu, softplus, softsign
from .numerics import central_difference, gradient_check, numerical_jacobian
from .registry import ACTIVATIONS

__version__ = "0.1.0"  # the one source of the version: pyproject.toml reads it from here

# Submodules that pull in heavier libraries (pyplot, ipywidgets, nbclient, SciPy's optimiser) load on first use:
# `acts.widgets.explore(...)` and `acts.plot(...)` work after a plain `import acts`, and `import acts` stays fast.
_LAZY_MODULES = {"widgets", "network", "data", "check", "grade", "exercises", "properties", "zoo", "lab",
                 "explorers", "softmax_explorer", "plotting"}
_LAZY_NAMES = {"plot": "plotting", "PALETTE": "plotting"}  # name -> the submodule that defines it


def __getattr__(name):
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'acts' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY_MODULES | set(_LAZY_NAMES))


def _figure_alt_metadata(fig):
    from .plotting import _alt_metadata  # matplotlib is loaded already: a figure is being displayed

    return _alt_metadata(fig)


def _install_alt_text() -> None:
    """In IPython, every matplotlib figure displayed after `import acts` carries its alternative text (see
    acts.plotting.alt_text). Registered by the type's name, so matplotlib itself still loads only when used."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and hasattr(shell, "display_formatter"):
        shell.display_formatter.mimebundle_formatter.for_type_by_name(
            "matplotlib.figure", "Figure", _figure_alt_metadata)


_install_alt_text()


__all__ = [
    "ACTIVATIONS", "Activation", "PALETTE", "Parameter", "Properties", "VectorActivation",
    "central_difference", "gradient_check", "leaky_relu", "log_softmax", "numerical_jacobian", "plot",
    "relu", "sigmoid", "softmax", "tanh",
    "elu", "gelu", "hardsigmoid", "hardswish", "log_sigmoid", "mish", "selu", "silu", "softplus", "softsign",
]
