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

    /// `tiny_speaker`: a mel and speaker 2 give the reference's audio.
    @Test func writesTheReferenceAudioOfASpeaker() throws {
        let out = CLI.temporaryFile(".wav")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CLI.run(["vocode", "--model", CLI.fixture("tiny_speaker.pt"), "--label", "2",
                                  "--noise", CLI.fixture("tiny_speaker.fast.noise.npy"), "--format", "wav-f32",
                                  "--output", out, "--no-strict", CLI.fixture("tiny_speaker.mel.npy")])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try NPY.read(Data(contentsOf: URL(fileURLWithPath: CLI.fixture("tiny_speaker.fast.audio.npy"))))
        #expect(maxAbsDifference(try CLI.readAudio(out).samples, expected.data) < 1e-4)
    }

    /// A speaker model without class names takes numbers only; a mel model without classes takes no label.
    @Test(arguments: [
        ("tiny_speaker", "alice", "label 'alice' is a name, but this model's classes have no names: the labels are 0...3"),
        ("tiny_speaker", "4", "label 4 is out of range: the labels are 0...3"),
        ("tiny_speaker", nil, "this model is class-conditional: give a label (the labels are 0...3)"),
        ("tiny", "0", "this model has no classes: it takes no label (got 0)"),
    ] as [(String, String?, String)])
    func aWrongLabelIsOneLine(_ model: String, _ label: String?, _ message: String) throws {
        let out = CLI.temporaryFile(".wav")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CLI.run(["vocode", "--model", CLI.fixture("\(model).pt"), "--output", out, "--no-strict",
                                  CLI.fixture("\(model).mel.npy")] + (label.map { ["--label", $0] } ?? []))
        #expect(result.status == 1)
        #expect(result.stderr == "diffwave: \(message)\n")
    }

    /// Issue 21: the file names the checkpoint that made it, as the service's files do.
    @Test func theFileCarriesTheCheckpointsDigest() throws {
        let out = CLI.temporaryFile(".flac")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CLI.run(["vocode", "--model", CLI.fixture("tiny.pt"), "--seed", "1", "--output", out, CLI.fixture("tiny.mel.npy")])
        #expect(result.status == 0, "\(result.stderr)")
        let identity = try DiffWave.loadIdentified(contentsOf: URL(fileURLWithPath: CLI.fixture("tiny.pt"))).identity
        #expect(try AudioDecoder.comment(of: Data(contentsOf: URL(fileURLWithPath: out))) == identity.audioComment)
    }
}
