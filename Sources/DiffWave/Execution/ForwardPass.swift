/// How one evaluation of ε_θ (`DiffWave.predictNoise`) runs: one pass per compute thread of
/// the workspace's team, each owning a time range (`ExecutionPlan.ranges`). The input
/// projection, each residual layer and the output projection are queues of that range's
/// tiles (`ComputeTeam.drain`), a thread taking its own and then what the others have left.
/// A layer reads x up to d columns beyond its tiles and writes x' over the buffer the layer
/// before read: so each starts once all of the layer before is done, whoever did it. A tile
/// writes only its own columns, so who takes it does not change the result.
struct ForwardPass {
    let model: DiffWave
    let workspace: Workspace
    let mel: MelSource
    /// This pass's thread in the team, and its tile scratch.
    let thread: Int
    let scratch: Workspace.TileScratch

    /// Where a layer's conditioner projection comes from in the step loop.
    enum MelSource {
        /// Computed with the conv: the upsampler's first layer `(M, N / 16)`, its second run per tile.
        case perTile(UnsafePointer<Float>)
        /// Computed with the conv from the cached upsampled mel (`Workspace.melCache`), in the
        /// GEMMs' input format.
        case upsampled
        /// A model without a mel.
        case none
    }

    /// Runs `body` on every thread of the workspace's team at once, each with its own pass, and
    /// returns once all are done. `conditioner`: the upsampler's first layer `(M, N / 16)`, nil
    /// for a model without a mel.
    static func run(_ model: DiffWave, workspace ws: Workspace, conditioner: UnsafePointer<Float>?,
                    _ body: (ForwardPass) -> Void) {
        // The conditioner's projection is computed from the cached upsampled mel, or from the
        // upsampler's second layer run for each tile; or read from the layer's cache block.
        let mel: MelSource = (ws.cachesMel ? .upsampled : nil) ?? conditioner.map { .perTile($0) } ?? .none
        ws.team.run { k in
            body(ForwardPass(model: model, workspace: ws, mel: mel, thread: k, scratch: ws.scratch[k]))
        }
        // This step stored the projections of the cached layers (if it did not read them).
        ws.conditionerCached = true
    }

    /// The queues a pass runs through the team: the input projection, each layer, the output projection.
    static func queues(layers: Int) -> Int { layers + 2 }

    /// `x (C, N) = ReLU(w (C) * audio (N) + b (C))`, one item per range; clears the skip sum.
    /// Returns once every thread's range is done.
    func inputProjection(_ audio: UnsafePointer<Float>) {
        let ws = workspace, ranges = { (_: Int) in 1 }
        ws.team.drain(queue: 0, from: thread, items: ranges) { owner, _ in inputProjection(audio, range: ws.plan.ranges[owner]) }
        ws.team.waitUntilDone(queue: 0, items: ranges)
    }

    /// Residual layer `i` over the whole signal, `body` once per tile (`ResidualTile`); returns
    /// once every tile is done. x and x' swap buffers from one layer to the next; the last
    /// layer's x' is never read, so its tiles have none (only its skip rows are computed).
    func residualLayer(_ i: Int, _ body: (ResidualTile) -> Void) {
        let ws = workspace, plan = ws.plan, last = i + 1 == model.packed.layers.count
        let (x, xNext) = i % 2 == 0 ? (ws.x, ws.xNext) : (ws.xNext, ws.x)
        let tiles = { (owner: Int) in plan.layerTiles[owner][i].count }
        ws.team.drain(queue: i + 1, from: thread, items: tiles) { owner, j in
            let planned = plan.layerTiles[owner][i][j]
            let cache = ws.cachedConditioner(layer: i, owner: owner, tile: j).map {
                ProjectionCache(block: $0, filled: ws.conditionerCached, precision: plan.precision, ld: planned.tile.width)
            }
            body(ResidualTile(model: model, workspace: ws, scratch: scratch, planned: planned, x: UnsafePointer(x),
                              xNext: last ? nil : xNext, mel: mel, cache: cache))
        }
        ws.team.waitUntilDone(queue: i + 1, items: tiles)
    }

    /// `out (N) = Conv1x1(ReLU(Conv1x1(Σ skip / √L)))`, tile by tile (`outputProjection(columns:)`).
    func outputProjection(into out: UnsafeMutablePointer<Float>) {
        let ws = workspace, plan = ws.plan
        ws.team.drain(queue: model.packed.layers.count + 1, from: thread, items: { plan.tiles[$0].count }) { owner, j in
            outputProjection(columns: plan.tiles[owner][j], into: out)
        }
    }

    /// `x (C, n) = ReLU(w (C) * audio (n) + b (C))` over `range`; also clears the skip sum there.
    private func inputProjection(_ audio: UnsafePointer<Float>, range: Range<Int>) {
        let ws = workspace, packed = model.packed, n = ws.samples
        for ch in 0..<model.config.residualChannels {
            let w = packed.inputProjection[ch], b = packed.inputBias[ch], row = ws.x + ch * n
            for j in range { row[j] = max(w * audio[j] + b, 0) }
            (ws.skip + ch * n + range.lowerBound).update(repeating: 0, count: range.count)
        }
    }

    /// `out (width) = w_out · ReLU(W_skip (C, C) @ skip (C, width) / √L + b_skip) + b_out`.
    private func outputProjection(columns: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let ws = workspace, packed = model.packed, config = model.config
        let c = config.residualChannels, start = columns.lowerBound, width = columns.count
        let h = scratch.gated
        for ch in 0..<c { (h + ch * width).update(repeating: packed.skipBias[ch], count: width) }
        gemm(m: c, n: width, k: c, packed.skipProjection, lda: c, ws.skip + start, ldb: ws.samples,
             h, ldc: width, alpha: 1 / Float(config.residualLayers).squareRoot(), beta: 1)
        for j in 0..<width { out[start + j] = packed.outputBias }
        for ch in 0..<c {
            let w = packed.outputProjection[ch], row = h + ch * width
            for j in 0..<width { out[start + j] += w * max(row[j], 0) }
        }
    }
}
