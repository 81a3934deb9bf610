# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test test-pg bench soak lint imports translations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

translations:
	$(BIN)/pybabel compile -d portal/translations -f > /dev/null

run: $(VENV)/.runtime translations
	$(BIN)/flask db upgrade
	$(BIN)/flask bootstrap
	$(BIN)/python -m portal.demo.devrun

test: $(VENV)/.dev translations
	PYTHONPATH=. $(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n auto --dist loadgroup

# The database tests again, against PostgreSQL (CI has it on 127.0.0.1:5432); the deploy tests use it already.
test-pg: $(VENV)/.dev translations
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -n auto --dist loadgroup -m "not browser and not deploy" --ignore=tests/trackers

# Page speed against a bare Flask app under the same gunicorn; writes the table to docs/performance.md.
# BENCH_ARGS: e.g. --rounds 5 --duration 10, --loadgen python, --database-url postgresql://..., --quick.
BENCH_ARGS ?=
bench: $(VENV)/.dev translations
	$(BIN)/python -m bench $(BENCH_ARGS)

# Faults under load: gunicorn, its own PostgreSQL and Redis, a consumer, SMTP and a marketplace, all made to
# fail (tests/reliability/soak.py); writes the figures to docs/reliability.md, "Soak". CI runs a 20 s version.
SOAK_SECONDS ?= 60
SOAK_CLIENTS ?= 64
soak: $(VENV)/.dev translations
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_CLIENTS=$(SOAK_CLIENTS) $(BIN)/python -m tests.reliability.soak

lint: $(VENV)/.dev
	$(BIN)/ruff check .

# The architecture's contracts (pyproject.toml, [tool.importlinter]); `make test` runs them first.
imports: $(VENV)/.dev
	PYTHONPATH=. $(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) .pytest_cache

# Refresh the catalogs after changing user-facing strings (then translate portal/translations/pt_BR).
messages: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching
