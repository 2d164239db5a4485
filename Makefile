# One entry point for users and CI. `make demo` and `make test` are the two commands the README
# promises; every other target is a step they share.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BUILD  := build

# Terraform cannot reach its registry on an offline machine. When a filesystem mirror of the
# hashicorp/aws provider exists (TF_PROVIDER_MIRROR, default /opt/tf-plugins), every Terraform
# command run through make uses a CLI config that installs aws from it; elsewhere Terraform uses
# the registry as usual.
TF_PROVIDER_MIRROR ?= /opt/tf-plugins
ifneq ($(wildcard $(TF_PROVIDER_MIRROR)/registry.terraform.io/hashicorp/aws),)
export TF_CLI_CONFIG_FILE := $(CURDIR)/$(BUILD)/terraform.rc
TF_CLI_CONFIG_DEP := $(BUILD)/terraform.rc
endif
export TF_IN_AUTOMATION := 1
# No version check against HashiCorp's servers: offline it only prints an error.
export CHECKPOINT_DISABLE := 1

TF_DIRS := terraform modules/mlops_pipeline examples/minimal examples/complete

.PHONY: help venv build sample-data tf-init fmt lint validate tf-test tf-test-module tf-test-configurations checkov test \
        demo iam-report bench bench-etl bench-burst bench-transform bench-scoring bench-tuning bench-training \
        local-up local-down clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

venv: $(VENV)/.installed node_modules/.installed ## Install Python and Node tools into the project

$(BUILD)/terraform.rc:
	@mkdir -p $(BUILD)
	@printf '%s\n' \
	  'provider_installation {' \
	  '  filesystem_mirror {' \
	  '    path    = "$(TF_PROVIDER_MIRROR)"' \
	  '    include = ["registry.terraform.io/hashicorp/aws"]' \
	  '  }' \
	  '  direct {' \
	  '    exclude = ["registry.terraform.io/hashicorp/aws"]' \
	  '  }' \
	  '}' > $@

# The Lambda package is committed, so the module deploys from a git source with no build step; it is
# rebuilt when a source is newer, and `make lint` fails when it differs from what the sources give.
TRIGGER_PACKAGE := lambdas/trigger.zip
TRIGGER_SOURCES := $(shell find lambdas/trigger -type f -not -path '*/__pycache__/*' -not -name '.*')

$(TRIGGER_PACKAGE): $(TRIGGER_SOURCES) scripts/package_lambda.py
	$(PYTHON) scripts/package_lambda.py lambdas/trigger $@

build: $(TRIGGER_PACKAGE) ## Package the trigger Lambda into lambdas/trigger.zip (deterministic, committed)

sample-data: $(VENV)/.installed ## Write build/sample-data/churn.csv (ROWS=3000 SEED=7)
	$(PY) -m sample_data --rows $(or $(ROWS),3000) --seed $(or $(SEED),7) --output $(BUILD)/sample-data/churn.csv

tf-init: $(TF_CLI_CONFIG_DEP) ## terraform init (root and module), offline from the mirror when present
	@for d in $(TF_DIRS); do terraform -chdir=$$d init -backend=false -input=false >/dev/null || exit 1; done

fmt: ## Format Terraform and Python
	terraform fmt -recursive
	$(VENV)/bin/ruff format .

lint: $(VENV)/.installed ## terraform fmt -check, ruff, and tflint (AWS ruleset) when tflint is installed
	terraform fmt -check -recursive
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/package_lambda.py --check lambdas/trigger $(TRIGGER_PACKAGE)
	@if command -v tflint >/dev/null; then \
	  tflint --init --config="$(CURDIR)/.tflint.hcl" && \
	  tflint --recursive --config="$(CURDIR)/.tflint.hcl"; \
	else echo "tflint is not installed: skipped (https://github.com/terraform-linters/tflint)"; fi

validate: tf-init ## terraform validate for the root and the module
	@for d in $(TF_DIRS); do echo "validate $$d"; terraform -chdir=$$d validate -no-color || exit 1; done

tf-test: tf-test-configurations tf-test-module ## Native terraform test suites: module, root, examples (mock provider)

tf-test-module: tf-init
	terraform -chdir=modules/mlops_pipeline test -no-color

tf-test-configurations: tf-init
	terraform -chdir=terraform test -no-color -var-file=../environments/demo.tfvars
	terraform -chdir=examples/minimal test -no-color
	terraform -chdir=examples/complete test -no-color

# checkov: static security analysis of the module and the root, offline (--skip-download: no platform policies,
# no API key). Pinned, and installed into its own venv: it brings about a hundred packages and caps some
# below the project's (boto3/botocore 1.35, packaging 23), so it stays out of .venv. Inline `#checkov:skip=` comments in the module
# give the reason for each check the defaults do not meet; any failed check fails the target.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV    := $(BUILD)/checkov-venv
CHECKOV_DIRS    := modules/mlops_pipeline terraform

$(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION):
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

checkov: $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION) ## checkov (pinned, offline) on the module and the root: fails on any failed check
	@for d in $(CHECKOV_DIRS); do \
	  echo "checkov $$d"; \
	  $(CHECKOV_VENV)/bin/checkov --skip-download --framework terraform --compact --quiet -d $$d || exit 1; \
	done

# pytest runs test files on PYTEST_WORKERS processes (pytest-xdist): the end-to-end files spend most of
# their time in the aws provider's fixed waits, and they are the longest, so files start in collection
# order (tests/e2e first) rather than xdist's default of the files with the most tests first. terraform validate and the terraform test suites
# (CPU-bound) run beside it; local runs never write into the configurations they check (they work from
# copies under .localcloud/terraform/), so nothing is shared.
PYTEST_WORKERS ?= 3

test: venv lint $(TF_CLI_CONFIG_DEP) ## Everything CI runs: lint, validate, terraform test, checkov, pytest
	@mkdir -p $(BUILD)
	@$(MAKE) --no-print-directory validate tf-test checkov > $(BUILD)/terraform-checks.log 2>&1 & checks=$$!; \
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder; pytest_status=$$?; \
	wait $$checks; checks_status=$$?; \
	echo "make validate tf-test checkov (ran beside pytest):"; cat $(BUILD)/terraform-checks.log; \
	exit $$(( pytest_status || checks_status ))

demo: venv $(TRIGGER_PACKAGE) $(TF_CLI_CONFIG_DEP) ## Run the whole pipeline offline: local AWS, terraform apply, upload, predict (DEMO=serverless: one option changed)
	$(PY) -m localcloud.tools.demo $(if $(DEMO),--variant $(DEMO))

# The local cloud records every call a pipeline role made (allowed or denied) in its access log; the report
# lists per role what was used and which statements of the module's policies nothing used.
IAM_ACCESS_LOG ?= .localcloud/iam/access-log.jsonl

iam-report: venv ## After `make demo` (or IAM_ACCESS_LOG=build/iam-access/<e2e file>.jsonl): per role, used and unused grants
	$(PY) -m localcloud.iam.report $(IAM_ACCESS_LOG)

bench: venv $(TRIGGER_PACKAGE) $(TF_CLI_CONFIG_DEP) ## Offline pipeline: seconds per stage, endpoint latency and throughput
	$(PY) -m benchmarks.pipeline_bench

bench-burst: venv $(TRIGGER_PACKAGE) $(TF_CLI_CONFIG_DEP) ## Offline: 8 uploads at once; each run's outcome and seconds, which model serves
	$(PY) -m benchmarks.burst_bench

bench-etl: venv ## Glue job on local Spark with 1M and 5M generated rows, beside a DuckDB baseline doing the same work
	$(PY) benchmarks/etl_bench.py

bench-transform: venv ## Offline batch transform of 100k generated rows: rows/s
	$(PY) -m benchmarks.transform_throughput

bench-scoring: venv $(TRIGGER_PACKAGE) $(TF_CLI_CONFIG_DEP) ## Offline scoring run (upload -> manifest) of 100k feature rows: rows/s
	$(PY) -m benchmarks.scoring_run

bench-tuning: venv ## Offline tuning job: 6 candidates, 2 in parallel, 3,000 rows: wall time
	$(PY) -m benchmarks.tuning_wall_time

bench-training: venv ## Offline training job beside raw xgboost.train on the same data: seconds and ratio
	$(PY) -m benchmarks.training_overhead

local-up: venv ## Start the offline cloud in the background (http://127.0.0.1:4566)
	$(PY) -m localcloud start

local-down: ## Stop the offline cloud
	$(PY) -m localcloud stop

clean: ## Remove build output, the local cloud's state (the demo's Terraform working copy included) and caches
	rm -rf $(BUILD) .localcloud .pytest_cache .ruff_cache
	find . -name .terraform -type d -prune -exec rm -rf {} +
