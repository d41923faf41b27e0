import Foundation
import TestSupport
import Testing
@testable import DiffWave

/// The whole reverse chain against the reference's audio, with the reference's own draws.
@Suite struct SamplerTests {
    /// With the default memory budget every layer's conditioner projection is cached for
    /// these short cases; with none, each step computes it.
    static func checkAudio(_ name: String, _ kind: NoiseSchedule.Kind, in directory: URL,
                           memoryBudget: Int? = nil) throws {
        func load(_ file: String) throws -> Tensor { try NPY.read(Data(contentsOf: directory.appendingPathComponent(file))) }
        let model = try DiffWave.load(contentsOf: directory.appendingPathComponent("\(name).pt"))
        let sampler = try Sampler(model: model, schedule: NoiseSchedule(kind, config: model.config), memoryBudgetBytes: memoryBudget)
        let draws = try load("\(name).\(kind).noise.npy")
        let expected = try load("\(name).\(kind).audio.npy")
        var steps: [Int] = []
        let label = try Fixtures.label(of: name)
        let audio = model.config.conditioning.takesMel
            ? try sampler.vocode(mel: load("\(name).mel.npy"), label: label, noise: .draws(draws)) { done, _ in steps.append(done); return true }
            : try sampler.generate(samples: draws.shape[1], label: label, noise: .draws(draws)) { done, _ in steps.append(done); return true }
        let diff = maxAbsDifference(audio, expected.data)
        #expect(diff < 1e-4, "\(name) \(kind) budget \(memoryBudget.map(String.init) ?? "default"): max |diff| \(diff)")
        #expect(steps == Array(1...sampler.schedule.count))
    }

    @Test(arguments: [("tiny", NoiseSchedule.Kind.full), ("tiny", .fast), ("tiny_legacy", .fast),
                      ("tiny_uncond", .full), ("tiny_uncond", .fast),
                      ("tiny_class", .full), ("tiny_class", .fast), ("tiny_speaker", .fast)])
    func matchesReferenceAudio(_ name: String, _ kind: NoiseSchedule.Kind) throws {
        try Self.checkAudio(name, kind, in: Fixtures.directory)
        try Self.checkAudio(name, kind, in: Fixtures.directory, memoryBudget: 0)
    }

    @Test(.enabled(if: Fixtures.hasBase, "needs ../shared/reference/base.pt"))
    func matchesReferenceAudioForBase() throws {
        try Self.checkAudio("base", .fast, in: Fixtures.sharedReference)
        try Self.checkAudio("base", .fast, in: Fixtures.sharedReference, memoryBudget: 0)
    }

    @Test func sameSeedSameAudio() throws {
        let model = try Fixtures.model("tiny_uncond")
        let sampler = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config))
        let a = try sampler.generate(samples: 500, noise: .seed(42))
        let b = try sampler.generate(samples: 500, noise: .seed(42))
        let c = try sampler.generate(samples: 500, noise: .seed(43))
        #expect(a == b)
        #expect(a != c)
        #expect(a.allSatisfy { $0 >= -1 && $0 <= 1 })
    }

    @Test func cancellationStopsAtAStepBoundary() throws {
        let model = try Fixtures.model("tiny_uncond")
        let sampler = try Sampler(model: model, schedule: NoiseSchedule(.full, config: model.config))
        var calls = 0
        #expect(throws: DiffWaveError(.cancelled, "cancelled after 3 of 50 steps")) {
            _ = try sampler.generate(samples: 100, noise: .seed(1)) { done, _ in calls += 1; return done < 3 }
        }
        #expect(calls == 3)
    }

    @Test func drawsOfTheWrongShapeAreRejected() throws {
        let model = try Fixtures.model("tiny_uncond")
        let sampler = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config))
        #expect(throws: DiffWaveError.self) {
            _ = try sampler.generate(samples: 100, noise: .draws(Tensor(zeros: [5, 100])))
        }
    }

    /// The label errors of `Conditioning.classIndex`, reached through the sampler.
    @Test func aLabelIsRequiredExactlyByClassConditionalModels() throws {
        let labelled = try Fixtures.model("tiny_class"), plain = try Fixtures.model("tiny_uncond")
        let labelledSampler = try Sampler(model: labelled, schedule: NoiseSchedule(.fast, config: labelled.config))
        #expect(throws: DiffWaveError(.label, "this model is class-conditional: give a label (the labels are 0...9 or zero, one, two, three, four, five, six, seven, eight, nine)")) {
            _ = try labelledSampler.generate(samples: 10, noise: .seed(0))
        }
        #expect(throws: DiffWaveError(.label, "label 10 is out of range: the labels are 0...9 or zero, one, two, three, four, five, six, seven, eight, nine")) {
            _ = try labelledSampler.generate(samples: 10, label: 10, noise: .seed(0))
        }
        #expect(throws: DiffWaveError(.label, "this model has no classes: it takes no label (got 0)")) {
            _ = try Sampler(model: plain, schedule: NoiseSchedule(.fast, config: plain.config)).generate(samples: 10, label: 0, noise: .seed(0))
        }
        #expect(try labelledSampler.generate(samples: 300, label: 3, noise: .seed(5)) != labelledSampler.generate(samples: 300, label: 4, noise: .seed(5)))
    }

    @Test func conditionalAndUnconditionalAreNotMixedUp() throws {
        let tiny = try Fixtures.model("tiny")
        let uncond = try Fixtures.model("tiny_uncond")
        #expect(throws: DiffWaveError.self) {
            _ = try Sampler(model: tiny, schedule: NoiseSchedule(.fast, config: tiny.config)).generate(samples: 10, noise: .seed(0))
        }
        #expect(throws: DiffWaveError.self) {
            _ = try Sampler(model: uncond, schedule: NoiseSchedule(.fast, config: uncond.config)).vocode(mel: Tensor(zeros: [80, 2]), noise: .seed(0))
        }
    }
}
