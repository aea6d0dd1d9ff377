PYTHON ?= $(if $(wildcard .venv/bin/python),.venv/bin/python,python3)

.PHONY: bench
bench:
	$(PYTHON) bench/bench_loader.py

.PHONY: bench-pipeline
bench-pipeline:  ## land -> staging -> core -> marts at 1, 3 and 10 M SYNTHETIC rows (long; 2 cores: hours)
	$(PYTHON) bench/bench_pipeline.py $(BENCH_ARGS)

.PHONY: bench-executors
bench-executors:  ## smartchange refresh of the seed, in-process against multiprocess executor
	$(PYTHON) bench/bench_executors.py $(BENCH_ARGS)

.PHONY: slow
slow:  ## the cases the default run leaves out (marker long): whole-platform repeats, slow faults
	$(PYTHON) -m pytest -q -p no:cacheprovider -m long smartchange_assets_tests

.PHONY: faults
faults:  ## the whole fault matrix (fuzz: 200 mutations per source); one line per fault
	SMARTCHANGE_FAULTS=full $(PYTHON) -m pytest -q -p no:cacheprovider -m faults smartchange_assets_tests
