# `make run` and `make test` set everything up on a machine that has never
# seen this repo: a .venv, the pinned torch (requirements/cpu.txt), the project.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test figures reference bench clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/cpu.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/cpu.txt torch torchvision
	$(PY) -m pip install --quiet -c requirements/cpu.txt -e ".[test]"
	touch $(STAMP)

run: install
	$(PY) -m mabbench

test: install
	$(PY) -m pytest -q

test-all: install
	$(PY) -m pytest -q -m ""

# The paper's tables and figures from stored results (never trains): by default the
# committed archive of the reference records (python -m mabbench.store.compact wrote it).
RESULTS ?= results/reference/records.parquet
figures: install
	$(PY) -m paper_figures --results $(RESULTS) --out paper_figures/out

# The reference grid (conf/experiment/reference.yaml) into results/reference; re-running
# resumes, from the committed archive too (restore writes back the records runs/ lacks).
# Then its records are packed into results/reference/records.parquet (committed).
reference: install
	$(PY) -m mabbench.store.restore --results results/reference
	$(PY) -m mabbench -m +experiment=reference
	$(PY) -m mabbench.store.compact --results results/reference

bench: install
	$(PY) -m mabbench.bench all

clean:
	rm -rf $(VENV) results/runs results/dense results/.multirun paper_figures/out
