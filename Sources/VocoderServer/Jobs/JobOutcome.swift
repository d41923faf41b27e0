import Foundation

/// How a run ended, as a worker hands it to `JobStore.finish`.
public enum JobOutcome: Sendable {
    case succeeded(audio: Data, audioSeconds: Double, computeSeconds: Double)
    case failed(reason: String, computeSeconds: Double)
    case cancelled(reason: String, computeSeconds: Double)

    var status: JobRecord.Status {
        switch self {
        case .succeeded: .succeeded
        case .failed: .failed
        case .cancelled: .cancelled
        }
    }

    /// Sets the record's terminal fields (the audio is stored beside it).
    func apply(to r: inout JobRecord, at now: Date = Date()) {
        r.status = status
        r.finishedAt = now
        switch self {
        case .succeeded(_, let audioSeconds, let computeSeconds):
            r.audioSeconds = audioSeconds
            r.computeSeconds = computeSeconds
        case .failed(let reason, let computeSeconds), .cancelled(let reason, let computeSeconds):
            r.error = reason
            r.computeSeconds = computeSeconds
        }
    }
}
