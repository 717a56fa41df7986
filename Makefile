# The course's commands: `make run` (JupyterLab on the notebooks), `make test` (the whole
# suite) and `make quick` (every test not marked slow: about a minute).
# `make quick PYTHON=python3.13` (any supported interpreter) works in `.venv-3.13/` instead
# of `.venv/`, so each interpreter keeps its own environment.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
ifneq ($(filter command line environment,$(origin PYTHON)),)
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ifeq ($(PYVER),)
$(error PYTHON=$(PYTHON) does not run; give the path of an interpreter, e.g. PYTHON=/usr/bin/python3.13)
endif
VENV := .venv-$(PYVER)
else
VENV := .venv
endif
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test quick lint demo release publish bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check .

# Most tests wait (on a peer, on a wrong solution's deadline) rather than compute, so pytest-xdist
# runs several workers per core: three for the quick tests (about a minute on the project's
# 2-core machine, where one per core took two), two for the whole suite, whose grading tests
# compute more (6 minutes instead of 15). `--dist loadscope` keeps a test module on one worker,
# so a module's fixture (grading a whole class) runs once, not once per worker.
CORES := $(shell nproc 2>/dev/null || echo 2)
test: lint
	@test -x /usr/bin/chromium || echo "make test: /usr/bin/chromium is missing, so the browser test is skipped (README: sudo apt-get install -y chromium)"
	@command -v bwrap >/dev/null || echo "make test: bwrap is missing, so the grading tests fail (README: sudo apt-get install -y bubblewrap)"
	$(BIN)/python -m pytest -n $$(( $(CORES) * 2 )) --dist loadscope

quick: lint
	$(BIN)/python -m pytest -m "not slow" -x -q -n $$(( $(CORES) * 3 ))

release: $(STAMP)
	$(BIN)/python -m grader release

# The student edition (README: Two places): make publish DEST=../edition
publish: $(STAMP)
	@test -n "$(DEST)" || { echo "make publish: say where the student edition goes, e.g. make publish DEST=../edition"; exit 2; }
	$(BIN)/python -m grader publish "$(DEST)"

demo: $(STAMP)
	$(BIN)/python -m grader demo

bench: $(STAMP)
	$(BIN)/python bench/bench_servers.py
	$(BIN)/python bench/bench_runner.py
	$(BIN)/python bench/bench_grader.py
	$(BIN)/python bench/bench_sandbox.py

clean:
	rm -rf .venv .venv-3.* course build
