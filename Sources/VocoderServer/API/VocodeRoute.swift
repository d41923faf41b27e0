import DiffWave
import Foundation
import HTTP

/// `POST /vocode` (models conditioned on a mel) and `POST /generate` (models without one):
/// validate, queue a job, then answer with the audio (sync) or 202 + Location (async). Either
/// takes a class label for a model with classes (`SamplingRequest.classIndex`).
struct VocodeRoute: Sendable {
    let service: VocoderService

    func vocode(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let options = try SamplingRequest(request, defaultPrecision: service.configuration.precision)
        let config = service.modelConfig
        guard config.conditioning.takesMel else {
            throw HTTPError(.wrongEndpoint, "this model takes no mel (it is conditioned on \(config.conditioning)); use POST /generate")
        }
        let mel: Tensor, bodyLabel: Label?
        if RequestBody.isAudio(request) {
            // Copy synthesis: the model's own analysis of the audio, always in range.
            mel = try RequestBody.melOfAudio(request, service: service, resample: options.resample)
            bodyLabel = nil
        } else {
            let array: Tensor
            (array, bodyLabel) = try RequestBody.melArray(request, maxDecodedBytes: service.configuration.maxDecodedBodyBytes,
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
            throw HTTPError(.melTooLong, "mel has \(frames) frames; this server takes at most \(service.configuration.maxFrames) (max-frames)")
        }
        let label = try options.classIndex(body: bodyLabel, conditioning: config.conditioning)
        return try run(JobSpec(input: .mel(mel), schedule: options.schedule, seed: options.seed, format: options.format,
                               precision: options.precision, label: label),
                       options: options, request: request)
    }

    private struct GenerateBody: Decodable {
        var samples: Int?
        var seconds: Double?
        var label: Label?

        init() {}

        /// A member that is present must be a value: `{"samples": null}` is malformed, not
        /// "no samples" (openapi.yaml: integer / number, at most one of the two; a label).
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            for key in [CodingKeys.samples, .seconds, .label] where container.contains(key) {
                if try container.decodeNil(forKey: key) {
                    throw DecodingError.valueNotFound(Double.self, .init(codingPath: [key], debugDescription: "null"))
                }
            }
            samples = try container.decodeIfPresent(Int.self, forKey: .samples)
            seconds = try container.decodeIfPresent(Double.self, forKey: .seconds)
            label = try container.decodeIfPresent(Label.self, forKey: .label)
        }

        private enum CodingKeys: String, CodingKey { case samples, seconds, label }
    }

    func generate(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let options = try SamplingRequest(request, defaultPrecision: service.configuration.precision)
        let config = service.modelConfig
        guard !config.conditioning.takesMel else {
            throw HTTPError(.wrongEndpoint, "this model needs a mel spectrogram (it is conditioned on \(config.conditioning)); use POST /vocode")
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
                throw HTTPError(.malformed, #"JSON body must be {"samples": integer} or {"seconds": number}, and optionally "label": integer or name"#)
            }
        }
        if body.samples != nil && body.seconds != nil { throw HTTPError(.unprocessable, "give samples or seconds, not both") }
        var samples = body.samples ?? config.audioLen ?? 5 * config.sampleRate
        if let seconds = body.seconds {
            guard seconds > 0, seconds.isFinite else { throw HTTPError(.unprocessable, "seconds must be positive") }
            samples = Int(min((seconds * Double(config.sampleRate)).rounded(), Double(Int.max / 2)))
        }
        guard samples >= 1 else { throw HTTPError(.tooManySamples, "samples must be at least 1") }
        guard samples <= service.configuration.maxSamples else {
            throw HTTPError(.tooManySamples, "\(samples) samples asked; this server makes at most \(service.configuration.maxSamples) (max-samples)")
        }
        let label = try options.classIndex(body: body.label, conditioning: config.conditioning)
        return try run(JobSpec(input: .samples(samples), schedule: options.schedule, seed: options.seed, format: options.format,
                               precision: options.precision, label: label),
                       options: options, request: request)
    }

    /// Queues the job. A synchronous request then blocks this connection's thread until the
    /// job finishes: 200 with the audio, or an error (never a 2xx without audio, so that `curl
    /// -f -o out.wav` writes audio or fails): after `sync-timeout` its job is cancelled (503),
    /// as it is when the client goes away. `Prefer: respond-async, wait=N` waits up to N s (at
    /// most `sync-timeout`) for the audio, then answers 202 + Location and keeps the job;
    /// `async=true` or `Prefer: respond-async` alone answers 202 at once.
    private func run(_ spec: JobSpec, options: SamplingRequest, request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let syncTimeout = service.configuration.syncTimeout
        let wait: Duration? = options.respondAsync ? options.asyncWait.map { min($0, syncTimeout) } : syncTimeout
        let job = try service.answering { () throws(ServiceError) in try service.submit(spec, holdResult: wait != nil, requestID: request.requestID) }
        if let wait {
            // Held since submission, so the byte cap cannot evict the audio before it is read.
            defer { service.release(job.id) }
            do throws(HTTPError) {
                let audio = try service.answering { () throws(ServiceError) in
                    try service.audioWhenDone(job.id, within: wait, abandonOnTimeout: !options.respondAsync,
                                              clientHasGone: request.clientHasGone)
                }
                if let audio { return JobRoutes.audioResponse(audio) }
            } catch {
                // The job existed: its id goes with the problem, to the client and the log line.
                var problem = HTTPResponse(problem: error)
                problem.tag(job: job.id)
                return problem
            }
        }
        // RFC 9110 §15.3.3: 202 with where to look.
        let snapshot = try service.answering { () throws(ServiceError) in try service.status(job.id) }
        var response = HTTPResponse(status: .accepted, contentType: "application/json", body: snapshot.json())
        response.headers.set("Location", "/jobs/\(job.id)")
        response.tag(job: job.id)
        response.headers.set("Cache-Control", "no-store")
        // RFC 7240 §3: a 202 shows respond-async was applied; the wait it honoured is not obvious.
        if let wait { response.headers.set("Preference-Applied", "respond-async, wait=\(VocoderService.seconds(wait))") }
        return response
    }
}
