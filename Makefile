# policy-kg: `make run` builds the graph of seeds/ into out/, `make test` runs the tests.
# Both create the virtualenv and install the pkuseg model first, so they work on a fresh clone.

PYTHON ?= python3
VENV ?= .venv
PYTEST_ARGS ?=

BIN := $(VENV)/bin
# Rebuilt when the package metadata changes; removing the venv removes it too.
STAMP := $(VENV)/.policy-kg-installed
APT := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: venv model system-deps store-servers browser run test eval clean

venv: $(STAMP)

# wheel, setuptools and numpy first: pip needs them to fetch the pkuseg model (kg/model.py).
$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install --upgrade wheel setuptools numpy
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

model: venv
	$(BIN)/kg model install

# rapper (Debian raptor2-utils) parses the Turtle the tests write.
system-deps:
	@command -v rapper >/dev/null 2>&1 && exit 0; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; \
	else echo "make: rapper is missing; install the Debian package raptor2-utils as root" >&2; exit 1; fi; \
	command -v apt-get >/dev/null 2>&1 \
	  || { echo "make: rapper is missing and there is no apt-get; install raptor2 (rapper) by hand" >&2; exit 1; }; \
	echo "installing raptor2-utils (rapper) with apt-get"; \
	{ $$sudo env $(APT) update -q && $$sudo env $(APT) install -y -q --no-install-recommends raptor2-utils; } \
	  || { echo "make: could not install raptor2-utils; run as root: apt-get update && apt-get install raptor2-utils" >&2; exit 1; }; \
	command -v rapper >/dev/null 2>&1 \
	  || { echo "make: raptor2-utils is installed but rapper is not on PATH" >&2; exit 1; }

# Virtuoso (Debian virtuoso-opensource): tests/test_push.py pushes to a real one, started by the
# tests on 127.0.0.1.  The Oxigraph server comes from PyPI (the test extra of setup.cfg).
store-servers:
	@command -v virtuoso-t >/dev/null 2>&1 && exit 0; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; \
	else echo "make: virtuoso-t is missing; install the Debian package virtuoso-opensource as root" >&2; exit 1; fi; \
	command -v apt-get >/dev/null 2>&1 \
	  || { echo "make: virtuoso-t is missing and there is no apt-get; install Virtuoso Open Source 7 by hand" >&2; exit 1; }; \
	echo "installing virtuoso-opensource with apt-get"; \
	{ $$sudo env $(APT) update -q && $$sudo env $(APT) install -y -q virtuoso-opensource; } \
	  || { echo "make: could not install virtuoso-opensource; run as root: apt-get update && apt-get install virtuoso-opensource" >&2; exit 1; }; \
	command -v virtuoso-t >/dev/null 2>&1 \
	  || { echo "make: virtuoso-opensource is installed but virtuoso-t is not on PATH" >&2; exit 1; }

# Chromium (Debian chromium) at /usr/bin/chromium: tests/test_viz.py opens graph.html in it,
# headless, driven by Playwright from PyPI (no browser download, no `playwright install`).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) && exit 0; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; \
	else echo "make: $(CHROMIUM) is missing; install the Debian package chromium as root" >&2; exit 1; fi; \
	command -v apt-get >/dev/null 2>&1 \
	  || { echo "make: $(CHROMIUM) is missing and there is no apt-get; install Chromium there by hand" >&2; exit 1; }; \
	echo "installing chromium with apt-get"; \
	{ $$sudo env $(APT) update -q && $$sudo env $(APT) install -y -q chromium; } \
	  || { echo "make: could not install chromium; run as root: apt-get update && apt-get install chromium" >&2; exit 1; }; \
	test -x $(CHROMIUM) \
	  || { echo "make: chromium is installed but $(CHROMIUM) is missing" >&2; exit 1; }

run: model
	$(BIN)/kg build seeds -o out

test: model system-deps store-servers browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Quality against the gold annotations: the seeds, and the development corpus when it is
# checked out beside the repository (its texts are never copied into the repository).
DEV_CORPUS ?= ../shared/dev-corpus
eval: model
	@echo "== seeds"
	$(BIN)/kg eval tests/gold --texts seeds --collection seeds
	@echo "== development corpus ($(DEV_CORPUS))"
	$(if $(wildcard $(DEV_CORPUS)),$(BIN)/kg eval tests/gold --texts $(DEV_CORPUS) --collection dev-corpus,@echo "not found: set DEV_CORPUS=DIR")

clean:
	rm -rf out $(VENV) *.egg-info
