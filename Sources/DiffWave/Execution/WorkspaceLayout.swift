/// How large a workspace's buffers are and where each block lies in them, for one signal
/// length, tile width, thread count and number format: sizes and offsets only. What to cache
/// under the memory budget is `ExecutionPlan`'s choice; this says what each choice costs.
struct WorkspaceLayout: Equatable {
    let channels: Int
    /// K of the stacked GEMM: 3C, plus M for a model conditioned on a mel.
    let depth: Int
    let samples: Int
    let tile: Int
    let threads: Int
    /// The GEMMs' input format, in which the caches hold their values.
    let precision: Precision

    /// M, the conditioner's rows (0 for a model without a mel).
    var mels: Int { depth - 3 * channels }

    /// x, x' and the skip sum (C, N) each, the upsampled mel if cached, the cached layers
    /// (2C, N) each, and each thread's tile scratch.
    func bytes(cachedLayers: Int, melCached: Bool) -> Int {
        let c = channels
        return 4 * (3 * c * samples + threads * Workspace.TileScratch.floats(channels: c, depth: depth, tile: tile, precision: precision))
            + cachedLayers * cachedLayerBytes
            + (melCached ? melBytes : 0)
    }

    /// One layer's cached conditioner projection `(2C, N)` in the GEMMs' input format.
    var cachedLayerBytes: Int { projectionBytes(columns: samples) }

    /// The upsampled mel `(M, N)` in the GEMMs' input format.
    var melBytes: Int { melBytes(rows: mels, columns: samples) }

    /// Where the cached mel's block for the contiguous tile that starts at column `start` begins:
    /// the tiles' `(M, width)` blocks lie side by side in column order.
    func melOffset(start: Int) -> Int { melBytes(rows: mels, columns: start) }

    /// Where column `t` lies in the block `melOffset(start:)` of the tile that holds it.
    func melOffset(start: Int, column t: Int) -> Int { melOffset(start: start) + melBytes(rows: 1, columns: t - start) }

    /// Where layer `i`'s block that starts at column `column` of its cache begins: the layers'
    /// `(2C, N)` caches one after another, each its tiles' `(2C, width)` blocks side by side.
    func projectionOffset(layer i: Int, column: Int) -> Int { projectionBytes(columns: samples * i + column) }

    private func melBytes(rows: Int, columns: Int) -> Int {
        rows * columns * (precision == .bfloat16 ? 2 : 4)
    }

    private func projectionBytes(columns: Int) -> Int {
        2 * channels * columns * (precision == .bfloat16 ? 2 : 4)
    }
}
