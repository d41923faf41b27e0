extension Workspace {
    /// Whether the upsampled mel is cached (`melCache`).
    var cachesMel: Bool { melStorage != nil }
    /// How many layers' conditioner projections are cached (`cachedConditioner`), the first ones.
    var cachedLayers: Int { plan.cachedLayers }

    /// Readies the caches for a request's conditioner, the upsampler's first layer
    /// `(M, N / 16)`: fills the upsampled mel (`melCache`) tile by tile, and lets the next step
    /// compute and store the cached layers' projections (`cachedConditioner`).
    func cacheConditioner(_ once: UnsafePointer<Float>, model: DiffWave) {
        let m = model.config.nMels, n = samples
        conditionerCached = false
        guard cachesMel else { return }
        forEachRange { k, _ in
            let scratch = self.scratch[k]
            for columns in plan.tiles[k] {
                let mel = melCache(start: columns.lowerBound)!, width = columns.count
                model.upsampleSecondLayer(once, samples: n, columns: columns, into: scratch.stacked, ld: width)
                if precision == .bfloat16 {
                    convertToBFloat16(scratch.stacked, count: m * width, into: mel.assumingMemoryBound(to: UInt16.self))
                } else {
                    mel.assumingMemoryBound(to: Float.self).update(from: scratch.stacked, count: m * width)
                }
            }
        }
    }

    /// The cached upsampled mel's block for the contiguous tile that starts at column `start`, if cached.
    func melCache(start: Int) -> UnsafeMutableRawPointer? {
        melStorage.map { $0 + plan.layout.melOffset(start: start) }
    }

    /// Column `t` of the cached upsampled mel, if cached, and its rows' distance (the width of
    /// the contiguous tile that holds it), in the GEMMs' input format.
    func melCache(column t: Int) -> (UnsafeMutableRawPointer, ld: Int)? {
        let range = plan.ranges.first { $0.contains(t) }!, tile = plan.tile
        let start = range.lowerBound + (t - range.lowerBound) / tile * tile
        return melStorage.map { ($0 + plan.layout.melOffset(start: start, column: t), min(tile, range.upperBound - start)) }
    }

    /// The cache block `(2C, width)` of layer `i`'s tile `j` of thread `owner`'s, if the layer is cached.
    func cachedConditioner(layer i: Int, owner: Int, tile j: Int) -> UnsafeMutableRawPointer? {
        guard i < plan.cachedLayers else { return nil }
        return conditionerStorage + plan.layout.projectionOffset(layer: i, column: plan.layerTiles[owner][i][j].cacheColumn)
    }
}
