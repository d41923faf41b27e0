import Foundation

/// The DiffWave network ε_θ(x_t, t, mel) of Kong et al. (2021), read-only after loading and
/// shared by every worker; each caller brings its own `Workspace`.
public final class DiffWave: @unchecked Sendable {
    public let config: DiffWaveConfig
    /// The step-embedding MLP and the upsampler's first layer; the residual layers, input and
    /// output projections live only in `packed` (not twice: that is 10 MB for BASE), next to
    /// the upsampler's second layer, which the step loop runs per tile.
    let weights: DiffWaveWeights
    let packed: PackedWeights
    /// Time columns per tile: large enough for efficient GEMMs, small enough that a tile's
    /// scratch ((3C + M + 5C)·tile floats, 1.2 MB for BASE) stays in L2. Narrower and wider
    /// tiles were tried on BASE and none did better (bench/README.md).
    public static let tileColumns = 512

    public init(config: DiffWaveConfig, weights: DiffWaveWeights) throws(DiffWaveError) {
        try config.validate()
        self.config = config
        self.packed = PackedWeights(weights, config: config)
        var stem = weights
        stem.layers = []
        self.weights = stem
    }

    public var parameterCount: Int { DiffWaveWeights.parameterCount(config) }
    public var largestDilation: Int { config.dilation(ofLayer: min(config.residualLayers, config.dilationCycleLength) - 1) }

    // MARK: - Step-independent work

    /// The spectrogram upsampler: `mel (M, F)` -> `(M, F * 256)` through two transposed
    /// 2-D convolutions (stride 16 in time), each followed by leaky ReLU(0.4). The engine keeps
    /// only the first layer's output (`upsampleFirstLayer`) and runs the second per time tile
    /// (`upsampleSecondLayer`): the whole `(M, N)` would be 67 MB for 10 s of audio. This
    /// whole-signal form serves tests and diagnostics.
    public func upsample(mel: Tensor) -> [Float] {
        let once = upsampleFirstLayer(mel: mel), n = mel.shape[1] * config.hopSamples
        var twice = [Float](repeating: 0, count: config.nMels * n)
        once.withUnsafeBufferPointer { o in twice.withUnsafeMutableBufferPointer { t in
            upsampleSecondLayer(o.baseAddress!, samples: n, columns: 0..<n, into: t.baseAddress!, ld: n)
        } }
        return twice
    }

    /// The upsampler's first layer: `mel (M, F)` -> `(M, F * 16)`.
    func upsampleFirstLayer(mel: Tensor) -> [Float] {
        precondition(!config.unconditional && mel.shape.count == 2 && mel.shape[0] == config.nMels)
        let m = config.nMels, frames = mel.shape[1], s = DiffWaveConfig.upsamplerStride
        var once = [Float](repeating: 0, count: m * frames * s)
        mel.data.withUnsafeBufferPointer { input in
            weights.upsampler1!.withUnsafeBufferPointer { k in
                once.withUnsafeMutableBufferPointer { out in
                    transposedConv2DLeakyReLU(input.baseAddress!, height: m, width: frames, kernel: k.baseAddress!,
                                              bias: weights.upsampler1Bias, stride: s, slope: 0.4,
                                              columns: 0..<(frames * s), into: out.baseAddress!, ld: frames * s)
                }
            }
        }
        return once
    }

    /// The upsampler's second layer over the time columns `columns` of an `n`-sample signal:
    /// `once (M, n / 16)` -> `out (M, columns.count)`, rows `ld` apart.
    func upsampleSecondLayer(_ once: UnsafePointer<Float>, samples n: Int, columns: Range<Int>,
                             into out: UnsafeMutablePointer<Float>, ld: Int) {
        let s = DiffWaveConfig.upsamplerStride
        transposedConv2DLeakyReLU(once, height: config.nMels, width: n / s, kernel: packed.upsampler2,
                                  bias: packed.upsampler2Bias, stride: s, slope: 0.4, columns: columns, into: out, ld: ld)
    }

    /// The diffusion-step embedding: the sin/cos table row for step `t` (linearly
    /// interpolated between rows for a fractional t), then two SiLU-activated linears -> (512).
    func embedStep(_ t: Float, into out: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                   row: UnsafeMutablePointer<Float>) {
        let width = DiffWaveConfig.embeddingTableWidth, e = DiffWaveConfig.embeddingWidth
        let low = Int(t.rounded(.down)), high = Int(t.rounded(.up))
        let frac = t - Float(low)
        for j in 0..<width {
            let a = weights.embeddingTable[low * width + j], b = weights.embeddingTable[high * width + j]
            row[j] = a + (b - a) * frac
        }
        weights.projection1Bias.withUnsafeBufferPointer { hidden.update(from: $0.baseAddress!, count: e) }
        weights.projection1.withUnsafeBufferPointer { gemv(m: e, k: width, $0.baseAddress!, row, hidden) }
        siluInPlace(hidden, count: e)
        weights.projection2Bias.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: e) }
        weights.projection2.withUnsafeBufferPointer { gemv(m: e, k: e, $0.baseAddress!, hidden, out) }
        siluInPlace(out, count: e)
    }

    /// The step embedding for `t` as a `(512)` array (tests and diagnostics).
    public func stepEmbedding(_ t: Float) -> [Float] {
        var out = [Float](repeating: 0, count: DiffWaveConfig.embeddingWidth)
        var hidden = out
        var row = [Float](repeating: 0, count: DiffWaveConfig.embeddingTableWidth)
        out.withUnsafeMutableBufferPointer { o in hidden.withUnsafeMutableBufferPointer { h in row.withUnsafeMutableBufferPointer { r in
            embedStep(t, into: o.baseAddress!, hidden: h.baseAddress!, row: r.baseAddress!)
        } } }
        return out
    }

    /// Rejects a step the embedding table cannot index.
    func checkStep(_ t: Float) throws(DiffWaveError) {
        guard t.isFinite, t >= 0, Int(t.rounded(.up)) < config.noiseSchedule.count else {
            throw DiffWaveError(.schedule, "diffusion step \(t) is outside the embedding table's 0...\(config.noiseSchedule.count - 1)")
        }
    }

    // MARK: - The network

    /// ε_θ(x_t, t, c): the noise the network sees in `audio (N)` at diffusion step `t`,
    /// conditioned on the mel after the upsampler's first layer, `(M, N / 16)`
    /// (`upsampleFirstLayer`; nil for unconditional models), into `out (N)`.
    func predictNoise(audio: UnsafePointer<Float>, step t: Float, conditioner: UnsafePointer<Float>?,
                      into out: UnsafeMutablePointer<Float>, workspace ws: Workspace) {
        let c = config.residualChannels, e = DiffWaveConfig.embeddingWidth
        precondition(conditioner != nil || config.unconditional, "a conditional model needs the (first-layer) upsampled mel")

        // The step embedding and each layer's projection of it: (512) -> (L, C)
        embedStep(t, into: ws.embedding, hidden: ws.hidden, row: ws.tableRow)
        for (i, layer) in packed.layers.enumerated() {
            let bias = ws.stepBias + i * c
            bias.update(from: layer.diffusionBias, count: c)
            gemv(m: c, k: e, layer.diffusionProjection, ws.embedding, bias)
        }

        // Each thread owns a time range; the input projection, each layer and the output
        // projection are queues of its tiles there (`ComputeTeam.drain`), a thread taking its
        // own and then what the others have left. A layer reads x up to d columns beyond its
        // tiles and writes x' over the buffer the layer before read: so each starts once all
        // of the layer before is done, whoever did it. A tile writes only its own columns, so
        // who takes it does not change the result.
        let layers = packed.layers.count, team = ws.team
        team.run { k in
            let scratch = ws.scratch[k]
            // x = ReLU(Conv1x1(x_t)): (1, N) -> (C, N), one item per range.
            let ranges = { (_: Int) in 1 }
            team.drain(queue: 0, from: k, items: ranges) { owner, _ in inputProjection(audio, range: ws.ranges[owner], workspace: ws) }
            team.waitUntilDone(queue: 0, items: ranges)

            // The residual stack; the last layer's x' is never read: only its skip rows are computed.
            var x = UnsafePointer(ws.x), xNext = ws.xNext
            for (i, layer) in packed.layers.enumerated() {
                let tiles = { (owner: Int) in ws.layerTiles[owner][i].count }
                team.drain(queue: i + 1, from: k, items: tiles) { owner, j in
                    residualLayer(layer, stepBias: ws.stepBias + i * c, x: x, xNext: i + 1 < layers ? xNext : nil,
                                  conditioner: conditioner, cache: ws.cachedConditioner(layer: i, owner: owner, tile: j),
                                  tile: ws.layerTiles[owner][i][j], scratch: scratch, workspace: ws)
                }
                team.waitUntilDone(queue: i + 1, items: tiles)
                (x, xNext) = (UnsafePointer(xNext), UnsafeMutablePointer(mutating: x))
            }

            // out = Conv1x1(ReLU(Conv1x1(Σ skip / √L))): (C, N) -> (N)
            team.drain(queue: layers + 1, from: k, items: { ws.tiles[$0].count }) { owner, j in
                outputProjection(columns: ws.tiles[owner][j], into: out, scratch: scratch, workspace: ws)
            }
        }
        // This step stored the projections of the cached layers (if it did not read them).
        ws.conditionerCached = true
    }

    /// The queues `predictNoise` runs through the team: the input projection, each layer, the output projection.
    static func queues(layers: Int) -> Int { layers + 2 }

    /// `x (C, n) = ReLU(w (C) * audio (n) + b (C))` over `range`; also clears the skip sum there.
    private func inputProjection(_ audio: UnsafePointer<Float>, range: Range<Int>, workspace ws: Workspace) {
        let n = ws.samples
        for ch in 0..<config.residualChannels {
            let w = packed.inputProjection[ch], b = packed.inputBias[ch], row = ws.x + ch * n
            for j in range { row[j] = max(w * audio[j] + b, 0) }
            (ws.skip + ch * n + range.lowerBound).update(repeating: 0, count: range.count)
        }
    }

    /// One residual layer over the time tile `tile`:
    ///   y = DilatedConv(x + Linear(t_emb)) + Conv1x1(mel)   one GEMM over the stacked taps and mel,
    ///                                                        or Winograd F(4, 3) / F(2, 3) and the mel's
    ///                                                        (read from the layer's cache after a request's first step)
    ///   z = σ(gate) ⊙ tanh(filter)                          biases folded in
    ///   residual, skip = Conv1x1(z)                          one GEMM
    ///   x' = (x + residual) / √2,  skip_sum += skip          biases folded in
    /// Without `xNext` (the last layer), only the skip half.
    private func residualLayer(_ layer: PackedWeights.Layer, stepBias: UnsafePointer<Float>,
                               x: UnsafePointer<Float>, xNext: UnsafeMutablePointer<Float>?,
                               conditioner: UnsafePointer<Float>?, cache: UnsafeMutableRawPointer?, tile: TimeTile,
                               scratch: Workspace.TileScratch, workspace ws: Workspace) {
        let c = config.residualChannels, n = ws.samples, start = tile.start, width = tile.width
        let d = layer.dilation
        // The conditioner's projection is computed from the cached upsampled mel, or from the
        // upsampler's second layer run for this tile; or read from the layer's cache block.
        let mel: Conditioning = (ws.cachesMel ? .upsampled : nil) ?? conditioner.map { .perTile($0) } ?? .none
        let projection = cache.map { ProjectionCache(block: $0, filled: ws.conditionerCached, precision: ws.precision, ld: width) }

        let winograd = winogradTaps(layer, tile: tile, workspace: ws)
        if let taps = winograd {
            winogradConvGate(layer, taps, stepBias: stepBias, x: x, mel: mel, cache: projection, tile: tile, scratch: scratch, workspace: ws)
        } else {
            dilatedConvGate(layer, stepBias: stepBias, x: x, mel: mel, cache: projection, columns: tile.columns,
                            scratch: scratch, workspace: ws)
        }
        // (2C, width) = W_out @ z, residual rows then skip rows (only the skip rows without
        // `xNext`); its bias is added in the residual and skip updates.
        let firstRow = xNext == nil ? c : 0
        if let bf16 = scratch.matmuls[width] {
            (firstRow == 0 ? bf16.output : bf16.skip).run(layer.output16 + firstRow * c, scratch.gated16, scratch.projected + firstRow * width)
        } else {
            gemm(m: 2 * c - firstRow, n: width, k: c, layer.output + firstRow * c, lda: c, scratch.gated, ldb: width,
                 scratch.projected + firstRow * width, ldc: width, beta: 0)
        }

        if let taps = winograd {
            winogradResidualUpdate(taps.transform, scratch.projected, bias: layer.outputBias, x: x + start, xNext: xNext.map { $0 + start },
                                   skip: ws.skip + start, ld: n, channels: c, columns: width, dilation: d, run: tile.run ?? d,
                                   columnOrder: Self.gatesInColumnOrder(tile: tile, dilation: d))
            return
        }
        let scale = 1 / Float(2).squareRoot()
        for ch in 0..<c {
            let residual = scratch.projected + ch * width, skip = scratch.projected + (c + ch) * width
            let br = layer.outputBias[ch], bs = layer.outputBias[c + ch]
            let src = x + ch * n + start, sum = ws.skip + ch * n + start
            if let dst = xNext.map({ $0 + ch * n + start }) {
                for j in 0..<width { dst[j] = (src[j] + (residual[j] + br)) * scale }
            }
            for j in 0..<width { sum[j] += skip[j] + bs }
        }
    }

    /// Whether Winograd's gate puts `z` back in column order (`GateOutput.columnOrder`): on
    /// contiguous tiles from d = 2 (at d = 1 the phase-order kernels interleave well; a
    /// strided tile's phases are already runs of columns).
    static func gatesInColumnOrder(tile: TimeTile, dilation d: Int) -> Bool { tile.run == nil && d >= 2 }

    /// Where the gate writes `z (C, width)`: the output projection's input, bfloat16 under `.bfloat16`.
    private func gateOutput(_ scratch: Workspace.TileScratch, width: Int, workspace ws: Workspace) -> GateOutput {
        ws.precision == .bfloat16 ? .bfloat16(scratch.gated16, ld: width) : .float32(scratch.gated, ld: width)
    }

    /// Where a layer's conditioner projection comes from in the step loop.
    enum Conditioning {
        /// Computed with the conv: the upsampler's first layer `(M, N / 16)`, its second run per tile.
        case perTile(UnsafePointer<Float>)
        /// Computed with the conv from the cached upsampled mel (`Workspace.melCache`), in the
        /// GEMMs' input format.
        case upsampled
        /// An unconditional model.
        case none
    }

    /// A tile's block of its layer's projection cache (`Workspace.cachedConditioner`): stored
    /// by the request's first step, which then reads it like the others (so that every step
    /// adds the same values, rounded alike), and read by the rest.
    struct ProjectionCache {
        let block: UnsafeMutableRawPointer
        let filled: Bool
        let precision: Precision
        let ld: Int

        /// Where a float32 projection GEMM writes: the block itself in float32, else nil (through `store`).
        var float32: UnsafeMutablePointer<Float>? { precision == .float32 ? block.assumingMemoryBound(to: Float.self) : nil }

        /// Stores the projection `(2C, ld)` computed into `projected` where it is not there already (bfloat16, rounded).
        func store(_ projected: UnsafePointer<Float>, channels c: Int) {
            if precision == .bfloat16 { convertToBFloat16(projected, count: 2 * c * ld, into: block.assumingMemoryBound(to: UInt16.self)) }
        }

        /// The gate's added term.
        var term: AddedTerm {
            precision == .bfloat16 ? .bfloat16(block.assumingMemoryBound(to: UInt16.self), ld: ld)
                : .float32(block.assumingMemoryBound(to: Float.self), ld: ld)
        }
    }

    /// The layer's Winograd taps if one of its transforms applies to the tile (F(4, 3) before
    /// F(2, 3)): whole blocks clear of the signal's ends (no padding) and, under bfloat16, a full
    /// tile (the matmuls' fixed shape); always F(4, 3) for a strided tile (`TimeTile.plan` placed
    /// it so). Such a tile stays in phase order from the input transform to the gate, and to the
    /// residual update where `gatesInColumnOrder` does not hold.
    func winogradTaps(_ layer: PackedWeights.Layer, tile: TimeTile, workspace ws: Workspace) -> PackedWeights.WinogradTaps? {
        if tile.run != nil { return layer.winograd.first { $0.transform == .f4 } }
        let d = layer.dilation, columns = tile.columns, width = columns.count
        guard columns.lowerBound >= d, columns.upperBound + d <= ws.samples, ws.precision == .float32 || width == ws.tile
        else { return nil }
        return layer.winograd.first { $0.transform.applies(columns: width, dilation: d) }
    }

    /// `z (C, width)` into the gate's output (`gateOutput`): the dilated conv and conditioner
    /// projection as one GEMM over `stacked (3C + M, width) = [y(t - d); y(t); y(t + d); mel(t)]`,
    /// with `y = x + step bias` and `mel(t)` the tile's upsampled mel, then the gate; with a
    /// projection cache, over the taps alone, the projection added in the gate (computed by a
    /// GEMM of its own into the cache in the first step).
    private func dilatedConvGate(_ layer: PackedWeights.Layer, stepBias: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                 mel: Conditioning, cache: ProjectionCache?, columns: Range<Int>,
                                 scratch: Workspace.TileScratch, workspace ws: Workspace) {
        let c = config.residualChannels, n = ws.samples, start = columns.lowerBound, width = columns.count
        stackDilatedTaps(x, channels: c, samples: n, bias: stepBias, start: start, columns: width,
                         dilation: layer.dilation, into: scratch.stacked, ldStacked: width)
        var depth = 3 * c, bf16Mel: UnsafePointer<UInt16>? = nil
        let bf16 = scratch.matmuls[width], m = ws.depth - 3 * c
        switch mel {
        case _ where cache?.filled == true:
            break
        case .perTile(let once):
            upsampleSecondLayer(once, samples: n, columns: columns, into: scratch.stacked + 3 * c * width, ld: width)
            depth = ws.depth
        case .upsampled where ws.precision == .float32:
            (scratch.stacked + 3 * c * width).update(from: ws.melCache(start: start)!.assumingMemoryBound(to: Float.self), count: m * width)
            depth = ws.depth
        case .upsampled:
            bf16Mel = UnsafePointer(ws.melCache(start: start)!.assumingMemoryBound(to: UInt16.self))
            depth = ws.depth
        case .none:
            break
        }
        // Filling the cache: the mel's rows by a GEMM of their own.
        let fills = cache != nil && depth == ws.depth, convDepth = fills ? 3 * c : depth
        // (2C, width) = [W_0 | W_1 | W_2 | W_mel] @ stacked (its first `convDepth` rows); the bias is added in the gate.
        if let bf16 {
            // The cached mel is bfloat16 already: only the taps' rows are converted.
            convertToBFloat16(scratch.stacked, count: (bf16Mel == nil ? depth : 3 * c) * width, into: scratch.stacked16)
            if let bf16Mel { (scratch.stacked16 + 3 * c * width).update(from: bf16Mel, count: m * width) }
            (convDepth == ws.depth ? bf16.conv : bf16.taps).run(layer.stacked16, scratch.stacked16, scratch.conv)
            if fills { bf16.conditioner!.run(layer.conditioner16, scratch.stacked16 + 3 * c * width, scratch.projected) }
        } else {
            gemm(m: 2 * c, n: width, k: convDepth, layer.stacked, lda: ws.depth, scratch.stacked, ldb: width,
                 scratch.conv, ldc: width, beta: 0)
            if fills {
                gemm(m: 2 * c, n: width, k: m, layer.stacked + 3 * c, lda: ws.depth, scratch.stacked + 3 * c * width, ldb: width,
                     cache!.float32!, ldc: width, beta: 0)
            }
        }
        if fills { cache!.store(scratch.projected, channels: c) }
        gatedTanh(scratch.conv, ldy: width, bias: layer.stackedBias, added: cache?.term,
                  into: gateOutput(scratch, width: width, workspace: ws), channels: c, columns: width)
    }

    /// `z (C, width)` into the gate's output (`gateOutput`), in column order where `gatesInColumnOrder`
    /// holds and in phase order elsewhere, by Winograd (Kernels/Winograd.swift):
    /// `m + 2` GEMMs over `1/m` of the columns each; the conditioner's projection computed by a
    /// GEMM of its own into `scratch.projected` or the cache (or read from the cache), added in the gate.
    private func winogradConvGate(_ layer: PackedWeights.Layer, _ taps: PackedWeights.WinogradTaps,
                                  stepBias: UnsafePointer<Float>, x: UnsafePointer<Float>, mel: Conditioning, cache: ProjectionCache?,
                                  tile: TimeTile, scratch: Workspace.TileScratch, workspace ws: Workspace) {
        let c = config.residualChannels, n = ws.samples, start = tile.start, width = tile.width
        let d = layer.dilation, run = tile.run ?? d, w = taps.transform, q = width / w.phases, block = c * q, products = w.products
        // Input blocks (C, q) each, then the mel tile (M, width) in phase order, in float32
        // (`stacked`) and, under bfloat16, its copy (`stacked16`).
        let u = scratch.stacked, melRows = u + products * block, m = ws.depth - 3 * c
        let bf16 = ws.precision == .bfloat16 ? scratch.winograd[w] : nil
        let u16 = scratch.stacked16, melRows16 = u16 + products * block
        winogradInputTransform(w, x, channels: c, samples: n, bias: stepBias, start: start, columns: width,
                               dilation: d, run: run, into: u, ld: q)
        var melInputs = 0
        switch mel {
        case _ where cache?.filled == true:
            break
        case .perTile(let once) where tile.run != nil:
            // A strided tile's runs are its phases: each straight into its place.
            for k in 0..<w.phases {
                upsampleSecondLayer(once, samples: n, columns: (start + k * d)..<(start + k * d + run), into: melRows + k * run, ld: width)
            }
            melInputs = m * width
        case .perTile(let once):
            // The mel tile in column order, parked in the products' buffer until their GEMMs.
            upsampleSecondLayer(once, samples: n, columns: tile.columns, into: scratch.conv, ld: width)
            winogradSplitColumns(w, UnsafePointer(scratch.conv), ldSource: width, rows: m, columns: width, dilation: d, run: run,
                                 into: melRows, ld: width)
            melInputs = m * width
        case .upsampled where ws.precision == .float32:
            gatherMel(Float.self, tile: tile, transform: w, dilation: d, workspace: ws, into: melRows)
            melInputs = m * width
        case .upsampled:
            // Already bfloat16: straight into the GEMM's input.
            gatherMel(UInt16.self, tile: tile, transform: w, dilation: d, workspace: ws, into: melRows16)
        case .none:
            break
        }
        // (2C, width) = W_mel @ mel, then the products m_j (2C, q); the conv's bias is added in the gate.
        let computesConditioner = cache?.filled != true && m > 0, out = scratch.conv
        if let bf16 {
            convertToBFloat16(u, count: products * block + melInputs, into: u16)
            if computesConditioner { scratch.matmuls[width]!.conditioner!.run(layer.conditioner16, melRows16, scratch.projected) }
            bf16.run(taps.products16, u16, out)
        } else {
            if computesConditioner {
                gemm(m: 2 * c, n: width, k: m, layer.stacked + 3 * c, lda: ws.depth, melRows, ldb: width,
                     cache?.float32 ?? scratch.projected, ldc: width, beta: 0)
            }
            for j in 0..<products {
                gemm(m: 2 * c, n: q, k: c, taps.products + j * 2 * c * c, lda: c, u + j * block, ldb: q,
                     out + j * 2 * block, ldc: q, beta: 0)
            }
        }
        if computesConditioner { cache?.store(scratch.projected, channels: c) }
        let added = cache?.term ?? (computesConditioner ? .float32(scratch.projected, ld: width) : nil)
        var z = gateOutput(scratch, width: width, workspace: ws)
        z.columnOrder = Self.gatesInColumnOrder(tile: tile, dilation: d) ? d : nil
        winogradGatedTanh(w, out, ldm: q, bias: layer.stackedBias, added: added, into: z, channels: c, columns: width)
    }

    /// The cached upsampled mel's columns of `tile`, `(M, width)` in phase order: from the
    /// contiguous tile's block, or run by run from the blocks that hold a strided tile's runs.
    private func gatherMel<T: SIMDScalar>(_: T.Type, tile: TimeTile, transform w: Winograd, dilation d: Int, workspace ws: Workspace,
                                          into dst: UnsafeMutablePointer<T>) {
        let m = ws.depth - 3 * config.residualChannels
        guard let run = tile.run else {
            let cache = UnsafePointer(ws.melCache(start: tile.start)!.assumingMemoryBound(to: T.self))
            return winogradSplitColumns(w, cache, ldSource: tile.width, rows: m, columns: tile.width, dilation: d, run: d,
                                        into: dst, ld: tile.width)
        }
        for k in 0..<w.phases {
            let (cache, ld) = ws.melCache(column: tile.start + k * d)!
            let src = cache.assumingMemoryBound(to: T.self)
            for row in 0..<m { (dst + row * tile.width + k * run).update(from: src + row * ld, count: run) }
        }
    }

    /// Readies the workspace's caches for a request's conditioner, the upsampler's first layer
    /// `(M, N / 16)`: fills the upsampled mel (`Workspace.melCache`) tile by tile, and lets the
    /// next step compute and store the cached layers' projections (`Workspace.cachedConditioner`).
    func cacheConditioner(_ once: UnsafePointer<Float>, workspace ws: Workspace) {
        let m = config.nMels, n = ws.samples
        ws.conditionerCached = false
        guard ws.cachesMel else { return }
        ws.forEachRange { k, _ in
            let scratch = ws.scratch[k]
            for columns in ws.tiles[k] {
                let mel = ws.melCache(start: columns.lowerBound)!, width = columns.count
                upsampleSecondLayer(once, samples: n, columns: columns, into: scratch.stacked, ld: width)
                if ws.precision == .bfloat16 {
                    convertToBFloat16(scratch.stacked, count: m * width, into: mel.assumingMemoryBound(to: UInt16.self))
                } else {
                    mel.assumingMemoryBound(to: Float.self).update(from: scratch.stacked, count: m * width)
                }
            }
        }
    }

    /// `out (width) = w_out · ReLU(W_skip (C, C) @ skip (C, width) / √L + b_skip) + b_out`.
    private func outputProjection(columns: Range<Int>, into out: UnsafeMutablePointer<Float>,
                                  scratch: Workspace.TileScratch, workspace ws: Workspace) {
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
