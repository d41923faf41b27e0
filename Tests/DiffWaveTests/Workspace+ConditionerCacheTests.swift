import TestSupport
import Testing
@testable import DiffWave

/// The upsampled mel and the conditioner's projections, cached or not, in float32 and bfloat16.
@Suite struct WorkspaceConditionerCacheTests {
    /// Caching the upsampled mel, and the conditioner's projection for some layers (stored in
    /// phase order where the layer's tile takes Winograd, strided tiles' included), gives the
    /// output of computing them in every step: in the first step, which stores the projections,
    /// and in the next, which reads them.
    @Test func conditionerCacheDoesNotChangeTheOutput() throws {
        let model = try TestModels.sixLayerModel()
        let n = 4 * 512 + 256
        let x = TestModels.randomSignal(n, seed: 11), once = TestModels.randomConditioner(model, samples: n, seed: 12)
        // Tiles of 64 take strided F(4, 3) tiles at d = 32, whose runs come from several blocks of the cached mel.
        for (threads, tile) in [(1, 512), (2, 512), (2, 37), (2, 64), (3, 64)] {
            let plain = try Workspace(model: model, samples: n, threads: threads, tile: tile)
            let activations = plain.byteCount, mel = 4 * model.config.nMels * n
            let melOnly = try Workspace(model: model, samples: n, threads: threads, tile: tile, memoryBudgetBytes: activations + mel)
            // Three of the six layers: the rest of the budget after the activations and the mel.
            let cached = try Workspace(model: model, samples: n, threads: threads, tile: tile,
                                   memoryBudgetBytes: activations + mel + 3 * 4 * 2 * 8 * n + 1000)
            let all = try Workspace(model: model, samples: n, threads: threads, tile: tile, memoryBudgetBytes: 1 << 30)
            #expect(!plain.cachesMel && plain.cachedLayers == 0)
            #expect(melOnly.cachesMel && melOnly.cachedLayers == 0)
            #expect(cached.cachesMel && cached.cachedLayers == 3)
            #expect(all.cachesMel && all.cachedLayers == 6)
            let a = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: plain)
            for workspace in [melOnly, cached, all] {
                workspace.cacheConditioner(once, model: model)
                let first = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: workspace)
                #expect(workspace.conditionerCached)
                let next = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: workspace)
                #expect(maxAbsDifference(a, first) < 1e-5)
                #expect(next == first)
            }
        }
    }

    /// Under bfloat16 the projections are cached as bfloat16 for all layers: the first step
    /// reads back what it stored, as the next does (the same output, bit for bit), and the output
    /// stays within what rounding the projection to bfloat16 moves (far under the 40 dB of
    /// bfloat16 itself).
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"), arguments: [37, 64, 512])
    func bfloat16ConditionerCache(tile: Int) throws {
        let model = try TestModels.sixLayerModel()
        let n = 4 * 512
        let x = TestModels.randomSignal(n, seed: 15), once = TestModels.randomConditioner(model, samples: n, seed: 16)
        let plain = try Workspace(model: model, samples: n, precision: .bfloat16, tile: tile)
        let cached = try Workspace(model: model, samples: n, threads: 2, precision: .bfloat16, tile: tile, memoryBudgetBytes: 1 << 30)
        #expect(cached.cachesMel && cached.cachedLayers == 6)
        // Two bytes a value: without the six layers' 2C · n · 2 bytes, the budget caches none.
        let melOnly = try Workspace(model: model, samples: n, threads: 2, precision: .bfloat16, tile: tile,
                                memoryBudgetBytes: cached.byteCount - 6 * 2 * 8 * n * 2)
        #expect(melOnly.cachesMel && melOnly.cachedLayers == 0)
        cached.cacheConditioner(once, model: model)
        let a = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: plain)
        let first = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: cached)
        let next = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: cached)
        #expect(next == first)
        #expect(PrecisionTests.snr(first, reference: a) > 50)
        // A new conditioner: the next step stores its projections afresh.
        let other = TestModels.randomConditioner(model, samples: n, seed: 17)
        let fresh = DiffWaveTests.evaluate(model, x, step: 3, conditioner: other, workspace: plain)
        cached.cacheConditioner(other, model: model)
        #expect(PrecisionTests.snr(DiffWaveTests.evaluate(model, x, step: 3, conditioner: other, workspace: cached), reference: fresh) > 50)
    }

    /// Under bfloat16 the mel is cached as bfloat16, rounded as it would be per tile: the
    /// same output, for the direct path (tiles of 37) and Winograd's (512).
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"), arguments: [37, 512])
    func bfloat16MelCacheDoesNotChangeTheOutput(tile: Int) throws {
        let model = try TestModels.sixLayerModel()
        let n = 4 * 512
        let x = TestModels.randomSignal(n, seed: 13), once = TestModels.randomConditioner(model, samples: n, seed: 14)
        let plain = try Workspace(model: model, samples: n, precision: .bfloat16, tile: tile)
        let melOnly = try Workspace(model: model, samples: n, precision: .bfloat16, tile: tile,
                                memoryBudgetBytes: plain.byteCount + 2 * model.config.nMels * n)
        #expect(melOnly.cachesMel && melOnly.cachedLayers == 0)
        melOnly.cacheConditioner(once, model: model)
        let a = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: plain)
        let b = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: melOnly)
        #expect(maxAbsDifference(a, b) < 1e-6)
    }
}
