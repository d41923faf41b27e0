import DiffWave
import Foundation

/// `POST /vocode` (mel in) and `POST /generate` (unconditional models): validate, queue a
/// job, then answer with the audio (sync) or 202 + Location (async).
struct VocodeRoute: Sendable {
    let service: VocoderService

    func vocode(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let options = try SamplingRequest(request, defaultPrecision: service.configuration.precision)
        let config = service.engine.model.config
        guard !config.unconditional else {
            throw HTTPError(.unprocessable, "this model is unconditional: it takes no mel; use POST /generate")
        }
        let mel: Tensor
        if RequestBody.isAudio(request) {
            // Copy synthesis: the model's own analysis of the audio, always in range.
            mel = try RequestBody.melOfAudio(request, frontend: service.engine.melFrontend, resample: options.resample,
                                             maxFrames: service.configuration.maxFrames,
                                             maxDecodedBytes: service.configuration.maxDecodedBodyBytes)
        } else {
            let array = try RequestBody.melArray(request, maxDecodedBytes: service.configuration.maxDecodedBodyBytes,
                                                 maxValues: config.nMels * service.configuration.maxFrames)
            do {
                mel = try MelInput.prepare(array, config: config)
                if options.strict { try MelRange.check(mel) }
            } catch {
                throw HTTPError(error)
            }
        }
        let frames = mel.shape[1]
        guard frames <= service.configuration.maxFrames else {
            throw HTTPError(.unprocessable, "mel has \(frames) frames; this server takes at most \(service.configuration.maxFrames) (max-frames)")
        }
        return try await run(JobSpec(input: .mel(mel), schedule: options.schedule, seed: options.seed, format: options.format,
                                     precision: options.precision),
                             respondAsync: options.respondAsync)
    }

    private struct GenerateBody: Decodable {
        var samples: Int?
        var seconds: Double?

        init() {}

        /// A member that is present must be a number: `{"samples": null}` is malformed, not
        /// "no samples" (openapi.yaml: integer / number, and at most one of the two).
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            for key in [CodingKeys.samples, .seconds] where container.contains(key) {
                if try container.decodeNil(forKey: key) {
                    throw DecodingError.valueNotFound(Double.self, .init(codingPath: [key], debugDescription: "null"))
                }
            }
            samples = try container.decodeIfPresent(Int.self, forKey: .samples)
            seconds = try container.decodeIfPresent(Double.self, forKey: .seconds)
        }

        private enum CodingKeys: String, CodingKey { case samples, seconds }
    }

    func generate(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let options = try SamplingRequest(request, defaultPrecision: service.configuration.precision)
        let config = service.engine.model.config
        guard config.unconditional else {
            throw HTTPError(.unprocessable, "this model is conditional: it needs a mel spectrogram; use POST /vocode")
        }
        var body = GenerateBody()
        let data = try RequestBody.decoded(request, maxBytes: service.configuration.maxDecodedBodyBytes)
        if !data.isEmpty {
            guard RequestBody.mediaType(request) == "application/json" else {
                throw HTTPError(.unsupportedMediaType, "POST /generate takes an application/json body (or none)", headers: ["Accept-Post": "application/json"])
            }
            do {
                body = try JSONDecoder().decode(GenerateBody.self, from: data)
            } catch {
                throw HTTPError(.malformed, #"JSON body must be {"samples": integer} or {"seconds": number}"#)
            }
        }
        if body.samples != nil && body.seconds != nil { throw HTTPError(.unprocessable, "give samples or seconds, not both") }
        var samples = body.samples ?? config.audioLen ?? 5 * config.sampleRate
        if let seconds = body.seconds {
            guard seconds > 0, seconds.isFinite else { throw HTTPError(.unprocessable, "seconds must be positive") }
            samples = Int(min((seconds * Double(config.sampleRate)).rounded(), Double(Int.max / 2)))
        }
        guard samples >= 1 else { throw HTTPError(.unprocessable, "samples must be at least 1") }
        guard samples <= service.configuration.maxSamples else {
            throw HTTPError(.unprocessable, "\(samples) samples asked; this server makes at most \(service.configuration.maxSamples) (max-samples)")
        }
        return try await run(JobSpec(input: .samples(samples), schedule: options.schedule, seed: options.seed, format: options.format,
                                     precision: options.precision),
                             respondAsync: options.respondAsync)
    }

    /// The answer to a synchronous request whose job finished. Its input was validated
    /// before it was queued, so a failure is the server's (500), not a conflict; a job the
    /// drain deadline cancelled is 503 + Retry-After (retry elsewhere or later); one cancelled
    /// by a DELETE is 409.
    func syncResponse(_ job: Job) throws(HTTPError) -> HTTPResponse {
        let s = job.snapshotState
        switch s.status {
        case .failed:
            throw HTTPError(.internal, "job \(job.id) failed: \(s.error ?? "unknown error")")
        case .cancelled where service.isDraining:
            throw HTTPError(.unavailable, "job \(job.id) was cancelled: the server is shutting down",
                            headers: ["Retry-After": service.retryAfterValue])
        default:
            return try JobRoutes.audioResponse(job)
        }
    }

    private func run(_ spec: JobSpec, respondAsync: Bool) async throws(HTTPError) -> HTTPResponse {
        let job = try service.submit(spec, holdResult: !respondAsync)
        if !respondAsync {
            // Held since submission, so the byte cap cannot evict the audio before it is read.
            let finished = await job.waitUntilFinished(timeout: service.configuration.syncTimeout)
            defer { service.store.release(job) }
            if finished { return try syncResponse(job) }
        }
        // Async by request, or the sync wait ran out: RFC 9110 §15.3.3, 202 with where to look.
        var response = HTTPResponse(status: .accepted, contentType: "application/json", body: service.snapshot(job).json())
        response.headers.set("Location", "/jobs/\(job.id)")
        response.headers.set("X-Job-Id", job.id)
        response.headers.set("Cache-Control", "no-store")
        if !respondAsync { response.headers.set("Preference-Applied", "wait=\(VocoderService.seconds(service.configuration.syncTimeout))") }
        return response
    }
}
