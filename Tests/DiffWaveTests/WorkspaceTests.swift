import Testing
@testable import DiffWave

/// The workspace's buffers: each thread's scratch, and the whole-signal buffers a thread's next workspace reuses.
@Suite struct WorkspaceTests {
    /// A thread takes the others' tiles once done with its own, so under bfloat16 each
    /// thread's scratch has the matmuls for every range's tile widths, not only its own.
    /// Building a bfloat16 workspace builds oneDNN bf16 matmuls: only where the CPU runs them.
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"))
    func everyThreadHasTheMatmulsForEveryRangesTileWidths() throws {
        let model = try TestModels.sixLayerModel()
        let n = 4 * 512 + 253   // ranges of 1150 and 1151 columns: rests of 126 and 127
        let ws = try Workspace(model: model, samples: n, threads: 2, precision: .bfloat16)
        let widths = Set(ws.plan.ranges.flatMap { TimeTile.grid($0, tile: ws.plan.tile).map(\.count) })
        #expect(widths == [512, 126, 127])
        #expect(ws.scratch.allSatisfy { Set($0.matmuls.keys) == widths })
    }

    /// Where oneDNN cannot run bfloat16, building a bfloat16 workspace is an error to report,
    /// not a crash: the Sampler checks first, but nothing else stands in the way.
    @Test(.enabled(if: !BF16Matmul.isSupported, "needs a CPU where oneDNN cannot run bf16"))
    func aBfloat16WorkspaceWhereTheCPUHasNoneThrows() throws {
        let model = try TestModels.sixLayerModel()
        #expect(throws: DiffWaveError.self) { try Workspace(model: model, samples: 1000, precision: .bfloat16) }
        #expect(try Workspace(model: model, samples: 1000).plan.precision == .float32, "float32 is built as before")
    }

    /// A thread's next workspace reuses the last one's whole-signal buffers (not zeroed) and
    /// computes the same, caches included; what it does not take is unmapped.
    @Test func aThreadsNextWorkspaceReusesTheLastOnesBuffers() throws {
        let model = try TestModels.sixLayerModel()
        let n = 64 * 1024   // 2 MiB per (C, N) buffer: mapped, so spare-able
        let x = TestModels.randomSignal(n, seed: 21), once = TestModels.randomConditioner(model, samples: n, seed: 22)
        func run() throws -> (out: [Float], buffers: Set<UnsafeMutablePointer<Float>>) {
            let ws = try Workspace(model: model, samples: n, threads: 2, memoryBudgetBytes: 1 << 30)
            ws.cacheConditioner(once, model: model)
            _ = DiffWaveTests.evaluate(model, x, step: 2, conditioner: once, workspace: ws)
            return (DiffWaveTests.evaluate(model, x, step: 3, conditioner: once, workspace: ws), [ws.x, ws.xNext, ws.skip])
        }
        LargeAllocation.Spares.current.releaseUntaken()
        let first = try run(), second = try run()
        #expect(second.buffers == first.buffers)
        #expect(second.out == first.out)
        // Reused, not fresh: the last request's values are still there (a new mapping reads as zeros).
        let third = try Workspace(model: model, samples: n, threads: 2, memoryBudgetBytes: 1 << 30)
        #expect(UnsafeBufferPointer(start: third.x, count: 8 * n).contains { $0 != 0 })
        // A shorter request takes what fits and the rest is unmapped once its workspace is built.
        let short = try Workspace(model: model, samples: n / 2, memoryBudgetBytes: 1 << 30)
        #expect(short.samples == n / 2 && LargeAllocation.Spares.current.bytes == 0)
    }
}
