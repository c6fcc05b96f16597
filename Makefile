# policy-kg: `make run` builds the graph of seeds/ into out/, `make test` runs the tests.
# Both create the virtualenv and install the pkuseg model first, so they work on a fresh clone.

PYTHON ?= python3
VENV ?= .venv
PYTEST_ARGS ?=

BIN := $(VENV)/bin
# Rebuilt when the package metadata changes; removing the venv removes it too.
STAMP := $(VENV)/.policy-kg-installed
APT := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: venv model system-deps store-servers browser run test eval bench clean

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

# $(call ensure_apt,CHECK,PACKAGES): nothing when the shell test CHECK passes; otherwise install
# the Debian PACKAGES with apt-get (as root, or with sudo -n so it never waits for a password) and
# check again.  The tests need these programs and fail, never skip, without them.
ensure_apt = @if $(1) >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; \
	else echo "make: install the Debian package(s) $(2) as root" >&2; exit 1; fi; \
	command -v apt-get >/dev/null 2>&1 \
	  || { echo "make: $(2) needed and there is no apt-get: install it by hand" >&2; exit 1; }; \
	echo "installing $(2) with apt-get"; \
	{ $$sudo env $(APT) update -q && $$sudo env $(APT) install -y -q $(2); } \
	  || { echo "make: could not install $(2); as root: apt-get update && apt-get install $(2)" >&2; exit 1; }; \
	$(1) >/dev/null 2>&1 || { echo "make: $(2) installed, but '$(1)' still fails" >&2; exit 1; }

# rapper (Debian raptor2-utils) parses the Turtle the tests write.
system-deps:
	$(call ensure_apt,command -v rapper,raptor2-utils)

# Virtuoso (Debian virtuoso-opensource): tests/test_push.py pushes to a real one, started by the
# tests on 127.0.0.1.  The Oxigraph server comes from PyPI (the test extra of setup.cfg).
store-servers:
	$(call ensure_apt,command -v virtuoso-t,virtuoso-opensource)

# Chromium (Debian chromium) at /usr/bin/chromium: tests/test_viz.py opens graph.html in it,
# headless, driven by Playwright from PyPI (no browser download, no `playwright install`).
# A CJK font makes screenshots and report.png show Chinese labels instead of boxes.
CHROMIUM ?= /usr/bin/chromium
CJK_FONT ?= /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
browser:
	$(call ensure_apt,test -x $(CHROMIUM),chromium)
	$(call ensure_apt,test -e $(CJK_FONT),fonts-wqy-microhei)

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

# The performance table of issue 6 (benchmarks/bench.py; takes long: BENCH_ARGS=--mb 2 for a quick one).
BENCH_ARGS ?=
bench: model
	DEV_CORPUS=$(DEV_CORPUS) $(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf out $(VENV) *.egg-info
