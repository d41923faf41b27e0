import DiffWave
import Foundation
import HTTP

/// `GET /jobs/{id}`, `GET /jobs/{id}/audio`, `DELETE /jobs/{id}`.
struct JobRoutes: Sendable {
    let service: VocoderService

    func status(_ parameters: [String: String]) throws(HTTPError) -> HTTPResponse {
        let id = parameters["id"] ?? ""
        return Self.statusResponse(try service.answering { () throws(ServiceError) in try service.status(id) })
    }

    func audio(_ parameters: [String: String]) throws(HTTPError) -> HTTPResponse {
        let id = parameters["id"] ?? ""
        return Self.audioResponse(try service.answering { () throws(ServiceError) in try service.audio(id) })
    }

    func cancel(_ parameters: [String: String], requestID: String? = nil) throws(HTTPError) -> HTTPResponse {
        let id = parameters["id"] ?? ""
        switch try service.answering({ () throws(ServiceError) in try service.cancel(id, requestID: requestID) }) {
        case .removed: return HTTPResponse(status: .noContent)
        case .requested(let snapshot): return Self.statusResponse(snapshot)
        }
    }

    static func statusResponse(_ snapshot: JobSnapshot) -> HTTPResponse {
        var response = HTTPResponse(contentType: "application/json", body: snapshot.json())
        response.headers.set("Cache-Control", "no-store")
        response.tag(job: snapshot.id)
        return response
    }

    /// A succeeded job's audio with its seed and timings.
    static func audioResponse(_ audio: JobAudio) -> HTTPResponse {
        let record = audio.record
        var response = HTTPResponse(contentType: record.spec.format.mediaType, body: audio.data)
        response.tag(job: record.id)
        response.headers.set("X-Seed", String(record.spec.seed))
        response.headers.set("X-Audio-Seconds", String(format: "%.6f", record.audioSeconds ?? 0))
        response.headers.set("X-Compute-Seconds", String(format: "%.6f", record.computeSeconds ?? 0))
        // The model that made it, as the file's own metadata says too (VocodingEngine.audioComment).
        if let digest = record.modelDigest { response.headers.set("X-Model-Digest", digest) }
        return response
    }
}
