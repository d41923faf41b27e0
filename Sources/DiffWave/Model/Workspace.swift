import Dispatch

/// A job's scratch memory for one utterance length: whole-signal activations plus, per
/// compute thread, one time tile of intermediates. Allocated once per request; the step
/// loop never allocates.
public final class Workspace {
    /// One thread's tile scratch: the layer input with a dilation halo (C, tile + 2·halo),
    /// the dilated conv output (2C, tile), the gated activation (C, tile) and the output
    /// projection (2C, tile).
    final class TileScratch {
        let padded: UnsafeMutablePointer<Float>
        let conv: UnsafeMutablePointer<Float>
        let gated: UnsafeMutablePointer<Float>
        let projected: UnsafeMutablePointer<Float>

        init(channels c: Int, tile: Int, halo: Int, allocate: (Int) -> UnsafeMutablePointer<Float>) {
            padded = allocate(c * (tile + 2 * halo))
            conv = allocate(2 * c * tile)
            gated = allocate(c * tile)
            projected = allocate(2 * c * tile)
        }
    }

    let samples: Int
    let channels: Int
    let tile: Int
    let halo: Int
    /// Residual stream in and out of the current layer, and the skip sum: (C, N) each.
    let x: UnsafeMutablePointer<Float>
    let xNext: UnsafeMutablePointer<Float>
    let skip: UnsafeMutablePointer<Float>
    /// The step embedding (512), its hidden layer (512), and every layer's projection of it (L, C).
    let embedding: UnsafeMutablePointer<Float>
    let hidden: UnsafeMutablePointer<Float>
    let stepBias: UnsafeMutablePointer<Float>
    /// Column ranges, one per compute thread, and each thread's tile scratch.
    let ranges: [Range<Int>]
    let scratch: [TileScratch]
    private var allocations: [UnsafeMutablePointer<Float>] = []

    public init(model: DiffWave, samples: Int, threads: Int = 1) {
        let c = model.config.residualChannels
        self.samples = samples
        self.channels = c
        self.tile = min(DiffWave.tileColumns, max(samples, 1))
        self.halo = model.largestDilation
        var allocations: [UnsafeMutablePointer<Float>] = []
        func alloc(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            allocations.append(p)
            return p
        }
        x = alloc(c * samples)
        xNext = alloc(c * samples)
        skip = alloc(c * samples)
        embedding = alloc(DiffWaveConfig.embeddingWidth)
        hidden = alloc(DiffWaveConfig.embeddingWidth)
        stepBias = alloc(model.config.residualLayers * c)
        // Contiguous column ranges keep each thread's reads and writes in its own cache lines.
        let parts = max(1, min(threads, samples))
        ranges = (0..<parts).map { k in (k * samples / parts)..<((k + 1) * samples / parts) }
        let (tile, halo) = (self.tile, self.halo)
        scratch = (0..<parts).map { _ in TileScratch(channels: c, tile: tile, halo: halo, allocate: alloc) }
        self.allocations = allocations
    }

    public var threads: Int { ranges.count }

    /// Bytes held, for memory accounting.
    public var byteCount: Int {
        4 * (3 * channels * samples + threads * channels * (tile + 2 * halo + 5 * tile))
    }

    /// Runs `body(thread, range)` for every thread's column range, in parallel, and waits.
    func forEachRange(_ body: (Int, Range<Int>) -> Void) {
        let ranges = self.ranges
        if ranges.count == 1 { return body(0, ranges[0]) }
        // Safe to share: each iteration touches only its own column range and scratch, and
        // concurrentPerform returns only after every iteration finished (the body never escapes).
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: ranges.count) { k in body(k, ranges[k]) }
        }
    }

    deinit { for p in allocations { p.deallocate() } }
}
