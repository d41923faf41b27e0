import DiffWave
import Foundation
import HTTP

/// `POST /mel`: audio in, the model's own mel out, as the `.npy` bytes `diffwave mel` writes.
struct MelRoute: Sendable {
    let service: VocoderService

    func mel(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        guard RequestBody.isAudio(request) else {
            throw HTTPError(.unsupportedMediaType, "POST /mel takes audio: audio/wav, audio/flac or audio/ogg",
                            headers: ["Accept-Post": "audio/wav, audio/flac, audio/ogg"])
        }
        let resample = try SamplingRequest.flag(request, "resample") ?? false
        let mel = try RequestBody.melOfAudio(request, service: service, resample: resample)
        return HTTPResponse(contentType: "application/x-npy", body: NPY.encode(mel))
    }
}
