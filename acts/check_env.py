"""Check that this Python environment can run the course: ``make check-env`` or ``python -m acts.check_env``.

Prints OK or FAIL for the Python version, each package the course needs (at the version pyproject.toml asks
for), and the JupyterLab widget extension, with a hint for each failure; then OK or "--  " (missing, optional)
for the packages only some uses need (nbgrader for grading on JupyterHub, Voila for `make app`), with the
command that installs them. Exit status 1 when a required check fails; optional ones never fail it.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import json
import sys
from pathlib import Path

try:
    from packaging.requirements import Requirement
except ImportError:  # a bare Python without packaging: names only, no version comparison
    Requirement = None

# distribution name -> module to import, where they differ
MODULES = {"pyyaml": "yaml", "ipykernel": "ipykernel", "nbformat": "nbformat", "pillow": "PIL", "pytest-xdist": "xdist"}
FIX = "run `make lab` (it rebuilds .venv), or `pip install -e '.[test]'` in your environment"
# optional package -> (the pyproject.toml extra that brings it, what it is for)
OPTIONAL = {"nbgrader": ("grading", "grading a class with nbgrader"),
            "voila": ("browser", "`make app`, the explorers as a web app")}
WIDGET_EXTENSION = "@jupyter-widgets/jupyterlab-manager"


class _Name:
    """Stands in for packaging's Requirement when packaging is missing."""

    def __init__(self, line):
        self.name = line.split(">")[0].split("=")[0].split("<")[0].split(";")[0].strip()
        self.specifier = None
        self.marker = None


def requirements(extras=("test",)):
    """The course's requirements as pyproject.toml states them (read from the installed acts metadata)."""
    make = Requirement or _Name
    reqs = []
    for line in metadata.requires("acts") or []:
        req = make(line)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras):
            if "extra ==" not in line or Requirement is not None:
                reqs.append(req)
    return reqs


def check_package(req: Requirement):
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        return False, f"{req.name}: not installed", FIX
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        return False, f"{req.name} {version}: the course needs {req.specifier}", FIX
    module = MODULES.get(req.name.lower(), req.name.replace("-", "_"))
    try:
        importlib.import_module(module)
    except Exception as exc:  # a broken install imports with an error of any kind
        return False, f"{req.name} {version}: installed but `import {module}` fails ({type(exc).__name__}: {exc})", FIX
    return True, f"{req.name} {version}", ""


def optional_requirement(name: str, extra: str):
    """The requirement pyproject.toml gives ``name`` in ``extra`` (e.g. nbgrader>=0.9), or just the name."""
    try:
        found = [r for r in requirements(extras=(extra,)) if r.name.lower() == name]
    except metadata.PackageNotFoundError:      # acts itself not installed: its own check says so
        found = []
    return found[0] if found else (Requirement or _Name)(name)


def check_optional(name: str):
    """(ok, what, hint) for an optional package: present at the version the course asks for, or how to add it."""
    extra, purpose = OPTIONAL[name]
    ok, what, _ = check_package(optional_requirement(name, extra))
    install = (f"for {purpose}: `.venv/bin/python -m pip install -e '.[{extra}]'` in the course folder "
               f"(conda: `conda install -c conda-forge {name}`)")
    return ok, f"{what} (optional, {purpose})", "" if ok else install


def check_widget_extension():
    """ipywidgets need their JupyterLab extension, or sliders show as plain text."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        package = Path(folder) / WIDGET_EXTENSION / "package.json"
        if package.exists():
            version = json.loads(package.read_text()).get("version", "?")
            return True, f"JupyterLab widget extension {WIDGET_EXTENSION} {version}", ""
    return (False, f"JupyterLab widget extension {WIDGET_EXTENSION}: not found (sliders would not render)",
            "install jupyterlab_widgets (comes with ipywidgets >= 8) in the environment that runs JupyterLab")


def check_python():
    ok = sys.version_info >= (3, 10)
    version = ".".join(map(str, sys.version_info[:3]))
    return ok, f"Python {version}", "" if ok else "install Python 3.10 or newer, then `make clean lab`"


def main(argv=None) -> int:
    # importing every package imports jsonschema, whose optional IRI checker costs 2-3 s of CPU and serves no schema
    # of ours (acts.nbmeta.without_slow_iri_checker; not imported from acts, which may be the thing not installed)
    sys.modules.setdefault("rfc3987_syntax", None)
    checks = [check_python()]
    try:
        checks += [check_package(req) for req in requirements()]
    except metadata.PackageNotFoundError:
        checks.append((False, "acts: the course package is not installed", FIX))
    try:
        checks.append(check_widget_extension())
    except ImportError:
        checks.append((False, "jupyter_core: not installed", FIX))
    for ok, what, hint in checks:
        print(f"{'OK  ' if ok else 'FAIL'}  {what}" + ("" if ok else f"\n      fix: {hint}"))
    optional = [check_optional(name) for name in OPTIONAL]
    for ok, what, hint in optional:
        print(f"{'OK  ' if ok else '--  '}  {what}" + ("" if ok else f"\n      to add it, {hint}"))
    failed = sum(not ok for ok, _, _ in checks)
    missing = sum(not ok for ok, _, _ in optional)
    print(f"\n{len(checks) - failed} OK, {failed} FAIL" + (f", {missing} optional missing" if missing else "")
          + ("" if failed else ": ready for `make lab`"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
