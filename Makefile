# The README's two commands. `make train` sets up and trains the tutorial model;
# `make test` sets up and runs the test suite.
PYTHON ?= python3

.PHONY: setup train test lint bench

setup:
	$(PYTHON) -m pip install -q -e '.[test]'

train:
	$(PYTHON) -m pip install -q -e '.[train]'
	$(PYTHON) -m numtorch train

test: setup
	$(PYTHON) -m ruff check numtorch tests bench
	$(PYTHON) -m pytest -p no:cacheprovider tests

bench: setup
	for f in bench/*.py; do $(PYTHON) $$f; done
