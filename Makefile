.PHONY: help run test bench allocations build format protos
help: ## Show this help
	@grep -E "^[a-z-]+:.*## " $(MAKEFILE_LIST) | sed -E "s/:.*## /\t/"
REPLICAS ?= 2
run: ## Build and run the gateway and REPLICAS CoreEngine replicas (default 2) with a local trace view (no Docker)
	REPLICAS=$(REPLICAS) scripts/run-local.sh
test: ## Run the whole test suite: unit, integration and end-to-end
	scripts/test.sh
bench: ## Benchmark: throughput, CPU, instructions and allocations per request, next to the floor and the Go peer
	scripts/bench
allocations: ## Allocation guard: malloc counts per request (package-benchmark) against Benchmarks/Thresholds
	scripts/allocation-benchmarks.sh
build: ## Debug build of both services
	swift build
format: ## Format every Swift file with swift-format (.swift-format; make test fails on an unformatted one)
	scripts/format.sh
protos: ## Regenerate Shared/MarketDataContract/Generated from Shared/MarketDataContract/Protos (builds the protoc plugins once)
	scripts/generate-protos.sh
