import DiffWave
import Foundation

/// What `GET /model` answers: the model's hyper-parameters and parameter count, which weights
/// they are (the checkpoint's SHA-256 and file name), whether it was trained, both schedules, the
/// precisions accepted and the service's limits.
public struct ModelDescription: Encodable, Sendable {
    struct Schedule: Encodable { var betas: [Double]; var steps: [Float] }
    struct Limits: Encodable {
        var max_frames: Int, max_samples: Int, max_body_bytes: Int, queue_capacity: Int, workers: Int
    }
    struct Precisions: Encodable { var available: [String]; var `default`: String }

    var info: ModelInfo
    var trained: Bool
    var identity: ModelIdentity
    var schedules: [String: Schedule]
    var precisions: Precisions
    var limits: Limits

    init(engine: VocodingEngine, configuration c: ServerConfiguration) {
        var schedules: [String: Schedule] = [:]
        for (kind, sampler) in engine.samplers { schedules[kind.rawValue] = Schedule(betas: sampler.schedule.betas, steps: sampler.schedule.steps) }
        info = ModelInfo(engine.model)
        trained = engine.trained
        identity = engine.identity
        self.schedules = schedules
        precisions = Precisions(available: Precision.allCases.filter(\.isAvailable).map(\.rawValue), default: c.precision.rawValue)
        limits = Limits(max_frames: c.maxFrames, max_samples: c.maxSamples, max_body_bytes: c.http.maxBodyBytes,
                        queue_capacity: c.queueCapacity, workers: c.workers)
    }

    public func encode(to encoder: any Encoder) throws {
        try info.encode(to: encoder)
        enum Keys: String, CodingKey { case trained, digest, file_name, schedules, precisions, limits }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(identity.digest, forKey: .digest)
        try c.encode(identity.fileName, forKey: .file_name)
        try c.encode(trained, forKey: .trained)
        try c.encode(schedules, forKey: .schedules)
        try c.encode(precisions, forKey: .precisions)
        try c.encode(limits, forKey: .limits)
    }

    /// The JSON body, keys sorted so that the bytes are stable.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try! encoder.encode(self)
    }
}
