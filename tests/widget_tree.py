"""Finding controls inside an explorer's widget tree, for the widget-logic tests."""

from acts._controls import walk  # noqa: F401  (the one walk through a widget tree; re-exported for the tests)


def find_control(widget, description):
    """The one control in the tree with this description (a slider's label)."""
    found = [w for w in walk(widget) if getattr(w, "description", None) == description]
    assert len(found) == 1, f"expected one control {description!r}, found {len(found)}"
    return found[0]
