import Foundation

/// The DiffWave network ε_θ(x_t, t, mel, label) of Kong et al. (2021, Fig. 2, §3.3), read-only after loading
/// and shared by every worker; each caller brings its own `Workspace`. This file is the network
/// as the paper writes it; how each stage runs over the signal (threads, number format,
/// convolution algorithm) is `ForwardPass`'s, in Execution/.
public final class DiffWave: @unchecked Sendable {
    public let config: DiffWaveConfig
    /// The step-embedding MLP and the upsampler's first layer; the residual layers, input and
    /// output projections live only in `packed` (not twice: that is 10 MB for BASE), next to
    /// the upsampler's second layer, which the forward pass runs where it needs its columns.
    let weights: DiffWaveWeights
    let packed: PackedWeights

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

    // MARK: - The spectrogram upsampler

    /// `mel (M, F)` -> `(M, F * 256)` through two transposed 2-D convolutions (stride 16 in
    /// time), each followed by leaky ReLU(0.4). The forward pass keeps only the first layer's
    /// output (`upsampleFirstLayer`) and runs the second for the columns it needs at the time
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
        precondition(config.conditioning.takesMel && mel.shape.count == 2 && mel.shape[0] == config.nMels)
        let m = config.nMels, frames = mel.shape[1], s = DiffWaveConfig.upsamplerStride
        var once = [Float](repeating: 0, count: m * frames * s)
        mel.data.withUnsafeBufferPointer { input in weights.upsampler1!.withUnsafeBufferPointer { k in once.withUnsafeMutableBufferPointer { out in
            transposedConv2DLeakyReLU(input.baseAddress!, height: m, width: frames, kernel: k.baseAddress!, bias: weights.upsampler1Bias,
                                      stride: s, slope: 0.4, columns: 0..<(frames * s), into: out.baseAddress!, ld: frames * s)
        } } }
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

    // MARK: - The diffusion-step embedding

    /// The sin/cos table row for step `t` (128; linearly interpolated between rows for a
    /// fractional t), then two swish-activated FCs -> (512).
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
        var out = [Float](repeating: 0, count: DiffWaveConfig.embeddingWidth), hidden = out
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

    // MARK: - The label embedding (class-conditional models, §3.3)

    /// The global conditioner for class `label`: its embedding `E[label] (D)`, shared by all
    /// layers, mapped by each layer's own 1x1 convolution to `(2C)`, which the layer adds after
    /// its dilated convolution like a bias: into `gateBias (L, 2C)`, each layer's row with that
    /// layer's conv and mel biases already in it (the bias its gate adds).
    func embedLabel(_ label: Int, into gateBias: UnsafeMutablePointer<Float>) {
        let d = config.conditioning.labels!.embeddingDim, c2 = 2 * config.residualChannels
        weights.labelEmbedding!.withUnsafeBufferPointer { table in
            let embedding = table.baseAddress! + label * d
            for (i, layer) in packed.layers.enumerated() {
                let bias = gateBias + i * c2, projection = weights.labelProjections[i]
                for r in 0..<c2 { bias[r] = layer.stackedBias[r] + projection.bias[r] }
                projection.weight.withUnsafeBufferPointer { gemv(m: c2, k: d, $0.baseAddress!, embedding, bias) }
            }
        }
    }

    // MARK: - The network

    /// ε_θ(x_t, t, mel, label): the noise the network sees in `audio (N)` at diffusion step `t`,
    /// conditioned on the mel after the upsampler's first layer, `(M, N / 16)`
    /// (`upsampleFirstLayer`; nil for a model without a mel) and on class `label` (nil for a
    /// model without classes), into `out (N)`.
    func predictNoise(audio: UnsafePointer<Float>, step t: Float, conditioner mel: UnsafePointer<Float>?, label: Int? = nil,
                      into out: UnsafeMutablePointer<Float>, workspace ws: Workspace) {
        let c = config.residualChannels, e = DiffWaveConfig.embeddingWidth
        precondition((mel != nil) == config.conditioning.takesMel, "a mel exactly for a model conditioned on one")
        precondition((label != nil) == (config.conditioning.labels != nil), "a label exactly for a class-conditional model")

        // t_emb = the step embedding (512), and each layer's FC of it, its step bias: (512) -> (L, C)
        embedStep(t, into: ws.embedding, hidden: ws.hidden, row: ws.tableRow)
        for (i, layer) in packed.layers.enumerated() {
            let bias = ws.stepBias + i * c
            bias.update(from: layer.diffusionBias, count: c)
            gemv(m: c, k: e, layer.diffusionProjection, ws.embedding, bias)
        }
        // ℓ = E[label] (D), and each layer's Conv1x1 of it, its label bias: (D) -> (L, 2C)
        let labelBias = label.map { ws.labelBias(for: $0, model: self) }

        // Each stage over the whole signal before the next starts, shared among the threads.
        ForwardPass.run(self, workspace: ws, conditioner: mel) { pass in
            // x = ReLU(Conv1x1(x_t)): (1, N) -> (C, N); the skip sum starts at zero.
            pass.inputProjection(audio)

            for (i, layer) in packed.layers.enumerated() {
                pass.residualLayer(i) { part in
                    // y = x + step bias;  h = DilatedConv_{2^(i mod cycle)}(y) + Conv1x1(mel) + label bias: (C) -> (2C);
                    // z = σ(h_gate) ⊙ tanh(h_filter): (2C) -> (C)
                    part.gatedConvolution(layer, stepBias: ws.stepBias + i * c, labelBias: labelBias.map { $0 + i * 2 * c })
                    // [residual; skip] = Conv1x1(z): (C) -> (2C)
                    part.outputProjection(layer)
                    // x' = (x + residual) / √2;  skip sum += skip
                    part.addResidualAndSkip(layer)
                }
            }

            // out = Conv1x1(ReLU(Conv1x1(skip sum / √L))): (C, N) -> (N)
            pass.outputProjection(into: out)
        }
    }
}
