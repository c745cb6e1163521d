# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint lock bench playground clean reset-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs take the versions in requirements.lock (what the suite runs with, and what the image
# installs; CI runs `make test`, so it installs from the lock too). `make run` takes the charts extra
# (matplotlib) too, so that `mentorbot report --format png` works after it.
$(VENV)/.installed-run: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --constraint requirements.lock -e '.[charts]'
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --constraint requirements.lock -e '.[test,charts]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/mentorbot serve

test: $(VENV)/.installed-test
	$(BIN)/pytest

# lint-imports: the layer contracts in pyproject.toml ([tool.importlinter]; docs/architecture.md)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot
	$(BIN)/lint-imports

# requirements.lock: every package, pinned, that mentorbot and its test and charts extras need (what
# the image installs and the suite runs with). After changing dependencies in pyproject.toml, or to take
# newer releases: `make lock` (`make lock UPGRADE=1` moves everything to the newest allowed), then
# `make test` and commit both files. tests/ops/test_image_files.py fails on a lock that no longer
# satisfies pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --extra test --extra charts --no-emit-index-url \
		--no-emit-find-links $(if $(UPGRADE),--upgrade) --output-file requirements.lock pyproject.toml

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

# `make clean` leaves the database (mentorbot.sqlite3 in this folder) alone; `make reset-data` deletes it so
# that `make run` loads the example afresh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

reset-data:
	rm -f mentorbot.sqlite3

# Chat with the running bot (`make run` in another terminal) in the Microsoft 365 Agents Playground, a
# Teams-like web page: no Microsoft account or credentials needed. Installs the pinned Playground with npm
# into .cache/playground (never committed). AS=EMAIL chooses who you are (default: the example mentee);
# PORT=N the Playground's own web port (default 56150, change it when that port is taken). The bot's port
# is MENTORBOT_PORT, as for `make run` (`MENTORBOT_PORT=4000 make playground PORT=56151`).
# (AS is also make's built-in name for the assembler, "as", so `?=` alone would never apply)
ifeq ($(origin AS),default)
AS := mentee@example.org
endif
PORT ?= 56150
playground: $(VENV)/.installed-run
	$(BIN)/mentorbot teams playground --as $(AS) --port $(PORT)
