.PHONY: run test lint bench install

# Install (Debian packages, .venv, pinned Python packages) and start on SQLite with demo data.
run:
	scripts/bootstrap
	.venv/bin/quancheng demo --serve

# Install what the tests need and run lint, checks and the whole suite (SQLite, then PostgreSQL).
test:
	scripts/test

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports --no-cache

bench:
	.venv/bin/python bench/compliance.py

install:
	scripts/bootstrap
