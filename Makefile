# Two commands for a newcomer (see README):
#   make run    install into .venv and run the main job on embedded defaults
#   make test   install (with test tools and system packages) and run every test
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: run test install system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

run: install
	$(VENV)/bin/tracker demo

test: install system-deps
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)
