/// Every weight copied into one allocation, so the forward pass hands raw pointers to the
/// kernels without re-borrowing arrays in the step loop. Immutable after init.
///
/// Each layer's dilated conv and conditioner projection are packed side by side into one
/// matrix, so that one GEMM over `[y(t - d); y(t); y(t + d); mel(t)]` computes both.
final class PackedWeights: @unchecked Sendable {
    typealias Pointer = UnsafePointer<Float>

    struct Layer {
        var stacked: Pointer                    // (2C, 3C + M): [tap0 | tap1 | tap2 | conditioner]
        var stackedBias: Pointer                // (2C): dilated bias + conditioner bias
        var diffusionProjection: Pointer        // (C, E)
        var diffusionBias: Pointer              // (C)
        var output: Pointer                     // (2C, C)
        var outputBias: Pointer                 // (2C)
        var dilation: Int
        var stacked16: UnsafePointer<UInt16>    // bfloat16 copies of `stacked` and `output`
        var output16: UnsafePointer<UInt16>     // for `Precision.bfloat16`
        /// The taps transformed for Winograd F(2, 3), where the dilation allows (Kernels/Winograd.swift).
        var winograd: WinogradTaps?
    }

    /// The four products' weights: `m1 = [g0 | W_mel]`, `m2 = (g0 + g1 + g2) / 2`,
    /// `m3 = (g0 - g1 + g2) / 2`, `m4 = [g2 | -W_mel]` (`(2C, C + M)`, `(2C, C)`, `(2C, C)`,
    /// `(2C, C + M)`): the conditioner rides in `m1` for the even columns and in `m4`, negated
    /// as `m4` is subtracted, for the odd ones. Each with its bfloat16 copy.
    struct WinogradTaps {
        var m1: Pointer, m2: Pointer, m3: Pointer, m4: Pointer
        var m1x16: UnsafePointer<UInt16>, m2x16: UnsafePointer<UInt16>
        var m3x16: UnsafePointer<UInt16>, m4x16: UnsafePointer<UInt16>
    }

    private let storage: UnsafeMutablePointer<Float>
    private let storage16: UnsafeMutablePointer<UInt16>
    private var winogradStorage: [UnsafeMutablePointer<Float>] = []
    private var winogradStorage16: [UnsafeMutablePointer<UInt16>] = []
    let inputProjection: Pointer    // (C)
    let inputBias: Pointer          // (C)
    let skipProjection: Pointer     // (C, C)
    let skipBias: Pointer           // (C)
    let outputProjection: Pointer   // (C)
    let outputBias: Float
    /// The upsampler's second layer (3, 32), run per time tile inside the step loop; an
    /// empty stand-in for unconditional models.
    let upsampler2: Pointer
    let upsampler2Bias: Float
    /// K of the stacked GEMM: 3C, plus M for a conditional model.
    let stackedDepth: Int
    private(set) var layers: [Layer]

    init(_ w: DiffWaveWeights, config: DiffWaveConfig) {
        let c = config.residualChannels, m = config.unconditional ? 0 : config.nMels
        let depth = 3 * c + m
        var arrays: [[Float]] = [w.inputProjection, w.inputBias, w.skipProjection, w.skipBias, w.outputProjection,
                                 w.upsampler2 ?? [0]]
        for l in w.layers {
            var stacked = [Float](repeating: 0, count: 2 * c * depth)
            var bias = l.dilatedBias
            for row in 0..<(2 * c) {
                for (k, tap) in l.dilatedTaps.enumerated() {
                    for col in 0..<c { stacked[row * depth + k * c + col] = tap[row * c + col] }
                }
                if let p = l.conditionerProjection, let b = l.conditionerBias {
                    for col in 0..<m { stacked[row * depth + 3 * c + col] = p[row * m + col] }
                    bias[row] += b[row]
                }
            }
            arrays += [stacked, bias, l.diffusionProjection, l.diffusionBias, l.outputProjection, l.outputBias]
        }
        storage = .allocate(capacity: arrays.reduce(0) { $0 + $1.count })
        var cursor = storage
        var next = 0
        var pointers: [Pointer] = []
        for a in arrays {
            cursor.initialize(from: a, count: a.count)
            pointers.append(Pointer(cursor))
            cursor += a.count
        }
        func take() -> Pointer { defer { next += 1 }; return pointers[next] }
        inputProjection = take(); inputBias = take(); skipProjection = take(); skipBias = take(); outputProjection = take()
        upsampler2 = take()
        outputBias = w.outputBias
        upsampler2Bias = w.upsampler2Bias
        stackedDepth = depth
        let perLayer16 = 2 * c * depth + 2 * c * c
        let storage16 = UnsafeMutablePointer<UInt16>.allocate(capacity: max(1, perLayer16 * w.layers.count))
        self.storage16 = storage16
        layers = w.layers.indices.map { i in
            let stacked16 = storage16 + i * perLayer16, output16 = stacked16 + 2 * c * depth
            let layer = Layer(stacked: take(), stackedBias: take(), diffusionProjection: take(), diffusionBias: take(),
                              output: take(), outputBias: take(), dilation: config.dilation(ofLayer: i),
                              stacked16: stacked16, output16: output16)
            convertToBFloat16(layer.stacked, count: 2 * c * depth, into: stacked16)
            convertToBFloat16(layer.output, count: 2 * c * c, into: output16)
            return layer
        }
        for (i, l) in w.layers.enumerated() where Winograd.supports(dilation: layers[i].dilation) {
            layers[i].winograd = winogradTaps(l, channels: c, mels: m)
        }
    }

    /// The F(2, 3) weights of one layer (`WinogradTaps`).
    private func winogradTaps(_ l: DiffWaveWeights.ResidualLayer, channels c: Int, mels m: Int) -> WinogradTaps {
        let (g0, g1, g2) = (l.dilatedTaps[0], l.dilatedTaps[1], l.dilatedTaps[2])
        var outer = ([Float](repeating: 0, count: 2 * c * (c + m)), [Float](repeating: 0, count: 2 * c * (c + m)))
        var inner = ([Float](repeating: 0, count: 2 * c * c), [Float](repeating: 0, count: 2 * c * c))
        for row in 0..<(2 * c) {
            for col in 0..<c {
                let k = row * c + col
                outer.0[row * (c + m) + col] = g0[k]
                outer.1[row * (c + m) + col] = g2[k]
                inner.0[k] = (g0[k] + g1[k] + g2[k]) / 2
                inner.1[k] = (g0[k] - g1[k] + g2[k]) / 2
            }
            if let p = l.conditionerProjection {
                for col in 0..<m {
                    outer.0[row * (c + m) + c + col] = p[row * m + col]
                    outer.1[row * (c + m) + c + col] = -p[row * m + col]
                }
            }
        }
        let blocks = [outer.0, inner.0, inner.1, outer.1]
        let total = blocks.reduce(0) { $0 + $1.count }
        let f32 = UnsafeMutablePointer<Float>.allocate(capacity: total), bf16 = UnsafeMutablePointer<UInt16>.allocate(capacity: total)
        winogradStorage.append(f32)
        winogradStorage16.append(bf16)
        var offsets: [Int] = [], offset = 0
        for b in blocks {
            (f32 + offset).initialize(from: b, count: b.count)
            convertToBFloat16(f32 + offset, count: b.count, into: bf16 + offset)
            offsets.append(offset)
            offset += b.count
        }
        return WinogradTaps(m1: f32 + offsets[0], m2: f32 + offsets[1], m3: f32 + offsets[2], m4: f32 + offsets[3],
                            m1x16: bf16 + offsets[0], m2x16: bf16 + offsets[1], m3x16: bf16 + offsets[2], m4x16: bf16 + offsets[3])
    }

    deinit {
        storage.deallocate()
        storage16.deallocate()
        for p in winogradStorage { p.deallocate() }
        for p in winogradStorage16 { p.deallocate() }
    }
}
