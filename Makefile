# mlcache: developer entry points. npm scripts are the source of truth; this file orchestrates.
SHELL := /bin/bash
TRACES ?= ../shared/traces
# Node 26 and the project tools come from node_modules/.bin.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: install
install: ## Install dependencies (npm ci)
	npm ci

.PHONY: build
build: ## Check that everything compiles (sources run directly on Node 26; no emit step)
	npm run typecheck

.PHONY: typecheck
typecheck: ## Type-check the whole repository
	npm run typecheck

.PHONY: lint
lint: ## Lint (type-aware rules and the dependency rule)
	npm run lint

.PHONY: fmt
fmt: ## Format with Prettier
	npm run format

.PHONY: format-check
format-check: ## Check formatting
	npm run format:check

.PHONY: test
test: ## Run every test (unit and integration)
	npm test

.PHONY: test-unit
test-unit: ## Run unit tests only
	npm run test:unit

.PHONY: test-int
test-int: ## Run integration tests only
	npm run test:int

.PHONY: ci
ci: ## Run what CI runs
	bash .ci/run

##@ Benchmarks

.PHONY: bench
bench: bench-node bench-sim bench-ml ## Run the node, simulator and learned-policy benchmarks (also: npm run bench:gateway, bench:hot-shards)

.PHONY: bench-node
bench-node: ## redis-benchmark against redis-server and an mlcache node, side by side
	npm run bench:node

.PHONY: bench-sim
bench-sim: ## Simulator replay speed per policy
	npm run bench:sim

.PHONY: bench-ml
bench-ml: ## redis-benchmark of ml-lfu/ml-lru against lfu/lru with constant eviction
	npm run bench:ml

##@ ML and evaluation

.PHONY: simulate
simulate: ## Replay the shared traces through every policy (table on the terminal)
	npx mlcache sim --trace $(TRACES)/csv --sizes 0.01,0.05,0.1 --ignore-size

.PHONY: default-model
default-model: ## Retrain ml-scorer/models/default.onnx on synthetic workloads (never the shared traces)
	node hack/train-default-model.ts

.PHONY: learned-eval
learned-eval: ## Rerun the learned policies on every shared trace (~15 CPU minutes) into docs/data/learned-eval.jsonl
	node ml-scorer/bench/ml-eval.ts --traces $(TRACES)/csv --out docs/data/learned-eval.jsonl
	node ml-scorer/bench/ml-report.ts docs/data/learned-eval.jsonl --tuning arc_OLTP,c2k_web07

.PHONY: eviction-report
eviction-report: ## Regenerate docs/eviction-results.md and docs/plots/ (learned rows from docs/data/learned-eval.jsonl)
	node hack/eviction-report.ts --traces $(TRACES)
