// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "diffwave-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "diffwave", targets: ["diffwave"]),
        .library(name: "DiffWave", targets: ["DiffWave"]),
        .library(name: "VocoderServer", targets: ["VocoderServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // C libraries, each behind a module map; Debian package names for `swift build` hints.
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        // Not "CZlib": ZIPFoundation already defines a clang module of that name.
        .systemLibrary(name: "CZlibSystem", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // oneDNN: the float32 GEMM (dnnl_sgemm) and the bf16 matmul primitive (no pkg-config file on Debian).
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),

        // The engine: checkpoints, model, kernels, audio. Knows nothing of HTTP.
        .target(
            name: "DiffWave",
            dependencies: ["CSndfile", "CBLAS", "CDNNL", "CZlibSystem", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        // HTTP server, job queue and API over the engine's public API.
        .target(
            name: "VocoderServer",
            dependencies: ["DiffWave", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "diffwave",
            dependencies: [
                "DiffWave", "VocoderServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "DiffWaveTests", dependencies: ["DiffWave"], resources: [.copy("Fixtures")]),
        .testTarget(name: "VocoderServerTests", dependencies: ["VocoderServer", "DiffWave"]),
    ],
    swiftLanguageModes: [.v6]
)
