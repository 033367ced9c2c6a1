# Two commands: `make run` serves the app, `make test` passes the tests.
# Everything else here is a step they depend on, redone only when its inputs change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
ASSETS := microblog/static/vendor/.installed
# The compiled translation catalogues: one messages.mo beside each messages.po.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard microblog/translations/*/LC_MESSAGES/messages.po))

.PHONY: run prod test worker install install-dev assets translations lint clean bench bench-realtime bench-instructions bench-smoke soak

run: install assets translations      ## set up and serve on http://$(HOST):$(PORT)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-dev assets translations ## set up and run lint and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

# A background-jobs worker (RQ on REDIS_URL); start as many as the work needs.
worker: install translations           ## run a worker for the background jobs
	$(BIN)/flask jobs worker

# The production shape on this machine, in one command (deploy/prod.py): migrations on
# PostgreSQL (DATABASE_URL), gunicorn for the pages, two Socket.IO processes, an RQ
# worker, all on REDIS_URL, run by honcho from deploy/Procfile.prod; Ctrl-C stops all.
prod: install assets translations      ## production shape: pages, Socket.IO x2, worker
	$(BIN)/python deploy/prod.py

# Load benchmark (bench/README.md): minutes to an hour; never part of `make test`.
# BENCH_POSTS=100000 for one size; BENCH_USERS, BENCH_SECONDS, BENCH_CONCURRENCY too.
bench: install translations            ## seed, serve with gunicorn, drive with wrk, report
	$(BIN)/python -m bench.run

# Real time (bench/realtime.py): 500 Socket.IO clients over two Socket.IO processes in one
# post's room; comment delivery p99, home timeline throughput with them open, memory.
bench-realtime: install-dev            ## Socket.IO fan-out: delivery latency, throughput, memory
	$(BIN)/python -m bench.realtime

# Instructions per warm request, counted by callgrind: repeatable where timings are not.
bench-instructions: install translations ## CPU instructions per page, for before/after
	$(BIN)/python -m bench.instructions

# Fault soak (tests/soak.py): 10 minutes at 32 connections while Redis and PostgreSQL fail;
# `make test` runs a 40-second version (tests/integration/test_soak.py).
soak: install-dev translations         ## the production shape under load and faults
	$(BIN)/python -m tests.soak

bench-smoke: install-dev translations  ## the harness at a tiny size, as the test suite runs it
	$(BIN)/pytest tests/integration/test_bench_smoke.py

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
assets: $(ASSETS)
translations: $(CATALOGUES)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Browser assets come from the npm registry (versions locked in package-lock.json)
# and are copied into static/vendor/, which git ignores: the app serves them itself.
# The devDependencies (axe-core, for tests/e2e/test_accessibility.py) stay in
# node_modules/, where the tests read them: never copied, so never served.
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf microblog/static/vendor
	mkdir -p microblog/static/vendor/bootstrap
	cp -r node_modules/bootstrap/dist/css node_modules/bootstrap/dist/js microblog/static/vendor/bootstrap/
	mkdir -p microblog/static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js \
	   node_modules/swagger-ui-dist/favicon-32x32.png microblog/static/vendor/swagger-ui/
	mkdir -p microblog/static/vendor/socket.io-client
	cp node_modules/socket.io-client/dist/socket.io.min.js node_modules/socket.io-client/dist/socket.io.min.js.map microblog/static/vendor/socket.io-client/
	touch $@

# gettext reads compiled catalogues (.mo); people write the .po files. Each .mo is built
# again when its .po changes (what `flask translate compile` does for all of them).
microblog/translations/%/LC_MESSAGES/messages.mo: microblog/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules microblog/static/vendor .pytest_cache
	rm -f $(CATALOGUES)
