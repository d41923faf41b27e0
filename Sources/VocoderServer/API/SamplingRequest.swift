import DiffWave
import Foundation
import HTTP

/// The sampling options common to `/vocode` and `/generate`, from the query and headers.
struct SamplingRequest {
    var schedule: NoiseSchedule.Kind = .fast
    var seed: UInt64
    var format: AudioFormat = .wav
    /// The answer may be the job's status (202 + Location) rather than the audio.
    var respondAsync = false
    /// With `respondAsync`, how long to wait for the audio before answering 202 (RFC 7240
    /// §4.3 `Prefer: respond-async, wait=N`); nil answers 202 at once.
    var asyncWait: Duration?
    /// `strict=false` lets a mel outside [0, 1] through.
    var strict = true
    /// `resample=true`: an audio upload at another rate is resampled instead of refused.
    var resample = false
    /// `precision=f32|bf16`, else the server's default (`--precision`).
    var precision: Precision
    /// `label=`: all digits is a class index, anything else a class name (`Label(parsing:)`).
    var label: Label?

    init(_ request: HTTPRequest, defaultPrecision: Precision) throws(HTTPError) {
        if let value = request.queryValue("schedule") {
            guard let kind = NoiseSchedule.Kind(rawValue: value) else {
                throw HTTPError(.schedule, "schedule must be 'fast' or 'full', got '\(value)'")
            }
            schedule = kind
        }
        if let value = request.queryValue("seed") {
            guard let parsed = UInt64(value) else {
                throw HTTPError(.invalidParameter, "seed must be an integer in 0...\(UInt64.max), got '\(value)'")
            }
            seed = parsed
        } else {
            // No seed asked for: a fresh one, reported in the job status so the audio can be reproduced.
            seed = UInt64.random(in: 0...UInt64.max)
        }
        respondAsync = try Self.flag(request, "async") ?? false
        // RFC 7240 §4.1: `Prefer: respond-async` asks for an asynchronous answer; §4.3: with
        // `wait=N` (delta-seconds) the client would rather have the audio if it comes within N s.
        // A `wait` that is not delta-seconds is ignored, as preferences a server cannot use are.
        let preferences = request.headers.tokens(for: "Prefer")
        if preferences.contains("respond-async") {
            respondAsync = true
            asyncWait = preferences.lazy.compactMap { $0.hasPrefix("wait=") ? Int($0.dropFirst(5)) : nil }
                .first { $0 >= 0 }.map { .seconds($0) }
        }
        if let value = request.queryValue("format") {
            guard let parsed = AudioFormat(rawValue: value) else {
                throw HTTPError(.invalidParameter, "format must be one of wav, wav-f32, flac, ogg; got '\(value)'")
            }
            format = parsed
        } else if let accept = request.headers["Accept"] {
            do throws(HTTPError) {
                format = try Self.negotiate(accept)
            } catch {
                // An asynchronous answer is the job's JSON status: an Accept that admits JSON
                // is satisfied by it (RFC 9110 §12.5.1), and the audio, fetched later, is WAV.
                guard respondAsync, Self.admitsJSON(accept) else { throw error }
            }
        }
        strict = try Self.flag(request, "strict") ?? true
        resample = try Self.flag(request, "resample") ?? false
        precision = defaultPrecision
        if let value = request.queryValue("precision") {
            guard let parsed = Precision(rawValue: value) else {
                throw HTTPError(.precisionUnavailable, "precision must be 'f32' or 'bf16', got '\(value)'")
            }
            guard parsed.isAvailable else {
                throw HTTPError(.precisionUnavailable, "precision '\(value)' is not available on this server (its CPU has no AVX512-BF16); use f32")
            }
            precision = parsed
        }
        label = request.queryValue("label").map(Label.init(parsing:))
    }

    /// The class index the request names through `?label=`, its JSON body's `"label"`, or both
    /// when they agree; nil for a model without classes. Every refusal is a 422 (`.label`) whose
    /// detail lists the valid labels.
    func classIndex(body: Label?, conditioning: Conditioning) throws(HTTPError) -> Int? {
        func resolve(_ label: Label?) throws(HTTPError) -> Int? {
            do { return try conditioning.classIndex(of: label) } catch { throw HTTPError(error) }
        }
        let index = try resolve(label ?? body)
        if let label, let body, try resolve(body) != index {
            // A label error like the others, so that it answers as they do (HTTPError+Engine).
            throw HTTPError(DiffWaveError(.label, "the query's label \(label) and the body's label \(body) disagree"))
        }
        return index
    }

    static func flag(_ request: HTTPRequest, _ name: String) throws(HTTPError) -> Bool? {
        guard let value = request.queryValue(name) else { return nil }
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw HTTPError(.invalidParameter, "\(name) must be true or false, got '\(value)'")
        }
    }

    /// Whether `accept` lists `application/json` or `application/*` with a non-zero q.
    static func admitsJSON(_ accept: String) -> Bool {
        accept.split(separator: ",").contains { range in
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0 && (parts.first == "application/json" || parts.first == "application/*")
        }
    }

    /// RFC 9110 §12.5.1: the acceptable audio type of highest q (ties: listed order);
    /// a wildcard means the default, WAV. Nothing acceptable is 406.
    static func negotiate(_ accept: String) throws(HTTPError) -> AudioFormat {
        var best: (q: Double, format: AudioFormat)?
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first, !type.isEmpty else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            guard q > 0 else { continue }
            let format: AudioFormat? = (type == "*/*" || type == "audio/*") ? .wav : AudioFormat(mediaType: type)
            if let format, q > (best?.q ?? 0) { best = (q, format) }
        }
        guard let best else {
            throw HTTPError(.notAcceptable, "Accept '\(accept)' names no audio type this server produces (audio/wav, audio/flac, audio/ogg)")
        }
        return best.format
    }
}
