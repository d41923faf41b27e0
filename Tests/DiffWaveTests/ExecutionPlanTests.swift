import TestSupport
import Testing
@testable import DiffWave

/// What the plan chooses: the threads' ranges, each layer's tiles and their convolutions, what to cache.
@Suite struct ExecutionPlanTests {
    /// Ranges narrower than the largest dilation would let a layer read a thread beyond its
    /// neighbours: the workspace takes fewer threads instead.
    @Test func threadsKeepRangesAsWideAsTheLargestDilation() throws {
        let model = try TestModels.sixLayerModel(.none)   // dilations up to 32
        let n = 100
        let x = TestModels.randomSignal(n, seed: 15)
        let four = try Workspace(model: model, samples: n, threads: 4, tile: 16)
        #expect(four.threads == 3 && four.plan.ranges.allSatisfy { $0.count >= 32 })
        let one = DiffWaveTests.evaluate(model, x, step: 3, conditioner: nil, workspace: try Workspace(model: model, samples: n, tile: 16))
        #expect(maxAbsDifference(one, DiffWaveTests.evaluate(model, x, step: 3, conditioner: nil, workspace: four)) < 1e-5)
    }

    /// Each layer's tiles side by side fill its cache: every column in exactly one tile's block.
    @Test(arguments: [(1, 512), (2, 64), (3, 37)])
    func cacheBlocksPartitionEachLayer(threads: Int, tile: Int) throws {
        let model = try TestModels.sixLayerModel()
        let n = 4 * 512 + 256
        let ws = try Workspace(model: model, samples: n, threads: threads, tile: tile, memoryBudgetBytes: 1 << 30)
        #expect(ws.cachedLayers == model.config.residualLayers, "1 GiB caches every layer")
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

    /// The documented figures: 224 MiB holds the upsampled mel and 8 of BASE's 30 layers for 2 s
    /// of audio in float32; for 10 s, whose activations alone take 173 MB, not the mel (71 MB: a
    /// peak over 300 MB), and no layer. Bfloat16's 2 GiB holds the mel and all 30 layers up to 11 s.
    @Test func defaultBudgets() throws {
        let model = try DiffWave.untrained()
        let f32 = Sampler.defaultMemoryBudgetBytes(.float32), bf16 = Sampler.defaultMemoryBudgetBytes(.bfloat16)
        func plan(seconds: Int, _ precision: Precision, budget: Int) -> ExecutionPlan {
            ExecutionPlan(model: model, samples: seconds * 22050, threads: 2, precision: precision, memoryBudgetBytes: budget)
        }
        func bytes(_ plan: ExecutionPlan) -> Int { plan.layout.bytes(cachedLayers: plan.cachedLayers, melCached: plan.cachesMel) }
        let short = plan(seconds: 2, .float32, budget: f32)
        #expect(short.cachesMel && short.cachedLayers == 8)
        #expect(bytes(short) <= f32)
        let long = plan(seconds: 10, .float32, budget: f32)
        #expect(!long.cachesMel && long.cachedLayers == 0)
        // Sizes only: planning for bfloat16 needs no CPU that runs it.
        for seconds in [2, 10, 11] {
            let p = plan(seconds: seconds, .bfloat16, budget: bf16)
            #expect(p.cachesMel && p.cachedLayers == 30)
            #expect(bytes(p) <= bf16)
        }
        let longer = plan(seconds: 12, .bfloat16, budget: bf16)
        #expect(longer.cachesMel && longer.cachedLayers < 30)
        let unconditional = ExecutionPlan(model: try Fixtures.model("tiny_uncond"), samples: 1000, threads: 1, memoryBudgetBytes: 1 << 30)
        #expect(unconditional.cachedLayers == 0)
    }

    /// Winograd where a transform applies to the tile clear of the signal's ends, F(4, 3) before
    /// F(2, 3); under bfloat16 on full tiles only (the matmuls' fixed shape); always F(4, 3) on
    /// strided tiles. The gate puts z back in column order on contiguous tiles from d = 2.
    @Test func winogradWhereATransformAppliesToTheTile() throws {
        let model = try TestModels.sixLayerModel()   // dilations 1...32
        let n = 4 * 512 + 256
        let f32 = ExecutionPlan(model: model, samples: n, threads: 2), bf16 = ExecutionPlan(model: model, samples: n, threads: 2, precision: .bfloat16)
        // Thread 0's tiles at d = 1: [0, 512) touches the signal's start, [512, 1024) and the range's rest [1024, 1152) take F(4, 3).
        #expect(f32.layerTiles[0][0].map(\.tile) == [0..<512, 512..<1024, 1024..<1152].map(TimeTile.contiguous))
        #expect(f32.layerTiles[0][0].map(\.winograd) == [nil, .f4, .f4])
        #expect(bf16.layerTiles[0][0].map(\.winograd) == [nil, .f4, nil])
        // Thread 1's last tile, [2176, 2304), touches the signal's end.
        #expect(f32.layerTiles[1][0].last!.winograd == nil)
        #expect(f32.layerTiles[0][0].allSatisfy { !$0.gatesInColumnOrder } && f32.layerTiles[0][1].allSatisfy(\.gatesInColumnOrder))
        // Tiles of 96: 24 quads are not whole vectors, 48 pairs are.
        #expect(ExecutionPlan(model: model, samples: n, tile: 96).layerTiles[0][1][1].winograd == .f2)
        // Tiles of 64 at d = 32: F(4, 3)'s block is 128 columns, so strided tiles, which gate in phase order.
        let strided = ExecutionPlan(model: model, samples: n, tile: 64).layerTiles[0][5].filter { $0.tile.run != nil }
        #expect(!strided.isEmpty && strided.allSatisfy { $0.winograd == .f4 && !$0.gatesInColumnOrder })
    }
}
