"""`make check-env`: OK or FAIL for every requirement, with a hint for each failure."""

import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

from acts import check_env

ROOT = Path(__file__).resolve().parents[1]


def test_this_environment_passes(capsys):
    assert check_env.main() == 0
    out = capsys.readouterr().out
    for name in ("numpy", "ipywidgets", "jupyterlab", "nbval", "widget extension"):
        assert any(line.startswith("OK") and name in line for line in out.splitlines()), name
    assert "0 FAIL" in out


def test_missing_or_old_package_fails_with_a_hint(monkeypatch, capsys):
    fake = [Requirement("numpy>=999"), Requirement("surely-not-installed-pkg>=1")]
    monkeypatch.setattr(check_env, "requirements", lambda extras=("test",): fake)
    assert check_env.main() == 1
    out = capsys.readouterr().out
    assert "FAIL  numpy" in out and "needs >=999" in out
    assert "FAIL  surely-not-installed-pkg: not installed" in out
    assert out.count("fix: ") == 2 and "2 FAIL" in out


def test_missing_widget_extension_is_reported(monkeypatch, capsys, tmp_path):
    import jupyter_core.paths

    monkeypatch.setattr(jupyter_core.paths, "jupyter_path", lambda *parts: [str(tmp_path)])
    ok, what, hint = check_env.check_widget_extension()
    assert not ok and "not found" in what and "jupyterlab_widgets" in hint


def test_runs_as_a_script_like_make_does():
    result = subprocess.run([sys.executable, "acts/check_env.py"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ready for `make lab`" in result.stdout


def test_optional_packages_are_reported_but_never_fail(monkeypatch, capsys):
    """nbgrader and Voila: OK when present; when missing, a "--" line with the command that installs them, and
    the exit status stays 0 (the course runs without them)."""
    real_version = check_env.metadata.version

    def version(name):
        if name.lower() in ("nbgrader", "voila"):
            raise check_env.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(check_env.metadata, "version", version)
    assert check_env.main() == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    nbgrader = next(i for i, line in enumerate(lines) if line.startswith("--") and "nbgrader" in line)
    assert "not installed" in lines[nbgrader] and "optional" in lines[nbgrader]
    assert "pip install -e '.[grading]'" in lines[nbgrader + 1]
    voila = next(i for i, line in enumerate(lines) if line.startswith("--") and "voila" in line)
    assert "make app" in lines[voila] and "pip install -e '.[browser]'" in lines[voila + 1]
    assert "0 FAIL, 2 optional missing: ready for `make lab`" in out


def test_optional_package_too_old_is_reported(monkeypatch):
    monkeypatch.setattr(check_env, "optional_requirement", lambda name, extra: Requirement(f"{name}>=999"))
    ok, what, hint = check_env.check_optional("nbgrader")
    assert not ok and "needs >=999" in what and "[grading]" in hint


def test_this_environment_reports_the_optional_packages(capsys):
    check_env.main()
    out = capsys.readouterr().out
    for name in ("nbgrader", "voila"):
        assert any(line[:4] in ("OK  ", "--  ") and name in line and "optional" in line for line in out.splitlines())
