extension DiffWaveWeights {
    /// An untrained state dict for `config`, reproducible from `seed`: every tensor uniform in
    /// ±1/√fan_in (torch's default Conv1d/Linear bound). The service's built-in default until
    /// trained weights ship: the whole path runs at the real model's cost, the audio is noise.
    public static func untrainedStateDict(config: DiffWaveConfig, seed: UInt64) -> [String: Tensor] {
        var noise = GaussianNoise(seed: seed)
        var dict: [String: Tensor] = [:]
        for (name, shape) in expectedShapes(config).sorted(by: { $0.key < $1.key }) {
            // fan_in of the weight this tensor belongs to: its input channels × kernel size.
            let weightShape = name.hasSuffix(".bias") ? expectedShapes(config)[String(name.dropLast(5)) + ".weight"]! : shape
            let fanIn = weightShape.dropFirst().reduce(1, *)
            let bound = 1 / Float(fanIn).squareRoot()
            var values = [Float](repeating: 0, count: shape.reduce(1, *))
            // A normal clipped at ±2σ, scaled into the bound: the values only need torch's scale.
            for i in values.indices { values[i] = max(-1, min(1, noise.next() / 2)) * bound }
            dict[name] = Tensor(shape: shape, data: values)
        }
        return dict
    }
}

extension DiffWave {
    /// The seed of the built-in untrained model, fixed so its audio is reproducible.
    public static let untrainedSeed: UInt64 = 0x00D1_FF3A_7E00

    /// A BASE-shaped (or `config`-shaped) model with untrained weights from `untrainedSeed`.
    public static func untrained(config: DiffWaveConfig = .base) throws(DiffWaveError) -> DiffWave {
        let dict = DiffWaveWeights.untrainedStateDict(config: config, seed: untrainedSeed)
        return try DiffWave(config: config, weights: DiffWaveWeights(stateDict: dict, config: config))
    }
}
