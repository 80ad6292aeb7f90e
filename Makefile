# Every target sets up .venv first when it is missing or stale, so a fresh machine needs only Python 3.10+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := test,browser,grading
# JupyterLab refuses to run as root (containers, CI) unless told it may
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
FIRST_LESSON := notebooks/00_neurons_and_nonlinearity.ipynb
NOTEBOOKS ?= notebooks/*.ipynb solutions/*.ipynb
LESSONS := $(wildcard notebooks/[0-9][0-9]_*.ipynb)
SLIDES_DIR ?= build/slides
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab lab-instructor test unit execute exercises app bench venv clean check-env slides

# (Re)build the environment when pyproject.toml changed or the interpreter no longer works (moved, deleted).
# pip compiles every package it installs to bytecode, but not an editable one: compile acts here (0.1 s when
# nothing changed), or every kernel, grader and server started where PYTHONDONTWRITEBYTECODE is set compiles it again
# (0.2 s of CPU per process, measured; the suite starts about 200).
venv:
	@$(BIN)/python -c "import acts" 2>/dev/null || rm -f $(STAMP)
	@$(MAKE) --no-print-directory $(STAMP)
	@$(BIN)/python -m compileall -q acts

$(STAMP): pyproject.toml
	@$(BIN)/python -c "import sys" 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[$(EXTRAS)]"
	@touch $(STAMP)

# The learner's Jupyter reads the course's own settings first: jupyter/learner/ turns nbgrader's instructor tools
# off (server and JupyterLab extensions) and configures Voila (offline template from jupyter/data/, kernel culling).
LEARNER_JUPYTER := JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter/learner$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
                   JUPYTER_PATH="$(CURDIR)/jupyter/data$${JUPYTER_PATH:+:$$JUPYTER_PATH}"
# Serve the repository root, so that links between lessons, exercises and README.md resolve, and make the URL
# printed in the terminal (and the browser JupyterLab opens) land on the first lesson instead of the Launcher.
# jupyter/lab-settings/overrides.json opens README.md and other markdown files rendered, with clickable links.
LAB_OPEN := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/$(FIRST_LESSON) \
            --LabApp.app_settings_dir="$(CURDIR)/jupyter/lab-settings"

lab: venv  ## start the course in JupyterLab, on the first lesson (LAB_ARGS="--no-browser --port=8899" passes options)
	$(LEARNER_JUPYTER) $(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_OPEN) $(LAB_ARGS)

lab-instructor: venv  ## JupyterLab with nbgrader's instructor tools (Nbgrader menu, Formgrader, Create Assignment, Validate)
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_OPEN) $(LAB_ARGS)

# `jupyter trust` records the explorers notebook (the course's own file, not a learner's) as trusted in Jupyter's
# signature database; the file itself is not changed. Without it Voila warns "Notebook ... is not trusted".
app: venv  ## the explorers as a standalone web app (Voila, no code shown) for a workshop; APP_ARGS="--port=8866 --no-browser"
	@$(BIN)/jupyter trust notebooks/explorers.ipynb
	$(LEARNER_JUPYTER) $(BIN)/voila $(APP_ARGS) notebooks/explorers.ipynb

# pytest-xdist: test groups (tests/conftest.py) run side by side. More workers than cores pays off because most
# integration tests wait (for kernels, servers, a browser) more than they compute; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 3
UNIT_WORKERS ?= auto
# Only the plugins the suite uses, named: pytest otherwise loads every installed one (anyio's and platformdirs'
# too) and rewrites the asserts of each plugin's whole package, hypothesis's included, on import: 3-4 s of CPU in
# every worker, measured (collection 10.0 -> 6.6 s).
PLUGINS = -p tests.fast_start -p xdist.plugin -p nbval.plugin -p _hypothesis_pytestplugin
PARALLEL = $(PLUGINS) --dist loadgroup --no-loadscope-reorder
# unit tests share nothing expensive: test by test balances the workers best (measured 59 s against 64 s by file)
UNIT_PARALLEL = $(PLUGINS) --dist load
# One BLAS thread per process while tests run side by side: OpenBLAS threads spin while they wait, and with more
# busy processes than cores that spinning took the cores (measured: lesson 09's sweep cell 103 s -> 28 s in the
# parallel suite, and 8% less CPU over the whole suite). Kernels, servers and the grader inherit it.
# tests/site/sitecustomize.py: the processes the tests start (servers, nbgrader, kernels) skip jsonschema's slow
# optional IRI checker, 2-3 s of CPU each (see that file).
TEST_ENV = OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 \
           PYTHONPATH="$(CURDIR)/tests/site$${PYTHONPATH:+:$$PYTHONPATH}"

test: venv  ## ruff, then the whole suite: unit, property, notebooks (nbval), grading, browser (--durations: where time goes)
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/python -m pytest $(NBVAL) $(PARALLEL) -n $(TEST_WORKERS) --durations=15 tests notebooks solutions

unit: venv  ## unit and property tests only: none starts a kernel, nbgrader or a browser (under a minute)
	$(TEST_ENV) $(BIN)/python -m pytest -m "not integration" $(UNIT_PARALLEL) -n $(UNIT_WORKERS) --durations=10 tests

execute: venv  ## re-run notebooks top to bottom in a fresh kernel and store their outputs
	$(BIN)/python -m acts.execute $(NOTEBOOKS)

check-env:  ## OK or FAIL for each package the course needs, with a hint for each failure (builds nothing)
	@$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) acts/check_env.py

exercises: venv  ## generate exercises/ from solutions/ (refuses to overwrite your edits; FORCE=1 to overwrite)
	$(BIN)/python -m acts.exercises $(if $(FORCE),--force)

slides: venv  ## reveal.js slides of the lessons in build/slides/ (one lesson: LESSON=notebooks/01_sigmoid.ipynb)
	$(BIN)/jupyter nbconvert --config docs/slides_config.py --to slides --output-dir $(SLIDES_DIR) $(or $(LESSON),$(LESSONS))

bench: venv  ## print the speed figures quoted in the README (several minutes; run on a quiet machine)
	$(BIN)/python benchmarks/import_time.py
	$(BIN)/python benchmarks/activations.py
	$(BIN)/python benchmarks/widgets.py
	$(BIN)/python benchmarks/lessons.py
	$(BIN)/python benchmarks/network.py
	$(BIN)/python benchmarks/grading.py
	$(BIN)/python benchmarks/suite.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
