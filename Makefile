# twinstack — the commands README promises. Each target installs what it lacks.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
RELEASE_BIN := target/release
# The one release build every target uses: all the workspace's binaries, packages left unselected.
# `cargo lambda watch --release` runs `cargo run --release --bin twinstack-lambda` in the workspace,
# which also leaves packages unselected: features unify over the same packages and only binaries are
# roots (so every dependency gets the same LTO codegen), and the emulator finds it built. A `-p` list
# would unify another feature set and make libraries roots, so each dependency would compile twice.
RELEASE_BUILD := $(CARGO) build --release --locked --bins

.PHONY: test lint unit deps-test run bench bench-db bench-telemetry release

## make test: installs what is missing, then lint, every test (unit, property, integration, both twins),
## and the offline validation of the deployables.
test: deps-test
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint; lint_end=$$(date +%s); \
	$(MAKE) --no-print-directory unit; unit_end=$$(date +%s); \
	$(MAKE) --no-print-directory validate-deployables; end=$$(date +%s); \
	echo "make test: lint $$((lint_end - start)) s, tests $$((unit_end - lint_end)) s, deployables $$((end - unit_end)) s"

deps-test:
	@deploy/scripts/install-deps.sh postgres dynamodb-local cargo-lambda promtool schemathesis moto cargo-deny cargo-audit

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	@$(MAKE) --no-print-directory fuzz-check supply-chain

unit:
	$(CARGO) test --workspace --all-targets --locked

release:
	$(RELEASE_BUILD)

## make bench: both twins side by side on this machine — throwaway Postgres + twinstack-server,
## DynamoDB Local + twinstack-lambda under cargo lambda watch — the same scaled loadtest/crud.yml
## against each in turn, a cold-start probe, then target/twinstack/report/{results.json,report.md,report.html}
## with the cost projection. Deployed stacks: make bench BENCH_ARGS="--serverless-url URL --kubernetes-url URL".
BENCH_ARGS ?=
bench: deps-test release
	$(RELEASE_BIN)/twinstack bench $(BENCH_ARGS)

## make run: throwaway Postgres, migrate, seed, serve on :8080 (Ctrl-C stops and cleans up).
run: deps-test release
	@deploy/scripts/run-local.sh

## make bench-db: GET /api/users/{id} with wrk next to pgbench -S -M prepared, same database, same run.
bench-db: deps-test release
	@deploy/scripts/install-deps.sh wrk
	@deploy/scripts/bench-db.sh

## make bench-telemetry: twinstack-server's throughput with telemetry (request logs, /metrics scraped,
## OTLP traces to a local sink) on versus off, alternating rounds in one run (issue #7: loss <= 5%).
bench-telemetry: deps-test release
	@deploy/scripts/install-deps.sh wrk
	@deploy/scripts/bench-telemetry.sh

## make validate-deployables: Dockerfile, compose file, deploy scripts, Helm chart and CDK app, offline.
.PHONY: validate-deployables
validate-deployables:
	@deploy/scripts/validate-deployables.sh

## make bench-lambda: the Lambda twin's init, RSS, zip size, emulator throughput and warm handler
## times, each next to its baseline in the same run (target/twinstack/bench-lambda/summary.md).
.PHONY: bench-lambda
bench-lambda: release
	@CARGO=$(CARGO) deploy/scripts/bench-lambda.sh

## make bench-pipeline: the data-processing workload's 1,000,000 records in-process, via worker
## processes and via the Lambda function: wall time, peak RSS, CPU per chunk, per-stage records/s per
## core, checksum; the Lambda's zip, init, transitions, S3 requests and GB-seconds
## (target/twinstack/bench-pipeline/summary.md).
.PHONY: bench-pipeline
bench-pipeline: release
	@deploy/scripts/install-deps.sh gnu-time dynamodb-local cargo-lambda moto
	@deploy/scripts/bench-pipeline.sh

## make bench-realtime: issue 12's real-time targets on the release server: 10,000 idle connections
## (RSS per connection) and delivery p50/p95/p99, lost, duplicated at 1,000 deliveries/s for 60 s
## (target/twinstack/realtime-targets/report.md).
.PHONY: bench-realtime
bench-realtime: deps-test release
	@deploy/scripts/bench-realtime-targets.sh

## make supply-chain (part of make test): cargo deny (advisories, licences, bans, sources: deny.toml)
## and cargo audit, offline, on the RustSec snapshot in ../shared/data/rustsec-advisory-db beside
## the repository (RUSTSEC_ADVISORY_DB=DIR for another); without one, advisories are skipped, saying so.
.PHONY: supply-chain
supply-chain:
	@deploy/scripts/install-deps.sh cargo-deny cargo-audit
	@deploy/scripts/supply-chain.sh

## make fuzz: each cargo fuzz target (fuzz/fuzz_targets: request validators, cursor, Artillery
## templates, Lambda events) for FUZZ_SECONDS; FUZZ_TARGETS="a b" for some. Stops at the first crash.
FUZZ_SECONDS ?= 30
.PHONY: fuzz fuzz-check
fuzz:
	@deploy/scripts/install-deps.sh cargo-fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) deploy/scripts/fuzz.sh

## make fuzz-check (part of make lint): the fuzz targets, a workspace of their own, formatted and
## clippy-clean without instrumenting or running them (make fuzz does that).
fuzz-check:
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml -- --check
	$(CARGO) clippy --manifest-path fuzz/Cargo.toml --all-targets --no-default-features --locked -- -D warnings

## make sbom: CycloneDX SBOMs of twinstack-server (the server image's binary) and twinstack-lambda
## (the Lambda zip's bootstrap) in target/twinstack/sbom/, checked against the crates they link.
.PHONY: sbom
sbom:
	@deploy/scripts/install-deps.sh cargo-cyclonedx
	@deploy/scripts/sbom.sh
