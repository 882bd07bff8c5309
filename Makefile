# Two commands on a fresh machine:  `make run`  and  `make test`.
# Each creates the virtual environment itself (Python 3.12 via .python-version).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SCENARIO ?= scenarios/baseline.toml

.PHONY: setup run test lint format bench validate calibrate ui clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Python >= 3.12 needed (see .python-version)"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,ui,dask,policy,calibrate]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/ssr run $(SCENARIO)

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

# Real-browser tests need Debian's Chromium; installed when missing and apt is usable.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium not found: browser tests will be skipped"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks calibration
	$(BIN)/ruff format --check sim tests benchmarks calibration

format: $(STAMP)
	$(BIN)/ruff format sim tests benchmarks calibration
	$(BIN)/ruff check --fix sim tests benchmarks calibration

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py

validate: $(STAMP)
	$(BIN)/python -m sim.validation

# ABC-SMC on the record of 2015-06..2020-12, e.g. CALIBRATE_ARGS="--workers 2 --install"
calibrate: $(STAMP)
	$(BIN)/ssr calibrate calibration/historical.toml $(CALIBRATE_ARGS)

ui: $(STAMP)
	$(BIN)/ssr ui

clean:
	rm -rf $(VENV) build *.egg-info
