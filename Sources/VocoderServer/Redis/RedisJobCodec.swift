import DiffWave
import Foundation

/// A job record as the Redis store keeps it: the record's fields as JSON, and the mel input
/// beside them as raw little-endian float32 (a 2000-frame mel is 640 KB, which JSON numbers
/// would triple). Decoding checks everything a foreign or damaged value could get wrong and
/// throws `.unexpectedReply` naming what, so that only that job fails.
enum RedisJobCodec {
    /// Bumped when the layout changes; a record of another version is refused, not misread.
    static let version = 2

    private struct Stored: Codable {
        var v: Int
        var id: String
        var steps: Int
        var createdAt: Double
        var status: String
        var stepsDone: Int
        var startedAt: Double?
        var finishedAt: Double?
        var audioSeconds: Double?
        var computeSeconds: Double?
        var error: String?
        var resultBytes: Int?
        var attempts: Int
        var modelDigest: String?
        var requestID: String?
        var schedule: String
        var seed: UInt64
        var format: String
        var precision: String
        /// `(n_mels, frames)` of a mel input; nil for a sample count.
        var melShape: [Int]?
        var samples: Int?
        /// The class index of a class-conditional model's job.
        var label: Int?
    }

    static func encode(_ r: JobRecord) -> (record: Data, input: Data) {
        var melShape: [Int]?, samples: Int?, input = Data()
        switch r.spec.input {
        case .mel(let mel):
            melShape = mel.shape
            input.reserveCapacity(mel.data.count * 4)
            for value in mel.data { withUnsafeBytes(of: value.bitPattern.littleEndian) { input.append(contentsOf: $0) } }
        case .samples(let n):
            samples = n
        }
        var resultBytes: Int?
        if case .stored(let bytes) = r.result { resultBytes = bytes }
        let stored = Stored(v: version, id: r.id, steps: r.steps, createdAt: r.createdAt.timeIntervalSince1970, status: r.status.rawValue,
                            stepsDone: r.stepsDone, startedAt: r.startedAt?.timeIntervalSince1970,
                            finishedAt: r.finishedAt?.timeIntervalSince1970, audioSeconds: r.audioSeconds,
                            computeSeconds: r.computeSeconds, error: r.error, resultBytes: resultBytes, attempts: r.attempts,
                            modelDigest: r.modelDigest, requestID: r.requestID, schedule: r.spec.schedule.rawValue, seed: r.spec.seed,
                            format: r.spec.format.rawValue, precision: r.spec.precision.rawValue, melShape: melShape, samples: samples,
                            label: r.spec.label)
        return (try! JSONEncoder().encode(stored), input)
    }

    /// The record from its stored parts; `stepsDone`, `cancelRequested` and `evicted` are kept
    /// in fields of their own (a worker's progress and a cancel request are single writes).
    static func decode(id: String, record: Data, input: Data, stepsDone: Int?, cancelRequested: Bool, evicted: Bool) throws(RedisError) -> JobRecord {
        func bad(_ what: String) -> RedisError { RedisError(.unexpectedReply, "the stored job \(id) is unreadable: \(what)") }
        let s: Stored
        do {
            s = try JSONDecoder().decode(Stored.self, from: record)
        } catch {
            throw bad("its record is not a job record of this service")
        }
        guard s.v == version else { throw bad("its record has layout version \(s.v), this service reads \(version)") }
        guard s.id == id else { throw bad("its record names another job") }
        guard let status = JobRecord.Status(rawValue: s.status), let schedule = NoiseSchedule.Kind(rawValue: s.schedule),
              let format = AudioFormat(rawValue: s.format), let precision = Precision(rawValue: s.precision) else {
            throw bad("its status, schedule, format or precision is unknown")
        }
        guard s.steps >= 0, s.stepsDone >= 0, s.attempts >= 0, (s.label ?? 0) >= 0 else { throw bad("a count or its label is negative") }
        let jobInput: JobSpec.Input
        if let shape = s.melShape {
            guard shape.count == 2, shape.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }), shape[0] * shape[1] * 4 == input.count else {
                throw bad("its mel has \(input.count) bytes, not the float32 values of its shape \(shape)")
            }
            var values = [Float](repeating: 0, count: input.count / 4)
            input.withUnsafeBytes { raw in
                for i in values.indices { values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
            }
            jobInput = .mel(Tensor(shape: shape, data: values))
        } else if let samples = s.samples, samples >= 1 {
            jobInput = .samples(samples)
        } else {
            throw bad("it has neither a mel nor a sample count")
        }
        var r = JobRecord(id: id, spec: JobSpec(input: jobInput, schedule: schedule, seed: s.seed, format: format, precision: precision,
                                                label: s.label),
                          steps: s.steps, createdAt: Date(timeIntervalSince1970: s.createdAt))
        r.status = status
        r.stepsDone = min(stepsDone ?? s.stepsDone, s.steps)
        r.startedAt = s.startedAt.map(Date.init(timeIntervalSince1970:))
        r.finishedAt = s.finishedAt.map(Date.init(timeIntervalSince1970:))
        r.audioSeconds = s.audioSeconds
        r.computeSeconds = s.computeSeconds
        r.error = s.error
        r.cancelRequested = cancelRequested
        r.attempts = s.attempts
        r.modelDigest = s.modelDigest
        r.requestID = s.requestID
        r.result = evicted ? .evicted : s.resultBytes.map { .stored(bytes: $0) } ?? .none
        return r
    }

    /// What replaces a job whose stored value could not be read: failed, with the reason.
    static func unreadable(id: String, reason: String, now: Date = Date()) -> JobRecord {
        var r = JobRecord(id: id, spec: JobSpec(input: .samples(1), schedule: .fast, seed: 0, format: .wav), steps: 0, createdAt: now)
        r.status = .failed
        r.error = reason
        r.finishedAt = now
        return r
    }
}
