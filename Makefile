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

TF_DIRS := terraform modules/mlops_pipeline

.PHONY: help venv build sample-data tf-init fmt lint validate tf-test test demo bench bench-etl \
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

build: $(VENV)/.installed ## Package the trigger Lambda into build/ (deterministic zip)
	$(PY) scripts/package_lambda.py lambdas/trigger $(BUILD)/trigger.zip

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
	@if command -v tflint >/dev/null; then \
	  tflint --init --config="$(CURDIR)/.tflint.hcl" && \
	  tflint --recursive --config="$(CURDIR)/.tflint.hcl"; \
	else echo "tflint is not installed: skipped (https://github.com/terraform-linters/tflint)"; fi

validate: tf-init build ## terraform validate for the root and the module
	@for d in $(TF_DIRS); do echo "validate $$d"; terraform -chdir=$$d validate -no-color || exit 1; done

tf-test: tf-init build ## Native terraform test suites of the module and the root (mock provider)
	terraform -chdir=modules/mlops_pipeline test -no-color
	terraform -chdir=terraform test -no-color -var-file=../environments/demo.tfvars

test: venv lint validate tf-test ## Everything CI runs: lint, validate, terraform test, pytest
	$(VENV)/bin/pytest

demo: venv build $(TF_CLI_CONFIG_DEP) ## Run the whole pipeline offline: local AWS, terraform apply, upload, predict
	$(PY) -m localcloud.demo

bench: venv build $(TF_CLI_CONFIG_DEP) ## Offline pipeline: seconds per stage, endpoint latency and throughput
	$(PY) -m benchmarks.pipeline_bench

bench-etl: venv ## Glue job on local Spark with 100k and 1M generated rows
	$(PY) benchmarks/etl_bench.py

local-up: venv ## Start the offline cloud in the background (http://127.0.0.1:4566)
	$(PY) -m localcloud start

local-down: ## Stop the offline cloud
	$(PY) -m localcloud stop

clean: ## Remove build output, the demo's local Terraform workspace state and caches
	rm -rf $(BUILD) .localcloud .pytest_cache .ruff_cache terraform/terraform.tfstate.d/localcloud-demo
	find . -name .terraform -type d -prune -exec rm -rf {} +
