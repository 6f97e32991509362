# Seaway: `make run` starts the demo server; `make test` runs lint, types and the suite on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_VERSION := $(shell ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
OCTOPUS_CLIENT := tests/octopus_client

.PHONY: run test lint types pytest bench install postgres chromium sshd wrk octopus-client clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/seaway migrate
	$(BIN)/seaway server --demo

postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		echo "Starting PostgreSQL $(PG_VERSION)"; \
		pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) main start; \
		for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@pg_isready -h 127.0.0.1 -p 5432

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples tools
	$(BIN)/ruff format --check src tests bench examples tools
	$(BIN)/lint-imports
	$(BIN)/python tools/import_cycles.py seaway

types: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's Chromium through Playwright; Playwright never downloads a browser here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	}
	@chromium --version

# The SSH target tests start Debian's sshd themselves, on a loopback port, for a user nss_wrapper makes up.
# The system's own ssh service is left off: where systemd would start it on install, it is stopped again.
sshd:
	@test -x /usr/sbin/sshd && dpkg -s libnss-wrapper >/dev/null 2>&1 || { \
		echo "Installing Debian's openssh-server and libnss-wrapper for the SSH target tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server libnss-wrapper >/dev/null; \
		if [ -d /run/systemd/system ]; then systemctl disable --now ssh.service >/dev/null 2>&1 || true; fi; \
	}
	@/usr/sbin/sshd -V 2>&1 | head -1

# The HTTP benchmark loads the server with Debian's wrk.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "Installing Debian's wrk for the HTTP benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	}
	@wrk --version 2>&1 | head -1

# Octopus's own TypeScript client, pinned with its lock file, drives a real server in the compatibility tests.
# Installed again only when the lock file is newer than node_modules; without Node those tests are skipped.
$(OCTOPUS_CLIENT)/node_modules: $(OCTOPUS_CLIENT)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(OCTOPUS_CLIENT) && npm ci --no-audit --no-fund && touch node_modules; \
	else \
		echo "npm is missing: the Octopus client tests will be skipped"; \
	fi

octopus-client: $(OCTOPUS_CLIENT)/node_modules

pytest: $(STAMP) postgres chromium sshd octopus-client
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=15

test: lint types pytest

bench: $(STAMP) postgres wrk
	$(BIN)/python bench/orchestration.py
	$(BIN)/python bench/templates.py
	$(BIN)/python bench/approvals.py
	$(BIN)/python bench/chaos.py
	$(BIN)/python bench/logs.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/authorization.py
	$(BIN)/python bench/packages.py
	$(BIN)/python bench/ui.py
	$(BIN)/python bench/targets.py

clean:
	rm -rf $(VENV) .seaway .pytest_cache .mypy_cache .ruff_cache $(OCTOPUS_CLIENT)/node_modules
