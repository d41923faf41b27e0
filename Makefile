# Each target installs the Debian packages it needs (the machine is Debian, we are root).
SYSTEM_PACKAGES := libsndfile1-dev zlib1g-dev libopenblas-dev libfftw3-dev libdnnl-dev pkg-config
PORT ?= 8080

# Tools `make stress` drives the service with (Debian packages).
STRESS_PACKAGES := wrk slowhttptest curl

.PHONY: deps stress-deps build serve test bench stress fuzz

# Installs only what is missing, so repeated runs cost one dpkg query.
deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	swift build -c release

# MODEL=/path/to/checkpoint.pt serves a trained model; without it, the built-in untrained one.
serve: build
	.build/release/diffwave serve --port $(PORT) $(if $(MODEL),--model $(MODEL))

# openapi-spec-validator (PyPI) checks openapi.yaml inside the test run; then Schemathesis
# (PyPI, in .venv-schemathesis) tests the live service against it with a small budget.
test: deps
	python3 -c 'import openapi_spec_validator' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check openapi-spec-validator
	swift test --no-parallel
	bash scripts/schemathesis --max-examples 20

stress-deps:
	@missing=$$(for p in $(STRESS_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# Load, slow clients and a larger Schemathesis budget against the release build (~6 min).
stress: build stress-deps
	bash scripts/stress --binary .build/release/diffwave
	bash scripts/schemathesis --max-examples 200 --binary .build/release/diffwave

# libFuzzer targets (swiftc -sanitize=fuzzer,address), 140 s each: about 13 min with the build.
FUZZ_SECONDS ?= 140
fuzz: deps
	bash fuzz/build
	bash fuzz/run $(FUZZ_SECONDS)

bench: build
	bash bench/run
