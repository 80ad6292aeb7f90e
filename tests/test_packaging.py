"""The two set-up routes stay in step: pyproject.toml (pip, make) and environment.yml (conda, Binder)."""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import pip._vendor.tomli as tomllib

# the few packages whose conda-forge name differs from their PyPI name
CONDA_NAME = {}


def _split(requirement: str):
    match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def _pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return dict(_split(r) for r in reqs)


def _environment():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    conda = dict(_split(d) for d in deps)
    conda.pop("python", None)
    conda.pop("pip", None)
    return env, conda


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    pip_deps = {CONDA_NAME.get(name, name): spec for name, spec in _pyproject().items()}
    _, conda_deps = _environment()
    assert conda_deps == pip_deps, (
        f"only in pyproject: {sorted(set(pip_deps) - set(conda_deps))}; "
        f"only in environment.yml: {sorted(set(conda_deps) - set(pip_deps))}; "
        f"different versions: {sorted(k for k in pip_deps.keys() & conda_deps.keys() if pip_deps[k] != conda_deps[k])}"
    )


def test_environment_yml_uses_conda_forge_and_installs_the_course():
    env, _ = _environment()
    assert env["channels"] == ["conda-forge"]
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip_section


def test_python_floor_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"
    assert "python>=3.10" in (ROOT / "environment.yml").read_text()


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
