import DiffWave
import Foundation
import HTTP

/// Decodes a request body into an array: content coding first (RFC 9110 §8.4), then the
/// media type. The shape is not checked here; `MelInput` does that against the model.
enum RequestBody {
    /// The body with its content coding removed: identity or gzip, anything else is 415.
    static func decoded(_ request: HTTPRequest, maxBytes: Int) throws(HTTPError) -> Data {
        let codings = request.headers.tokens(for: "Content-Encoding").filter { $0 != "identity" }
        guard !codings.isEmpty else { return request.body }
        // RFC 9110 §15.5.16: an unsupported content coding is answered 415.
        guard codings == ["gzip"] || codings == ["x-gzip"] else {
            throw HTTPError(.unsupportedMediaType, "Content-Encoding '\(codings.joined(separator: ", "))' is not supported; use gzip or none",
                            headers: ["Accept-Encoding": "gzip"])
        }
        do {
            return try Gzip.decompress(request.body, maxBytes: maxBytes)
        } catch {
            throw HTTPError(error)
        }
    }

    /// The media type without parameters, lowercased (RFC 9110 §8.3.1: case-insensitive).
    static func mediaType(_ request: HTTPRequest) -> String? {
        guard let value = request.headers["Content-Type"] else { return nil }
        return value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    /// True for an audio upload (copy synthesis): an audio/* type, or untyped bytes whose
    /// magic says WAV, FLAC or Ogg.
    static func isAudio(_ request: HTTPRequest) -> Bool {
        if let type = mediaType(request), type.hasPrefix("audio/") || type == "application/ogg" { return true }
        guard mediaType(request) == nil || mediaType(request) == "application/octet-stream" else { return false }
        return audioMagics.contains { request.body.starts(with: $0) }
    }

    static let audioMagics = [Data("RIFF".utf8), Data("fLaC".utf8), Data("OggS".utf8)]

    /// The model's mel of an uploaded audio file. An unreadable file is the client's fault (400),
    /// a readable one at the wrong rate unusable (422).
    /// `maxFrames` counts mel frames, as `max-frames` does.
    static func melOfAudio(_ request: HTTPRequest, service: VocoderService, resample: Bool) throws(HTTPError) -> Tensor {
        let maxFrames = service.configuration.maxFrames
        let body = try decoded(request, maxBytes: service.configuration.maxDecodedBodyBytes)
        let mel: Tensor
        do {
            // The decoder counts file frames; up to 8× the model's rate keeps resampled uploads in reach.
            mel = try service.mel(ofAudioFile: body, resample: resample, maxFileFrames: maxFrames * service.hopLength * 8)
        } catch where error.code == .audio {
            // libsndfile could not read the upload: the client's file, not the server, is at fault.
            throw HTTPError(.malformed, "audio body: \(error.message)")
        } catch {
            throw HTTPError(error)
        }
        guard mel.shape[1] <= maxFrames else {
            throw HTTPError(.melTooLong, "audio gives \(mel.shape[1]) mel frames; this server takes at most \(maxFrames) (max-frames)")
        }
        return mel
    }

    static let npyMagic = Data([0x93] + Array("NUMPY".utf8))
    static let zipMagic = Data([0x50, 0x4B, 0x03, 0x04])

    /// The mel array of a `/vocode` body: .npy, .npz (the `mel` entry or the first), or JSON,
    /// which may carry a class label beside it. `maxValues` bounds a JSON mel's numbers before
    /// it is decoded (n_mels × max-frames).
    static func melArray(_ request: HTTPRequest, maxDecodedBytes: Int,
                         maxValues: Int = .max) throws(HTTPError) -> (mel: Tensor, label: Label?) {
        let type = mediaType(request)
        let body = try decoded(request, maxBytes: maxDecodedBytes)
        guard !body.isEmpty else { throw HTTPError(.malformed, "request body is empty: send the mel as .npy, .npz or JSON") }
        do {
            switch type {
            case "application/x-npy", "application/npy":
                return (try NPY.read(body), nil)
            case "application/x-npz", "application/npz", "application/zip":
                return (try npzMel(body, maxBytes: maxDecodedBytes), nil)
            case "application/json":
                try checkJSONValueCount(body, maxValues: maxValues)
                return try jsonMel(body)
            case "application/octet-stream", nil:
                // Untyped bytes: recognised by their magic number only.
                if body.starts(with: npyMagic) { return (try NPY.read(body), nil) }
                if body.starts(with: zipMagic) { return (try npzMel(body, maxBytes: maxDecodedBytes), nil) }
                throw HTTPError(.unsupportedMediaType, "body is neither .npy nor .npz; set Content-Type to application/x-npy, application/x-npz or application/json",
                                headers: ["Accept-Post": supportedTypes])
            default:
                throw HTTPError(.unsupportedMediaType, "Content-Type '\(type!)' is not supported; use application/x-npy, application/x-npz or application/json",
                                headers: ["Accept-Post": supportedTypes])
            }
        } catch let error as HTTPError {
            throw error
        } catch let error as DiffWaveError {
            throw HTTPError(error)
        } catch {
            throw HTTPError(.malformed, "\(error)")
        }
    }

    static let supportedTypes = "application/x-npy, application/x-npz, application/json"

    private static func npzMel(_ body: Data, maxBytes: Int) throws(DiffWaveError) -> Tensor {
        let arrays = try NPZ.read(body, maxBytes: maxBytes)
        guard let chosen = arrays.first(where: { $0.name == "mel" }) ?? arrays.first else {
            throw DiffWaveError(.array, ".npz body holds no .npy array")
        }
        return chosen.tensor
    }

    // Numbers are read as Double and rounded to Float: JSONDecoder refuses a Float whose
    // literal underflows it (e.g. 1e-300), though it is a valid JSON number that rounds to 0.
    // A `label` that is present must be a label: `{"label": null}` is malformed, not "no label"
    // (openapi.yaml: integer or string).
    private struct MelJSON<Rows: Decodable>: Decodable {
        let mel: Rows
        let label: Label?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            mel = try container.decode(Rows.self, forKey: .mel)
            label = container.contains(.label) ? try container.decode(Label.self, forKey: .label) : nil
        }

        private enum CodingKeys: String, CodingKey { case mel, label }
    }

    /// A JSON array of k numbers has k − 1 commas. Decoding costs tens of bytes per number, so a
    /// body within the byte limit but holding millions of numbers (far more than n_mels ×
    /// max-frames) is refused by counting commas, before any of it is decoded.
    static func checkJSONValueCount(_ body: Data, maxValues: Int) throws(HTTPError) {
        guard maxValues < body.count else { return }
        var commas = 0
        for byte in body where byte == UInt8(ascii: ",") {
            commas += 1
            // [[a, b], [c, d]]: n_mels × frames values need n_mels × frames − 1 commas.
            if commas >= maxValues {
                throw HTTPError(.melTooLong, "JSON mel holds more than \(maxValues) values; this server takes at most n_mels × max-frames")
            }
        }
    }

    /// `{"mel": [[...], ...], "label": 3 | "three"}`: n_mels rows of equal length (or one batch
    /// of them), and a class label for a model that takes one.
    private static func jsonMel(_ body: Data) throws(DiffWaveError) -> (mel: Tensor, label: Label?) {
        let rows: [[Double]], label: Label?
        if let plain = try? JSONDecoder().decode(MelJSON<[[Double]]>.self, from: body) {
            (rows, label) = (plain.mel, plain.label)
        } else if let batched = try? JSONDecoder().decode(MelJSON<[[[Double]]]>.self, from: body), batched.mel.count == 1 {
            (rows, label) = (batched.mel[0], batched.label)
        } else {
            throw DiffWaveError(.array, #"JSON body must be {"mel": [[number, ...], ...]} with one row per mel band, and optionally "label": integer or name"#)
        }
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else {
            throw DiffWaveError(.array, "JSON mel rows differ in length: every band needs the same number of frames")
        }
        return (Tensor(shape: [rows.count, width], data: rows.flatMap { $0.map { Float($0) } }), label)
    }
}
