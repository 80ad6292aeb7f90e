"""docs/instructor-guide.md: its plans add up, its links resolve, and the commands it gives work.

Every shell command in the guide's code blocks (and every `make ...`, `nbgrader ...`, `python -m ...` in its inline
code) must name a real make target, module, nbgrader sub-command or path. These are run here as the guide gives
them: `make check-env`, `acts.grade` with --csv/--json on a folder of submissions, `make slides` for one lesson,
and nbgrader's whole round trip, the blocks marked `<!-- tested -->` (the instructor's) and `<!-- tested: learner -->`
(run for each of four learners): course set-up, exchange and system-wide configuration (in temporary folders
instead of ~, /srv and /etc), release, fetch, submit, collect, autograde, feedback, export, and `acts.grade` on the
collected notebooks, whose scores must equal nbgrader's except where the guide says the two graders differ.
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

from acts.nbmeta import is_check, nbgrader_meta

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor-guide.md"
TEXT = GUIDE.read_text(encoding="utf-8")
# a code block, optionally marked <!-- tested --> (run by this file as the instructor) or <!-- tested: learner -->
BLOCK = re.compile(r"(<!-- tested(?:: (\w+))? -->\n)?```(\w*)\n(.*?)```", re.S)
BLOCKS = [(bool(tested), role or "instructor", lang, body) for tested, role, lang, body in BLOCK.findall(TEXT)]
TESTED = [(role, body) for tested, role, lang, body in BLOCKS if tested]
HUB_EXCHANGE = "/srv/nbgrader/exchange"
SYSTEM_CONFIG_DIR = "/etc/jupyter"
ASSIGNMENTS = sorted(p.stem for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def shell_commands():
    """(command line, source) for every command in the bash blocks, heredoc bodies and comments left out."""
    found = []
    for _, _, lang, body in BLOCKS:
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
    assert [role for role, _ in TESTED] == ["instructor"] * 3 + ["learner"] + ["instructor"] * 2


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
    assert scores == {"ada.ipynb": ("01_sigmoid", 4.0, 4.0), "ben.ipynb": ("03_relu", 6.0, 6.0),
                      "cy.ipynb": ("01_sigmoid", 0.0, 4.0)}
    report = {Path(r["file"]).name: r for r in json.loads((tmp_path / "report.json").read_text())}
    assert all(t["passed"] and "passed" in t["feedback"] for t in report["ada.ipynb"]["tasks"])
    assert not any(t["passed"] for t in report["cy.ipynb"]["tasks"])


# ---------------------------------------------------------------------------------------------- nbgrader round trip
ROUND_TRIP = ("01_sigmoid", "02_tanh")          # the assignments the guide's step 3 releases
# what each learner hands in, for both assignments: a full solution, half done, untouched; and dee, who hands in
# only 01_sigmoid, solved but with its last check cell deleted (the graders differ there, as the guide says)
LEARNERS = {"ada": "solved", "ben": "half", "cy": "untouched", "dee": "deleted check"}
ONLY = {"dee": ("01_sigmoid",)}

NBGRADER_LINES = r"""
import json, os, shlex, sys
from jupyter_core.application import NoStart
from nbgrader.apps import NbGraderApp

for cwd, line in json.loads(sys.argv[1]):
    os.chdir(cwd)
    print(f"$ {line}", file=sys.stderr, flush=True)
    app = NbGraderApp.instance()
    try:
        app.initialize(shlex.split(line)[1:])
        app.start()
    except NoStart:           # what a JupyterApp raises once its sub-command has run (the CLI catches it too)
        pass
    except SystemExit as exc:
        if exc.code not in (0, None):
            sys.exit(f"{line}: exit status {exc.code}")
    finally:
        app.reset()
"""


def nbgrader_lines(block: str, cwd: Path, home: Path, extra: str = "") -> list[tuple[str, str]]:
    """(folder, command line) for each line of a guide block made of `cd` and `nbgrader` commands."""
    lines = []
    for line in (ln.strip() for ln in block.splitlines()):
        line = line.replace("~", str(home))
        if line.startswith("cd "):
            cwd = Path(line[3:].strip())
        elif line.startswith("nbgrader "):
            lines.append((str(cwd), line + extra))
        elif line and not line.startswith("#"):
            raise AssertionError(f"a block run line by line holds {line!r}: only cd and nbgrader lines are allowed")
    return lines


def run_nbgrader(lines, env) -> str:
    """Run nbgrader command lines with nbgrader's own apps and the same arguments as on the command line, all in
    one Python process (as nbgrader's test suite does), so that nbgrader's start-up is paid once; return stderr."""
    return run([sys.executable, "-c", NBGRADER_LINES, json.dumps(lines)], env=env, timeout=600).stderr


def filled(release_nb, solution_nb, how: str):
    """A learner's notebook: the released one with solution cells filled in from the solution ("solved": all of
    them, "half": the first), or with the last check cell deleted ("deleted check")."""
    if how == "untouched":
        return release_nb
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution_nb.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    solution_cells = [c for c in release_nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    for cell in solution_cells[:1] if how == "half" else solution_cells:
        cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]       # the markers left in are comments
    if how == "deleted check":
        checks = [c for c in release_nb.cells if c.cell_type == "code"
                  and c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")]
        release_nb.cells.remove(checks[-1])
    return release_nb


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """The guide's section 6, steps 1-6, as written, with /srv/nbgrader/exchange, /etc/jupyter and the homes in a
    temporary folder, four learners and two assignments. Returns the folders, the learners' notebooks and the
    warnings nbgrader printed."""
    pytest.importorskip("nbgrader")
    tmp = tmp_path_factory.mktemp("nbgrader")
    home, etc, exchange = tmp / "instructor", tmp / "etc-jupyter", tmp / "exchange"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_PATH=str(etc),
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env.pop(var, None)                                   # everything under the temporary HOME
    blocks = [(role, body.replace(HUB_EXCHANGE, str(exchange)).replace(SYSTEM_CONFIG_DIR, str(etc)))
              for role, body in TESTED]
    (setup, config, release), learner, (grading, second_opinion) = blocks[:3], blocks[3][1], blocks[4:]
    logs = []
    for _, body in (setup, config):                          # shell: heredocs, loops, mkdir
        logs.append(run(["bash", "-euo", "pipefail", "-c", body], cwd=ROOT, env=env, timeout=300).stderr)
    course = home / "activations-grading"

    homes = {name: tmp / name for name in LEARNERS}
    for folder in homes.values():
        folder.mkdir()
    fetch = [ln for ln in learner.splitlines() if "fetch_assignment" in ln]
    submit = [ln for ln in learner.splitlines() if ln.startswith("nbgrader submit")]
    lines = nbgrader_lines(release[1], ROOT, home)
    for folder in homes.values():
        lines += nbgrader_lines("\n".join(fetch), folder, home)
    logs.append(run_nbgrader(lines, env))

    handed_in = {}
    for name, how in LEARNERS.items():
        for assignment in ONLY.get(name, ROUND_TRIP):
            path = homes[name] / assignment / f"{assignment}.ipynb"
            solution = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", 4)
            nbformat.write(filled(nbformat.read(path, 4), solution, how), path)
            handed_in[name, assignment] = path
    lines = []
    for name, folder in homes.items():   # one login shared by four learners: --student (see the guide, step 4)
        mine = [ln for ln in submit if any(f" {a} " in ln for a in ONLY.get(name, ROUND_TRIP))]
        lines += nbgrader_lines("\n".join(mine), folder, home, extra=f" --student={name}")
    grade = nbgrader_lines(grading[1], ROOT, home)
    collected = max(i for i, (_, line) in enumerate(grade) if line.startswith("nbgrader collect ")) + 1
    logs.append(run_nbgrader(lines + grade[:collected], env))

    # once collected, nbgrader's grading and acts.grade's second opinion read the same folder: run them side by side
    line = second_opinion[1].strip().replace("~", str(home))
    args = shlex.split(line)
    assert args[0] == ".venv/bin/python"
    args[0] = sys.executable
    with subprocess.Popen(args, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as ours:
        try:
            logs.append(run_nbgrader(grade[collected:], env))
        finally:
            output = ours.communicate(timeout=600)[0]
    assert ours.returncode == 0, output[-3000:]
    (tmp / "round-trip.log").write_text("\n".join(logs))       # for a look after a failure
    return dict(course=course, tmp=tmp, handed_in=handed_in, log="\n".join(logs))


def nbgrader_scores(course: Path) -> dict:
    with open(course / "grades.csv", newline="") as f:
        return {(r["student_id"], r["assignment"]): (float(r["score"]), float(r["max_score"]))
                for r in csv.DictReader(f)}


def acts_grade_scores(tmp: Path) -> dict:
    """acts.grade's JSON report: one entry per submission, its file under submitted/<student>/<assignment>/."""
    scores = {}
    for entry in json.loads((tmp / "second-opinion.json").read_text()):
        path = Path(entry["file"])
        scores[path.parent.parent.name, path.parent.name] = (float(entry["score"]), float(entry["max_score"]))
    return scores


def test_nbgrader_releases_what_make_exercises_makes(round_trip):
    """nbgrader generate_assignment, with solutions/ as its source (the guide's step 3 releases every assignment),
    strips solutions and hidden tests exactly as `make exercises` does (tests/test_exercises.py checks that the
    committed exercises are what it makes), and keeps the same tags, points and ids: so Run All goes past failing
    checks in an nbgrader release as in exercises/."""
    release = round_trip["course"] / "release"
    assert sorted(p.name for p in release.iterdir()) == ASSIGNMENTS
    for assignment in ASSIGNMENTS:
        released = nbformat.read(release / assignment / f"{assignment}.ipynb", 4)
        ours = nbformat.read(ROOT / "exercises" / f"{assignment}.ipynb", 4)
        assert [c.source for c in released.cells] == [c.source for c in ours.cells], assignment
        assert [c.metadata.get("tags", []) for c in released.cells] == [c.metadata.get("tags", []) for c in ours.cells]
        assert ([(nbgrader_meta(c).get("grade_id"), nbgrader_meta(c).get("points")) for c in released.cells]
                == [(nbgrader_meta(c).get("grade_id"), nbgrader_meta(c).get("points")) for c in ours.cells])
        assert any("raises-exception" in c.metadata.get("tags", []) for c in released.cells if is_check(c))


def test_nbgrader_round_trip_scores_equal_acts_grade(round_trip):
    """Every learner's submission went through the exchange and was graded; nbgrader's exported scores equal
    acts.grade's for the same notebooks, except where the guide says they differ (a deleted check cell)."""
    course = round_trip["course"]
    nbgrader, ours = nbgrader_scores(course), acts_grade_scores(round_trip["tmp"])
    expected_keys = {(name, a) for name in LEARNERS for a in ONLY.get(name, ROUND_TRIP)}
    assert set(ours) == expected_keys, ours
    # nbgrader's export has a row for every student and exported assignment; dee handed in no 02_tanh
    assert set(nbgrader) == {(name, a) for name in LEARNERS for a in ROUND_TRIP}, nbgrader
    assert nbgrader["dee", "02_tanh"][0] == 0.0
    for name, assignment in expected_keys:
        submitted = course / "submitted" / name / assignment / f"{assignment}.ipynb"
        assert submitted.read_bytes() == round_trip["handed_in"][name, assignment].read_bytes()
    maximum = {a: nbgrader["ada", a][1] for a in ROUND_TRIP}
    for assignment in ROUND_TRIP:
        assert nbgrader["ada", assignment] == ours["ada", assignment] == (maximum[assignment], maximum[assignment])
        assert nbgrader["cy", assignment] == ours["cy", assignment] == (0.0, maximum[assignment])
        half = nbgrader["ben", assignment]
        assert half == ours["ben", assignment] and 0 < half[0] < maximum[assignment], (assignment, half)
    # the deleted check: acts.grade restores it, nbgrader grades only the cells it finds (the guide's table)
    assert ours["dee", "01_sigmoid"] == (4.0, 4.0) and nbgrader["dee", "01_sigmoid"] == (2.0, 4.0)
    assert "(in the test: 2 of 4 points, where `acts.grade` gives 4)" in TEXT
    assert (course / "feedback" / "ada" / "01_sigmoid" / "01_sigmoid.html").is_file()


def test_every_warning_nbgrader_prints_is_in_the_guide(round_trip):
    """The guide's table of harmless warnings covers everything the round trip printed as a warning."""
    table = TEXT.split("#### What nbgrader prints, and what is harmless", 1)[1].split("\n####", 1)[0]
    documented = re.findall(r"^\| `([^`]+)` \|", table, re.M)
    assert len(documented) >= 3
    # one record per log message: a message's continuation lines (multi-line warnings) belong to it
    records = re.split(r"\n(?=\[\w|\$ |\S+\.py:\d+: )", round_trip["log"])
    warnings = [r for r in records if re.search(r"WARNING|Warning:", r)]
    undocumented = [w for w in warnings if not any(d in w for d in documented)]
    assert not undocumented, "nbgrader printed warnings the guide does not explain:\n" + "\n".join(undocumented)


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
