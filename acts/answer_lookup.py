"""Answer lookup: a task function that calls the course's own reference for that same task.

    looked_up(source, task) -> str | None      # a note when the code defining ``task`` calls its reference
    looked_up_function(fn, task) -> str | None # the same for a live function (the instant check), via its source

``def sigmoid(x): return acts.sigmoid(x)`` in exercise 01 earns nothing: the task is to write the sigmoid. Using
the reference of *another* task stays allowed (exercise 02 imports the course's sigmoid on purpose to build tanh).
The test is static and covers the direct spellings (``acts.sigmoid``, ``acts.functions.sigmoid``,
``acts.ACTIVATIONS["sigmoid"]``, ``from acts import sigmoid as s``, ``sigmoid = acts.sigmoid``, ``.derivative``
and ``.jacobian`` for derivative tasks); deliberately disguised lookups are beyond a static test, and the threat
model says so (a learner can also call SciPy's expit: the course's checks test the maths, not authorship).
"""

from __future__ import annotations

import ast
import inspect
import textwrap

SUBMODULES = {"functions", "modern", "activation"}   # acts.functions.sigmoid is acts.sigmoid
DERIVED = {"derivative": "_derivative", "jacobian": "_jacobian"}


# tasks whose reference is not named after them
REFERENCES = {"xavier_init": {"acts.network.init_weights"}, "he_init": {"acts.network.init_weights"},
              "layer_gradient_norms": {"acts.network.gradient_norms"},
              # exercise 01's derive task: from the quotient rule, with NumPy only (not s * (1 - s) of acts.sigmoid)
              "sigmoid_derivative": {"acts.sigmoid.derivative", "acts.sigmoid"},
              # predict tasks: the checks' own measurements are the answers
              "predicted_dead_fraction": {"acts.checks.dead_units.measured_dead_fraction",
                                          "acts.checks.dead_units.closed_form"},
              "predicted_vanishing_depth": {"acts.checks.depth.vanishing_depth"},
              # exercise 09: the check's own measurements
              "budget_accuracy": {"acts.checks.comparison.held_out_accuracy"},
              "gradient_ratio": {"acts.checks.comparison.first_last_ratio", "acts.checks.comparison.gradient_norms"}}


def _reference(task: str) -> set:
    """The dotted names that compute ``task``: sigmoid -> acts.sigmoid, softmax_jacobian -> acts.softmax.jacobian."""
    if task in REFERENCES:
        return REFERENCES[task]
    for suffix, method in (("_derivative", "derivative"), ("_jacobian", "jacobian")):
        if task.endswith(suffix):
            return {f"acts.{task[: -len(suffix)]}.{method}"}
    return {f"acts.{task}"}


def _aliases(tree) -> dict:
    """Names bound by imports to acts or its members: {"a": "acts", "s": "acts.sigmoid"}."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "acts" or alias.name.startswith("acts."):
                    found[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else "acts"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == "acts" or node.module.startswith("acts.")):
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _canonical(dotted: str) -> str:
    parts = dotted.split(".")
    return ".".join(p for i, p in enumerate(parts) if not (i == 1 and p in SUBMODULES))


def _dotted(node, aliases) -> str | None:
    """acts.x.y, acts.ACTIVATIONS["x"].y and getattr(acts, "x") as one canonical dotted name, else None."""
    if isinstance(node, ast.Name):
        return _canonical(aliases[node.id]) if node.id in aliases else None
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        base = _dotted(node.value, aliases)
        collections = ("acts.ACTIVATIONS", "acts.CLASSICS", "acts.MODERN")
        return f"acts.{node.slice.value}" if base and _canonical(base) in collections else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) == 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
        base = _dotted(node.args[0], aliases)
        return f"{base}.{node.args[1].value}" if base else None
    return None


def _uses_reference(node, aliases, reference) -> bool:
    for sub in ast.walk(node):
        dotted = _dotted(sub, aliases)
        if dotted and _canonical(dotted) in reference:
            return True
    return False


def looked_up(source: str, task: str, context: str = "") -> str | None:
    """A note if the code in ``source`` that defines ``task`` uses the course's reference for ``task``.
    ``context``: the notebook's other code, where its imports may be."""
    try:
        tree = ast.parse(source)
        aliases = _aliases(ast.parse(context)) if context else {}
    except (SyntaxError, ValueError):
        return None
    aliases.update(_aliases(tree))
    reference = _reference(task)
    for node in tree.body:
        defines = (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == task) or (
            isinstance(node, (ast.Assign, ast.AnnAssign))
            and any(isinstance(t, ast.Name) and t.id == task
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])))
        if defines and _uses_reference(node, aliases, reference):
            name = sorted(reference)[0]
            return (f"`{task}` uses the course's own `{name}`: the task is to write it yourself (0 points for this "
                    "task; using the course's functions from earlier tasks is fine)")
    return None


def looked_up_function(fn, task: str) -> str | None:
    """``looked_up`` for a live function: the reference object itself, or a function whose source (IPython keeps
    cell sources) calls it, with the imports of the namespace it was defined in."""
    import acts

    for dotted in sorted(_reference(task)):
        obj = acts
        for part in dotted.split(".")[1:]:
            obj = getattr(obj, part, None)
        if obj is not None and (fn is obj or getattr(fn, "__func__", None) is getattr(obj, "__func__", obj)):
            return looked_up(f"{task} = {dotted}", task, "import acts")
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return None
    names = getattr(fn, "__globals__", {})
    context = [f"import {v.__name__} as {k}" for k, v in names.items()
               if inspect.ismodule(v) and (v.__name__ == "acts" or v.__name__.startswith("acts."))]
    context += [f"from acts import {k}" for k, v in names.items() if k != task and _is_course_function(v, k)]
    return looked_up(source, task, "\n".join(context))


def _is_course_function(value, name: str) -> bool:
    import acts

    return getattr(acts, name, None) is value
