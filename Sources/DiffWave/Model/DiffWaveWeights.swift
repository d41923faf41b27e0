import Foundation

/// The network's parameters as plain named arrays, shapes in the comments
/// (C = residual_channels, M = n_mels, E = 512, S = training steps, K = classes, D = label embedding width).
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

    /// A layer's 1x1 convolution of the label embedding (§3.3), class-conditional models only.
    public struct LabelProjection: Sendable {
        var weight: [Float]                   // (2C, D) from (2C, D, 1)
        var bias: [Float]                     // (2C)
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
    var labelEmbedding: [Float]?          // (K, D), class-conditional models only
    var labelProjections: [LabelProjection]  // one per layer, or none

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
        if config.conditioning.takesMel {
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
            if config.conditioning.takesMel {
                shapes[p + "conditioner_projection.weight"] = [2 * c, m, 1]
                shapes[p + "conditioner_projection.bias"] = [2 * c]
            }
            shapes[p + "output_projection.weight"] = [2 * c, c, 1]
            shapes[p + "output_projection.bias"] = [2 * c]
            if let labels = config.conditioning.labels {
                shapes[p + "label_projection.weight"] = [2 * c, labels.embeddingDim, 1]
                shapes[p + "label_projection.bias"] = [2 * c]
            }
        }
        if let labels = config.conditioning.labels {
            shapes[labelEmbeddingKey] = [labels.count, labels.embeddingDim]
        }
        return shapes
    }

    /// Older releases saved the step-embedding table as a buffer; it is accepted and used when present.
    static let embeddingTableKey = "diffusion_embedding.embedding"
    /// The label embedding, whose presence alone makes a checkpoint class-conditional.
    public static let labelEmbeddingKey = "label_embedding.weight"

    public init(stateDict: [String: Tensor], config: DiffWaveConfig) throws(DiffWaveError) {
        let expected = Self.expectedShapes(config)
        try Self.checkLabelProjections(stateDict, config: config)
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
                throw DiffWaveError(.weights, "checkpoint has unexpected tensor '\(name)' of shape \(Tensor.describe(shape)) for a \(config.residualLayers)-layer model conditioned on \(config.conditioning)")
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
        if config.conditioning.takesMel {
            upsampler1 = t("spectrogram_upsampler.conv1.weight")
            upsampler1Bias = t("spectrogram_upsampler.conv1.bias")[0]
            upsampler2 = t("spectrogram_upsampler.conv2.weight")
            upsampler2Bias = t("spectrogram_upsampler.conv2.bias")[0]
        } else {
            upsampler1 = nil; upsampler2 = nil; upsampler1Bias = 0; upsampler2Bias = 0
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
                conditionerProjection: config.conditioning.takesMel ? t(p + "conditioner_projection.weight") : nil,
                conditionerBias: config.conditioning.takesMel ? t(p + "conditioner_projection.bias") : nil,
                outputProjection: t(p + "output_projection.weight"),
                outputBias: t(p + "output_projection.bias"))
        }
        skipProjection = t("skip_projection.weight")
        skipBias = t("skip_projection.bias")
        outputProjection = t("output_projection.weight")
        outputBias = t("output_projection.bias")[0]
        let labelled = config.conditioning.labels != nil
        labelEmbedding = labelled ? t(Self.labelEmbeddingKey) : nil
        labelProjections = !labelled ? [] : (0..<config.residualLayers).map { i in
            LabelProjection(weight: t("residual_layers.\(i).label_projection.weight"), bias: t("residual_layers.\(i).label_projection.bias"))
        }
    }

    /// Refuses a partial set of label tensors: every layer has its label projection exactly
    /// when the checkpoint has a label embedding (the reference would fail on it too, less clearly).
    private static func checkLabelProjections(_ stateDict: [String: Tensor], config: DiffWaveConfig) throws(DiffWaveError) {
        let labelled = stateDict[labelEmbeddingKey] != nil
        for i in 0..<config.residualLayers {
            for part in ["weight", "bias"] {
                let name = "residual_layers.\(i).label_projection.\(part)"
                guard (stateDict[name] != nil) != labelled else { continue }
                throw DiffWaveError(.weights, labelled
                    ? "checkpoint has '\(labelEmbeddingKey)' but is missing tensor '\(name)': every layer needs its label projection"
                    : "checkpoint has tensor '\(name)' but no '\(labelEmbeddingKey)': a label projection needs the label embedding")
            }
        }
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
