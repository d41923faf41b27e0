import Foundation

/// What the service refuses or cannot give, by case; `HTTPError(_: ServiceError)` is the one
/// place these get their HTTP status.
public enum ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `capacity` jobs already wait for a worker.
    case queueFull(capacity: Int)
    /// The server drains: it takes no new job.
    case shuttingDown
    /// No such job: never made, deleted, or forgotten after `ttlSeconds`.
    case jobNotFound(id: String, ttlSeconds: Double)
    /// The job has no audio yet.
    case notFinished(id: String, status: JobRecord.Status)
    /// The job failed or was cancelled: it never will have audio.
    case noAudio(id: String, status: JobRecord.Status, reason: String?)
    /// The audio was dropped (TTL or the retained-bytes cap).
    case audioGone(id: String)
    /// A synchronous request's job failed: its input had been accepted, so it is the server's fault.
    case jobFailed(id: String, reason: String)
    /// A synchronous request's job was cancelled by the drain deadline.
    case cancelledByShutdown(id: String)
    /// A synchronous request had no audio within `sync-timeout`: its job was cancelled, since
    /// no one would fetch it.
    case syncTimedOut(id: String, seconds: Double)
    /// A synchronous request's client went away before its answer: its job was cancelled.
    case clientGone(id: String)

    public var description: String {
        switch self {
        case .queueFull(let capacity): "the job queue is full (\(capacity) waiting); retry later"
        case .shuttingDown: "the server is shutting down"
        case .jobNotFound(let id, let ttl): "no job \(id) (unknown, or expired after \(ttl) s)"
        case .notFinished(let id, let status): "job \(id) is \(status.rawValue); poll /jobs/\(id) until it succeeded"
        case .noAudio(let id, let status, let reason): "job \(id) \(status.rawValue): \(reason ?? "no audio")"
        case .audioGone(let id): "job \(id)'s audio is no longer kept (expired or evicted to stay under max-result-bytes)"
        case .jobFailed(let id, let reason): "job \(id) failed: \(reason)"
        case .cancelledByShutdown(let id): "job \(id) was cancelled: the server is shutting down"
        case .syncTimedOut(let id, let seconds):
            "no audio within sync-timeout (\(seconds) s), so job \(id) was cancelled; retry later, or send Prefer: respond-async (with wait=N) and poll /jobs/<id>"
        case .clientGone(let id): "the client went away before its answer: job \(id) was cancelled"
        }
    }
}
