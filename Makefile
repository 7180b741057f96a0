# The two commands of the README: `make run` and `make test`. Both prepare the
# machine first (scripts/bootstrap.sh), and a second run skips what is in place.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test bootstrap messages

run: bootstrap
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	bash scripts/run.sh

test: bootstrap
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bootstrap:
	@bash scripts/bootstrap.sh

# Refresh the catalogs after changing user-facing text, then translate in locale/.
messages: bootstrap
	$(PY) manage.py makemessages --locale zh_Hans --no-location --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'
