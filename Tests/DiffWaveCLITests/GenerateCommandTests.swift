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

    @Test func aModelThatTakesAMelIsRefused() throws {
        let r = try CLI.run(["generate", "--model", CLI.fixture("tiny.pt"), "--samples", "100", "--output", CLI.temporaryFile(".wav")])
        #expect(r.status == 1)
        #expect(r.stderr == "diffwave: this checkpoint needs a mel spectrogram (use vocode)\n")
    }

    /// `tiny_class` with its reference draws and label 3, given by number and by name.
    @Test(arguments: [("fast", "3"), ("full", "three")])
    func writesTheReferenceAudioOfALabel(_ schedule: String, _ label: String) throws {
        let out = CLI.temporaryFile(".wav")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["generate", "--model", CLI.fixture("tiny_class.pt"), "--schedule", schedule, "--label", label,
                             "--noise", CLI.fixture("tiny_class.\(schedule).noise.npy"), "--format", "wav-f32", "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        let expected = try NPY.read(Data(contentsOf: URL(fileURLWithPath: CLI.fixture("tiny_class.\(schedule).audio.npy"))))
        let audio = try CLI.readAudio(out)
        #expect(audio.sampleRate == 16000)
        #expect(maxAbsDifference(audio.samples, expected.data) < 1e-4)
    }

    /// Each label error is one line and exit status 1, naming the valid labels.
    @Test(arguments: [
        ("tiny_class.pt", nil, "this model is class-conditional: give a label (the labels are 0...9 or zero, one, two, three, four, five, six, seven, eight, nine)"),
        ("tiny_uncond.pt", "3", "this model has no classes: it takes no label (got 3)"),
        ("tiny_class.pt", "10", "label 10 is out of range: the labels are 0...9 or zero, one, two, three, four, five, six, seven, eight, nine"),
        ("tiny_class.pt", "ten", "unknown label 'ten': the labels are 0...9 or zero, one, two, three, four, five, six, seven, eight, nine"),
    ] as [(String, String?, String)])
    func aWrongLabelIsOneLine(_ model: String, _ label: String?, _ message: String) throws {
        let out = CLI.temporaryFile(".wav")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["generate", "--model", CLI.fixture(model), "--samples", "100", "--output", out] + (label.map { ["--label", $0] } ?? []))
        #expect(r.status == 1)
        #expect(r.stderr == "diffwave: \(message)\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
