// swift-tools-version:6.0
import PackageDescription

// The engine's element-wise kernels (16-lane SIMD) compile for this CPU level. On x86-64 the
// default is `haswell` (x86-64-v3: AVX2 and FMA, every x86 server CPU since 2013): the kernels
// are written around fused multiply-adds and wide vectors, which the SSE2 baseline lacks
// (bench/README.md has the figures); `diffwave` checks the CPU at start-up and says so where it
// falls short. DIFFWAVE_TARGET_CPU overrides it: `x86-64` for older CPUs, or e.g. `znver4` /
// `sapphirerapids` to use AVX-512 on a build for that machine.
let targetCPU: [String] = {
    if let cpu = Context.environment["DIFFWAVE_TARGET_CPU"] { return cpu.isEmpty ? [] : ["-target-cpu", cpu] }
    #if arch(x86_64)
    return ["-target-cpu", "haswell"]
    #else
    return []
    #endif
}()
/// Tells `diffwave` to check for x86-64-v3 at start-up (Sources/diffwave/EngineCPU.swift).
let engineCPUCheck: [SwiftSetting] = targetCPU == ["-target-cpu", "haswell"] ? [.define("ENGINE_X86_64_V3")] : []

let package = Package(
    name: "diffwave-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "diffwave", targets: ["diffwave"]),
        .library(name: "DiffWave", targets: ["DiffWave"]),
        .library(name: "HTTP", targets: ["HTTP"]),
        .library(name: "VocoderServer", targets: ["VocoderServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // C libraries, each behind a module map; Debian package names for `swift build` hints.
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        // Not "CZlib": ZIPFoundation already defines a clang module of that name.
        .systemLibrary(name: "CZlibSystem", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        // oneDNN: the float32 GEMM (dnnl_sgemm) and the bf16 matmul primitive (no pkg-config file on Debian).
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        // hiredis 0.14, the Redis client behind `--job-store redis://` (Sources/VocoderServer/Redis).
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),

        // The engine: checkpoints, model, kernels, audio. Knows nothing of HTTP.
        .target(
            name: "DiffWave",
            dependencies: ["CSndfile", "CBLAS", "CDNNL", "CFFTW", "CZlibSystem", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: [
                .unsafeFlags(["-Ounchecked"] + targetCPU, .when(configuration: .release)),
                // Unoptimised, the kernels' SIMD code is far too slow for tests that run it on real models.
                .unsafeFlags(["-O"] + targetCPU, .when(configuration: .debug)),
            ]
        ),
        // HTTP/1.1 on BSD sockets: parser, router, limits, problem+json. Knows nothing of the
        // engine or the service, which sit above it.
        .target(name: "HTTP", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // The service: routes over VocoderService, jobs, workers, configuration.
        .target(
            name: "VocoderServer",
            dependencies: [
                "DiffWave", "HTTP", "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("API/openapi.yaml")]
        ),
        .executableTarget(
            name: "diffwave",
            dependencies: [
                "DiffWave", "HTTP", "VocoderServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: engineCPUCheck
        ),
        // Helpers every test target shares: a raw HTTP client, log capture.
        .target(name: "TestSupport", dependencies: [.product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport"),
        .testTarget(name: "DiffWaveTests", dependencies: ["DiffWave", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "VocoderServerTests", dependencies: ["VocoderServer", "HTTP", "DiffWave", "TestSupport"]),
        // Runs the built `diffwave` executable (the dependency makes `swift test` build it).
        .testTarget(name: "DiffWaveCLITests", dependencies: ["diffwave", "DiffWave", "VocoderServer", "TestSupport"]),
        // Process-level fault tests: launch the built `diffwave serve` and misbehave at it.
        .testTarget(name: "ServiceFaultTests", dependencies: ["diffwave", "DiffWave", "HTTP", "VocoderServer", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
