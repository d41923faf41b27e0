import DiffWave
import Foundation

/// `GET /healthz`, `/readyz`, `/model`, `/metrics`, `/openapi.yaml`.
struct HealthRoutes: Sendable {
    let service: VocoderService

    func healthz() -> HTTPResponse {
        HTTPResponse(contentType: "application/json", body: Data(#"{"status":"ok"}"#.utf8))
    }

    /// Ready while the model is loaded (it is, once the service exists) and not draining.
    func readyz() throws(HTTPError) -> HTTPResponse {
        if service.isDraining {
            throw HTTPError(.unavailable, "draining: finishing accepted jobs before shutdown",
                            headers: ["Retry-After": service.retryAfterValue])
        }
        return HTTPResponse(contentType: "application/json", body: Data(#"{"status":"ready"}"#.utf8))
    }

    struct Schedule: Encodable { var betas: [Double]; var steps: [Float] }
    struct Limits: Encodable {
        var max_frames: Int, max_samples: Int, max_body_bytes: Int, queue_capacity: Int, workers: Int
    }
    struct Precisions: Encodable { var available: [String]; var `default`: String }
    struct ModelResponse: Encodable {
        var info: ModelInfo
        var trained: Bool
        var schedules: [String: Schedule]
        var precisions: Precisions
        var limits: Limits

        func encode(to encoder: any Encoder) throws {
            try info.encode(to: encoder)
            enum Keys: String, CodingKey { case trained, schedules, precisions, limits }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(trained, forKey: .trained)
            try c.encode(schedules, forKey: .schedules)
            try c.encode(precisions, forKey: .precisions)
            try c.encode(limits, forKey: .limits)
        }
    }

    func model() -> HTTPResponse {
        let engine = service.engine, c = service.configuration
        var schedules: [String: Schedule] = [:]
        for (kind, sampler) in engine.samplers { schedules[kind.rawValue] = Schedule(betas: sampler.schedule.betas, steps: sampler.schedule.steps) }
        let body = ModelResponse(
            info: ModelInfo(engine.model), trained: engine.trained, schedules: schedules,
            precisions: Precisions(available: Precision.allCases.filter(\.isAvailable).map(\.rawValue), default: c.precision.rawValue),
            limits: Limits(max_frames: c.maxFrames, max_samples: c.maxSamples, max_body_bytes: c.http.maxBodyBytes,
                           queue_capacity: c.queueCapacity, workers: c.workers))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return HTTPResponse(contentType: "application/json", body: try! encoder.encode(body))
    }

    func metrics() -> HTTPResponse {
        let body = service.metrics.exposition(queueDepth: service.queue.count, jobs: service.store.countsByStatus(),
                                              retainedBytes: service.store.retainedBytes)
        return HTTPResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: body)
    }

    static let openAPIDocument: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let data = try? Data(contentsOf: url) else { return Data() }
        return data
    }()

    func openAPI() -> HTTPResponse {
        HTTPResponse(contentType: "application/yaml", body: Self.openAPIDocument)
    }
}
