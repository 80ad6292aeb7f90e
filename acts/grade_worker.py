"""The per-submission worker: runs inside the sandbox, drives the learner's kernel, hands back raw data.

    python -m acts.grade_worker < request.json      (started by acts.grade_sandbox, never by hand)

1. protects itself from the kernel it starts (not dumpable: a process of the same user cannot read its memory,
   open its file descriptors or trace it) and applies the resource limits the grader asked for;
2. runs the submission's code cells in a fresh kernel, each under the time limit: a cell over the limit is
   interrupted (what it defined before is kept); a cell deaf to the interrupt, or one that kills the kernel, is
   skipped and the notebook re-run without it;
3. runs ``acts.grade_kernel.record_json`` in the kernel: the learner's functions on the grader's inputs;
4. times each call the speed checks ask for, from here (outside the kernel), on a fresh input drawn from the
   grader's seed, minus the cost of the same round trip to a function that does nothing;
5. writes one line to stdout: a marker, an HMAC of the body under the key the grader sent on stdin, and the body
   (notes, timings and the record files, base64). Only the timings are trusted by the grader; the records are
   data the kernel wrote and are judged as such.
"""

from __future__ import annotations

import base64
import ctypes
import hashlib
import hmac
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from .nbmeta import without_slow_iri_checker

without_slow_iri_checker()  # before nbformat: seconds of CPU per process otherwise

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async

MARK = "ACTS-GRADE-RESULT"
MAX_RESTARTS = 3           # cells skipped for being deaf to interrupts or killing the kernel, before giving up
MAX_RECORDS = 64 << 20     # bytes of record files handed back
TIMING_REPEATS = 5


class _Client(NotebookClient):
    """A notebook client that keeps at most ``max_output`` bytes of output per cell and interrupts a cell over
    the time limit once; a second timeout (the cell ignored the interrupt) raises CellTimeoutError."""

    def output(self, outs, msg, display_id, cell_index):
        size = self.sizes.get(cell_index, 0) + len(json.dumps(msg.get("content", {}), default=str))
        self.sizes[cell_index] = size
        if size > self.max_output and msg["msg_type"] != "error":
            self.truncated.add(cell_index)
            return None
        return super().output(outs, msg, display_id, cell_index)

    async def _async_handle_timeout(self, timeout, cell=None):
        if cell is not None and cell.metadata.get("acts_step") not in self.interrupted:
            self.interrupted.add(cell.metadata.get("acts_step"))
            await ensure_async(self.km.interrupt_kernel())
            return None
        raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", timeout, cell)


def _not_dumpable():
    """prctl(PR_SET_DUMPABLE, 0): /proc/<this>/{mem,fd,environ} and ptrace become off limits to the kernel."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _apply_limits(limits: dict):
    for name, value in limits.items():
        which = getattr(resource, name, None)
        if which is None or value is None:
            continue
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))


def _client(cells, request, workdir):
    nb = nbformat.v4.new_notebook(cells=cells)
    client = _Client(nb, timeout=request["timeout"], kernel_name="python3", allow_errors=True,
                     interrupt_on_timeout=True, shutdown_kernel="immediate", startup_timeout=120,
                     resources={"metadata": {"path": str(workdir)}})
    client.sizes, client.truncated, client.interrupted, client.max_output = {}, set(), set(), request["max_output"]
    return client


def _record_cells(request) -> list:
    """One cell per check call: the time limit interrupts one check, not the others."""
    cells = []
    for index, check in enumerate(request["checks"]):
        spec = {"results": request["results"], "seed": request["seed"], "checks": [check], "first": index}
        cell = nbformat.v4.new_code_cell("import acts.grade_kernel as _acts_grade_kernel\n"
                                         f"_acts_grade_kernel.record_json({json.dumps(spec)!r}, globals())\n"
                                         "del _acts_grade_kernel")
        cell.metadata["acts_step"] = f"record {index}"
        cells.append(cell)
    return cells


def _notes(client, nb, cells_meta, timeout) -> list:
    """What went wrong in the submission's own cells, named the way the grader's plan names them."""
    notes = []
    for index, cell in enumerate(nb.cells):
        step = cell.metadata.get("acts_step")
        if not isinstance(step, int):
            continue
        where = cells_meta[step]["where"]
        if step in client.interrupted:
            notes.append(f"{where} exceeded the time limit of {timeout:g} s: interrupted there (what it defined "
                         "before is kept)")
            continue
        for out in cell.outputs:
            if out.get("output_type") != "error":
                continue
            if out.get("ename") == "NotImplementedError":
                notes.append(f"{where} calls a function that is not implemented yet (expected until its task is "
                             "done)")
            else:
                notes.append(f"{where} raised {out.get('ename')}: {str(out.get('evalue'))[:300]}")
        if index in client.truncated:
            notes.append(f"{where} printed more than {client.max_output // 1000} KB: output truncated")
    return notes


def _time_calls(client, timings, seed, n) -> list:
    """Best-of-5 round trips of ``name(x, **kwargs)`` minus those of a do-nothing function, measured here; and,
    paired with each call so that both meet the same load, of np.maximum(x, 0): the reference against which the
    speed check (acts.checks.cases.vectorised_speed) also accepts a function on a busy machine."""
    def run(source):
        cell = nbformat.v4.new_code_cell(source)
        client.nb.cells.append(cell)
        start = time.perf_counter()
        client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
        return time.perf_counter() - start, cell.outputs

    run(f"import numpy as _acts_np\n_acts_x = _acts_np.random.default_rng({int(seed)}).uniform(-5.0, 5.0, {int(n)})\n"
        "def _acts_noop(x, **kwargs):\n    return x")
    measured = []
    for request in timings:
        name, kwargs = request.get("function"), request.get("kwargs")
        literal = _kwargs_literal(kwargs)
        if not isinstance(name, str) or not name.isidentifier() or literal is None:
            continue
        best, empty, reference, problem = float("inf"), float("inf"), float("inf"), None
        for _ in range(TIMING_REPEATS):
            reference = min(reference, run("_acts_r = _acts_np.maximum(_acts_x, 0.0)")[0])
            seconds, outputs = run(f"_acts_r = {name}(_acts_x, **{literal})")
            best = min(best, seconds)
            empty = min(empty, run(f"_acts_r = _acts_noop(_acts_x, **{literal})")[0])
            for out in outputs:
                if out.get("output_type") == "error":
                    problem = f"raised {out.get('ename')}: {str(out.get('evalue'))[:200]}"
                elif out.get("name") == "stderr" and "Warning" in out.get("text", ""):
                    problem = "warned: " + out.get("text", "").strip()[:200]
            if problem:
                break
        measured.append({"function": name, "kwargs": kwargs, "seconds": max(0.0, best - empty), "problem": problem,
                         "reference_seconds": max(0.0, reference - empty)})
    run("del _acts_x, _acts_r, _acts_noop")
    return measured


def _kwargs_literal(tree) -> str | None:
    """Keyword arguments of a timing request as Python source; only plain numbers, strings and booleans."""
    if not isinstance(tree, dict) or set(tree) != {"dict"} or not isinstance(tree["dict"], dict):
        return None
    from .grade_wire import decode

    values = {k: decode(v, _no_files) for k, v in tree["dict"].items()}
    if not all(isinstance(k, str) and k.isidentifier() for k in values) or not all(
            v is None or isinstance(v, (bool, int, float, str)) for v in values.values()):
        return None
    return repr(values)


def _no_files(name):
    raise ValueError("timing keywords are plain values, not arrays")


def _collect(results: Path) -> dict:
    """The record files the kernel wrote, base64, within MAX_RECORDS bytes (files past it are left out)."""
    files, total = {}, 0
    for path in sorted(results.glob("*"))[:5000]:
        if not path.is_file() or path.is_symlink():
            continue
        size = path.stat().st_size
        if total + size > MAX_RECORDS:
            break
        total += size
        files[path.name] = base64.b64encode(path.read_bytes()).decode("ascii")
    return files


def run(request: dict) -> dict:
    """Run the submission, record, time; returns the body of the worker's answer."""
    workdir, results = Path(request["workdir"]), Path(request["results"])
    workdir.mkdir(parents=True, exist_ok=True)
    cells_meta, skipped, notes, timings = request["cells"], set(), [], []
    for _ in range(MAX_RESTARTS + 1):
        cells = []
        for step, meta in enumerate(cells_meta):
            if step not in skipped:
                cells.append(nbformat.v4.new_code_cell(meta["source"], metadata={"acts_step": step}))
        cells += _record_cells(request)
        client = _client(cells, request, workdir)
        failed, reason = None, ""
        try:
            with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
                for index, cell in enumerate(client.nb.cells):
                    try:
                        client.execute_cell(cell, index, store_history=isinstance(cell.metadata["acts_step"], int))
                    except CellTimeoutError:
                        failed, reason = cell.metadata["acts_step"], "did not stop when interrupted"
                        break
                    except DeadKernelError:
                        failed, reason = cell.metadata["acts_step"], "stopped the kernel (it died or exited)"
                        break
                if failed is None or str(failed).startswith("record"):
                    requests = _timing_requests(results) if failed is None else []
                    if requests:
                        timings = _time_calls(client, requests, request["seed"], request["timing_n"])
        except DeadKernelError:  # died during shutdown or timing: what was recorded is in
            pass
        except RuntimeError as exc:
            notes.append(f"the kernel could not run the notebook: {str(exc)[:300]}")
            break
        if str(failed).startswith("record"):
            check = request["checks"][int(str(failed).split()[1])]["function"]
            notes.append(f"the grader's run of check `{check}` in the kernel {reason}: the checks from there on "
                         "have no results")
            break
        if failed is not None:
            where = cells_meta[failed]["where"]
            limit = f" (time limit {request['timeout']:g} s)" if "interrupted" in reason else ""
            notes.append(f"{where} {reason}{limit}: skipped, and the notebook re-run without it")
            skipped.add(failed)
            for path in results.glob("*"):
                path.unlink()
            continue
        notes += _notes(client, client.nb, cells_meta, request["timeout"])
        for cell in client.nb.cells:
            step = str(cell.metadata.get("acts_step"))
            if not step.startswith("record"):
                continue
            if step in client.interrupted:
                check = request["checks"][int(step.split()[1])]["function"]
                notes.append(f"check `{check}` exceeded the time limit of {request['timeout']:g} s in the kernel: "
                             "interrupted (its remaining cases have no results)")
            for out in cell.outputs:
                if out.get("output_type") == "error":
                    notes.append(f"the grader's run of a check in the kernel failed ({out.get('ename')}: "
                                 f"{str(out.get('evalue'))[:200]}): that check has no results")
        break
    else:
        notes.append(f"gave up after {MAX_RESTARTS} cells ignored the interrupt or killed the kernel")
    return {"notes": notes, "timings": timings, "files": _collect(results) if results.is_dir() else {}}


def _timing_requests(results: Path) -> list:
    """The timings the checks asked for in the kernel (at most 20 distinct ones)."""
    found = []
    for record in sorted(results.glob("calls-*.json")):
        try:
            if record.stat().st_size > MAX_RECORDS:
                continue
            entry = json.loads(record.read_text(encoding="utf-8"))
            found += [t for t in entry.get("timings", []) if isinstance(t, dict)]
        except (OSError, ValueError, TypeError, AttributeError):
            continue
    unique = {json.dumps(t, sort_keys=True): t for t in found[:20]}
    return list(unique.values())


def main() -> int:
    request = json.loads(sys.stdin.readline())
    key = bytes.fromhex(request.pop("key"))
    sys.stdin.close()
    _not_dumpable()
    _apply_limits({name: value for name, value in request["limits"].items()})
    body = json.dumps(run(request))
    mac = hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()
    sys.stdout.write(f"{MARK} {mac} {body}\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
