import Foundation
import TestSupport
import Testing
@testable import DiffWave

@Suite struct VocodeCommandTests {
    @Test(arguments: [("tiny", "fast"), ("tiny", "full"), ("tiny_legacy", "fast")])
    func writesTheReferenceAudioAsFloatWAV(_ name: String, _ schedule: String) throws {
        let out = CLI.temporaryFile(".wav")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CLI.run(["vocode", "--model", CLI.fixture("\(name).pt"), "--schedule", schedule,
                                  "--noise", CLI.fixture("\(name).\(schedule).noise.npy"), "--format", "wav-f32",
                                  "--output", out, CLI.fixture("\(name).mel.npy")])
        #expect(result.status == 0, "\(result.stderr)")
        let audio = try CLI.readAudio(out)
        let expected = try NPY.read(Data(contentsOf: URL(fileURLWithPath: CLI.fixture("\(name).\(schedule).audio.npy"))))
        #expect(audio.sampleRate == 22050)
        #expect(maxAbsDifference(audio.samples, expected.data) < 1e-4)
    }

    /// With no memory budget every step computes the conditioner's projection; the audio is the reference's all the same.
    @Test func noMemoryBudgetStillMatchesTheReference() throws {
        let out = CLI.temporaryFile(".wav")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CLI.run(["vocode", "--model", CLI.fixture("tiny.pt"), "--memory-budget-mb", "0",
                                  "--noise", CLI.fixture("tiny.fast.noise.npy"), "--format", "wav-f32",
                                  "--output", out, CLI.fixture("tiny.mel.npy")])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try NPY.read(Data(contentsOf: URL(fileURLWithPath: CLI.fixture("tiny.fast.audio.npy"))))
        #expect(maxAbsDifference(try CLI.readAudio(out).samples, expected.data) < 1e-4)
    }

    @Test func sameSeedSameBytes() throws {
        let a = CLI.temporaryFile(".wav"), b = CLI.temporaryFile(".wav")
        defer { for f in [a, b] { try? FileManager.default.removeItem(atPath: f) } }
        for out in [a, b] {
            let r = try CLI.run(["vocode", "--model", CLI.fixture("tiny.pt"), "--seed", "5", "--output", out, CLI.fixture("tiny.mel.npy")])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
        #expect(try CLI.readAudio(a).samples.count == 24 * 256)
    }

    @Test func errorsAreOneLineAndNonZero() throws {
        let out = CLI.temporaryFile(".wav")
        let cases: [([String], String)] = [
            (["--model", "/nonexistent.pt", CLI.fixture("tiny.mel.npy")], "/nonexistent.pt"),
            (["--model", CLI.fixture("tiny.pt"), CLI.fixture("tiny.fast.noise.npy")], "mel has 6 mel bands"),
            (["--model", CLI.fixture("tiny.pt"), CLI.fixture("tiny.pt")], "mel file"),
            (["--model", CLI.fixture("tiny.pt"), "--betas", "0.5,0.9,0.9", CLI.fixture("tiny.mel.npy")], "matches no training step"),
            (["--model", CLI.fixture("tiny.pt"), "--noise", CLI.fixture("tiny.full.noise.npy"), CLI.fixture("tiny.mel.npy")], "noise draws have shape"),
        ]
        for (arguments, fragment) in cases {
            let r = try CLI.run(["vocode", "--output", out] + arguments)
            #expect(r.status != 0)
            #expect(r.stderr.hasPrefix("diffwave: "), "\(r.stderr)")
            #expect(r.stderr.contains(fragment), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
