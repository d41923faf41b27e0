import DiffWave
import Foundation

/// One job as the store keeps it: a plain value that any process sharing the store can read.
/// The audio itself sits beside the record in the store (`result`), found by the job's id.
public struct JobRecord: Sendable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case queued, running, succeeded, failed, cancelled

        public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    /// Where the job's audio is.
    public enum ResultLocation: Sendable, Equatable {
        /// No audio yet, or never (failed, cancelled).
        case none
        /// Kept in the store under the job's id: `bytes` of it.
        case stored(bytes: Int)
        /// Dropped by the TTL or the retained-bytes cap (410).
        case evicted
    }

    public let id: String
    public let spec: JobSpec
    /// Reverse-diffusion steps the job runs; `stepsDone / steps` is its progress.
    public let steps: Int
    public let createdAt: Date
    public var status: Status = .queued
    public var stepsDone = 0
    public var startedAt: Date?
    public var finishedAt: Date?
    public var audioSeconds: Double?
    public var computeSeconds: Double?
    /// Why the job failed or was cancelled.
    public var error: String?
    /// Set by DELETE (or the drain deadline); a running job stops at its next step.
    public var cancelRequested = false
    public var result: ResultLocation = .none
    /// Runs started (claims made), and so the newest claim's fencing epoch. A shared store
    /// fails the job once its runs have died `job-max-attempts` times.
    public var attempts = 0
    /// The id of the request that made the job (`X-Request-Id`), on every log line of the job.
    public var requestID: String?
    /// The weights the job was accepted for (`ModelIdentity.digest`, `sha256:<hex>`): a shared
    /// store's instances run only jobs of the weights they serve, so that a job's bytes do not
    /// depend on which instance ran it.
    public var modelDigest: String?

    public init(id: String, spec: JobSpec, steps: Int, createdAt: Date = Date()) {
        self.id = id
        self.spec = spec
        self.steps = steps
        self.createdAt = createdAt
    }

    /// Steps done / steps, 0...1.
    public var progress: Double { steps == 0 ? 0 : Double(stepsDone) / Double(steps) }
}
