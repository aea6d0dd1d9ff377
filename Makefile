PYTHON ?= $(if $(wildcard .venv/bin/python),.venv/bin/python,python3)

.PHONY: bench
bench:
	$(PYTHON) bench/bench_loader.py

.PHONY: faults
faults:
	$(PYTHON) -m pytest -q -m faults
