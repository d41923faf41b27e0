import DiffWave
import Foundation

/// `GET /jobs/{id}`, `GET /jobs/{id}/audio`, `DELETE /jobs/{id}`.
struct JobRoutes: Sendable {
    let service: VocoderService

    private func job(_ parameters: [String: String]) throws(HTTPError) -> Job {
        guard let id = parameters["id"], let job = service.store.job(id) else {
            throw HTTPError(.notFound, "no job \(parameters["id"] ?? "") (unknown, or expired after \(VocoderService.seconds(service.configuration.jobTTL)) s)")
        }
        return job
    }

    func status(_ parameters: [String: String]) throws(HTTPError) -> HTTPResponse {
        let job = try job(parameters)
        var response = HTTPResponse(contentType: "application/json", body: service.snapshot(job).json())
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("X-Job-Id", job.id)
        return response
    }

    func audio(_ parameters: [String: String]) throws(HTTPError) -> HTTPResponse {
        try Self.audioResponse(job(parameters))
    }

    /// The finished job's audio: 409 while it is not (or never will be) there, 410 once dropped.
    static func audioResponse(_ job: Job) throws(HTTPError) -> HTTPResponse {
        let s = job.snapshotState
        switch s.status {
        case .queued, .running:
            throw HTTPError(.conflict, "job \(job.id) is \(s.status.rawValue); poll /jobs/\(job.id) until it succeeded")
        case .failed, .cancelled:
            throw HTTPError(.conflict, "job \(job.id) \(s.status.rawValue): \(s.error ?? "no audio")")
        case .succeeded:
            guard let audio = s.result else {
                throw HTTPError(.gone, "job \(job.id)'s audio is no longer kept (expired or evicted to stay under max-result-bytes)")
            }
            var response = HTTPResponse(contentType: job.spec.format.mediaType, body: audio)
            response.headers.set("X-Job-Id", job.id)
            response.headers.set("X-Seed", String(job.spec.seed))
            response.headers.set("X-Audio-Seconds", String(format: "%.6f", s.audioSeconds ?? 0))
            response.headers.set("X-Compute-Seconds", String(format: "%.6f", s.computeSeconds ?? 0))
            return response
        }
    }

    func cancel(_ parameters: [String: String]) throws(HTTPError) -> HTTPResponse {
        let job = try job(parameters)
        if job.status.isFinished {
            service.store.remove(job.id)
            return HTTPResponse(status: .noContent)
        }
        service.cancel(job)
        service.logger.info("job cancel requested", metadata: ["job": "\(job.id)", "status": "\(job.status.rawValue)"])
        var response = HTTPResponse(contentType: "application/json", body: service.snapshot(job).json())
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("X-Job-Id", job.id)
        return response
    }
}
