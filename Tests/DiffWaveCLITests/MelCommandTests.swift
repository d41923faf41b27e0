import Foundation
import Logging
import TestSupport
import Testing
@testable import DiffWave
import HTTP
@testable import VocoderServer

@Suite struct MelCommandTests {
    @Test func matchesTheReferenceMelAndPostMel() async throws {
        let out = CLI.temporaryFile(".npy")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["mel", CLI.fixture("speech.wav"), "--model", CLI.fixture("tiny.pt"), "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        let written = try Data(contentsOf: URL(fileURLWithPath: out))
        let reference = try NPY.read(Data(contentsOf: URL(fileURLWithPath: CLI.fixture("speech.mel.npy"))))
        let mel = try NPY.read(written)
        #expect(mel.shape == reference.shape)
        #expect(maxAbsDifference(mel.data, reference.data) < 1e-4)

        // The service's POST /mel over the same checkpoint answers the same bytes.
        let engine = try VocodingEngine(model: DiffWave.load(contentsOf: URL(fileURLWithPath: CLI.fixture("tiny.pt"))), trained: true)
        let router = VocoderService(configuration: ServerConfiguration(), engine: engine, logger: Logger(label: "test")).makeRouter()
        let request = try HTTPRequest(method: .post, target: "/mel", version: .http1_1,
                                      headers: ["Host": "localhost", "Content-Type": "audio/wav"],
                                      body: Data(contentsOf: URL(fileURLWithPath: CLI.fixture("speech.wav"))))
        let response = router.respond(to: request)
        #expect(response.status == .ok)
        #expect(response.body == written)
    }

    @Test func badAudioIsOneLine() throws {
        let empty = CLI.temporaryFile(".wav"), corrupt = CLI.temporaryFile(".wav")
        defer { for f in [empty, corrupt] { try? FileManager.default.removeItem(atPath: f) } }
        try Data().write(to: URL(fileURLWithPath: empty))
        try Data("RIFF\u{0}\u{0}\u{0}\u{0}WAVEjunkjunkjunk".utf8).write(to: URL(fileURLWithPath: corrupt))
        for (file, fragment) in [(empty, "empty"), (corrupt, "sf_open_virtual")] {
            let r = try CLI.run(["mel", file, "--output", CLI.temporaryFile(".npy")])
            #expect(r.status != 0)
            #expect(r.stderr.hasPrefix("diffwave: ") && r.stderr.contains(fragment), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func vocodeRefusesAnOutOfRangeMelUnlessNotStrict() throws {
        let mel = CLI.temporaryFile(".npy"), out = CLI.temporaryFile(".wav")
        defer { for f in [mel, out] { try? FileManager.default.removeItem(atPath: f) } }
        // A natural-log mel: values around -5, far outside [0, 1].
        try NPY.encode(Tensor(shape: [80, 3], data: [Float](repeating: -5, count: 240))).write(to: URL(fileURLWithPath: mel))
        let strict = try CLI.run(["vocode", "--model", CLI.fixture("tiny.pt"), "--output", out, mel])
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("[0, 1]"), "\(strict.stderr)")
        let lenient = try CLI.run(["vocode", "--model", CLI.fixture("tiny.pt"), "--no-strict", "--output", out, mel])
        #expect(lenient.status == 0, "\(lenient.stderr)")
    }
}
