# The README's commands, plus the ones developers use every day.
PY := .venv/bin/python
.DEFAULT_GOAL := help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.venv/installed: pyproject.toml
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[test,geo]' && touch $@

demo: .venv/installed  ## Build the demo council into site/
	.venv/bin/cdash build demo --out site

test: .venv/installed  ## Run the whole test suite
	.venv/bin/pytest -n 2

test-fast: .venv/installed  ## The suite without the slow end-to-end tests
	.venv/bin/pytest -n 2 -m "not slow"

lint: .venv/installed  ## ruff and mypy
	.venv/bin/ruff check generator tests scripts bench
	.venv/bin/ruff format --check generator tests scripts bench
	.venv/bin/mypy generator

golden: .venv/installed  ## Regenerate the golden fixture site; review its diff before committing
	CDASH_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/test_golden.py

demo-data: .venv/installed  ## Regenerate the synthetic demo council from its seed
	$(PY) scripts/make_demo.py

fixtures: .venv/installed  ## Refresh tests/fixtures/*/answers.json from ../shared/data (or $CDASH_SHARED_DATA)
	$(PY) tests/fixtures/wl-unmet-need/make.py --write-answers
	$(PY) tests/fixtures/sl-real-extracts/make.py --write-answers

bench: .venv/installed  ## All 32 councils and the seed councils beside the floor, each figure with its goal
	$(PY) bench/scotland.py

bench-seed: .venv/installed  ## The CI-sized benchmark: the 3 seed councils beside the floor
	$(PY) bench/scotland.py --seed

bench-demo: .venv/installed  ## Demo build time and page weights
	$(PY) bench/build_speed.py

plotly-bundle: .venv/installed  ## Rebuild the trimmed plotly.js (needs node, npm and the npm registry)
	$(PY) scripts/build_plotly_bundle.py

bench-plotly: .venv/installed  ## Time the first map drawn with the full and trimmed plotly.js
	$(PY) bench/plotly_bundle.py

.PHONY: help demo test test-fast lint golden demo-data fixtures bench bench-seed bench-demo plotly-bundle bench-plotly
