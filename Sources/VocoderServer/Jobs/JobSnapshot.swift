import Foundation

/// A job's status as `GET /jobs/<id>` returns it.
public struct JobSnapshot: Codable, Equatable, Sendable {
    public var id: String
    public var status: JobRecord.Status
    /// Steps done / steps, 0...1.
    public var progress: Double
    public var queuePosition: Int?
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
    public var audioSeconds: Double?
    public var computeSeconds: Double?
    public var error: String?
    public var audioURL: String?
    /// The class index of a class-conditional model's job (absent for a model without classes).
    public var label: Int?
    /// The id of the request that made the job, and the digest of the model that runs it.
    public var requestID: String?
    public var modelDigest: String?

    enum CodingKeys: String, CodingKey {
        case id, status, progress, error, label
        case queuePosition = "queue_position", createdAt = "created_at", startedAt = "started_at"
        case finishedAt = "finished_at", audioSeconds = "audio_seconds", computeSeconds = "compute_seconds"
        case audioURL = "audio_url", requestID = "request_id", modelDigest = "model_digest"
    }

    init(_ record: JobRecord, queuePosition: Int?) {
        id = record.id
        status = record.status
        progress = record.progress
        self.queuePosition = record.status == .queued ? queuePosition : nil
        createdAt = Self.timestamp(record.createdAt)
        startedAt = record.startedAt.map(Self.timestamp)
        finishedAt = record.finishedAt.map(Self.timestamp)
        audioSeconds = record.audioSeconds
        computeSeconds = record.computeSeconds
        error = record.error
        audioURL = record.status == .succeeded ? "/jobs/\(record.id)/audio" : nil
        label = record.spec.label
        requestID = record.requestID
        modelDigest = record.modelDigest
    }

    /// RFC 3339 with milliseconds, UTC.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try! encoder.encode(self)
    }
}
