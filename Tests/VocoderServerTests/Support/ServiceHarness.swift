import DiffWave
import Foundation
import Logging
import Synchronization
import Testing
import HTTP
import TestSupport
@testable import VocoderServer

/// Tiny untrained models: two residual layers of four channels, so a job of a few frames runs
/// in milliseconds even in a debug build.
enum TinyModel {
    static func config(_ conditioning: Conditioning = .mel) -> DiffWaveConfig {
        var c = DiffWaveConfig.base
        c.residualLayers = 2
        c.residualChannels = 4
        c.dilationCycleLength = 2
        c.conditioning = conditioning
        // /generate without a length makes `audioLen` samples: keep it short.
        c.audioLen = 1024
        return c
    }

    static let conditional: VocodingEngine = {
        try! VocodingEngine(model: DiffWave.untrained(config: config()), trained: false)
    }()

    static let unconditional: VocodingEngine = {
        try! VocodingEngine(model: DiffWave.untrained(config: config(.none)), trained: false)
    }()

    /// Class-conditional generation: three named classes, no mel.
    static let labelled: VocodingEngine = {
        try! VocodingEngine(model: DiffWave.untrained(config: config(.label(ClassLabels(count: 3, embeddingDim: 8, names: ["zero", "one", "two"])))),
                            trained: false)
    }()

    /// A vocoder with a speaker id: a mel and four unnamed classes.
    static let speaker: VocodingEngine = {
        try! VocodingEngine(model: DiffWave.untrained(config: config(.melAndLabel(ClassLabels(count: 4, embeddingDim: 8)))), trained: false)
    }()
}

/// The configuration tests start from: one worker, a short queue, no drain grace (so a test's
/// teardown cancels whatever is still running at its next step).
func testConfiguration(_ configure: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
    var c = ServerConfiguration()
    c.workers = 1
    c.threadsPerJob = 1
    c.queueCapacity = 4
    c.drainTimeout = .zero
    c.retryAfter = .seconds(2)
    c.syncTimeout = .seconds(20)
    configure(&c)
    return c
}

/// A started service with its router; the service is drained after `body`, so its worker
/// threads end and nothing outlives the test.
func withService<T>(
    engine: VocodingEngine = TinyModel.conditional,
    logger: Logger = quietLogger,
    tokens: BearerTokens? = nil,
    _ configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: (VocoderService, Router) async throws -> T
) async throws -> T {
    let service = VocoderService(configuration: testConfiguration(configure), engine: engine, logger: logger)
    service.start()
    let router = service.makeRouter(tokens: tokens)
    do {
        let result = try await body(service, router)
        service.drain()
        return result
    } catch {
        service.drain()
        throw error
    }
}

extension Router {
    /// Answers one request built from its parts, on a thread of its own as a connection would
    /// (a synchronous /vocode blocks its thread until the job finishes).
    func send(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], body: Data = Data()) async throws -> HTTPResponse {
        let request = try HTTPRequest(method: method, target: target, headers: headers, body: body)
        return try await onThread { respond(to: request) }
    }

    /// `POST target` with an .npy body.
    func vocode(_ mel: Tensor, query: String = "seed=1", headers: HTTPHeaders = ["Content-Type": "application/x-npy"]) async throws -> HTTPResponse {
        try await send(.post, "/vocode" + (query.isEmpty ? "" : "?" + query), headers: headers, body: NPY.encode(mel))
    }

    /// `GET /jobs/{id}` decoded.
    func jobStatus(_ id: String) async throws -> JobSnapshot {
        let response = try await send(.get, "/jobs/\(id)")
        try #require(response.status == .ok, "GET /jobs/\(id) answered \(response.status.code): \(response.text)")
        return try JSONDecoder().decode(JobSnapshot.self, from: response.body)
    }

    /// Polls `GET /jobs/{id}` until `done` holds (or fails the test after `timeout`).
    func poll(_ id: String, timeout: Duration = .seconds(10), until done: (JobSnapshot) -> Bool) async throws -> JobSnapshot {
        let deadline = ContinuousClock.now + timeout
        while true {
            let snapshot = try await jobStatus(id)
            if done(snapshot) { return snapshot }
            guard ContinuousClock.now < deadline else {
                Issue.record("job \(id) still \(snapshot.status.rawValue) (progress \(snapshot.progress)) after \(timeout)")
                return snapshot
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Suspends (never blocking a cooperative thread) until `condition` holds; false on timeout.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: .milliseconds(5))
    }
    return true
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The RFC 9457 body of an error response.
    var problem: ProblemDetails? {
        guard headers["Content-Type"] == ProblemDetails.mediaType else { return nil }
        return try? JSONDecoder().decode(ProblemDetails.self, from: body)
    }

    var jobSnapshot: JobSnapshot? { try? JSONDecoder().decode(JobSnapshot.self, from: body) }
}

/// A deterministic mel in [0, 1] of shape `(nMels, frames)`.
func testMel(frames: Int, nMels: Int = 80, batch: Bool = false) -> Tensor {
    let data = (0..<(nMels * frames)).map { Float(($0 * 37) % 101) / 100 }
    return Tensor(shape: batch ? [1, nMels, frames] : [nMels, frames], data: data)
}

/// `{"mel": [[...], ...]}` for `mel` (n_mels rows), optionally wrapped in a batch of one.
/// Floats print in their shortest round-trip form, so the server reads back the same values.
func jsonBody(_ mel: Tensor, batch: Bool = false) -> Data {
    let frames = mel.shape[mel.shape.count - 1], bands = mel.count / max(frames, 1)
    let rows = (0..<bands).map { r in "[" + mel.data[(r * frames)..<((r + 1) * frames)].map { "\($0)" }.joined(separator: ",") + "]" }
    let matrix = "[" + rows.joined(separator: ",") + "]"
    return Data(#"{"mel": \#(batch ? "[" + matrix + "]" : matrix)}"#.utf8)
}

/// A Mutex in a class, so closures and threads can share it.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: Value { withLock { $0 } }
}

extension Router {
    /// Queues a job that keeps a worker busy far longer than any test waits (200 frames,
    /// the 50-step schedule: seconds in a debug build) and returns its id. Tests cancel it,
    /// or the service's drain does, at its next step boundary.
    func submitSlowJob() async throws -> String {
        let response = try await vocode(testMel(frames: 200), query: "schedule=full&async=true&seed=9")
        try #require(response.status == .accepted, "slow job answered \(response.status.code): \(response.text)")
        return try #require(response.headers["X-Job-Id"])
    }
}
