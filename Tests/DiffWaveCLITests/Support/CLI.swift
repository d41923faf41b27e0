import Foundation
import TestSupport
@testable import DiffWave

/// Runs the `diffwave` executable that `swift test` built beside the test bundle.
enum CLI {
    static func fixture(_ name: String) -> String { TestPaths.fixture(name) }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = TestPaths.diffwave
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
}
