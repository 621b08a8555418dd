# Short verbs for people. `make demo` and `make test` set up everything they need
# on a fresh Debian machine: system packages (apt-get, as root), .venv, the project.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HANDOUTS := $(BIN)/python generate.py
DEMO_DATE ?= 2026-11-22
# axe-core, the accessibility checker the browser tests run inside chromium
AXE := .cache/axe/node_modules/axe-core/axe.min.js

.PHONY: demo test lint bench bench-startup bench-web serve docs wheel messages clean system system-test

demo: $(VENV)/.runtime
	@$(HANDOUTS) handout microneedling --patient "Zoë O'Brien-Núñez" --date $(DEMO_DATE) --yes
	@$(HANDOUTS) handout micropenning --patient "Zoë O'Brien-Núñez" --date $(DEMO_DATE) --yes
	@$(HANDOUTS) handout microneedling
	@$(HANDOUTS) handout micropenning

test: $(VENV)/.test $(AXE)
	$(BIN)/ruff check handouts tests bench generate.py
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto --dist loadgroup

lint: $(VENV)/.test
	$(BIN)/ruff check handouts tests bench generate.py
	$(BIN)/mypy

bench: $(VENV)/.test
	$(BIN)/python bench/throughput.py

bench-web: $(VENV)/.test
	PYTHONPATH=. $(BIN)/python bench/web.py

# The front desk's web page on http://127.0.0.1:8080 (add a user first: .venv/bin/handouts users add NAME)
serve: $(VENV)/.runtime
	$(BIN)/handouts serve

# The templates' wording to the catalogs: extract it (babel.cfg says from where),
# merge it into every handouts/locale/<language>/LC_MESSAGES/handouts.po, and
# compile the .mo files the tool reads (committed, so a wheel built from a clean
# clone carries them). After editing a .po, run it again.
LOCALE := handouts/locale
messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg --project handouts --no-location \
		--sort-output --add-comments TRANSLATORS: -o $(LOCALE)/handouts.pot .
	$(BIN)/pybabel update -i $(LOCALE)/handouts.pot -d $(LOCALE) -D handouts \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile --statistics -d $(LOCALE) -D handouts

bench-startup: $(VENV)/.test
	$(BIN)/python bench/startup.py

# The guide (docs/, built into site/ by MkDocs), its command reference from the
# commands' own help, and the pictures of a handout from the demo's own output.
docs: demo $(VENV)/.test
	tools/docs-pictures.sh
	$(BIN)/python tools/web_screenshot.py
	$(BIN)/python -m handouts.cli.reference > docs/reference/commands.md
	$(BIN)/mkdocs build

# The wheel, as a clinic would install it: pip install dist/handouts-*.whl
# Only the build backend is needed; no system packages, no test tools.
wheel: $(VENV)/.build
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w dist .
	@ls dist/handouts-*.whl

system:
	@tools/install-system-deps.sh runtime

system-test:
	@tools/install-system-deps.sh test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.build: | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet "hatchling>=1.24"
	@touch $@

$(VENV)/.runtime: pyproject.toml | system $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(AXE): | system-test
	npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4

$(VENV)/.test: pyproject.toml | system-test $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $@ $(VENV)/.runtime

clean:
	rm -rf out build dist *.egg-info .pytest_cache .ruff_cache .cache
