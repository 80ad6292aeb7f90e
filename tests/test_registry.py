"""acts.registry: one lookup and one error message for every module that takes an activation's name."""

from __future__ import annotations

import pytest

import acts
from acts import registry


def test_names_and_get_cover_the_registry_in_order():
    assert registry.names() == tuple(acts.ACTIVATIONS)
    assert registry.names()[:4] == ("sigmoid", "tanh", "relu", "leaky_relu")  # classic first, as the lessons
    assert all(registry.get(name) is acts.ACTIVATIONS[name] for name in registry.names())
    assert registry.get(acts.relu) is acts.relu, "an Activation passes through"
    assert "softmax" not in registry.names(), "vector functions stand outside the elementwise registry"


def test_unknown_names_get_one_message_with_a_suggestion():
    with pytest.raises(ValueError, match=r"^explore\(\): unknown activation 'sigmod' \(did you mean 'sigmoid'\?\); "
                                         r"valid names: elu, gelu, .*tanh$"):
        registry.get("sigmod", caller="explore()")
    with pytest.raises(ValueError, match=r"^unknown activation 'qqq'; valid names"):
        registry.get("qqq")
    with pytest.raises(TypeError, match=r"by its name \(str\), got int 3; valid names"):
        registry.get(3)


@pytest.mark.parametrize("call", [lambda: acts.widgets.explore("sigmod"), lambda: acts.widgets.zoo(["sigmod"]),
                                  lambda: acts.widgets.vanishing_gradients(activation="sigmod")])
def test_every_widget_uses_the_registry_message(call):
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod' \(did you mean 'sigmoid'\?\); valid names"):
        call()
