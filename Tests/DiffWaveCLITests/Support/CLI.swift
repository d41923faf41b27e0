import Foundation
@testable import DiffWave

/// Runs the `diffwave` executable that `swift test` built beside the test bundle.
enum CLI {
    static let productsDirectory: URL = {
        // The test runner lives in the products directory (…/debug/<package>PackageTests.xctest).
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("diffwave").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DiffWaveTests/Fixtures")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("diffwave")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryFile(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("diffwave-cli-\(UUID().uuidString)\(suffix)").path
    }

    /// Samples of a float WAV, read back through the engine's own decoder.
    static func readAudio(_ path: String) throws -> (samples: [Float], sampleRate: Int) {
        let decoded = try AudioDecoder.decode(Data(contentsOf: URL(fileURLWithPath: path)))
        return (decoded.samples, decoded.sampleRate)
    }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
