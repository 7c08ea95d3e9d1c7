# Two commands matter: `make run` starts the platform, `make test` runs the tests.
# Both create .venv and install the locked dependencies first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run bluesky-up test e2e bench chaos scim-check lint format messages compilemessages lock clean bluesky idp deploy-tools

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	bash requirements/system-packages.sh
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $(STAMP)

# A build step: it needs no secrets, so it runs with the developer settings.
compilemessages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# The local Bluesky reference network (PLC, PDS, AppView) that end-to-end tests post to.
bluesky:
	bash tests/bluesky/setup.sh

# The local Bluesky network on its own, with an account to connect from `make run`
# (start that with NETWORKS_ALLOW_PRIVATE_HOSTS=1); README "Try a real share".
bluesky-up: $(STAMP) bluesky
	$(BIN)/python -m tests.bluesky.serve

# The local identity providers (OpenID Connect and SAML 2.0) that the single sign-on tests sign in at.
idp:
	bash tests/idp/setup.sh

# docker-compose and caddy (Debian's packages) for the deployment tests.
deploy-tools:
	bash deploy/tools.sh

# WEB_PORT: the web server's port (default 8000); SITE_URL follows it unless set.
run: export DEBUG ?= 1
run: export WEB_PORT ?= 8000
run: $(STAMP) compilemessages
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	@echo "Starting web, worker and beat at http://127.0.0.1:$(WEB_PORT)/ (Ctrl-C stops all three)."
	@echo "Log in as employee@demo.example (password demo-password-123); invitation and other emails"
	@echo "are printed by the worker, in the lines marked 'worker'."
	$(BIN)/honcho -f Procfile.dev start

# Tests run with production settings (DEBUG off) plus the few values a test client needs.
test: export SECRET_KEY ?= test-only-secret-key-that-is-long-enough-for-django-checks
test: export FIELD_ENCRYPTION_KEYS ?= dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=
test: export ALLOWED_HOSTS ?= testserver,127.0.0.1,localhost
test: export SECURE_SSL_REDIRECT ?= 0
test: $(STAMP) compilemessages bluesky idp deploy-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser journeys (e2e/run.sh): the platform with production settings, a real
# worker and beat, the local Bluesky network, Debian's Chromium driven by Playwright.
e2e: $(STAMP) compilemessages bluesky idp
	bash e2e/run.sh

# Benchmarks at scale (bench/run.sh): seeds PostgreSQL (5,000 employees, 1M shares, 10M
# snapshots; reused when already there), runs gunicorn, a worker and the local Bluesky
# network, and writes bench/results-default.json and bench/RESULTS-default.md.
# BENCH_ARGS=--large for 50,000 employees (bench/results.json, bench/RESULTS.md: the run the
# targets are set for), BENCH_ARGS=--small for the quick preset (bench/results-small.json).
bench: $(STAMP) compilemessages bluesky
	bash bench/run.sh $(BENCH_ARGS)

# Fault scenarios (chaos/run.sh): workers SIGKILLed mid fan-out, the broker killed and
# restarted, rate limits and server errors, expiring and revoked tokens, clicks with no
# worker; counted on the local Bluesky network, a loopback fault server and the database.
# CHAOS_ARGS=worker-kill runs one scenario.
chaos: $(STAMP) compilemessages bluesky
	bash chaos/run.sh $(CHAOS_ARGS)

# SCIM conformance (conformance/__main__.py): the third-party scim2-tester suite against
# the live /scim/v2/ endpoint under gunicorn with production settings, on a PostgreSQL
# database of its own (SCIM_CHECK_PG, SCIM_CHECK_DB), with a seeded organization and a
# fresh token. The last line is `scim: N passed, M failed`; skipped checks say why.
scim-check: $(STAMP)
	$(BIN)/python -m conformance

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages -l da --ignore=.venv --ignore=node_modules --ignore=var --no-obsolete

lock:
	uv pip compile --python-version 3.11 --generate-hashes --no-header -q requirements/base.in -o requirements/base.txt
	uv pip compile --python-version 3.11 --generate-hashes --no-header -q requirements/dev.in -o requirements/dev.txt

clean:
	rm -rf $(VENV) var
