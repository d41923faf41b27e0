import HTTP

/// The service's own kinds of error, each with a stable relative URI and title (issue 21:
/// clients switch on `type`, never on the English `detail`). The failure class, and so the
/// status, is each type's `code`; which error gets which type is decided by case in
/// `HTTPError+Service` and `HTTPError+Engine`, and at the few routes that refuse on their own.
extension ProblemType {
    // Jobs and the queue (ServiceError).
    static let queueFull = ProblemType("queue-full", title: "Queue full", code: .unavailable,
        summary: "Every worker is busy and the job queue is full (queue). Retry after the Retry-After seconds.")
    static let shuttingDown = ProblemType("shutting-down", title: "Shutting down", code: .unavailable,
        summary: "The server is draining before it stops: it takes no new job and /readyz is 503. Retry after the Retry-After seconds, which a load balancer sends to another replica.")
    static let cancelledByShutdown = ProblemType("cancelled-by-shutdown", title: "Cancelled by shutdown", code: .unavailable,
        summary: "A synchronous request's job was cancelled because the server's drain deadline passed. Send it again (to another replica).")
    static let jobNotFound = ProblemType("job-not-found", title: "Job not found", code: .notFound,
        summary: "No job has this id: it was never made, was deleted, or was forgotten job-ttl after it finished.")
    static let jobNotFinished = ProblemType("job-not-finished", title: "Job not finished", code: .conflict,
        summary: "The job is queued or running and has no audio yet. Poll GET /jobs/<id> until its status is succeeded.")
    static let jobHasNoAudio = ProblemType("job-has-no-audio", title: "Job has no audio", code: .conflict,
        summary: "The job failed or was cancelled, so it never will have audio; its status says why.")
    static let audioExpired = ProblemType("audio-expired", title: "Audio expired", code: .gone,
        summary: "The job succeeded, but its audio is no longer kept: job-ttl passed, or older results were dropped to stay under max-result-bytes.")
    static let syncTimedOut = ProblemType("sync-timeout", title: "Synchronous wait ran out", code: .unavailable,
        summary: "A synchronous request had no audio within sync-timeout, so its job was cancelled (no one would fetch it). Retry after the Retry-After seconds, or send Prefer: respond-async (with wait=N) and poll /jobs/<id>.")
    static let storeUnavailable = ProblemType("store-unavailable", title: "Job store unavailable", code: .unavailable,
        summary: "The shared job store (Redis, --job-store) cannot be reached: no job can be submitted, read or cancelled until it is back. Retry after the Retry-After seconds.")
    static let jobFailed = ProblemType("job-failed", title: "Job failed", code: .internal,
        summary: "A synchronous request's job failed after its input had been accepted: a fault of the server, not of the request.")

    // The engine's refusals (DiffWaveError).
    static let malformedArray = ProblemType("malformed-array", title: "Malformed array", code: .malformed,
        summary: "The body is not a readable mel: a truncated or invalid .npy or .npz, an unsupported dtype, or JSON that is not {\"mel\": [[...], ...]} with rows of equal length.")
    static let malformedCompression = ProblemType("malformed-compression", title: "Malformed compression", code: .malformed,
        summary: "The body's gzip Content-Encoding is corrupt or truncated.")
    static let inputTooLarge = ProblemType("input-too-large", title: "Input too large", code: .contentTooLarge,
        summary: "The decoded input is larger than this server accepts (max-decoded-body-bytes).")
    static let unusableInput = ProblemType("unusable-input", title: "Unusable input", code: .unprocessable,
        summary: "The input is readable but does not fit the model: the wrong rank or number of mel bands, no frames, a NaN or infinity, or audio too short or at another sample rate. The detail says which.")
    static let melOutOfRange = ProblemType("mel-out-of-range", title: "Mel out of range", code: .unprocessable,
        summary: "The mel has values outside [0, 1]: it was made with another normalisation than the reference's (e.g. a natural-log Tacotron 2 or HiFi-GAN mel), and would vocode to noise. The detail says how to convert it; strict=false takes it as it is.")
    static let label = ProblemType("label", title: "Invalid label", code: .unprocessable,
        summary: "A class label is missing (a class-conditional model needs one), not wanted (the model has no classes), out of range, unknown, or given twice with different values. The detail lists the valid labels; GET /model gives num_classes and class_names.")
    static let schedule = ProblemType("schedule", title: "Invalid schedule", code: .unprocessable,
        summary: "The noise schedule cannot be used with this model.")
    static let modelConfiguration = ProblemType("model-configuration", title: "Unsupported configuration", code: .unprocessable,
        summary: "The model or the requested option cannot run as asked (e.g. a precision this machine lacks).")
    static let jobCancelled = ProblemType("job-cancelled", title: "Job cancelled", code: .conflict,
        summary: "The work was cancelled before it finished.")
    static let engineFailure = ProblemType("engine-failure", title: "Engine failure", code: .internal,
        summary: "Encoding the audio or reading a file failed on the server's side.")

    // The routes' own refusals.
    static let melTooLong = ProblemType("mel-too-long", title: "Mel too long", code: .unprocessable,
        summary: "The mel (or the audio's mel) has more frames than this server takes (max-frames, in GET /model's limits). Split it.")
    static let tooManySamples = ProblemType("too-many-samples", title: "Too many samples", code: .unprocessable,
        summary: "POST /generate asked for more samples than this server makes (max-samples, in GET /model's limits), or for none.")
    static let wrongEndpoint = ProblemType("wrong-endpoint", title: "Wrong endpoint for this model", code: .unprocessable,
        summary: "A model conditioned on a mel is served by POST /vocode, one without a mel by POST /generate; GET /model's conditioning says which this is.")
    static let invalidParameter = ProblemType("invalid-parameter", title: "Invalid parameter", code: .malformed,
        summary: "A query parameter's value is not of its type (seed an unsigned 64-bit integer, format one of wav, wav-f32, flac, ogg, a boolean true or false). The detail names it.")
    static let precisionUnavailable = ProblemType("precision-unavailable", title: "Precision unavailable", code: .unprocessable,
        summary: "precision= names a number format this server cannot run (bf16 needs AVX512-BF16), or none it knows; GET /model lists the available ones.")

    /// Every problem type a client of this service can meet: the service's, then the HTTP
    /// layer's generic ones. `GET /problems/<name>` describes each; openapi.yaml lists them.
    static let catalogue: [ProblemType] = [
        .queueFull, .shuttingDown, .cancelledByShutdown, .syncTimedOut, .storeUnavailable, .jobNotFound, .jobNotFinished, .jobHasNoAudio, .audioExpired, .jobFailed,
        .malformedArray, .malformedCompression, .inputTooLarge, .unusableInput, .melOutOfRange, .label, .schedule,
        .modelConfiguration, .jobCancelled, .engineFailure,
        .melTooLong, .tooManySamples, .wrongEndpoint, .invalidParameter, .precisionUnavailable,
    ] + ProblemType.generic
}
