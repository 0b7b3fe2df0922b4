# gridcase — the commands a newcomer types. See README.md.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
PACKAGES := -e libs/events -e tools/cli -e services/intake -e services/dispatch -e services/escalation -e services/notify -e '.[dev]'
STAMP := $(VENV)/.installed
HELM_VERSION := v3.22.0
HELM_DIR := $(HOME)/.cache/gridcase/helm-$(HELM_VERSION)
KUBE_VERSION := 1.37.0

.PHONY: chaos up down reset test test-unit lint typecheck check-monitoring check-helm helm infra infra-stop venv clean bench bench-e2e

## up: the whole system (Kafka, PostgreSQL, topics, four services, demo city); Ctrl-C stops it
up: $(STAMP)
	@$(BIN)/gridcase dev up

## down: stop the services and the local Kafka and PostgreSQL
down:
	-@[ -x $(BIN)/gridcase ] && $(BIN)/gridcase dev down
	@deploy/local/infra.sh stop

## reset: stop the services, Kafka and PostgreSQL, and delete the local demo data (Kafka's
## topics, the gridcase database, service logs, tokens, attachments; see README); the next
## `make up` starts from an empty city. DRY_RUN=1 prints what it would delete.
reset:
ifdef DRY_RUN
	@echo "would stop the services (gridcase dev down)"
	@deploy/local/infra.sh reset --dry-run
else
	-@[ -x $(BIN)/gridcase ] && $(BIN)/gridcase dev down
	@deploy/local/infra.sh reset
endif

## test: the whole test suite against a real Kafka broker and PostgreSQL (started if absent)
test: $(STAMP)
	@deploy/local/infra.sh start
	@set -a; eval "$$(deploy/local/infra.sh env)"; set +a; \
	$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; fi; \
	exit $$status

## chaos: the long fault suite (tests/chaos; its own PostgreSQL and Kafka; 15 to 25 minutes on a busy machine); `make test` runs its short form
chaos: $(STAMP)
	@GRIDCASE_CHAOS=long $(BIN)/pytest -p no:cacheprovider -s -o timeout=3600 tests/chaos

## test-unit: only the tests that need neither Kafka nor PostgreSQL (no infrastructure)
test-unit: $(STAMP)
	@$(BIN)/pytest -m "not integration" $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; fi; \
	exit $$status

## lint: ruff (style, bugs, complexity ≤ 12), the import contracts of pyproject.toml
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@bash -n deploy/local/infra.sh .ci/run

typecheck: $(STAMP)
	$(BIN)/mypy libs/events/src tools/cli/src services/intake/src services/dispatch/src services/escalation/src services/notify/src bench

## check-monitoring: promtool checks the Prometheus config and alert rules, and runs the rules' unit tests
check-monitoring:
	@command -v promtool >/dev/null || { echo "promtool is missing: apt-get install prometheus" >&2; exit 1; }
	promtool check config deploy/prometheus/prometheus.yml
	promtool check rules deploy/prometheus/rules/*.yml
	promtool test rules deploy/prometheus/tests/*.yml

## check-helm: helm lint and the chart's tests (tests/deploy/test_helm.py: render, validate offline, compare with the code)
check-helm: $(STAMP) helm
	@export PATH="$(HELM_DIR):$$PATH"; \
	helm lint deploy/helm/gridcase --strict --kube-version $(KUBE_VERSION) && \
	$(BIN)/pytest -p no:cacheprovider -q tests/deploy/test_helm.py

## helm: builds the pinned helm into ~/.cache/gridcase (once; needs Go 1.21 or later)
helm: $(HELM_DIR)/helm

$(HELM_DIR)/helm:
	@command -v go >/dev/null || { echo "go is missing: helm $(HELM_VERSION) is built with go install" >&2; exit 1; }
	GOBIN=$(HELM_DIR) GOFLAGS=-buildvcs=false go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

infra:
	@deploy/local/infra.sh start

infra-stop:
	@deploy/local/infra.sh stop

venv: $(STAMP)

$(STAMP): pyproject.toml libs/events/pyproject.toml tools/cli/pyproject.toml services/*/pyproject.toml
	@[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(BIN)/uv pip install -q --python $(BIN)/python $(PACKAGES)
	@touch $@

bench: $(STAMP)
	@deploy/local/infra.sh start
	@set -a; eval "$$(deploy/local/infra.sh env)"; set +a; $(BIN)/python bench/outbox_relay.py; \
	$(BIN)/python bench/routing.py; \
	$(BIN)/python bench/address_routing.py; \
	$(BIN)/python bench/timers.py; \
	$(BIN)/python bench/hotline_intake.py

## bench-e2e: push → assigned → SMS under a fixed offered load (bench/e2e_load.py; BENCH_ARGS="--start --rate 50 --duration 60")
bench-e2e: $(STAMP)
	@deploy/local/infra.sh start
	@set -a; eval "$$(deploy/local/infra.sh env)"; set +a; $(BIN)/python bench/e2e_load.py $(or $(BENCH_ARGS),--start)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
