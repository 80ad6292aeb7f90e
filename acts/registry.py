"""The activations by name: one lookup and one error message for every module that takes a name.

    from acts import registry
    registry.get("relu")          # the Activation object
    registry.get(acts.relu)       # an Activation passes through unchanged
    registry.names()              # ('sigmoid', 'tanh', 'relu', 'leaky_relu', 'softplus', ...)

``ACTIVATIONS`` (also ``acts.ACTIVATIONS``) maps each name to its elementwise activation, the classic ones
first, then the modern ones, in the order the lessons meet them. Softmax and log-softmax work on whole vectors
and stand outside it.
"""

from __future__ import annotations

from .activation import Activation
from .functions import CLASSICS
from .modern import MODERN

ACTIVATIONS: dict[str, Activation] = {**CLASSICS, **MODERN}


def names() -> tuple[str, ...]:
    """Every registered name, in the registry's order (classic, then modern)."""
    return tuple(ACTIVATIONS)


def get(name, *, caller: str = "") -> Activation:
    """The activation called ``name`` (an Activation is returned as it is).

    A name that is not registered raises ValueError, anything else that is not a str TypeError; both messages
    list the valid names (and suggest the closest one). ``caller`` ("explore()") starts the message.
    """
    if isinstance(name, Activation):
        return name
    prefix = f"{caller}: " if caller else ""
    valid = ", ".join(sorted(ACTIVATIONS))
    if not isinstance(name, str):
        raise TypeError(f"{prefix}an activation is given by its name (str), got {type(name).__name__} "
                        f"{name!r}; valid names: {valid}")
    if name not in ACTIVATIONS:
        import difflib  # here: only an error needs it, and `import acts` stays fast

        close = difflib.get_close_matches(name, ACTIVATIONS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"{prefix}unknown activation {name!r}{hint}; valid names: {valid}")
    return ACTIVATIONS[name]
