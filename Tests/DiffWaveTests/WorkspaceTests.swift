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

    /// A small untrained BASE-shaped model whose six layers have dilations 1...32.
    static func sixLayerModel(unconditional: Bool = false) throws -> DiffWave {
        var config = DiffWaveConfig.base
        (config.residualLayers, config.residualChannels, config.dilationCycleLength, config.unconditional) = (6, 8, 6, unconditional)
        return try DiffWave.untrained(config: config)
    }

    /// The upsampler's first layer over a random mel for `n` samples.
    static func randomConditioner(_ model: DiffWave, samples n: Int, seed: UInt64) -> [Float] {
        let m = model.config.nMels, frames = n / model.config.hopSamples
        return model.upsampleFirstLayer(mel: Tensor(shape: [m, frames], data: randomSignal(m * frames, seed: seed)))
    }

    @Test func twoThreadsMatchOneThread() throws {
        let model = try Fixtures.model("tiny_uncond")
        let n = 3 * ExecutionPlan.tileColumns + 11
        let x = Self.randomSignal(n, seed: 5)
        let one = DiffWaveTests.evaluate(model, x, step: 4, conditioner: nil, workspace: Workspace(model: model, samples: n, threads: 1))
        let two = DiffWaveTests.evaluate(model, x, step: 4, conditioner: nil, workspace: Workspace(model: model, samples: n, threads: 2))
        #expect(maxAbsDifference(one, two) < 1e-6)
    }

    /// A thread takes the others' tiles once done with its own, so under bfloat16 each
    /// thread's scratch has the matmuls for every range's tile widths, not only its own.
    @Test func everyThreadHasTheMatmulsForEveryRangesTileWidths() throws {
        guard Precision.bfloat16.isAvailable else { return }
        let model = try Self.sixLayerModel()
        let n = 4 * 512 + 253   // ranges of 1150 and 1151 columns: rests of 126 and 127
        let ws = Workspace(model: model, samples: n, threads: 2, precision: .bfloat16)
        let widths = Set(ws.plan.ranges.flatMap { TimeTile.grid($0, tile: ws.plan.tile).map(\.count) })
        #expect(widths == [512, 126, 127])
        #expect(ws.scratch.allSatisfy { Set($0.matmuls.keys) == widths })
    }

    /// Many threads on short ranges and narrow tiles, each taking the others' tiles once done
    /// with its own: a tile must not start before the layer before is done around it.
    @Test(arguments: [3, 5])
    func manyThreadsMatchOneThread(threads: Int) throws {
        let model = try Self.sixLayerModel()
        let n = 4 * 512 + 256
        let x = Self.randomSignal(n, seed: 13), once = Self.randomConditioner(model, samples: n, seed: 14)
        let one = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: Workspace(model: model, samples: n, tile: 37))
        let many = Workspace(model: model, samples: n, threads: threads, tile: 37)
        #expect(many.threads == threads && many.plan.layerTiles.allSatisfy { $0.allSatisfy { $0.count > 1 } })
        for _ in 0..<3 {
            #expect(maxAbsDifference(one, DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: many)) < 1e-5)
        }
    }

    /// Ranges narrower than the largest dilation would let a layer read a thread beyond its
    /// neighbours: the workspace takes fewer threads instead.
    @Test func threadsKeepRangesAsWideAsTheLargestDilation() throws {
        let model = try Self.sixLayerModel(unconditional: true)   // dilations up to 32
        let n = 100
        let x = Self.randomSignal(n, seed: 15)
        let four = Workspace(model: model, samples: n, threads: 4, tile: 16)
        #expect(four.threads == 3 && four.plan.ranges.allSatisfy { $0.count >= 32 })
        let one = DiffWaveTests.evaluate(model, x, step: 3, conditioner: nil, workspace: Workspace(model: model, samples: n, tile: 16))
        #expect(maxAbsDifference(one, DiffWaveTests.evaluate(model, x, step: 3, conditioner: nil, workspace: four)) < 1e-5)
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

    /// Caching the upsampled mel, and the conditioner's projection for some layers (stored in
    /// phase order where the layer's tile takes Winograd, strided tiles' included), gives the
    /// output of computing them in every step: in the first step, which stores the projections,
    /// and in the next, which reads them.
    @Test func conditionerCacheDoesNotChangeTheOutput() throws {
        let model = try Self.sixLayerModel()
        let n = 4 * 512 + 256
        let x = Self.randomSignal(n, seed: 11), once = Self.randomConditioner(model, samples: n, seed: 12)
        // Tiles of 64 take strided F(4, 3) tiles at d = 32, whose runs come from several blocks of the cached mel.
        for (threads, tile) in [(1, 512), (2, 512), (2, 37), (2, 64), (3, 64)] {
            let plain = Workspace(model: model, samples: n, threads: threads, tile: tile)
            let activations = plain.byteCount, mel = 4 * model.config.nMels * n
            let melOnly = Workspace(model: model, samples: n, threads: threads, tile: tile, memoryBudgetBytes: activations + mel)
            // Three of the six layers: the rest of the budget after the activations and the mel.
            let cached = Workspace(model: model, samples: n, threads: threads, tile: tile,
                                   memoryBudgetBytes: activations + mel + 3 * 4 * 2 * 8 * n + 1000)
            let all = Workspace(model: model, samples: n, threads: threads, tile: tile, memoryBudgetBytes: 1 << 30)
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

    /// A thread's next workspace reuses the last one's whole-signal buffers (not zeroed) and
    /// computes the same, caches included; what it does not take is unmapped.
    @Test func aThreadsNextWorkspaceReusesTheLastOnesBuffers() throws {
        let model = try Self.sixLayerModel()
        let n = 64 * 1024   // 2 MiB per (C, N) buffer: mapped, so spare-able
        let x = Self.randomSignal(n, seed: 21), once = Self.randomConditioner(model, samples: n, seed: 22)
        func run() -> (out: [Float], buffers: Set<UnsafeMutablePointer<Float>>) {
            let ws = Workspace(model: model, samples: n, threads: 2, memoryBudgetBytes: 1 << 30)
            ws.cacheConditioner(once, model: model)
            _ = DiffWaveTests.evaluate(model, x, step: 2, conditioner: once, workspace: ws)
            return (DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: ws), [ws.x, ws.xNext, ws.skip])
        }
        LargeAllocation.Spares.current.releaseUntaken()
        let first = run(), second = run()
        #expect(second.buffers == first.buffers)
        #expect(second.out == first.out)
        // Reused, not fresh: the last request's values are still there (a new mapping reads as zeros).
        let third = Workspace(model: model, samples: n, threads: 2, memoryBudgetBytes: 1 << 30)
        #expect(UnsafeBufferPointer(start: third.x, count: 8 * n).contains { $0 != 0 })
        // A shorter request takes what fits and the rest is unmapped once its workspace is built.
        let short = Workspace(model: model, samples: n / 2, memoryBudgetBytes: 1 << 30)
        #expect(short.samples == n / 2 && LargeAllocation.Spares.current.bytes == 0)
    }

    /// Each layer's tiles side by side fill its cache: every column in exactly one tile's block.
    @Test(arguments: [(1, 512), (2, 64), (3, 37)])
    func cacheBlocksPartitionEachLayer(threads: Int, tile: Int) throws {
        let model = try Self.sixLayerModel()
        let n = 4 * 512 + 256
        let ws = Workspace(model: model, samples: n, threads: threads, tile: tile, memoryBudgetBytes: 1 << 30)
        for i in 0..<ws.cachedLayers {
            var blocks: [Range<Int>] = []
            for tiles in ws.plan.layerTiles {
                for t in tiles[i] { blocks.append(t.cacheColumn..<(t.cacheColumn + t.tile.width)) }
            }
            blocks.sort { $0.lowerBound < $1.lowerBound }
            #expect(blocks.first?.lowerBound == 0 && blocks.last?.upperBound == n)
            #expect(zip(blocks, blocks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }
    }

    /// Under bfloat16 the projections are cached as bfloat16 for all layers: the first step
    /// reads back what it stored, as the next does (the same output, bit for bit), and the output
    /// stays within what rounding the projection to bfloat16 moves (far under the 40 dB of
    /// bfloat16 itself).
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"), arguments: [37, 64, 512])
    func bfloat16ConditionerCache(tile: Int) throws {
        let model = try Self.sixLayerModel()
        let n = 4 * 512
        let x = Self.randomSignal(n, seed: 15), once = Self.randomConditioner(model, samples: n, seed: 16)
        let plain = Workspace(model: model, samples: n, precision: .bfloat16, tile: tile)
        let cached = Workspace(model: model, samples: n, threads: 2, precision: .bfloat16, tile: tile, memoryBudgetBytes: 1 << 30)
        #expect(cached.cachesMel && cached.cachedLayers == 6)
        // Two bytes a value: without the six layers' 2C · n · 2 bytes, the budget caches none.
        let melOnly = Workspace(model: model, samples: n, threads: 2, precision: .bfloat16, tile: tile,
                                memoryBudgetBytes: cached.byteCount - 6 * 2 * 8 * n * 2)
        #expect(melOnly.cachesMel && melOnly.cachedLayers == 0)
        cached.cacheConditioner(once, model: model)
        let a = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: plain)
        let first = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: cached)
        let next = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: cached)
        #expect(next == first)
        #expect(PrecisionTests.snr(first, reference: a) > 50)
        // A new conditioner: the next step stores its projections afresh.
        let other = Self.randomConditioner(model, samples: n, seed: 17)
        let fresh = DiffWaveTests.evaluate(model, x, step: 3, conditioner: other, workspace: plain)
        cached.cacheConditioner(other, model: model)
        #expect(PrecisionTests.snr(DiffWaveTests.evaluate(model, x, step: 3, conditioner: other, workspace: cached), reference: fresh) > 50)
    }

    /// Under bfloat16 the mel is cached as bfloat16, rounded as it would be per tile: the
    /// same output, for the direct path (tiles of 37) and Winograd's (512).
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"), arguments: [37, 512])
    func bfloat16MelCacheDoesNotChangeTheOutput(tile: Int) throws {
        let model = try Self.sixLayerModel()
        let n = 4 * 512
        let x = Self.randomSignal(n, seed: 13), once = Self.randomConditioner(model, samples: n, seed: 14)
        let plain = Workspace(model: model, samples: n, precision: .bfloat16, tile: tile)
        let melOnly = Workspace(model: model, samples: n, precision: .bfloat16, tile: tile,
                                memoryBudgetBytes: plain.byteCount + 2 * model.config.nMels * n)
        #expect(melOnly.cachesMel && melOnly.cachedLayers == 0)
        melOnly.cacheConditioner(once, model: model)
        let a = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: plain)
        let b = DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: melOnly)
        #expect(maxAbsDifference(a, b) < 1e-6)
    }

    /// The documented figures: 224 MiB holds the upsampled mel and 8 of BASE's 30 layers for 2 s
    /// of audio in float32; for 10 s, whose activations alone take 173 MB, not the mel (71 MB: a
    /// peak over 300 MB), and no layer. Bfloat16's 2 GiB holds the mel and all 30 layers up to 11 s.
    @Test func defaultBudgets() throws {
        let model = try DiffWave.untrained()
        let f32 = Sampler.defaultMemoryBudgetBytes(.float32), bf16 = Sampler.defaultMemoryBudgetBytes(.bfloat16)
        let short = Workspace(model: model, samples: 2 * 22050, threads: 2, memoryBudgetBytes: f32)
        #expect(short.cachesMel && short.cachedLayers == 8)
        #expect(short.byteCount <= f32)
        let long = Workspace(model: model, samples: 10 * 22050, threads: 2, memoryBudgetBytes: f32)
        #expect(!long.cachesMel && long.cachedLayers == 0)
        for seconds in [2, 10, 11] {
            let ws = Workspace(model: model, samples: seconds * 22050, threads: 2, precision: .bfloat16, memoryBudgetBytes: bf16)
            #expect(ws.cachesMel && ws.cachedLayers == 30)
            #expect(ws.byteCount <= bf16)
        }
        let longer = Workspace(model: model, samples: 12 * 22050, threads: 2, precision: .bfloat16, memoryBudgetBytes: bf16)
        #expect(longer.cachesMel && longer.cachedLayers < 30)
        let unconditional = Workspace(model: try Fixtures.model("tiny_uncond"), samples: 1000, memoryBudgetBytes: 1 << 30)
        #expect(unconditional.cachedLayers == 0)
    }
}
