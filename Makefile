# verhalen — the two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck pytest bench bench-full clean venv dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/verhalen warmup
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/verhalen warmup
	touch $(STAMP) $@

venv: $(STAMP)
dev: $(DEVSTAMP)

## Run the whole pipeline on the bundled example corpus and write reports/.
demo: $(STAMP)
	$(BIN)/verhalen run

## Lint, type-check and test.
test: $(DEVSTAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

## Benchmarks (benchmarks/RESULTS.md): every stage at 50 and 500 interviews; bench-full adds
## 5,000 (about an hour on 2 cores). BENCH_SIZES=50,500,5000 make bench does the same.
BENCH_SIZES ?= 50,500
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --sizes $(BENCH_SIZES)

bench-full: $(STAMP)
	$(BIN)/python benchmarks/run.py --sizes 50,500,5000

clean:
	rm -rf $(VENV) reports/* .pytest_cache .mypy_cache .ruff_cache
