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


# import name -> distribution name, where they differ
DISTRIBUTION = {"pil": "pillow", "yaml": "pyyaml"}
# imported by acts but installed by a declared package (ipykernel brings IPython; jupyterlab brings jupyter_core
# and packaging, which acts/check_env.py also does without)
PROVIDED = {"ipython", "jupyter-core", "packaging"}


def _third_party_imports(folder: Path) -> set[str]:
    import ast

    names = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    names -= set(sys.stdlib_module_names) | {"acts"}
    return {DISTRIBUTION.get(n.lower(), n.lower().replace("_", "-")) for n in names}


def test_every_package_acts_imports_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {_split(r)[0] for r in project["dependencies"]}
    undeclared = _third_party_imports(ROOT / "acts") - core - PROVIDED
    assert not undeclared, f"imported by acts/ but not in pyproject.toml's dependencies: {sorted(undeclared)}"


def test_the_version_has_one_source():
    import acts

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "acts.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", acts.__version__)


def test_import_acts_loads_neither_pyplot_nor_scipy():
    code = ("import sys, acts; heavy = [m for m in ('matplotlib', 'scipy', 'ipywidgets', 'PIL', 'nbclient') "
            "if m in sys.modules]; print(heavy); acts.gelu(1.0); acts.plot; print('scipy' in sys.modules)")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split("\n")[:2] == ["[]", "True"], out.stdout + out.stderr
