import Foundation
import TestSupport
import Testing
@testable import DiffWave

@Suite struct GenerateCommandTests {
    @Test(arguments: ["fast", "full"])
    func writesTheReferenceAudio(_ schedule: String) throws {
        let out = CLI.temporaryFile(".wav")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["generate", "--model", CLI.fixture("tiny_uncond.pt"), "--schedule", schedule,
                             "--noise", CLI.fixture("tiny_uncond.\(schedule).noise.npy"), "--format", "wav-f32", "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        let expected = try NPY.read(Data(contentsOf: URL(fileURLWithPath: CLI.fixture("tiny_uncond.\(schedule).audio.npy"))))
        #expect(maxAbsDifference(try CLI.readAudio(out).samples, expected.data) < 1e-4)
    }

    @Test func samplesSetsTheLength() throws {
        let out = CLI.temporaryFile(".flac")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["generate", "--model", CLI.fixture("tiny_uncond.pt"), "--samples", "1234", "--seed", "9", "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)).prefix(4) == Data("fLaC".utf8))
        #expect(try CLI.readAudio(out).samples.count == 1234)
    }

    @Test func aConditionalModelIsRefused() throws {
        let r = try CLI.run(["generate", "--model", CLI.fixture("tiny.pt"), "--samples", "100", "--output", CLI.temporaryFile(".wav")])
        #expect(r.status != 0)
        #expect(r.stderr.contains("conditional"))
    }
}
