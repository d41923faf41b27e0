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

    /// Caching the conditioner's projection for some layers (stored in pair order where the
    /// layer's tile takes Winograd) gives the output of computing it in every step.
    @Test func conditionerCacheDoesNotChangeTheOutput() throws {
        var config = DiffWaveConfig.base
        (config.residualLayers, config.residualChannels, config.dilationCycleLength) = (6, 8, 6)
        let model = try DiffWave.untrained(config: config)
        let n = 4 * 512 + 256
        let x = Self.randomSignal(n, seed: 11)
        let once = model.upsampleFirstLayer(mel: Tensor(shape: [config.nMels, n / 256], data: Self.randomSignal(config.nMels * n / 256, seed: 12)))
        for (threads, tile) in [(1, 512), (2, 512), (2, 37)] {
            let plain = Workspace(model: model, samples: n, threads: threads, tile: tile)
            let activations = plain.byteCount
            // Three of the six layers: the rest of the budget after the activations.
            let cached = Workspace(model: model, samples: n, threads: threads, tile: tile,
                                   memoryBudgetBytes: activations + 3 * 4 * 2 * 8 * n + 1000)
            #expect(plain.cachedLayers == 0 && cached.cachedLayers == 3)
            model.cacheConditioner(once, workspace: cached)
            let a = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: plain)
            let b = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: cached)
            #expect(maxAbsDifference(a, b) < 1e-5)
        }
    }

    /// The documented figures: 256 MiB caches 10 of BASE's 30 layers for 2 s of audio and
    /// none for 10 s, whose activations alone take 169 MB.
    @Test func defaultBudgetCachesShortUtterancesOnly() throws {
        let model = try DiffWave.untrained()
        let short = Workspace(model: model, samples: 2 * 22050, threads: 2, memoryBudgetBytes: Sampler.defaultMemoryBudgetBytes)
        #expect(short.cachedLayers == 10)
        #expect(short.byteCount <= Sampler.defaultMemoryBudgetBytes)
        let long = Workspace(model: model, samples: 10 * 22050, threads: 2, memoryBudgetBytes: Sampler.defaultMemoryBudgetBytes)
        #expect(long.cachedLayers == 0)
        let unconditional = Workspace(model: try Fixtures.model("tiny_uncond"), samples: 1000, memoryBudgetBytes: 1 << 30)
        #expect(unconditional.cachedLayers == 0)
    }
}
