"""What the checks learn from the IPython kernel they run in (nothing, outside IPython).

- Which cell runs failed: a ``pre_run_cell``/``post_run_cell`` hook records, per name a cell defines, whether the
  latest run of that cell failed (SyntaxError or an exception), so a check never passes on the older definition
  still in memory. The record lives on the shell, not in this module, so a freshly imported copy of the checks
  (acts.check.fresh) sees it too.
- A learner's stub that still raises NotImplementedError gets one line instead of a traceback; a
  NotImplementedError raised anywhere else (a library, the kernel) keeps its usual traceback.
"""

from __future__ import annotations

import re

from .. import nbmeta

_RUNS = "_acts_check_failed_runs"        # attribute on the shell: name -> error type of its cell's latest run
_INSTALLED = "_acts_check_hooks"         # attribute on the shell: the hooks are registered once per kernel
_DEF = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)|^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)", re.M)


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def defined_names(source: str) -> set[str]:
    """Names a cell defines at top level (def, class, assignment); by pattern when it does not parse."""
    try:
        return nbmeta.defined_names(source)
    except SyntaxError:
        return {a or b for a, b in _DEF.findall(source)}


def _cell_names(shell, raw_cell: str) -> set[str]:
    try:
        source = shell.transform_cell(raw_cell)  # %magics and !commands become Python
    except Exception:
        source = raw_cell
    return defined_names(source)


def _before_run(shell, info):
    # the cell's definitions are about to be replaced: forget what an earlier failed run of it left
    runs = getattr(shell, _RUNS)
    for name in _cell_names(shell, getattr(info, "raw_cell", "") or ""):
        runs.pop(name, None)


def _after_run(shell, result):
    error = result.error_before_exec or result.error_in_exec
    if error is None or hasattr(error, "feedback"):  # a check's own verdict (CheckFailed) is not a broken cell
        return
    runs = getattr(shell, _RUNS)
    for name in _cell_names(shell, getattr(result.info, "raw_cell", "") or ""):
        runs[name] = type(error).__name__


def failed_last_run(fn) -> str | None:
    """The error type of the latest run of the cell that defines fn's name, if that run failed; else None."""
    shell = _shell()
    name = getattr(fn, "__name__", None)
    if shell is None or not name or getattr(fn, "__globals__", None) is not shell.user_ns:
        return None  # not a function defined in this notebook (a library's, or a test's)
    return getattr(shell, _RUNS, {}).get(name)


def _innermost_frame(tb):
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame


def _show_not_implemented(shell, etype, value, tb, tb_offset=None):
    """IPython handler: a stub in a notebook cell gets one line; any other NotImplementedError its traceback."""
    frame = _innermost_frame(tb) if tb is not None else None
    if frame is None or frame.f_globals is not shell.user_ns:  # raised in library code, not in a learner's cell
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return None
    name = frame.f_code.co_name
    what = "this cell" if name == "<module>" else f"`{name}`"
    shell._showtraceback(etype, value, [
        f"NotImplementedError: {what} is not implemented yet. Replace `raise NotImplementedError()` in its cell "
        "with your code, run that cell, then run this one again."])
    return None


def install():
    """Register the hooks in the running IPython kernel, once (importing acts.check calls this)."""
    shell = _shell()
    if shell is None or not hasattr(shell, "events"):
        return
    # ename and evalue stay NotImplementedError's own, so nbval and graders see the same error as before
    if hasattr(shell, "set_custom_exc"):
        shell.set_custom_exc((NotImplementedError,), _show_not_implemented)
    if getattr(shell, _INSTALLED, False):
        return
    setattr(shell, _RUNS, {})
    shell.events.register("pre_run_cell", lambda info: _before_run(shell, info))
    shell.events.register("post_run_cell", lambda result: _after_run(shell, result))
    setattr(shell, _INSTALLED, True)
