"""Finding controls inside an explorer's widget tree, for the widget-logic tests."""


def walk(widget):
    """The widget and every widget nested in its children, depth first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def find_control(widget, description):
    """The one control in the tree with this description (a slider's label)."""
    found = [w for w in walk(widget) if getattr(w, "description", None) == description]
    assert len(found) == 1, f"expected one control {description!r}, found {len(found)}"
    return found[0]
