/// A job's scratch memory and compute threads for one utterance length: whole-signal
/// activations plus, per compute thread, one time tile of intermediates. Allocated once per
/// request (the whole-signal buffers from the thread's last workspace's mappings where they
/// fit, `LargeAllocation.Spares`); the step loop never allocates.
public final class Workspace {
    /// One thread's tile scratch: the stacked GEMM input `[y(t - d); y(t); y(t + d); mel(t)]`
    /// (3C + M, tile) or Winograd's input blocks and the mel in phase order ((2C + M, tile) at
    /// most); the dilated conv output (2C, tile), or Winograd's products (4C, tile at most) and
    /// before them the mel in column order (M, tile); the gated activation (C, tile) and the
    /// output projection (2C, tile), which under Winograd first holds the conditioner's.
    final class TileScratch {
        let stacked: UnsafeMutablePointer<Float>
        let conv: UnsafeMutablePointer<Float>
        let gated: UnsafeMutablePointer<Float>
        let projected: UnsafeMutablePointer<Float>
        /// Under `.bfloat16`: the GEMMs' bfloat16 inputs (`stacked` converted, the gate's `z`
        /// written directly), and the matmuls for each tile width a thread meets (the full
        /// tile and each range's rest): the conv with and without the conditioner's rows (cached
        /// layers), the output projection, its skip rows alone (the last layer), and the
        /// conditioner's projection `(2C, M) @ (M, width)` alone (conditional models).
        let stacked16: UnsafeMutablePointer<UInt16>
        let gated16: UnsafeMutablePointer<UInt16>
        let matmuls: [Int: (conv: BF16Matmul, taps: BF16Matmul, output: BF16Matmul, skip: BF16Matmul, conditioner: BF16Matmul?)]
        /// Under `.bfloat16`: Winograd's `m + 2` products `(2C, C) @ (C, tile / m)` as one batched
        /// matmul for each transform that divides a full tile: one call instead of `m + 2` saves
        /// the per-call overhead, and the result is bit-identical.
        let winograd: [Winograd: BF16Matmul]

        init(channels c: Int, depth: Int, tile: Int, widths: Set<Int>, precision: Precision,
             allocate: (Int) -> UnsafeMutablePointer<Float>) {
            stacked = allocate(depth * tile)
            conv = allocate(max(4 * c, depth - 3 * c) * tile)
            gated = allocate(c * tile)
            projected = allocate(2 * c * tile)
            let half = precision == .bfloat16 ? 1 : 0   // two bfloat16 values per float
            stacked16 = UnsafeMutableRawPointer(allocate(half * (depth * tile + 1) / 2)).assumingMemoryBound(to: UInt16.self)
            gated16 = UnsafeMutableRawPointer(allocate(half * (c * tile + 1) / 2)).assumingMemoryBound(to: UInt16.self)
            var matmuls: [Int: (conv: BF16Matmul, taps: BF16Matmul, output: BF16Matmul, skip: BF16Matmul, conditioner: BF16Matmul?)] = [:]
            let m = depth - 3 * c
            if precision == .bfloat16 {
                for w in widths {
                    // Sampler checked Precision.isAvailable, so building these cannot fail.
                    matmuls[w] = (try! BF16Matmul(m: 2 * c, n: w, k: depth, lda: depth, ldb: w, ldc: w),
                                  try! BF16Matmul(m: 2 * c, n: w, k: 3 * c, lda: depth, ldb: w, ldc: w),
                                  try! BF16Matmul(m: 2 * c, n: w, k: c, lda: c, ldb: w, ldc: w),
                                  try! BF16Matmul(m: c, n: w, k: c, lda: c, ldb: w, ldc: w),
                                  m > 0 ? try! BF16Matmul(m: 2 * c, n: w, k: m, lda: m, ldb: w, ldc: w) : nil)
                }
            }
            self.matmuls = matmuls
            var winograd: [Winograd: BF16Matmul] = [:]
            if precision == .bfloat16 {
                for w in Winograd.allCases where tile % w.phases == 0 {
                    let q = tile / w.phases
                    winograd[w] = try! BF16Matmul(m: 2 * c, n: q, k: c, lda: c, ldb: q, ldc: q, batch: w.products)
                }
            }
            self.winograd = winograd
        }

        static func floats(channels c: Int, depth: Int, tile: Int, precision: Precision) -> Int {
            (depth + max(4 * c, depth - 3 * c) + 3 * c) * tile + (precision == .bfloat16 ? (depth + c) * tile / 2 : 0)
        }
    }

    let samples: Int
    let channels: Int
    let tile: Int
    let depth: Int
    /// The GEMMs' input format.
    public let precision: Precision
    /// Residual stream in and out of the current layer, and the skip sum: (C, N) each.
    let x: UnsafeMutablePointer<Float>
    let xNext: UnsafeMutablePointer<Float>
    let skip: UnsafeMutablePointer<Float>
    /// The step embedding (512), its hidden layer (512), its table row (128), and every layer's
    /// projection of it (L, C).
    let embedding: UnsafeMutablePointer<Float>
    let hidden: UnsafeMutablePointer<Float>
    let tableRow: UnsafeMutablePointer<Float>
    let stepBias: UnsafeMutablePointer<Float>
    /// The upsampled mel `(M, N)` in the GEMMs' input format (float32, or bfloat16 bit
    /// patterns), one contiguous `(M, width)` block per tile, computed once per request
    /// (`DiffWave.cacheConditioner`) if the budget holds it; else the upsampler's second layer
    /// runs per tile in every layer and step.
    private let melStorage: UnsafeMutableRawPointer?
    /// The conditioner's projection `W_mel @ mel (2C, N)` of the first `cachedLayers` layers,
    /// in the GEMMs' input format (float32, or bfloat16 bit patterns: the gate widens them),
    /// computed by the first step of a request and read by the others: a block `(2C, width)`
    /// per tile of the layer (`layerTiles`) at its `cacheColumns`, in the column order the tile's
    /// step uses (phase order where Winograd applies).
    let cachedLayers: Int
    private let conditionerStorage: UnsafeMutableRawPointer
    /// Whether the steps read the cached projections; cleared by `DiffWave.cacheConditioner`
    /// for the request's conditioner, so that its first step computes and stores them.
    var conditionerCached = false
    /// Column ranges, one per compute thread, and each thread's tile scratch.
    let ranges: [Range<Int>]
    let scratch: [TileScratch]
    /// Each thread's contiguous tiles (the output projection's, the caches').
    let tiles: [[Range<Int>]]
    /// Each thread's tiles in each layer (`TimeTile.plan`), the items of the layer's queue
    /// that the thread owns (`ComputeTeam.drain`), and where each one's block starts in its
    /// layer's projection cache, in columns: the layer's tiles side by side (they partition the columns).
    let layerTiles: [[[TimeTile]]]
    let cacheColumns: [[[Int]]]
    /// The threads that run the ranges.
    let team: ComputeTeam
    /// Every buffer above, released with the workspace.
    private let allocations: [LargeAllocation]

    /// `memoryBudgetBytes` is what the workspace may hold: the activations and tile scratch
    /// always, then the upsampled mel if it fits (it saves the most per byte), then as many
    /// layers of conditioner projection as fit in the rest (neither for an unconditional model).
    public init(model: DiffWave, samples: Int, threads: Int = 1, precision: Precision = .float32,
                tile: Int = DiffWave.tileColumns, memoryBudgetBytes: Int = 0) {
        self.precision = precision
        let c = model.config.residualChannels
        self.samples = samples
        self.channels = c
        self.tile = min(tile, max(samples, 1))
        self.depth = model.packed.stackedDepth
        var allocations: [LargeAllocation] = []
        // The whole-signal buffers are written before they are read (x by the input projection,
        // x' by each layer, the skip sum cleared, the caches filled): they may reuse the thread's
        // last workspace's mappings.
        let spares = LargeAllocation.Spares.current
        func alloc(_ n: Int, reuse: Bool = false) -> UnsafeMutablePointer<Float> {
            allocations.append(LargeAllocation(floats: n, spares: reuse ? spares : nil))
            return allocations.last!.floats
        }
        x = alloc(c * samples, reuse: true)
        xNext = alloc(c * samples, reuse: true)
        skip = alloc(c * samples, reuse: true)
        embedding = alloc(DiffWaveConfig.embeddingWidth)
        hidden = alloc(DiffWaveConfig.embeddingWidth)
        tableRow = alloc(DiffWaveConfig.embeddingTableWidth)
        stepBias = alloc(model.config.residualLayers * c)
        // Contiguous column ranges keep each thread's reads and writes in its own cache lines,
        // each at least the largest dilation wide (shorter signals have too little work to share).
        let parts = max(1, min(threads, samples / max(model.largestDilation, 1)))
        ranges = (0..<parts).map { k in (k * samples / parts)..<((k + 1) * samples / parts) }
        let (tile, depth) = (self.tile, self.depth)
        let activations = Workspace.bytes(channels: c, depth: depth, samples: samples, tile: tile, threads: parts,
                                          precision: precision, cachedLayers: 0, melCached: false)
        let m = depth - 3 * c, melBytes = Workspace.melBytes(mels: m, samples: samples, precision: precision)
        var left = max(0, memoryBudgetBytes - activations)
        let melCached = m > 0 && melBytes <= left
        if melCached { left -= melBytes }
        melStorage = melCached ? UnsafeMutableRawPointer(alloc((melBytes + 3) / 4, reuse: true)) : nil
        let layerBytes = Workspace.cachedLayerBytes(channels: c, samples: samples, precision: precision)
        cachedLayers = m == 0 ? 0 : min(model.packed.layers.count, left / layerBytes)
        conditionerStorage = UnsafeMutableRawPointer(alloc((cachedLayers * layerBytes + 3) / 4, reuse: true))
        let width = self.tile
        // Every range's tile widths in every thread's scratch: a thread takes the others' tiles
        // once done with its own (`ComputeTeam.drain`).
        let widths = Set(ranges.flatMap { [min(tile, $0.count), $0.count % tile] }.filter { $0 > 0 })
        scratch = ranges.map { _ in
            TileScratch(channels: c, depth: depth, tile: tile, widths: widths, precision: precision, allocate: { alloc($0) })
        }
        self.allocations = allocations
        spares.releaseUntaken()
        let n = samples
        tiles = ranges.map { TimeTile.grid($0, tile: width) }
        layerTiles = ranges.map { range in
            model.packed.layers.map { TimeTile.plan(range: range, samples: n, tile: width, dilation: $0.dilation) }
        }
        cacheColumns = zip(ranges, layerTiles).map { range, layers in
            layers.map { tiles in Array(tiles.reduce(into: [range.lowerBound]) { $0.append($0.last! + $1.width) }.dropLast()) }
        }
        team = ComputeTeam(count: ranges.count, queues: DiffWave.queues(layers: model.packed.layers.count))
    }

    public var threads: Int { ranges.count }

    /// Bytes held, for memory accounting.
    public var byteCount: Int {
        Workspace.bytes(channels: channels, depth: depth, samples: samples, tile: tile, threads: threads,
                        precision: precision, cachedLayers: cachedLayers, melCached: melStorage != nil)
    }

    /// x, x' and the skip sum (C, N) each, the upsampled mel if cached, the cached layers
    /// (2C, N) each, and each thread's tile scratch.
    static func bytes(channels c: Int, depth: Int, samples: Int, tile: Int, threads: Int, precision: Precision,
                      cachedLayers: Int, melCached: Bool) -> Int {
        4 * (3 * c * samples + threads * TileScratch.floats(channels: c, depth: depth, tile: tile, precision: precision))
            + cachedLayers * cachedLayerBytes(channels: c, samples: samples, precision: precision)
            + (melCached ? melBytes(mels: depth - 3 * c, samples: samples, precision: precision) : 0)
    }

    /// One layer's cached conditioner projection `(2C, N)` in the GEMMs' input format.
    static func cachedLayerBytes(channels c: Int, samples: Int, precision: Precision) -> Int {
        2 * c * samples * (precision == .bfloat16 ? 2 : 4)
    }

    /// The upsampled mel `(M, N)` in the GEMMs' input format.
    static func melBytes(mels m: Int, samples: Int, precision: Precision) -> Int {
        m * samples * (precision == .bfloat16 ? 2 : 4)
    }

    /// Whether the upsampled mel is cached.
    var cachesMel: Bool { melStorage != nil }

    /// The cached upsampled mel's block for the contiguous tile that starts at column `start`, if cached.
    func melCache(start: Int) -> UnsafeMutableRawPointer? {
        melStorage.map { $0 + Workspace.melBytes(mels: depth - 3 * channels, samples: start, precision: precision) }
    }

    /// Column `t` of the cached upsampled mel, if cached, and its rows' distance (the width of
    /// the contiguous tile that holds it), in the GEMMs' input format.
    func melCache(column t: Int) -> (UnsafeMutableRawPointer, ld: Int)? {
        let range = ranges.first { $0.contains(t) }!
        let start = range.lowerBound + (t - range.lowerBound) / tile * tile
        return melCache(start: start).map { ($0 + Workspace.melBytes(mels: 1, samples: t - start, precision: precision),
                                             min(tile, range.upperBound - start)) }
    }

    /// The cache block `(2C, width)` of layer `i`'s tile `j` of thread `owner`'s, if the layer is cached.
    func cachedConditioner(layer i: Int, owner: Int, tile j: Int) -> UnsafeMutableRawPointer? {
        guard i < cachedLayers else { return nil }
        let columns = samples * i + cacheColumns[owner][i][j]
        return conditionerStorage + Workspace.cachedLayerBytes(channels: channels, samples: columns, precision: precision)
    }

    /// Runs `body(thread, range)` for every thread's column range, in parallel, and waits.
    func forEachRange(_ body: (Int, Range<Int>) -> Void) {
        let ranges = self.ranges
        team.run { k in body(k, ranges[k]) }
    }
}
