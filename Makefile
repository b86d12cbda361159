# The two commands of the README: `make demo` and `make test`. Both set up .venv when missing,
# installing the exact versions of requirements-dev.lock (hashes checked), then ir-codec itself.
# `make test-all` adds the newest CPython and the lowest supported runtime dependencies, each in
# its own virtualenv; `make lock` refreshes the lock files.
PYTHON ?= python3
VENV ?= .venv
LOCK ?= requirements-dev.lock
HYPOTHESIS_PROFILE ?= ci
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9
# The lowest runtime versions we support: pyproject's lower bounds (a test keeps them equal).
LOWEST := msgspec==0.19.0 httpx==0.27.0 structlog==24.1.0 tenacity==8.2.3 tqdm==4.66.0
PIP := -m pip --disable-pip-version-check --quiet

# An interpreter of version $(1): `python3.13` on PATH, else pyenv's newest 3.13.x.
find_python = $(firstword $(foreach c,python$(1) $(wildcard $(shell pyenv root 2>/dev/null)/versions/$(1)*/bin/python$(1)),$(shell $(c) -c 'import sys' >/dev/null 2>&1 && command -v $(c))))

.PHONY: demo test test-all test-newest test-lowest lint typecheck bench fuzz lock clean

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python $(PIP) install --require-hashes -r $(LOCK)
	$(BIN)/python $(PIP) install --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ir-codec demo

test: $(STAMP)
	$(BIN)/ruff check ir_codec codecs tests fuzz _ir_codec_pytest.py
	$(BIN)/mypy
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(BIN)/python -m pytest -q -n 2 --durations=15

# The newest CPython, on the locked versions, with a shorter hypothesis profile.
test-newest:
	@test -n "$(call find_python,3.13)" || { echo "no python3.13 found (pyenv install 3.13)"; exit 1; }
	$(MAKE) test PYTHON=$(call find_python,3.13) VENV=.venv-3.13 HYPOTHESIS_PROFILE=ci-short

# The lowest runtime dependencies we support (pyproject's lower bounds) on the lowest CPython.
test-lowest:
	$(MAKE) test VENV=.venv-lowest LOCK=requirements-lowest.lock HYPOTHESIS_PROFILE=ci-short

test-all: test test-newest test-lowest

lint: $(STAMP)
	$(BIN)/ruff check ir_codec codecs tests fuzz _ir_codec_pytest.py

typecheck: $(STAMP)
	$(BIN)/mypy

# The speed table (tests/benchmarks/speed.py) with the peers of the `bench` extra, in its own
# virtualenv; BENCH_ARGS="--quick" for a short run. The table is saved as build/bench.json.
bench:
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python $(PIP) install -e '.[bench]'
	.venv-bench/bin/python -m tests.benchmarks.speed $(BENCH_ARGS)

# Each atheris harness of fuzz/ for FUZZ_RUNS inputs (or FUZZ_TIME seconds when set), seeded from
# the golden vectors, tests/payloads and tests/responses; any exception that is not an
# IRCodecError is a crash. Without atheris, the pure-Python driver runs the same harnesses.
FUZZ_RUNS ?= 200000
FUZZ_TIME ?=
FUZZ_HARNESSES := request response stream cli
fuzz: $(STAMP)
	$(BIN)/python $(PIP) install 'atheris==3.0.0' || echo "atheris did not install: the pure-Python driver runs instead"
	@for h in $(FUZZ_HARNESSES); do \
		if $(BIN)/python -c 'import atheris' 2>/dev/null; then \
			$(BIN)/python fuzz/run.py $$h -runs=$(FUZZ_RUNS) $(if $(FUZZ_TIME),-max_total_time=$(FUZZ_TIME)) \
				-artifact_prefix=fuzz/crash_$$h- fuzz/corpus_$$h || exit 1; \
		else \
			$(BIN)/python -m fuzz.driver $$h $(FUZZ_RUNS) || exit 1; \
		fi; \
	done

# Regenerate both lock files: every dev tool and official SDK pinned with hashes, for every
# supported Python; the lowest lock holds the runtime dependencies at pyproject's lower bounds.
lock: $(STAMP)
	$(BIN)/python $(PIP) install uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --no-header --quiet -o requirements-dev.lock
	printf '%s\n' $(LOWEST) > $(VENV)/lowest.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --no-header --quiet --override $(VENV)/lowest.txt -o requirements-lowest.lock

clean:
	rm -rf $(VENV) .venv-3.13 .venv-lowest .venv-bench build dist .mypy_cache .ruff_cache
