import TestSupport
import Testing
@testable import DiffWave

/// The forward pass's thread split and tiling must not change the numbers.
@Suite struct ForwardPassTests {
    @Test func twoThreadsMatchOneThread() throws {
        let model = try Fixtures.model("tiny_uncond")
        let n = 3 * ExecutionPlan.tileColumns + 11
        let x = TestModels.randomSignal(n, seed: 5)
        let one = DiffWaveTests.evaluate(model, x, step: 4, conditioner: nil, workspace: try Workspace(model: model, samples: n, threads: 1))
        let two = DiffWaveTests.evaluate(model, x, step: 4, conditioner: nil, workspace: try Workspace(model: model, samples: n, threads: 2))
        #expect(maxAbsDifference(one, two) < 1e-6)
    }

    /// Many threads on short ranges and narrow tiles, each taking the others' tiles once done
    /// with its own: a tile must not start before the layer before is done around it.
    @Test(arguments: [3, 5])
    func manyThreadsMatchOneThread(threads: Int) throws {
        let model = try TestModels.sixLayerModel()
        let n = 4 * 512 + 256
        let x = TestModels.randomSignal(n, seed: 13), once = TestModels.randomConditioner(model, samples: n, seed: 14)
        let one = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: try Workspace(model: model, samples: n, tile: 37))
        let many = try Workspace(model: model, samples: n, threads: threads, tile: 37)
        #expect(many.threads == threads && many.plan.layerTiles.allSatisfy { $0.allSatisfy { $0.count > 1 } })
        for _ in 0..<3 {
            #expect(maxAbsDifference(one, DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: many)) < 1e-5)
        }
    }

    @Test func twoThreadsMatchOneThreadThroughTheSampler() throws {
        let model = try Fixtures.model("tiny")
        let sampler = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config))
        let mel = Tensor(shape: [model.config.nMels, 5], data: TestModels.randomSignal(model.config.nMels * 5, seed: 6).map { min(max(0.5 + 0.2 * $0, 0), 1) })
        let one = try sampler.vocode(mel: mel, noise: .seed(9), threads: 1)
        let two = try sampler.vocode(mel: mel, noise: .seed(9), threads: 2)
        #expect(maxAbsDifference(one, two) < 1e-6)
    }

    @Test func tileWidthDoesNotChangeTheOutput() throws {
        let model = try Fixtures.model("tiny_uncond")
        let n = 1000
        let x = TestModels.randomSignal(n, seed: 7)
        let wide = DiffWaveTests.evaluate(model, x, step: 2, conditioner: nil, workspace: try Workspace(model: model, samples: n, tile: 1000))
        let narrow = DiffWaveTests.evaluate(model, x, step: 2, conditioner: nil, workspace: try Workspace(model: model, samples: n, tile: 37))
        #expect(maxAbsDifference(wide, narrow) < 1e-5)
    }
}
