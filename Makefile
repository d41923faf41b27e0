# Each target installs the Debian packages it needs (the machine is Debian, we are root).
SYSTEM_PACKAGES := libsndfile1-dev zlib1g-dev libopenblas-dev libdnnl-dev pkg-config
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

serve: build
	.build/release/diffwave serve --port $(PORT)

test: deps
	swift test

bench: build
	bash bench/run
