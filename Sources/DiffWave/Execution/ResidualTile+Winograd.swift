extension ResidualTile {
    /// `z (C, width)` into the gate's output (`gateOutput`), in column order where the plan's
    /// `gatesInColumnOrder` holds and in phase order elsewhere, by Winograd (Kernels/Winograd.swift):
    /// `m + 2` GEMMs over `1/m` of the columns each; the conditioner's projection computed by a
    /// GEMM of its own into `scratch.projected` or the cache (or read from the cache), added in the gate.
    func winogradConvGate(_ layer: PackedWeights.Layer, _ taps: PackedWeights.WinogradTaps, stepBias: UnsafePointer<Float>,
                          gateBias: UnsafePointer<Float>) {
        let ws = workspace, stackedDepth = ws.plan.layout.depth
        let c = model.config.residualChannels, n = ws.samples, start = tile.start, width = tile.width
        let d = layer.dilation, run = tile.run ?? d, w = taps.transform, q = width / w.phases, block = c * q, products = w.products
        // Input blocks (C, q) each, then the mel tile (M, width) in phase order, in float32
        // (`stacked`) and, under bfloat16, its copy (`stacked16`).
        let u = scratch.stacked, melRows = u + products * block, m = stackedDepth - 3 * c
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
                model.upsampleSecondLayer(once, samples: n, columns: (start + k * d)..<(start + k * d + run), into: melRows + k * run, ld: width)
            }
            melInputs = m * width
        case .perTile(let once):
            // The mel tile in column order, parked in the products' buffer until their GEMMs.
            model.upsampleSecondLayer(once, samples: n, columns: tile.columns, into: scratch.conv, ld: width)
            winogradSplitColumns(w, UnsafePointer(scratch.conv), ldSource: width, rows: m, columns: width, dilation: d, run: run,
                                 into: melRows, ld: width)
            melInputs = m * width
        case .upsampled where ws.precision == .float32:
            gatherMel(Float.self, transform: w, dilation: d, into: melRows)
            melInputs = m * width
        case .upsampled:
            // Already bfloat16: straight into the GEMM's input.
            gatherMel(UInt16.self, transform: w, dilation: d, into: melRows16)
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
                gemm(m: 2 * c, n: width, k: m, layer.stacked + 3 * c, lda: stackedDepth, melRows, ldb: width,
                     cache?.float32 ?? scratch.projected, ldc: width, beta: 0)
            }
            for j in 0..<products {
                gemm(m: 2 * c, n: q, k: c, taps.products + j * 2 * c * c, lda: c, u + j * block, ldb: q,
                     out + j * 2 * block, ldc: q, beta: 0)
            }
        }
        if computesConditioner { cache?.store(scratch.projected, channels: c) }
        let added = cache?.term ?? (computesConditioner ? .float32(scratch.projected, ld: width) : nil)
        var z = gateOutput(width: width)
        z.columnOrder = planned.gatesInColumnOrder ? d : nil
        winogradGatedTanh(w, out, ldm: q, bias: gateBias, added: added, into: z, channels: c, columns: width)
    }

    /// The cached upsampled mel's columns of the tile, `(M, width)` in phase order: from the
    /// contiguous tile's block, or run by run from the blocks that hold a strided tile's runs.
    private func gatherMel<T: SIMDScalar>(_: T.Type, transform w: Winograd, dilation d: Int, into dst: UnsafeMutablePointer<T>) {
        let ws = workspace, m = ws.plan.layout.mels
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
}
