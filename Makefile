# policy-kg: `make run` builds the graph of seeds/ into out/, `make test` runs the tests.
# Both create the virtualenv and install the pkuseg model first, so they work on a fresh clone.

PYTHON ?= python3
VENV ?= .venv
PYTEST_ARGS ?=

BIN := $(VENV)/bin
# Rebuilt when the package metadata changes; removing the venv removes it too.
STAMP := $(VENV)/.policy-kg-installed
APT := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: venv model system-deps run test eval clean

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

run: model
	$(BIN)/kg build seeds -o out

test: model system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Quality against the gold annotations: the seeds, and the development corpus when it is
# checked out beside the repository (its texts are never copied into the repository).
DEV_CORPUS ?= ../shared/dev-corpus
eval: model
	$(BIN)/kg eval tests/gold --texts seeds $(if $(wildcard $(DEV_CORPUS)),--texts $(DEV_CORPUS))

clean:
	rm -rf out $(VENV) *.egg-info
