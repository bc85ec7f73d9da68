# Leeway — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test test-clocks bench install install-dev lint format messages check-messages screenshots clean

$(BIN)/activate:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Leeway needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load the demo organisation and serve it with a Celery worker and beat, at
## http://$LEEWAY_HOST:$LEEWAY_PORT (127.0.0.1:8000 unless set); links in emails follow unless LEEWAY_BASE_URL is set.
run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Leeway is starting at http://$${LEEWAY_HOST:-127.0.0.1}:$${LEEWAY_PORT:-8000} (sign in as ana@acme.example / leeway-demo). Ctrl-C stops it."
	$(BIN)/honcho start -f Procfile

## make test: the whole suite, on PostgreSQL and Redis (DATABASE_URL / REDIS_URL override the local defaults).
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/pytest

## make test-clocks: the suite again with the process clock (and the machine's time zone) moved to awkward moments:
## New Year's night, the European spring and autumn changes, two minutes into a Monday that starts a month, and a year
## from now. Needs Debian's faketime.
LIBFAKETIME = $(firstword $(wildcard /usr/lib/*/faketime/libfaketime.so.1))
CLOCKS = "2027-01-01 00:30|Pacific/Kiritimati" "2027-03-28 01:30|Etc/GMT+12" "2027-10-31 23:30|America/Mexico_City" \
	"2027-02-01 00:02|UTC" \
	"$$(date -u -d '+1 year' '+%Y-%m-%d %H:%M')|Europe/Madrid"
# Left out of the shifted runs: tests that read no clock (every page's accessibility and HTML, the API schema, email
# widths, the benchmark's smoke run); they take half the suite's time and run once in `make test`.
CLOCK_FREE = --ignore=tests/browser/test_every_page_accessible.py --ignore=tests/test_html_valid.py \
	--ignore=tests/test_api_schema.py --ignore=tests/browser/test_email_widths.py --ignore=tests/test_benchmark_smoke.py
test-clocks: install-dev
	@test -n "$(LIBFAKETIME)" || { echo "make test-clocks needs libfaketime (apt-get install faketime)"; exit 1; }
	@for clock in $(CLOCKS); do \
	  moment="$${clock%|*}"; zone="$${clock#*|}"; \
	  offset=$$(( $$(date -u -d "$$moment" +%s) - $$(date -u +%s) )); \
	  echo "== the whole suite at $$moment UTC, on a machine in $$zone"; \
	  TZ="$$zone" FAKETIME="$$(printf %+d $$offset)s" LD_PRELOAD="$(LIBFAKETIME)" $(BIN)/pytest -q $(CLOCK_FREE) || exit 1; \
	done

## make bench: seed organisations of BENCH_SIZES agents × BENCH_WEEKS weeks (each in a database of its own, named after
## DATABASE_URL's, kept for the next run) and measure pages, the leaderboard refresh, the weekly digests and the feed
## under gunicorn with wrk (Debian's `wrk`). Prints one table; JSON in var/bench/. See README, "Benchmark".
BENCH_SIZES ?= 1000,10000
BENCH_WEEKS ?= 26
BENCH_REQUESTS ?= 50
bench: install-dev
	$(PY) manage.py bench --sizes $(BENCH_SIZES) --weeks $(BENCH_WEEKS) --requests $(BENCH_REQUESTS) --reuse \
	  --settings=config.settings.test

lint: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages: refresh locale/*.po from the code, then compile them (needs GNU gettext).
messages: install-dev
	$(PY) manage.py makemessages --all --no-obsolete --no-location --ignore=.venv --ignore=staticfiles --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
