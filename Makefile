# Two commands on a fresh machine: `make paper` (the main job) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup paper paper-full demo test test-release lint readme clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

paper: $(STAMP)  ## quick-scale experiments (cached), analysis, figures → paper/build/paper.pdf
	$(BIN)/sales-abm paper --scale quick

paper-full: $(STAMP)  ## the publication scale (states its run time before it starts)
	$(BIN)/sales-abm paper --scale paper --strict

demo: $(STAMP)  ## the four contract presets at default scale, one seed each
	@for c in retainer per_appointment per_close hybrid; do \
		$(BIN)/sales-abm run --contract $$c --seed 1 --out results/demo/$$c || exit $$?; echo; done

test: $(STAMP)  ## the test suite (fast hypothesis profile)
	$(BIN)/python -m pytest

test-release: $(STAMP)  ## the deep hypothesis profile
	SALES_ABM_PROFILE=release $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sales_abm tests benchmarks experiments analysis scripts

readme: $(STAMP)  ## regenerate the README's parameter table and docs/outputs.md from the code
	$(BIN)/python scripts/update_readme.py
	$(BIN)/python scripts/outputs_doc.py

clean:
	rm -rf $(VENV) results paper/build
