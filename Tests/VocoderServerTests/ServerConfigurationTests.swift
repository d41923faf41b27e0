@testable import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

@Suite struct ServerConfigurationTests {
    @Test func defaults() {
        let c = ServerConfiguration()
        #expect(c.host == "0.0.0.0" && c.port == 8080 && c.model == nil)
        #expect(c.workers == max(1, ProcessInfo.processInfo.activeProcessorCount / ServerConfiguration.defaultThreadsPerJob))
        #expect(c.threadsPerJob == ServerConfiguration.defaultThreadsPerJob && c.queueCapacity == 16)
        #expect(c.maxFrames == 2000 && c.maxSamples == 2000 * 256)
        #expect(c.jobTTL == .seconds(600) && c.syncTimeout == .seconds(300))
        #expect(c.drainTimeout == .seconds(30) && c.retryAfter == .seconds(5))
        #expect(c.maxResultBytes == 256 * 1024 * 1024 && c.maxDecodedBodyBytes == 64 * 1024 * 1024)
        #expect(c.http == ServerLimits() && c.precision == .float32)
        #expect(c.memoryBudgetMB == 224 && c.bf16MemoryBudgetMB == 2048)
        #expect(throws: Never.self) { try c.validate() }
    }

    @Test func validateRefusesSettingsThatCannotWork() {
        let cases: [(String, (inout ServerConfiguration) -> Void)] = [
            ("port must be in 0...65535, got 70000", { $0.port = 70000 }),
            ("port must be in 0...65535, got -1", { $0.port = -1 }),
            ("workers must be at least 1", { $0.workers = 0 }),
            ("threads-per-job must be at least 1", { $0.threadsPerJob = 0 }),
            ("queue must be at least 0", { $0.queueCapacity = -1 }),
            ("max-frames and max-samples must be at least 1", { $0.maxFrames = 0 }),
            ("max-frames and max-samples must be at least 1", { $0.maxSamples = 0 }),
            ("byte limits must be positive", { $0.maxDecodedBodyBytes = 0 }),
            ("memory-budget-mb must be at most 1048576", { $0.memoryBudgetMB = 1 << 21 }),
            ("bf16-memory-budget-mb must be at most 1048576", { $0.bf16MemoryBudgetMB = 1 << 21 }),
            ("max-body-bytes and max-connections must be at least 1", { $0.http.maxBodyBytes = 0 }),
            ("max-body-bytes and max-connections must be at least 1", { $0.http.maxConnections = 0 }),
        ]
        for (message, change) in cases {
            var c = ServerConfiguration()
            change(&c)
            #expect(throws: ConfigurationError(message)) { try c.validate() }
        }
        // bf16 where the CPU runs it and where it cannot, both forced, so both are tested on every CPU.
        var bf16 = ServerConfiguration()
        bf16.precision = .bfloat16
        Precision.$bfloat16AvailableOverride.withValue(true) {
            #expect(throws: Never.self) { try bf16.validate() }
        }
        Precision.$bfloat16AvailableOverride.withValue(false) {
            #expect(throws: ConfigurationError("precision bf16 is not available on this CPU (no AVX512-BF16); use f32")) { try bf16.validate() }
        }
        // Zero is a usable value for these: no waiting room, keep no results.
        var edge = ServerConfiguration()
        edge.queueCapacity = 0
        edge.maxResultBytes = 0
        edge.port = 0
        #expect(throws: Never.self) { try edge.validate() }
    }

    @Test func configurationErrorIsItsMessage() {
        let error = ConfigurationError("bad thing")
        #expect(error.description == "bad thing" && "\(error)" == "bad thing")
    }
}
