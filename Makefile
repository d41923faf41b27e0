# Each target installs the Debian packages it needs (the machine is Debian, we are root).
SYSTEM_PACKAGES := libsndfile1-dev zlib1g-dev libopenblas-dev libfftw3-dev pkg-config
PORT ?= 8080

.PHONY: deps build serve test bench

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

# openapi-spec-validator (PyPI) checks openapi.yaml inside the test run.
test: deps
	python3 -c 'import openapi_spec_validator' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check openapi-spec-validator
	swift test --no-parallel

bench: build
	bash bench/run
