import Testing
@testable import DiffWave

/// The workspace's thread split and tiling must not change the numbers.
@Suite struct WorkspaceTests {
    static func randomSignal(_ n: Int, seed: UInt64) -> [Float] {
        var noise = GaussianNoise(seed: seed)
        var x = [Float](repeating: 0, count: n)
        noise.fill(&x)
        return x
    }

    @Test func twoThreadsMatchOneThread() throws {
        let model = try Fixtures.model("tiny_uncond")
        let n = 3 * DiffWave.tileColumns + 11
        let x = Self.randomSignal(n, seed: 5)
        let one = DiffWaveTests.evaluate(model, x, step: 4, conditioner: nil, workspace: Workspace(model: model, samples: n, threads: 1))
        let two = DiffWaveTests.evaluate(model, x, step: 4, conditioner: nil, workspace: Workspace(model: model, samples: n, threads: 2))
        #expect(maxAbsDifference(one, two) < 1e-6)
    }

    @Test func twoThreadsMatchOneThreadThroughTheSampler() throws {
        let model = try Fixtures.model("tiny")
        let sampler = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config))
        let mel = Tensor(shape: [model.config.nMels, 5], data: Self.randomSignal(model.config.nMels * 5, seed: 6).map { min(max(0.5 + 0.2 * $0, 0), 1) })
        let one = try sampler.vocode(mel: mel, noise: .seed(9), threads: 1)
        let two = try sampler.vocode(mel: mel, noise: .seed(9), threads: 2)
        #expect(maxAbsDifference(one, two) < 1e-6)
    }

    @Test func tileWidthDoesNotChangeTheOutput() throws {
        let model = try Fixtures.model("tiny_uncond")
        let n = 1000
        let x = Self.randomSignal(n, seed: 7)
        let wide = DiffWaveTests.evaluate(model, x, step: 2, conditioner: nil, workspace: Workspace(model: model, samples: n, tile: 1000))
        let narrow = DiffWaveTests.evaluate(model, x, step: 2, conditioner: nil, workspace: Workspace(model: model, samples: n, tile: 37))
        #expect(maxAbsDifference(wide, narrow) < 1e-5)
    }
}
