extension DiffWaveConfig {
    /// The config a checkpoint's `params` dict describes: the reference defaults (`base`)
    /// with every key the dict has laid over them. A key of the wrong type is an error.
    /// `labelEmbedding`: the shape of the checkpoint's `label_embedding.weight`, whose presence
    /// alone makes the model class-conditional; K comes from `num_classes` or its rows, D from
    /// `label_embedding_dim` or the paper's 128 (the weights check the tensor against both).
    public init(params: [String: PickleValue]?, labelEmbedding: [Int]? = nil) throws(DiffWaveError) {
        self = .base
        let params = params ?? [:]
        func int(_ key: String) throws(DiffWaveError) -> Int? {
            guard let value = params[key], value != .none else { return nil }
            guard let i = value.intValue else { throw DiffWaveError(.config, "params['\(key)'] must be an integer") }
            return i
        }
        func betas(_ key: String) throws(DiffWaveError) -> [Double]? {
            guard let value = params[key], value != .none else { return nil }
            guard let list = value.doubleArray else { throw DiffWaveError(.config, "params['\(key)'] must be a list of numbers") }
            return list
        }
        residualLayers = try int("residual_layers") ?? residualLayers
        residualChannels = try int("residual_channels") ?? residualChannels
        dilationCycleLength = try int("dilation_cycle_length") ?? dilationCycleLength
        nMels = try int("n_mels") ?? nMels
        hopSamples = try int("hop_samples") ?? hopSamples
        sampleRate = try int("sample_rate") ?? sampleRate
        audioLen = try int("audio_len") ?? audioLen
        nFFT = try int("n_fft") ?? nFFT
        noiseSchedule = try betas("noise_schedule") ?? noiseSchedule
        inferenceNoiseSchedule = try betas("inference_noise_schedule") ?? inferenceNoiseSchedule
        if let value = params["unconditional"], value != .none {
            guard let b = value.boolValue else { throw DiffWaveError(.config, "params['unconditional'] must be a boolean") }
            conditioning = b ? .none : .mel
        }
        let classes = try int("num_classes")
        if let shape = labelEmbedding {
            conditioning = conditioning.with(labels: ClassLabels(
                count: classes ?? shape.first ?? 0,
                embeddingDim: try int("label_embedding_dim") ?? ClassLabels.defaultEmbeddingDim,
                names: try Self.classNames(params["class_names"])))
        } else if let classes, classes > 0 {
            throw DiffWaveError(.weights, "checkpoint is missing tensor '\(DiffWaveWeights.labelEmbeddingKey)' (params['num_classes'] is \(classes))")
        }
    }

    /// `params['class_names']`: a list of strings; absent, None or empty means no names.
    private static func classNames(_ value: PickleValue?) throws(DiffWaveError) -> [String] {
        guard let value, value != .none else { return [] }
        let names = value.elements?.compactMap(\.stringValue)
        guard let names, names.count == value.elements?.count else {
            throw DiffWaveError(.config, "params['class_names'] must be a list of strings")
        }
        return names
    }
}
