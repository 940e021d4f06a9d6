# The workbook's front door. `make help` lists the targets.
#   make run-step 6          make check-step 4 PROJECT=~/my-chat       make diff-step 5
# A step number may follow the target as a word (make run-step 6) or be given as STEP=6.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

# `make run-step 6`: take the word after the target as the step number.
STEP_TARGETS := run-step check-step diff-step watch-step
ifneq ($(filter $(STEP_TARGETS),$(firstword $(MAKECMDGOALS))),)
  STEP ?= $(word 2,$(MAKECMDGOALS))
  ifneq ($(STEP),)
    $(eval $(STEP):;@:)
  endif
endif

# Our private Redis (`make redis`) when it runs and REDIS_URL is not set.
REDIS_URL ?= $(shell cat .redis/url 2>/dev/null)
ifneq ($(REDIS_URL),)
  export REDIS_URL
endif

.PHONY: help setup run run-step check-step watch-step progress grade check doctor test test-all test-fast lint catalogs redis redis-stop diff-step need-step notebooks outputs lab bench bench-quick

help:
	@echo "make setup               create .venv and install the dependencies (quiet when done)"
	@echo "make run                 the finished chat (the last step, 09) on http://127.0.0.1:8000/chat/"
	@echo "make run-step N          step N's chat under Daphne on http://127.0.0.1:8000/chat/"
	@echo "make check-step N [PROJECT=DIR] [ARGS='--lang en -v']   check step N (your project with PROJECT)"
	@echo "make watch-step N PROJECT=DIR   check again on every save"
	@echo "make progress PROJECT=DIR      where your project stands, step by step"
	@echo "make grade STEP=N DIR=SUBMISSIONS [FORMAT=html OUT=grades.html]   one project per subfolder"
	@echo "make check               every reference step, with a per-check summary"
	@echo "make doctor              is this machine ready for a class: Python, Redis, Chromium, bubblewrap, load, disk"
	@echo "make test                the tests (needs Redis, Chromium, chromedriver and bubblewrap; about 6 min)"
	@echo "make test-all            and the supported versions' venvs too (slow: builds three venvs)"
	@echo "make test-fast           the tests that need neither Redis nor a browser (about a minute)"
	@echo "make redis / redis-stop  a private redis-server on a free loopback port"
	@echo "make diff-step N         what step N changes against step N-1"
	@echo "make notebooks           execute every notebook and report each one's time"
	@echo "make lab                 JupyterLab on notebooks/ (installs it on first use)"
	@echo "make bench               chat fan-out per step vs a raw websockets server, and the checker's speed (4.5-7 min; bench/results/)"
	@echo "make bench-quick         the benchmark's 30-second smoke run"
	@echo "make lint                ruff"
	@echo "make outputs              run every output quoted in the lessons (the checker, curl, Daphne, scripts) again and write it in (ARGS=--check: compare only)"
	@echo "make catalogs            compile the checker's message catalogs (after editing a .po file)"

setup: $(STAMP)
	@:

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

need-step:
	@test -n "$(STEP)" || { echo "Which step? e.g. make $(firstword $(MAKECMDGOALS)) 4  (or STEP=4)"; exit 2; }

run: setup
	@$(PY) -m tools.run_step last

run-step: setup need-step
	@$(PY) -m tools.run_step $(STEP)

check-step: setup need-step
	@$(PY) -m checker check $(STEP) $(if $(PROJECT),--project "$(PROJECT)") $(ARGS)

watch-step: setup need-step
	@test -n "$(PROJECT)" || { echo "Whose project? make watch-step $(STEP) PROJECT=~/my-chat"; exit 2; }
	@$(PY) -m checker watch $(STEP) --project "$(PROJECT)" $(ARGS)

progress: setup
	@test -n "$(PROJECT)" || { echo "Whose project? make progress PROJECT=~/my-chat"; exit 2; }
	@$(PY) -m checker progress --project "$(PROJECT)" $(ARGS)

grade: setup
	@test -n "$(STEP)" -a -n "$(DIR)" || { echo "make grade STEP=N DIR=folder-of-projects [FORMAT=md|csv|json|html] [OUT=file]"; exit 2; }
	@$(PY) -m checker grade "$(DIR)" --step $(STEP) --format $(or $(FORMAT),md) $(if $(OUT),--out "$(OUT)") $(ARGS)

check: setup
	@$(PY) -m checker check all $(ARGS)

diff-step: setup need-step
	@$(PY) -m checker diff $(STEP)

doctor: setup
	@$(PY) -m tools.doctor $(ARGS)

test: setup
	@$(PY) -m pytest -n 3 --dist loadgroup -m "not slow" $(ARGS)

test-all: setup
	@$(PY) -m pytest -n 3 --dist loadgroup $(ARGS)

test-fast: setup
	@$(PY) -m pytest -m "not redis and not browser" -n 4 $(ARGS)

catalogs: setup
	@$(PY) -m tools.catalogs

lint: setup
	@$(PY) -m ruff check checker tools tests steps bench

redis:
	@$(or $(wildcard $(PY)),$(PYTHON)) -m tools.redis_server start

redis-stop:
	@$(or $(wildcard $(PY)),$(PYTHON)) -m tools.redis_server stop

notebooks: setup
	@$(PY) -m tools.run_notebooks

outputs: setup
	@$(PY) -m tools.lesson_outputs $(ARGS)

lab: setup
	@$(PY) -c "import jupyterlab" 2>/dev/null || $(PY) -m pip install --quiet jupyterlab
	@$(PY) -m jupyter lab notebooks/

bench: setup
	@$(PY) -m bench $(ARGS)

bench-quick: setup
	@$(PY) -m bench --quick $(ARGS)
