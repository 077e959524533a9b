# Two commands a newcomer needs: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_OK  := $(VENV)/.installed
JS_OK  := node_modules/.installed

.PHONY: run test install vendor clean bench bench-quick

# Serving needs Python only: the browser files it ships are in static/vendor/.
run: $(PY_OK)
	$(BIN)/townhall serve

test: install
	$(BIN)/pytest

install: $(PY_OK) $(JS_OK)

$(PY_OK): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "townhall needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(JS_OK): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the browser client: install Node.js and npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Copy the browser files townhall ships (Socket.IO client, markdown-it) from node_modules
# into static/vendor/, with their versions; tests/test_vendor.py checks them.
vendor: $(JS_OK)
	$(PYTHON) .ci/vendor.py

# Load tests (bench/README.md): townhall against bare python-socketio and Node relays.
bench-quick: install
	$(BIN)/python bench/run.py --quick

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules townhall-data
