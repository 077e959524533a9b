# Two commands a newcomer needs: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_OK  := $(VENV)/.installed
JS_OK  := node_modules/.installed

.PHONY: run test install vendor messages clean bench bench-quick bench-storms

# Serving needs Python only: the browser files it ships are in static/vendor/.
run: $(PY_OK)
	$(BIN)/townhall serve

# One worker per core: most tests wait on a browser or a server, and CI has 15 minutes.
test: install
	$(BIN)/pytest -n auto --dist worksteal

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

# Languages (docs/translating.md): every message of the pages and the record into the
# template, then each language's catalog updated from it (new messages to translate).
LOCALE := server/townhall/locale
LANGS  := fr es ar
messages: $(PY_OK)
	$(BIN)/pybabel -q extract -F $(LOCALE)/babel.cfg -k t -k nt:1,2 -k N_ \
	    --sort-by-file --no-wrap --project townhall -o $(LOCALE)/townhall.pot .
	@for lang in $(LANGS); do \
	  if [ -f $(LOCALE)/$$lang/LC_MESSAGES/townhall.po ]; then \
	    $(BIN)/pybabel -q update --no-wrap --ignore-obsolete -D townhall -i $(LOCALE)/townhall.pot -d $(LOCALE) -l $$lang; \
	  else \
	    $(BIN)/pybabel -q init --no-wrap -D townhall -i $(LOCALE)/townhall.pot -d $(LOCALE) -l $$lang; \
	  fi; \
	done

# Load tests (bench/README.md): townhall against bare python-socketio and Node relays.
bench-quick: install
	$(BIN)/python bench/run.py --quick

bench: install
	$(BIN)/python bench/run.py

# Join storms then notes (issue 13), townhall against the bare relays, 3 alternating rounds.
bench-storms: install
	$(BIN)/python bench/run.py --scenarios storms --rounds 3

clean:
	rm -rf $(VENV) node_modules townhall-data
