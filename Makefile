.PHONY: setup demo test lint bench
setup: ; ./scripts/setup
demo: ; ./scripts/demo
test: ; ./scripts/test
lint: ; ./scripts/lint
bench: ; .venv/bin/python bench/run_all.py
