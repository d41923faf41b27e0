import DiffWave
import Foundation
import Logging
import Testing
import HTTP
@testable import VocoderServer

/// `POST /mel`, and copy synthesis through `POST /vocode` with an audio body.
@Suite struct MelRouteTests {
    let router: Router
    let service: VocoderService

    init() throws {
        var config = DiffWaveConfig.base
        config.residualLayers = 2; config.residualChannels = 4; config.dilationCycleLength = 2
        let engine = try VocodingEngine(model: DiffWave.untrained(config: config), trained: false)
        service = VocoderService(configuration: ServerConfiguration(), engine: engine, logger: Logger(label: "test"))
        service.start()
        router = service.makeRouter()
    }

    func post(_ path: String, _ body: Data, type: String? = "audio/wav") async throws -> HTTPResponse {
        var headers: HTTPHeaders = ["Host": "localhost"]
        if let type { headers.set("Content-Type", type) }
        return router.respond(to: try HTTPRequest(method: .post, target: path, version: .http1_1, headers: headers, body: body))
    }

    func problem(_ response: HTTPResponse) -> String {
        String(decoding: response.body, as: UTF8.self)
    }

    @Test func melOfAWAVIsTheFrontendsNPY() async throws {
        let wav = TestAudio.sineWAV(seconds: 0.5)
        let response = try await post("/mel", wav)
        #expect(response.status == .ok, "\(problem(response))")
        #expect(response.headers["Content-Type"] == "application/x-npy")
        let mel = try NPY.read(response.body)
        #expect(mel.shape == [80, 1 + 11025 / 256])
        #expect(response.body == NPY.encode(try MelFrontend(config: service.engine.model.config).mel(ofAudioFile: wav)))
    }

    @Test func stereoAndEightBitFilesAreRead() async throws {
        let stereo = try await post("/mel", TestAudio.sineWAV(seconds: 0.2, channels: 2))
        let mono = try await post("/mel", TestAudio.sineWAV(seconds: 0.2))
        #expect(stereo.status == .ok && stereo.body == mono.body, "the first channel of a stereo file")
        let eightBit = try await post("/mel", TestAudio.sineWAV(seconds: 0.2, bits: 8), type: "application/octet-stream")
        #expect(eightBit.status == .ok, "\(problem(eightBit))")
        #expect(try NPY.read(eightBit.body).shape == [80, 1 + 4410 / 256])
    }

    @Test func anotherRateIs422UnlessResampled() async throws {
        let wav = TestAudio.sineWAV(seconds: 0.2, sampleRate: 44_100)
        let refused = try await post("/mel", wav)
        #expect(refused.status == .unprocessableContent)
        #expect(problem(refused).contains("44100 Hz") && problem(refused).contains("22050 Hz"))
        let resampled = try await post("/mel?resample=true", wav)
        #expect(resampled.status == .ok)
        #expect(try NPY.read(resampled.body).shape == [80, 1 + 4410 / 256])
    }

    @Test func emptyCorruptAndNonAudioBodies() async throws {
        #expect(try await post("/mel", Data()).status == .badRequest)
        var corrupt = TestAudio.sineWAV(seconds: 0.1)
        corrupt.replaceSubrange(8..<12, with: Data("JUNK".utf8))
        #expect(try await post("/mel", corrupt).status == .badRequest)
        #expect(try await post("/mel", Data("hello".utf8), type: "text/plain").status == .unsupportedMediaType)
    }

    @Test func vocodeTakesAudioForCopySynthesis() async throws {
        let response = try await post("/vocode?seed=3&format=wav-f32", TestAudio.sineWAV(seconds: 0.3))
        #expect(response.status == .ok, "\(problem(response))")
        let frames = 1 + 6615 / 256
        #expect(try AudioDecoder.decode(response.body).samples.count == frames * 256)
    }
}
