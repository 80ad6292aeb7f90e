"""The course's interactive explorers. Every public function here returns an ipywidgets widget.

    acts.widgets.explore("leaky_relu")   # one activation, its derivative and a tangent line
    acts.widgets.softmax_explorer()      # logits, temperature, probabilities and the Jacobian
    acts.widgets.vanishing_gradients()   # per-layer gradient norms and activations of a deep net
    acts.widgets.zoo()                   # overlay up to six activations and their derivatives

The browser tests drive every public function of this module, so a new explorer is covered by adding
its import here.
"""

from .explorers import explore  # noqa: F401
from .lab import vanishing_gradients  # noqa: F401
from .softmax_explorer import softmax_explorer  # noqa: F401
from .zoo import zoo  # noqa: F401
