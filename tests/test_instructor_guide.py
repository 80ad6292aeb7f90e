"""docs/instructor-guide.md: its plans add up, its links resolve, and the commands it gives work.

Every shell command in the guide's code blocks (and every `make ...`, `nbgrader ...`, `python -m ...` in its inline
code) must name a real make target, module, nbgrader sub-command or path. The cheap ones are run here as the guide
gives them: `make check-env`, `acts.grade` with --csv/--json on a folder of submissions, the nbgrader course set-up
and grading blocks (marked `<!-- tested -->` in the guide) in a temporary HOME, and `make slides` for one lesson.
"""

import csv
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor-guide.md"
TEXT = GUIDE.read_text(encoding="utf-8")
BLOCK = re.compile(r"(<!-- tested -->\n)?```(\w*)\n(.*?)```", re.S)
BLOCKS = [(bool(tested), lang, body) for tested, lang, body in BLOCK.findall(TEXT)]
TESTED = [body for tested, lang, body in BLOCKS if tested]
HUB_EXCHANGE = "/srv/nbgrader/exchange"
ASSIGNMENTS = sorted(p.stem for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def shell_commands():
    """(command line, source) for every command in the bash blocks, heredoc bodies and comments left out."""
    found = []
    for _, lang, body in BLOCKS:
        if lang != "bash":
            continue
        heredoc = None
        for line in body.splitlines():
            if heredoc is not None:
                heredoc = None if line.strip() == heredoc else heredoc
                continue
            marker = re.search(r"<<\s*'?(\w+)'?", line)
            heredoc = marker.group(1) if marker else None
            line = re.sub(r"\s+#\s.*$", "", line).strip()     # a trailing comment
            if line and not line.startswith("#"):
                found += [(part.strip(), "block") for part in re.split(r"&&|;", line) if part.strip()]
    prose = BLOCK.sub("", TEXT)
    for span in re.findall(r"`([^`\n]+)`", prose):
        if re.match(r"(make|nbgrader|\.venv/bin/python|python) ", span) or span == "make":
            found.append((span, "inline"))
    return found


COMMANDS = shell_commands()


def make_targets():
    return set(re.findall(r"^([A-Za-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))


def nbgrader_subcommands():
    pytest.importorskip("nbgrader")
    from nbgrader.apps.nbgraderapp import NbGraderApp
    return set(NbGraderApp.subcommands)


def check_command(command):
    """Assert that a command names existing things; return a short description of what it checked."""
    words = shlex.split(command.replace("<", "").replace(">", ""))
    head = words[0]
    if head == "make":
        targets = [w for w in words[1:] if "=" not in w and not w.startswith("-")]
        assert set(targets) <= make_targets(), f"{command}: no such make target"
        for w in words[1:]:
            if w.startswith("LESSON="):
                assert (ROOT / w.split("=", 1)[1]).exists(), f"{command}: no such lesson"
        return "make " + " ".join(targets or ["(default)"])
    if head in ("python", ".venv/bin/python") and words[1:2] == ["-m"]:
        assert importlib.util.find_spec(words[2]) is not None, f"{command}: no module {words[2]}"
        for w in words[3:]:
            if re.match(r"(exercises|solutions|notebooks)/", w):
                assert (ROOT / w).exists(), f"{command}: no path {w}"
        return "module " + words[2]
    if head == "nbgrader":
        assert words[1] in nbgrader_subcommands(), f"{command}: nbgrader has no sub-command {words[1]}"
        if len(words) > 2 and re.match(r"\d\d_", words[2]):
            assert words[2] in ASSIGNMENTS, f"{command}: no assignment {words[2]}"
        return "nbgrader " + words[1]
    return head        # shell built-ins and set-up lines (cd, mkdir, cat, for, export ...): run by the tests below


def test_the_guide_has_commands_to_check():
    kinds = {check_command(c) for c, _ in COMMANDS}
    for expected in ("make check-env", "make lab", "make app", "module acts.grade", "nbgrader generate_assignment",
                     "nbgrader autograde", "nbgrader export"):
        assert expected in kinds, f"the guide no longer shows {expected}"
    assert any(k.startswith("make slides") for k in kinds)
    assert len(TESTED) == 2


@pytest.mark.parametrize("command", sorted({c for c, _ in COMMANDS}))
def test_each_command_names_existing_things(command):
    check_command(command)


def test_relative_links_and_anchors_resolve():
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+)$", TEXT, re.M):
        anchors.add(re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-"))
    links = re.findall(r"\]\(([^)\s]+)\)", TEXT)
    assert len(links) > 15
    for link in links:
        if re.match(r"https?://", link):
            continue
        path, _, anchor = link.partition("#")
        if path:
            assert (GUIDE.parent / path).exists(), f"broken link {link}"
        elif anchor:
            assert anchor in anchors, f"broken anchor {link}"


def plan_rows(title):
    section = TEXT.split(title, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (\d+):(\d\d) \| (.+?) \|", section, re.M)
    assert rows, f"no plan table under {title}"
    return [(int(m), int(h) * 60 + int(mm), what) for m, h, mm, what in rows]


@pytest.mark.parametrize("title, total", [("### 90 minutes", 90), ("### Half a day", 240)])
def test_plans_add_up(title, total):
    rows = plan_rows(title)
    assert sum(minutes for minutes, _, _ in rows) == total
    clock = 0
    for minutes, start, what in rows:
        assert start == clock, f"{what}: starts at {start} min, the rows before end at {clock}"
        clock += minutes
    plan = " ".join(what for _, _, what in rows)
    for lesson in ("00", "01", "03", "05", "06"):
        assert f"Lesson {lesson}" in plan or f"[Lesson {lesson}" in plan


def run(args, cwd=ROOT, env=None, timeout=240):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done


def test_make_check_env():
    out = run(["make", "check-env"]).stdout
    assert "JupyterLab widget extension" in out and "0 FAIL" in out


def test_acts_grade_on_a_folder_of_submissions(tmp_path):
    line = next(c for c, _ in COMMANDS if "acts.grade submissions/" in c)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(ROOT / "solutions" / "01_sigmoid.ipynb", submissions / "ada.ipynb")
    shutil.copy(ROOT / "solutions" / "03_relu.ipynb", submissions / "ben.ipynb")
    shutil.copy(ROOT / "exercises" / "01_sigmoid.ipynb", submissions / "cy.ipynb")   # handed in untouched
    args = shlex.split(line)
    args[0] = sys.executable
    out = run(args, cwd=tmp_path).stdout
    assert "ada.ipynb" in out and "4 / 4" in out and "0 / 4" in out
    with open(tmp_path / "grades.csv", newline="") as f:
        scores = {Path(r["file"]).name: (r["assignment"], float(r["score"]), float(r["max_score"]))
                  for r in csv.DictReader(f)}
    assert scores == {"ada.ipynb": ("01_sigmoid", 4.0, 4.0), "ben.ipynb": ("03_relu", 4.0, 4.0),
                      "cy.ipynb": ("01_sigmoid", 0.0, 4.0)}
    report = {Path(r["file"]).name: r for r in json.loads((tmp_path / "report.json").read_text())}
    assert all(t["passed"] and "passed" in t["feedback"] for t in report["ada.ipynb"]["tasks"])
    assert not any(t["passed"] for t in report["cy.ipynb"]["tasks"])


def completed(release_nb, solution_nb):
    """A learner's finished notebook: the released one with each solution cell filled in from the solution."""
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution_nb.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in release_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = answers[meta["grade_id"]]       # the markers left in are comments
    return release_nb


def test_nbgrader_course_as_the_guide_describes(tmp_path):
    pytest.importorskip("nbgrader")
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home),
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    setup, grading = (body.replace(HUB_EXCHANGE, str(tmp_path / "exchange")) for body in TESTED)
    run(["bash", "-euo", "pipefail", "-c", setup], env=env, timeout=300)
    course = home / "activations-grading"
    assert sorted(p.name for p in (course / "release").iterdir()) == ASSIGNMENTS
    released = nbformat.read(course / "release" / "01_sigmoid" / "01_sigmoid.ipynb", 4)
    exercise = nbformat.read(ROOT / "exercises" / "01_sigmoid.ipynb", 4)
    assert [c.source for c in released.cells] == [c.source for c in exercise.cells]

    # what `nbgrader collect` (or the instructor by hand) puts in submitted/<student>/<assignment>/
    for student, nb in [("ada", completed(released, nbformat.read(ROOT / "solutions" / "01_sigmoid.ipynb", 4))),
                        ("cy", nbformat.read(course / "release" / "01_sigmoid" / "01_sigmoid.ipynb", 4))]:
        (course / "submitted" / student / "01_sigmoid").mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / student / "01_sigmoid" / "01_sigmoid.ipynb")
    run(["bash", "-euo", "pipefail", "-c", grading], env=env, timeout=300)
    with open(course / "grades.csv", newline="") as f:
        scores = {r["student_id"]: (float(r["score"]), float(r["max_score"])) for r in csv.DictReader(f)
                  if r["assignment"] == "01_sigmoid"}        # one row per student and assignment
    assert scores == {"ada": (4.0, 4.0), "cy": (0.0, 4.0)}
    assert (course / "feedback" / "ada" / "01_sigmoid" / "01_sigmoid.html").is_file()


def test_make_slides_for_one_lesson(tmp_path):
    if not (ROOT / ".venv" / "bin" / "jupyter").exists():
        pytest.skip("make slides runs .venv/bin/jupyter; build .venv with `make venv` first")
    line = next(c for c, _ in COMMANDS if c.startswith("make slides LESSON="))
    lesson = line.split("LESSON=", 1)[1].split()[0]
    # -o venv: use .venv as it is; a proxy that cannot be reached shows the build needs no network
    offline = dict(os.environ, http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
                   HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9")
    run(shlex.split(line) + ["-o", "venv", f"SLIDES_DIR={tmp_path}"], env=offline)
    html = (tmp_path / (Path(lesson).stem + ".slides.html")).read_text(encoding="utf-8")
    assert "reveal.js" in html and "Reveal.initialize" in html
    nb = nbformat.read(ROOT / lesson, 4)
    sections = sum(1 for c in nb.cells if c.cell_type == "markdown" and re.search(r"^#{1,2} ", c.source, re.M))
    # each slide is one <section> holding its sub-slides' <section>s
    assert html.count("<section") >= sections > 5
    assert "data:image/png;base64" in html          # the stored figures come along
