/// Every weight copied into one allocation, so the forward pass hands raw pointers to the
/// kernels without re-borrowing arrays in the step loop. Immutable after init.
final class PackedWeights: @unchecked Sendable {
    typealias Pointer = UnsafePointer<Float>

    struct Layer {
        var taps: (Pointer, Pointer, Pointer)   // 3 × (2C, C)
        var dilatedBias: Pointer                // (2C)
        var diffusionProjection: Pointer        // (C, E)
        var diffusionBias: Pointer              // (C)
        var conditioner: Pointer?               // (2C, M)
        var conditionerBias: Pointer?           // (2C)
        var output: Pointer                     // (2C, C)
        var outputBias: Pointer                 // (2C)
        var dilation: Int
    }

    private let storage: UnsafeMutablePointer<Float>
    let inputProjection: Pointer    // (C)
    let inputBias: Pointer          // (C)
    let skipProjection: Pointer     // (C, C)
    let skipBias: Pointer           // (C)
    let outputProjection: Pointer   // (C)
    let outputBias: Float
    let layers: [Layer]

    init(_ w: DiffWaveWeights, config: DiffWaveConfig) {
        var arrays: [[Float]] = [w.inputProjection, w.inputBias, w.skipProjection, w.skipBias, w.outputProjection]
        for l in w.layers {
            arrays += l.dilatedTaps + [l.dilatedBias, l.diffusionProjection, l.diffusionBias, l.outputProjection, l.outputBias]
            if let c = l.conditionerProjection, let b = l.conditionerBias { arrays += [c, b] }
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
        outputBias = w.outputBias
        layers = w.layers.indices.map { i in
            let l = w.layers[i]
            var layer = Layer(taps: (take(), take(), take()), dilatedBias: take(), diffusionProjection: take(),
                              diffusionBias: take(), conditioner: nil, conditionerBias: nil,
                              output: take(), outputBias: take(), dilation: config.dilation(ofLayer: i))
            if l.conditionerProjection != nil {
                layer.conditioner = take()
                layer.conditionerBias = take()
            }
            return layer
        }
    }

    deinit { storage.deallocate() }
}
