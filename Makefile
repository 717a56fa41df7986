# The course's two commands: `make run` (JupyterLab on the notebooks) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo release publish bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/jupyter lab notebooks/

test: $(STAMP)
	@test -x /usr/bin/chromium || echo "make test: /usr/bin/chromium is missing, so the browser test is skipped (README: sudo apt-get install -y chromium)"
	@command -v bwrap >/dev/null || echo "make test: bwrap is missing, so the grading tests fail (README: sudo apt-get install -y bubblewrap)"
	$(BIN)/python -m pytest

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
	rm -rf $(VENV) course build
