# syntax=docker/dockerfile:1
#
# diffwave-server container image: a static-stdlib Swift build, run on Debian slim with only the
# C libraries it links (libsndfile, zlib, OpenBLAS, FFTW, oneDNN, hiredis).
#
#   docker build -t diffwave-server:1.0.0 .
#   docker run --rm -p 8080:8080 diffwave-server:1.0.0                # built-in untrained BASE model
#   docker run --rm -p 8080:8080 -v "$PWD/models:/models:ro" \
#              -e DIFFWAVE_MODEL=/models/diffwave.pt diffwave-server:1.0.0  # a trained checkpoint
#
# The toolchain defaults to the one the project is developed with; another 6.x release works
# with --build-arg SWIFT_VERSION=6.1 (any tag of the form swift:<version>-bookworm).

ARG SWIFT_VERSION=6.3

# ---------------------------------------------------------------------------------------------
# Build stage
# ---------------------------------------------------------------------------------------------
FROM swift:${SWIFT_VERSION}-bookworm AS build

# Headers and pkg-config files of the system-library targets (CSndfile, CZlibSystem, CBLAS,
# CFFTW, CDNNL, CHiredis): the same -dev packages as `make deps` (scripts/image-test checks that they agree).
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends \
        libsndfile1-dev \
        zlib1g-dev \
        libopenblas-dev \
        libfftw3-dev \
        libdnnl-dev \
        libhiredis-dev \
        pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# The manifest (and Package.resolved when the context has one) first: the dependency checkouts
# stay in a cached layer until the manifest changes.
COPY Package.* ./
RUN swift package resolve

# Then the code. Tests/ is copied only because the manifest declares test targets, which must
# exist for the package to load; nothing in it is built (.dockerignore drops the fixtures).
COPY Sources ./Sources
COPY Tests ./Tests

# --static-swift-stdlib links the Swift runtime and Foundation into the binary, so the runtime
# image needs no toolchain. SwiftPM writes resource bundles (VocoderServer's openapi.yaml) next
# to the executable, and Bundle.module looks for them there: they travel with it.
# The engine's kernels compile for TARGET_CPU (Package.swift): haswell = x86-64-v3 (AVX2, FMA),
# which the binary checks for at start-up; --build-arg TARGET_CPU=x86-64 builds for any x86-64
# CPU (slower), TARGET_CPU=znver4 or sapphirerapids for AVX-512 hosts.
# scripts/image-test runs this first RUN as it stands to build the binary it tests.
ARG TARGET_CPU=haswell
ENV DIFFWAVE_TARGET_CPU=${TARGET_CPU}
RUN swift build -c release --static-swift-stdlib --product diffwave
RUN bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir -p /staging \
    && cp "$bin/diffwave" /staging/diffwave \
    && find "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \; \
    && /staging/diffwave --help >/dev/null

# ---------------------------------------------------------------------------------------------
# Runtime stage
# ---------------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# One package for each library the binary names (readelf -d: NEEDED) beyond the C library
# itself; what those libraries need in turn (libOpenCL and libgomp for oneDNN, libsndfile's
# codecs) comes with them through apt. scripts/image-test checks this list against the binary
# both ways. No CA certificates: the server makes no outgoing connections.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends \
        libsndfile1 \
        zlib1g \
        libopenblas0-pthread \
        libfftw3-single3 \
        libdnnl2 \
        libhiredis0.14 \
        libstdc++6 \
        libgcc-s1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 diffwave \
    && useradd --system --uid 10001 --gid diffwave --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin diffwave \
    && mkdir -p /models

COPY --from=build /staging/ /app/

LABEL org.opencontainers.image.title="diffwave-server" \
      org.opencontainers.image.description="DiffWave neural vocoder over HTTP (mel spectrogram in, speech out)"

# Every setting of `diffwave serve` is also a DIFFWAVE_* variable (see `diffwave serve --help`).
# DIFFWAVE_MODEL=/models/diffwave.pt selects a checkpoint mounted at /models; without it the
# built-in, untrained BASE model serves (noise-like audio: for trying the API, not for speech).
ENV DIFFWAVE_HOST=0.0.0.0 \
    DIFFWAVE_PORT=8080
VOLUME /models
EXPOSE 8080

# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001

# The binary probes itself (the slim image has no curl); the port follows DIFFWAVE_PORT.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/bin/sh", "-c", "exec /app/diffwave healthcheck --url \"http://127.0.0.1:${DIFFWAVE_PORT:-8080}/healthz\""]

# SIGTERM starts a graceful drain (DIFFWAVE_DRAIN_TIMEOUT, 30 s by default): give `docker stop`
# a longer grace period (`docker stop -t 45`, compose's stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/diffwave", "serve"]
