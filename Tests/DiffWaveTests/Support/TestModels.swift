@testable import DiffWave

/// Small models and random inputs for the engine's tests.
enum TestModels {
    static func randomSignal(_ n: Int, seed: UInt64) -> [Float] {
        var noise = GaussianNoise(seed: seed)
        var x = [Float](repeating: 0, count: n)
        noise.fill(&x)
        return x
    }

    /// A small untrained BASE-shaped model whose six layers have dilations 1...32.
    static func sixLayerModel(_ conditioning: Conditioning = .mel) throws -> DiffWave {
        var config = DiffWaveConfig.base
        (config.residualLayers, config.residualChannels, config.dilationCycleLength, config.conditioning) = (6, 8, 6, conditioning)
        return try DiffWave.untrained(config: config)
    }

    /// The upsampler's first layer over a random mel for `n` samples.
    static func randomConditioner(_ model: DiffWave, samples n: Int, seed: UInt64) -> [Float] {
        let m = model.config.nMels, frames = n / model.config.hopSamples
        return model.upsampleFirstLayer(mel: Tensor(shape: [m, frames], data: randomSignal(m * frames, seed: seed)))
    }
}
