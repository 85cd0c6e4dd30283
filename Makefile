# navai: every task the project has. `make test` works on a fresh clone with only python3.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install generate check-generated twins lint format test demo demo-node record clean bench bench-smoke bench-profile

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)  ## Create .venv with navai (editable) and the dev tools

generate: $(STAMP)  ## Regenerate generated/ from openapi.yaml
	rm -rf generated/navai_api
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate \
	  --path openapi.yaml --config openapi-generator.yaml --meta none \
	  --custom-template-path openapi-templates --output-path generated/navai_api

check-generated: generate  ## Fail when generated/ differs from what openapi.yaml produces
	@git diff --exit-code --stat -- generated \
	  && test -z "$$(git status --porcelain -- generated)" \
	  || { echo "generated/ is stale: run 'make generate' and commit the result"; git status --short -- generated; exit 1; }

twins: $(STAMP)  ## Regenerate navai/_client.py (sync) from navai/_async_client.py
	$(BIN)/python -m scripts.unasync

# Every Python tree of the repository; mypy --strict over all but the tests themselves (it checks
# tests/support, the helpers that bench/ and scripts/ import). bench/'s extra brings matplotlib's
# and pyinstrument's types.
PY_TREES := navai tests bench scripts
TYPED    := navai bench scripts tests/support
BENCH_STAMP := $(VENV)/.bench-stamp

lint: $(BENCH_STAMP)  ## ruff over navai, tests, bench and scripts; mypy --strict over navai, bench, scripts, tests/support
	$(BIN)/ruff check $(PY_TREES)
	$(BIN)/ruff format --check $(PY_TREES)
	$(BIN)/mypy $(TYPED)

format: $(STAMP)
	$(BIN)/ruff check --fix $(PY_TREES)
	$(BIN)/ruff format $(PY_TREES)

test: $(STAMP)  ## The whole suite
	$(BIN)/pytest

record: $(STAMP)  ## Re-record every cassette from scratch against the real backend on loopback
	$(BIN)/python -m scripts.record

demo: $(STAMP)  ## Start navai serve (Python only) on loopback and drive it with the navai CLI
	$(BIN)/python -m scripts.demo

demo-node: $(STAMP)  ## The same demo on the Node backend in tests/backend (needs node and npm)
	$(BIN)/python -m scripts.demo_node

DOCS_STAMP := $(VENV)/.docs-stamp

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[docs]'
	@touch $(DOCS_STAMP)

.PHONY: docs
docs: $(DOCS_STAMP)  ## The documentation site, strict (a broken link or reference fails): build/site/
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)  ## Throughput: navai vs raw httpx2 and the TypeScript client on a loopback backend (< 5 min): bench/results.json, bench/throughput.png
	$(BIN)/python -m bench.run

bench-smoke: $(BENCH_STAMP)  ## The same benchmark with tiny counts (CI, < 1 min); writes build/bench-smoke/
	$(BIN)/python -m bench.run --smoke --out build/bench-smoke

bench-profile: $(BENCH_STAMP)  ## Where navai's own time goes over raw httpx2 (~1 min): bench/profile-sync.txt, profile-async.txt, profile-async-aiohttp.txt
	$(BIN)/python -m bench.profiling

.PHONY: bench-server bench-server-smoke bench-agent bench-agent-smoke

bench-agent: $(BENCH_STAMP)  ## NavaiVoiceAgent: audio lateness under tool load, tool-call turnaround, session start (~1.5 min): bench/agent-results.json
	$(BIN)/python -m bench.agent_run

bench-agent-smoke: $(BENCH_STAMP)  ## The same in one short round (CI, < 30 s); writes build/bench-agent-smoke/
	$(BIN)/python -m bench.agent_run --smoke --out build/bench-agent-smoke

bench-server: $(BENCH_STAMP)  ## navai serve vs the Node backend under autocannon, TS client and navai async too (~4 min): bench/server-results.json, bench/server-throughput.png
	$(BIN)/python -m bench.server_run

bench-server-smoke: $(BENCH_STAMP)  ## The same in one short round (CI, < 40 s); writes build/bench-server-smoke/
	$(BIN)/python -m bench.server_run --smoke --out build/bench-server-smoke

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
