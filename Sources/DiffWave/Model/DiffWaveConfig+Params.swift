extension DiffWaveConfig {
    /// The config a checkpoint's `params` dict describes: the reference defaults (`base`)
    /// with every key the dict has laid over them. A key of the wrong type is an error.
    public init(params: [String: PickleValue]?) throws(DiffWaveError) {
        self = .base
        guard let params else { return }
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
            unconditional = b
        }
    }
}
