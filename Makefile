# helpdesk-bridge: `make run` (the service on embedded defaults) and `make test` (everything).
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  && { command -v $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The MCP Inspector CLI (npm) the tests drive the tools with; npm ci writes this file.
INSPECTOR := tests/inspector/node_modules/.package-lock.json
# The MCP Bundle CLI (npm) that validates and packs the Claude Desktop bundle; npm ci writes this.
MCPB_CLI := packaging/mcpb/node_modules/.package-lock.json
MCPB := packaging/mcpb/node_modules/.bin/mcpb
BUNDLE := dist/helpdesk-bridge.mcpb
DEV_TOKEN ?= dev-token-change-me

.PHONY: run test lint typecheck unit bench openapi clean inspector mcpb mcpb-cli

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required (python3.11, python3.12 or python3.13)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## run: start the service on 127.0.0.1:3000 (mock helpdesk, in-memory stores)
run: $(STAMP)
	@if [ -f .env ] || [ -n "$$AUTH_TOKEN$$WEBHOOK_SECRET" ]; then \
	  exec $(BIN)/helpdesk-bridge serve; \
	else \
	  echo "No .env and no AUTH_TOKEN/WEBHOOK_SECRET set: using the development token"; \
	  echo "  x-auth-token: $(DEV_TOKEN)"; \
	  AUTH_TOKEN=$(DEV_TOKEN) exec $(BIN)/helpdesk-bridge serve; \
	fi

## test: lint, format check, type checks, layer contracts, the tree's shape, and every test
test: $(STAMP) lint typecheck inspector mcpb-cli
	$(BIN)/pytest

## inspector: install the pinned MCP Inspector CLI (tests/inspector/package-lock.json)
inspector: $(INSPECTOR)

$(INSPECTOR): tests/inspector/package.json tests/inspector/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/inspector --no-audit --no-fund --loglevel=error && touch $@; \
	elif [ -n "$$CI" ]; then \
	  echo "npm is required in CI: the MCP Inspector tests need tests/inspector"; exit 1; \
	else \
	  echo "npm not found: the MCP Inspector tests will be skipped"; \
	fi

## mcpb: build the Claude Desktop bundle dist/helpdesk-bridge.mcpb (docs/mcp.md: double-click it)
mcpb: $(STAMP) $(MCPB_CLI)
	@test -x $(MCPB) || { echo "npm is required to build the bundle (packaging/mcpb)"; exit 1; }
	rm -rf dist/mcpb $(BUNDLE)
	$(BIN)/python -m entrypoints.mcp.bundle dist/mcpb
	$(MCPB) validate dist/mcpb/manifest.json
	$(MCPB) pack dist/mcpb $(BUNDLE)

## mcpb-cli: install the pinned MCP Bundle CLI (packaging/mcpb/package-lock.json)
mcpb-cli: $(MCPB_CLI)

$(MCPB_CLI): packaging/mcpb/package.json packaging/mcpb/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix packaging/mcpb --no-audit --no-fund --loglevel=error && touch $@; \
	elif [ -n "$$CI" ]; then \
	  echo "npm is required in CI: the bundle test needs packaging/mcpb"; exit 1; \
	else \
	  echo "npm not found: the Claude Desktop bundle test will be skipped"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/check_tree.py

typecheck: $(STAMP)
	$(BIN)/mypy

## bench: the benchmarks under bench/ (prints numbers; see bench/README.md)
bench: $(STAMP)
	$(BIN)/python -m bench

## openapi: regenerate docs/openapi.yaml from the code
openapi: $(STAMP)
	$(BIN)/helpdesk-bridge openapi --output docs/openapi.yaml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/inspector/node_modules \
	  packaging/mcpb/node_modules dist
