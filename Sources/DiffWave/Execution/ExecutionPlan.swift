/// How the forward pass runs for one request, chosen here and nowhere else: from the model,
/// the signal length, the thread count, the number format and the memory budget, the time
/// tiles each thread owns, which of them take Winograd (and which transform) instead of the
/// plain dilated conv, and what the workspace caches. The workspace allocates what the plan
/// says (`WorkspaceLayout`); the forward pass (`ForwardPass`, `ResidualTile`) follows it.
struct ExecutionPlan: Equatable {
    /// Time columns per tile: large enough for efficient GEMMs, small enough that a tile's
    /// scratch ((3C + M + 5C)·tile floats, 1.2 MB for BASE) stays in L2. Narrower and wider
    /// tiles were tried on BASE and none did better (bench/README.md).
    static let tileColumns = 512

    /// One tile of one layer and how its dilated conv runs.
    struct LayerTile: Equatable {
        let tile: TimeTile
        /// The Winograd transform the tile takes, or nil for the plain conv (one GEMM over the stacked taps).
        let winograd: Winograd?
        /// Under Winograd, whether the gate puts `z` back in column order (`GateOutput.columnOrder`).
        let gatesInColumnOrder: Bool
        /// Where the tile's block starts in its layer's projection cache, in columns: the
        /// layer's tiles side by side (they partition the columns).
        let cacheColumn: Int
    }

    let samples: Int
    /// The GEMMs' input format.
    let precision: Precision
    /// Columns per full tile.
    let tile: Int
    /// Column ranges, one per compute thread.
    let ranges: [Range<Int>]
    /// Each thread's contiguous tiles (the output projection's, the caches').
    let tiles: [[Range<Int>]]
    /// Each thread's tiles in each layer (`TimeTile.plan`), the items of the layer's queue that
    /// the thread owns (`ComputeTeam.drain`).
    let layerTiles: [[[LayerTile]]]
    /// Whether the upsampled mel is cached, and how many layers' conditioner projections (the first ones).
    let cachesMel: Bool
    let cachedLayers: Int
    let layout: WorkspaceLayout

    var threads: Int { ranges.count }

    /// `memoryBudgetBytes` is what the workspace may hold: the activations and tile scratch
    /// always, then the upsampled mel if it fits (it saves the most per byte), then as many
    /// layers of conditioner projection as fit in the rest (neither for a model without a mel).
    init(model: DiffWave, samples: Int, threads: Int = 1, precision: Precision = .float32,
         tile: Int = ExecutionPlan.tileColumns, memoryBudgetBytes: Int = 0) {
        let c = model.config.residualChannels, layers = model.packed.layers
        let width = min(tile, max(samples, 1))
        (self.samples, self.precision, self.tile) = (samples, precision, width)
        // Contiguous column ranges keep each thread's reads and writes in its own cache lines,
        // each at least the largest dilation wide (shorter signals have too little work to share).
        let parts = max(1, min(threads, samples / max(model.largestDilation, 1)))
        ranges = (0..<parts).map { k in (k * samples / parts)..<((k + 1) * samples / parts) }
        layout = WorkspaceLayout(channels: c, depth: model.packed.stackedDepth, samples: samples, tile: width,
                                 threads: parts, precision: precision)

        var left = max(0, memoryBudgetBytes - layout.bytes(cachedLayers: 0, melCached: false))
        cachesMel = layout.mels > 0 && layout.melBytes <= left
        if cachesMel { left -= layout.melBytes }
        cachedLayers = layout.mels == 0 ? 0 : min(layers.count, left / layout.cachedLayerBytes)

        tiles = ranges.map { TimeTile.grid($0, tile: width) }
        layerTiles = ranges.map { range in
            layers.map { layer in
                var column = range.lowerBound
                return TimeTile.plan(range: range, samples: samples, tile: width, dilation: layer.dilation).map { t in
                    defer { column += t.width }
                    let winograd = layer.winograd.isEmpty ? nil
                        : ExecutionPlan.winograd(t, dilation: layer.dilation, samples: samples, tile: width, precision: precision)
                    return LayerTile(tile: t, winograd: winograd,
                                     gatesInColumnOrder: ExecutionPlan.gatesInColumnOrder(tile: t, dilation: layer.dilation),
                                     cacheColumn: column)
                }
            }
        }
    }

    /// The Winograd transform for a tile of a layer whose dilation the kernels support, if one
    /// applies (F(4, 3) before F(2, 3)): whole blocks clear of the signal's ends (no padding) and,
    /// under bfloat16, a full tile (the matmuls' fixed shape); always F(4, 3) for a strided tile
    /// (`TimeTile.plan` placed it so). Such a tile stays in phase order from the input transform
    /// to the gate, and to the residual update where `gatesInColumnOrder` does not hold.
    static func winograd(_ tile: TimeTile, dilation d: Int, samples: Int, tile full: Int, precision: Precision) -> Winograd? {
        if tile.run != nil { return .f4 }
        let columns = tile.columns, width = columns.count
        guard columns.lowerBound >= d, columns.upperBound + d <= samples, precision == .float32 || width == full
        else { return nil }
        return [Winograd.f4, .f2].first { $0.applies(columns: width, dilation: d) }
    }

    /// Whether Winograd's gate puts `z` back in column order (`GateOutput.columnOrder`): on
    /// contiguous tiles from d = 2 (at d = 1 the phase-order kernels interleave well; a
    /// strided tile's phases are already runs of columns).
    static func gatesInColumnOrder(tile: TimeTile, dilation d: Int) -> Bool { tile.run == nil && d >= 2 }
}
