import Foundation

/// The network's parameters as plain named arrays, shapes in the comments
/// (C = residual_channels, M = n_mels, E = 512, S = training steps).
/// Built from a torch state dict; loading fails on a missing, extra or mis-shaped tensor.
public struct DiffWaveWeights: Sendable {
    public struct ResidualLayer: Sendable {
        /// The dilated convolution's three taps, each `(2C, C)`: tap k reads `y[t + (k - 1) * dilation]`.
        var dilatedTaps: [[Float]]
        var dilatedBias: [Float]              // (2C)
        var diffusionProjection: [Float]      // (C, E)
        var diffusionBias: [Float]            // (C)
        var conditionerProjection: [Float]?   // (2C, M), conditional models only
        var conditionerBias: [Float]?         // (2C)
        var outputProjection: [Float]         // (2C, C)
        var outputBias: [Float]               // (2C)
    }

    var inputProjection: [Float]   // (C) from torch's (C, 1, 1)
    var inputBias: [Float]         // (C)
    var embeddingTable: [Float]    // (S, 128): sin then cos of t * 10^(4j/63)
    var projection1: [Float]       // (E, 128)
    var projection1Bias: [Float]   // (E)
    var projection2: [Float]       // (E, E)
    var projection2Bias: [Float]   // (E)
    var upsampler1: [Float]?       // (3, 32) from (1, 1, 3, 32)
    var upsampler1Bias: Float
    var upsampler2: [Float]?       // (3, 32)
    var upsampler2Bias: Float
    var layers: [ResidualLayer]
    var skipProjection: [Float]    // (C, C) from (C, C, 1)
    var skipBias: [Float]          // (C)
    var outputProjection: [Float]  // (C) from (1, C, 1)
    var outputBias: Float

    /// Every tensor the config implies, with its torch shape.
    static func expectedShapes(_ config: DiffWaveConfig) -> [String: [Int]] {
        let c = config.residualChannels, m = config.nMels, e = DiffWaveConfig.embeddingWidth
        var shapes: [String: [Int]] = [
            "input_projection.weight": [c, 1, 1], "input_projection.bias": [c],
            "diffusion_embedding.projection1.weight": [e, DiffWaveConfig.embeddingTableWidth],
            "diffusion_embedding.projection1.bias": [e],
            "diffusion_embedding.projection2.weight": [e, e], "diffusion_embedding.projection2.bias": [e],
            "skip_projection.weight": [c, c, 1], "skip_projection.bias": [c],
            "output_projection.weight": [1, c, 1], "output_projection.bias": [1],
        ]
        if !config.unconditional {
            for conv in ["conv1", "conv2"] {
                shapes["spectrogram_upsampler.\(conv).weight"] = [1, 1, 3, 2 * DiffWaveConfig.upsamplerStride]
                shapes["spectrogram_upsampler.\(conv).bias"] = [1]
            }
        }
        for i in 0..<config.residualLayers {
            let p = "residual_layers.\(i)."
            shapes[p + "dilated_conv.weight"] = [2 * c, c, 3]
            shapes[p + "dilated_conv.bias"] = [2 * c]
            shapes[p + "diffusion_projection.weight"] = [c, e]
            shapes[p + "diffusion_projection.bias"] = [c]
            if !config.unconditional {
                shapes[p + "conditioner_projection.weight"] = [2 * c, m, 1]
                shapes[p + "conditioner_projection.bias"] = [2 * c]
            }
            shapes[p + "output_projection.weight"] = [2 * c, c, 1]
            shapes[p + "output_projection.bias"] = [2 * c]
        }
        return shapes
    }

    /// Older releases saved the step-embedding table as a buffer; it is accepted and used when present.
    static let embeddingTableKey = "diffusion_embedding.embedding"

    public init(stateDict: [String: Tensor], config: DiffWaveConfig) throws(DiffWaveError) {
        let expected = Self.expectedShapes(config)
        for name in expected.keys.sorted() where stateDict[name] == nil {
            throw DiffWaveError(.weights, "checkpoint is missing tensor '\(name)' of shape \(Tensor.describe(expected[name]!))")
        }
        let tableShape = [config.noiseSchedule.count, DiffWaveConfig.embeddingTableWidth]
        for name in stateDict.keys.sorted() {
            let shape = stateDict[name]!.shape
            if name == Self.embeddingTableKey {
                if shape != tableShape {
                    throw DiffWaveError(.weights, "tensor '\(name)' has shape \(Tensor.describe(shape)), expected \(Tensor.describe(tableShape))")
                }
                continue
            }
            guard let want = expected[name] else {
                throw DiffWaveError(.weights, "checkpoint has unexpected tensor '\(name)' of shape \(Tensor.describe(shape)) for a \(config.residualLayers)-layer \(config.unconditional ? "unconditional" : "conditional") model")
            }
            if shape != want {
                throw DiffWaveError(.weights, "tensor '\(name)' has shape \(Tensor.describe(shape)), expected \(Tensor.describe(want))")
            }
        }
        func t(_ name: String) -> [Float] { stateDict[name]!.data }

        let c = config.residualChannels
        inputProjection = t("input_projection.weight")
        inputBias = t("input_projection.bias")
        embeddingTable = stateDict[Self.embeddingTableKey]?.data ?? Self.buildEmbeddingTable(steps: config.noiseSchedule.count)
        projection1 = t("diffusion_embedding.projection1.weight")
        projection1Bias = t("diffusion_embedding.projection1.bias")
        projection2 = t("diffusion_embedding.projection2.weight")
        projection2Bias = t("diffusion_embedding.projection2.bias")
        if config.unconditional {
            upsampler1 = nil; upsampler2 = nil; upsampler1Bias = 0; upsampler2Bias = 0
        } else {
            upsampler1 = t("spectrogram_upsampler.conv1.weight")
            upsampler1Bias = t("spectrogram_upsampler.conv1.bias")[0]
            upsampler2 = t("spectrogram_upsampler.conv2.weight")
            upsampler2Bias = t("spectrogram_upsampler.conv2.bias")[0]
        }
        layers = (0..<config.residualLayers).map { i in
            let p = "residual_layers.\(i)."
            let w = t(p + "dilated_conv.weight") // (2C, C, 3)
            let taps = (0..<3).map { k in
                (0..<(2 * c * c)).map { rc in w[rc * 3 + k] }
            }
            return ResidualLayer(
                dilatedTaps: taps, dilatedBias: t(p + "dilated_conv.bias"),
                diffusionProjection: t(p + "diffusion_projection.weight"),
                diffusionBias: t(p + "diffusion_projection.bias"),
                conditionerProjection: config.unconditional ? nil : t(p + "conditioner_projection.weight"),
                conditionerBias: config.unconditional ? nil : t(p + "conditioner_projection.bias"),
                outputProjection: t(p + "output_projection.weight"),
                outputBias: t(p + "output_projection.bias"))
        }
        skipProjection = t("skip_projection.weight")
        skipBias = t("skip_projection.bias")
        outputProjection = t("output_projection.weight")
        outputBias = t("output_projection.bias")[0]
    }

    /// The reference's `_build_embedding`, in float32 as torch computes it:
    /// `table[t, j] = sin(t * 10^(4j/63))` for j < 64, the cosine in the other half.
    static func buildEmbeddingTable(steps: Int) -> [Float] {
        let half = DiffWaveConfig.embeddingTableWidth / 2
        var table = [Float](repeating: 0, count: steps * 2 * half)
        for j in 0..<half {
            let exponent = Float(j) * 4 / 63
            let frequency = Float(powf(10, exponent))
            for t in 0..<steps {
                let angle = Float(t) * frequency
                table[t * 2 * half + j] = sinf(angle)
                table[t * 2 * half + half + j] = cosf(angle)
            }
        }
        return table
    }

    /// Number of scalar parameters, as torch's `sum(p.numel())` counts them.
    public static func parameterCount(_ config: DiffWaveConfig) -> Int {
        expectedShapes(config).values.reduce(0) { $0 + $1.reduce(1, *) }
    }
}
