/// One residual layer over one time tile, run as the tile's `ExecutionPlan.LayerTile` says:
///
///     y = DilatedConv(x + Linear(t_emb)) + Conv1x1(mel)   one GEMM over the stacked taps and mel,
///                                                          or Winograd F(4, 3) / F(2, 3) and the mel's
///                                                          (read from the layer's cache after a request's first step)
///     z = σ(gate) ⊙ tanh(filter)                          biases folded in
///     residual, skip = Conv1x1(z)                          one GEMM
///     x' = (x + residual) / √2,  skip_sum += skip          biases folded in
///
/// Without `xNext` (the last layer), only the skip half.
struct ResidualTile {
    let model: DiffWave
    let workspace: Workspace
    /// The running thread's tile scratch.
    let scratch: Workspace.TileScratch
    let planned: ExecutionPlan.LayerTile
    let x: UnsafePointer<Float>
    let xNext: UnsafeMutablePointer<Float>?
    let mel: ForwardPass.MelSource
    let cache: ProjectionCache?

    var tile: TimeTile { planned.tile }

    /// `z (C, width)` into the gate's output (`gateOutput`): by Winograd where the plan says so
    /// (`ResidualTile+Winograd.swift`), else by the stacked GEMM (`dilatedConvGate`). The gate
    /// adds the layer's conv and mel biases, or `labelBias (2C)`, which holds them and the label's.
    func gatedConvolution(_ layer: PackedWeights.Layer, stepBias: UnsafePointer<Float>, labelBias: UnsafePointer<Float>? = nil) {
        let gateBias = labelBias ?? layer.stackedBias
        if let w = planned.winograd {
            winogradConvGate(layer, layer.winograd.first { $0.transform == w }!, stepBias: stepBias, gateBias: gateBias)
        } else {
            dilatedConvGate(layer, stepBias: stepBias, gateBias: gateBias)
        }
    }

    /// `(2C, width) = W_out @ z`, residual rows then skip rows (only the skip rows without
    /// `xNext`), into `scratch.projected`; its bias is added in the residual and skip updates.
    func outputProjection(_ layer: PackedWeights.Layer) {
        let c = model.config.residualChannels, width = tile.width
        let firstRow = xNext == nil ? c : 0
        if let bf16 = scratch.matmuls[width] {
            (firstRow == 0 ? bf16.output : bf16.skip).run(layer.output16 + firstRow * c, scratch.gated16, scratch.projected + firstRow * width)
        } else {
            gemm(m: 2 * c - firstRow, n: width, k: c, layer.output + firstRow * c, lda: c, scratch.gated, ldb: width,
                 scratch.projected + firstRow * width, ldc: width, beta: 0)
        }
    }

    /// `x' = (x + residual + b_r) / √2` and `skip_sum += skip + b_s` over the tile's columns,
    /// from `scratch.projected` (in phase order under Winograd, but where the gate put it back).
    func addResidualAndSkip(_ layer: PackedWeights.Layer) {
        let c = model.config.residualChannels, n = workspace.samples, start = tile.start, width = tile.width
        let d = layer.dilation, ws = workspace
        if let w = planned.winograd {
            winogradResidualUpdate(w, scratch.projected, bias: layer.outputBias, x: x + start, xNext: xNext.map { $0 + start },
                                   skip: ws.skip + start, ld: n, channels: c, columns: width, dilation: d, run: tile.run ?? d,
                                   columnOrder: planned.gatesInColumnOrder)
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

    /// `z (C, width)` into the gate's output (`gateOutput`): the dilated conv and conditioner
    /// projection as one GEMM over `stacked (3C + M, width) = [y(t - d); y(t); y(t + d); mel(t)]`,
    /// with `y = x + step bias` and `mel(t)` the tile's upsampled mel, then the gate; with a
    /// projection cache, over the taps alone, the projection added in the gate (computed by a
    /// GEMM of its own into the cache in the first step).
    private func dilatedConvGate(_ layer: PackedWeights.Layer, stepBias: UnsafePointer<Float>, gateBias: UnsafePointer<Float>) {
        let ws = workspace, stackedDepth = ws.plan.layout.depth, columns = tile.columns
        let c = model.config.residualChannels, n = ws.samples, start = columns.lowerBound, width = columns.count
        stackDilatedTaps(x, channels: c, samples: n, bias: stepBias, start: start, columns: width,
                         dilation: layer.dilation, into: scratch.stacked, ldStacked: width)
        var depth = 3 * c, bf16Mel: UnsafePointer<UInt16>? = nil
        let bf16 = scratch.matmuls[width], m = stackedDepth - 3 * c
        switch mel {
        case _ where cache?.filled == true:
            break
        case .perTile(let once):
            model.upsampleSecondLayer(once, samples: n, columns: columns, into: scratch.stacked + 3 * c * width, ld: width)
            depth = stackedDepth
        case .upsampled where ws.precision == .float32:
            (scratch.stacked + 3 * c * width).update(from: ws.melCache(start: start)!.assumingMemoryBound(to: Float.self), count: m * width)
            depth = stackedDepth
        case .upsampled:
            bf16Mel = UnsafePointer(ws.melCache(start: start)!.assumingMemoryBound(to: UInt16.self))
            depth = stackedDepth
        case .none:
            break
        }
        // Filling the cache: the mel's rows by a GEMM of their own.
        let fills = cache != nil && depth == stackedDepth, convDepth = fills ? 3 * c : depth
        // (2C, width) = [W_0 | W_1 | W_2 | W_mel] @ stacked (its first `convDepth` rows); the bias is added in the gate.
        if let bf16 {
            // The cached mel is bfloat16 already: only the taps' rows are converted.
            convertToBFloat16(scratch.stacked, count: (bf16Mel == nil ? depth : 3 * c) * width, into: scratch.stacked16)
            if let bf16Mel { (scratch.stacked16 + 3 * c * width).update(from: bf16Mel, count: m * width) }
            (convDepth == stackedDepth ? bf16.conv : bf16.taps).run(layer.stacked16, scratch.stacked16, scratch.conv)
            if fills { bf16.conditioner!.run(layer.conditioner16, scratch.stacked16 + 3 * c * width, scratch.projected) }
        } else {
            gemm(m: 2 * c, n: width, k: convDepth, layer.stacked, lda: stackedDepth, scratch.stacked, ldb: width,
                 scratch.conv, ldc: width, beta: 0)
            if fills {
                gemm(m: 2 * c, n: width, k: m, layer.stacked + 3 * c, lda: stackedDepth, scratch.stacked + 3 * c * width, ldb: width,
                     cache!.float32!, ldc: width, beta: 0)
            }
        }
        if fills { cache!.store(scratch.projected, channels: c) }
        gatedTanh(scratch.conv, ldy: width, bias: gateBias, added: cache?.term,
                  into: gateOutput(width: width), channels: c, columns: width)
    }

    /// Where the gate writes `z (C, width)`: the output projection's input, bfloat16 under `.bfloat16`.
    func gateOutput(width: Int) -> GateOutput {
        workspace.precision == .bfloat16 ? .bfloat16(scratch.gated16, ld: width) : .float32(scratch.gated, ld: width)
    }
}
