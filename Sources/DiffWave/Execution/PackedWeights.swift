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
        /// The conditioner's columns of `stacked16` as a dense `(2C, M)`: oneDNN takes its
        /// faster brgemm kernel for a dense operand only.
        var conditioner16: UnsafePointer<UInt16>
        /// The taps transformed for Winograd, F(4, 3) first, where the dilation allows
        /// (Kernels/Winograd.swift).
        var winograd: [WinogradTaps] = []
    }

    /// One Winograd transform's product weights `G g`: `products` blocks of `(2C, C)`, back
    /// to back, each with its bfloat16 copy. The conditioner has a GEMM of its own.
    struct WinogradTaps {
        var transform: Winograd
        var products: Pointer
        var products16: UnsafePointer<UInt16>
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
    /// empty stand-in for models without a mel.
    let upsampler2: Pointer
    let upsampler2Bias: Float
    /// K of the stacked GEMM: 3C, plus M for a conditional model.
    let stackedDepth: Int
    private(set) var layers: [Layer]

    init(_ w: DiffWaveWeights, config: DiffWaveConfig) {
        let c = config.residualChannels, m = config.conditioning.takesMel ? config.nMels : 0
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
        let perLayer16 = 2 * c * depth + 2 * c * c + 2 * c * m
        let storage16 = UnsafeMutablePointer<UInt16>.allocate(capacity: max(1, perLayer16 * w.layers.count))
        self.storage16 = storage16
        layers = w.layers.indices.map { i in
            let stacked16 = storage16 + i * perLayer16, output16 = stacked16 + 2 * c * depth, conditioner16 = output16 + 2 * c * c
            let layer = Layer(stacked: take(), stackedBias: take(), diffusionProjection: take(), diffusionBias: take(),
                              output: take(), outputBias: take(), dilation: config.dilation(ofLayer: i),
                              stacked16: stacked16, output16: output16, conditioner16: conditioner16)
            convertToBFloat16(layer.stacked, count: 2 * c * depth, into: stacked16)
            convertToBFloat16(layer.output, count: 2 * c * c, into: output16)
            for row in 0..<(2 * c) {
                (conditioner16 + row * m).update(from: stacked16 + row * depth + 3 * c, count: m)
            }
            return layer
        }
        for (i, l) in w.layers.enumerated() where Winograd.supports(dilation: layers[i].dilation) {
            layers[i].winograd = [Winograd.f4, .f2].map { winogradTaps(l, $0, channels: c) }
        }
    }

    /// One layer's product weights for `transform` (`WinogradTaps`).
    private func winogradTaps(_ l: DiffWaveWeights.ResidualLayer, _ transform: Winograd, channels c: Int) -> WinogradTaps {
        let (g0, g1, g2) = (l.dilatedTaps[0], l.dilatedTaps[1], l.dilatedTaps[2]), block = 2 * c * c
        let f32 = UnsafeMutablePointer<Float>.allocate(capacity: transform.products * block)
        let bf16 = UnsafeMutablePointer<UInt16>.allocate(capacity: transform.products * block)
        winogradStorage.append(f32)
        winogradStorage16.append(bf16)
        // In double, so that each weight is rounded once.
        for (j, (a, b, e)) in transform.weightTransform.enumerated() {
            for k in 0..<block { f32[j * block + k] = Float(a * Double(g0[k]) + b * Double(g1[k]) + e * Double(g2[k])) }
        }
        convertToBFloat16(f32, count: transform.products * block, into: bf16)
        return WinogradTaps(transform: transform, products: f32, products16: bf16)
    }

    deinit {
        storage.deallocate()
        storage16.deallocate()
        for p in winogradStorage { p.deallocate() }
        for p in winogradStorage16 { p.deallocate() }
    }
}
