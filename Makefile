# PhotoVault — one entry point for developers, CI and operators.
SHELL        := bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := help

ENV     ?= dev
PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
TF      ?= terraform
TF_DIR  := terraform
PLAN    := $(TF_DIR)/$(ENV).tfplan
# Stand-in providers that serve the real AWS/TLS schemas, so terraform validate and terraform test run offline.
TFSTUB  ?= ../shared/tools/tfstub/tfstub
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml requirements/*.txt requirements/no-deps/*.txt 2>/dev/null | sha1sum | cut -c1-12)

export PYTHONPATH := $(CURDIR)/lambda_src:$(CURDIR)

.PHONY: help install install-local run test test-fast tftest lint fmt typecheck build bench openapi web-formats plan apply destroy \
        redrive reprocess inspect bootstrap-state docs terraform-docs clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  \033[36m%-16s\033[0m %s\n",$$1,$$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]' $(foreach f,$(wildcard requirements/*.txt),-r $(f))
	$(PIP) install -q --no-deps $(foreach f,$(wildcard requirements/no-deps/*.txt),-r $(f))
	rm -f $(VENV)/.installed-*
	touch $@

# checkov pins an old boto3 and installs a conflicting `hcl2` package: it gets a virtualenv of its own.
$(VENV)/bin/checkov: requirements/tools/checkov.txt | $(STAMP)
	$(PYTHON) -m venv $(VENV)/tools/checkov
	$(VENV)/tools/checkov/bin/pip install -q -r $<
	ln -sfn ../tools/checkov/bin/checkov $@

# The web app's lint and unit-test tools, exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(VENV)/bin/checkov node_modules/.installed ## Create .venv and node_modules; install everything the project needs

run: install ## Bring the whole product up locally on the embedded AWS emulator (Ctrl-C stops it)
	$(PY) -m scripts.local_stack

test: install ## The whole suite: lint, type check, node --test (web), pytest (unit, integration, infra, e2e), terraform fmt, checkov, terraform test
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	node --test tests/js/
	$(PY) -m pytest -n 2 --dist loadgroup -q
	@if command -v $(TF) >/dev/null 2>&1; then $(TF) fmt -check -recursive $(TF_DIR); else echo "terraform not installed: fmt check skipped"; fi
	$(VENV)/bin/checkov --quiet --compact --skip-download --framework terraform -d $(TF_DIR)
	$(MAKE) --no-print-directory tftest

tftest: install ## terraform validate + terraform/tests/*/*.tftest.hcl (mock providers), offline through $(TFSTUB)
	@if ! command -v $(TF) >/dev/null 2>&1; then echo "tftest skipped: terraform not installed"; \
	elif [ ! -f $(TFSTUB) ]; then echo "tftest skipped: no $(TFSTUB) here (ci.yml runs them with the real providers)"; \
	else $(PY) -m scripts.tftest --tfstub $(TFSTUB); fi

test-fast: install ## Unit tests only
	$(PY) -m pytest -q tests/unit

lint: install ## ruff (lint + format check), ESLint on the web app, and the workflow linters
	$(VENV)/bin/ruff check .
	node_modules/.bin/eslint web tests/js eslint.config.js
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/actionlint
	$(VENV)/bin/zizmor --offline .github/workflows

typecheck: install ## mypy on the Lambda package
	$(VENV)/bin/mypy

fmt: install ## Format Python and Terraform
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	@if command -v $(TF) >/dev/null 2>&1; then $(TF) fmt -recursive $(TF_DIR); fi

build: install ## Deterministic Lambda zips in dist/ (Lambda platform wheels, arm64 by default)
	$(PY) -m scripts.build_lambda

bench: install ## Benchmarks: ratios against baselines measured in the same run (ARGS=--quick | "--only CASE")
	$(PY) -m benchmarks.run $(ARGS)

openapi: install ## Write the OpenAPI document generated from the API code
	$(PY) -m scripts.openapi > docs/openapi.json

web-formats: install ## Write web/js/formats.js from the one list of accepted formats (images/formats.py)
	$(PY) -m scripts.web_formats > web/js/formats.js

plan: build ## terraform plan for ENV (workspace = ENV), saved to terraform/ENV.tfplan
	$(TF) -chdir=$(TF_DIR) init -input=false $(if $(wildcard $(TF_DIR)/backend.hcl),-backend-config=backend.hcl)
	$(TF) -chdir=$(TF_DIR) workspace select -or-create $(ENV)
	$(TF) -chdir=$(TF_DIR) plan -input=false -var-file=environments/$(ENV).tfvars -out=$(ENV).tfplan

apply: ## Apply the saved plan for ENV (never plans on its own)
	@test -f $(PLAN) || { echo "no saved plan $(PLAN): run 'make plan ENV=$(ENV)' first"; exit 1; }
	$(TF) -chdir=$(TF_DIR) workspace select $(ENV)
	$(TF) -chdir=$(TF_DIR) apply -input=false $(ENV).tfplan

destroy: ## Destroy ENV: dev/staging buckets are emptied (force_destroy); prod needs CONFIRM_DESTROY=prod and keeps its data
	@if [ "$(ENV)" = "prod" ] && [ "$${CONFIRM_DESTROY:-}" != "prod" ]; then echo "refusing to destroy prod without CONFIRM_DESTROY=prod"; exit 1; fi
	$(TF) -chdir=$(TF_DIR) workspace select $(ENV)
	$(TF) -chdir=$(TF_DIR) destroy -input=false -var-file=environments/$(ENV).tfvars

redrive: install ## Move a DLQ back to its queue (ENV=, ARGS=--dry-run|--fallback|"--rate 50"|"--queue intake|jobs")
	$(PY) -m scripts.redrive --env $(ENV) $(ARGS)

reprocess: install ## Re-run the pipeline on photos (ENV=, ARGS="--status READY --since 2026-01-01" | --all | "--user SUB"; add "--steps embed" to add search vectors only)
	$(PY) -m scripts.reprocess --env $(ENV) $(ARGS)

inspect: install ## A photo's full processing record (ENV=, KEY=uploads/<sub>/<photo_id>, ARGS=--json)
	$(PY) -m scripts.inspect_photo --env $(ENV) --key $(KEY) $(ARGS)

bootstrap-state: install ## Create the remote-state bucket for ENV and write terraform/backend.hcl
	$(PY) -m scripts.bootstrap_state --env $(ENV)

docs: install ## Regenerate docs: OpenAPI document, module READMEs (terraform-docs tables)
	$(MAKE) --no-print-directory openapi
	$(MAKE) --no-print-directory web-formats
	$(MAKE) --no-print-directory terraform-docs

terraform-docs: install ## Rewrite the terraform-docs tables of terraform/modules/*/README.md (same output as terraform-docs 0.20)
	$(PY) -m scripts.terraform_docs --write

clean: ## Remove generated files
	rm -rf dist .pytest_cache .mypy_cache .ruff_cache test-artifacts node_modules
