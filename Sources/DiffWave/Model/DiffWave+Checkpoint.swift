import Foundation

extension DiffWave {
    /// Loads a reference `diffwave` checkpoint: its `params` (or the reference defaults) and
    /// its `model` state dict, checked tensor by tensor against that config. A label embedding
    /// in the state dict makes the model class-conditional (../shared/reference/README.md).
    public static func load(contentsOf url: URL) throws(DiffWaveError) -> DiffWave {
        let checkpoint = try TorchCheckpoint.load(contentsOf: url)
        let stateDict = try checkpoint.stateDict()
        let config = try DiffWaveConfig(params: checkpoint.params,
                                        labelEmbedding: stateDict[DiffWaveWeights.labelEmbeddingKey]?.shape)
        try config.validate()
        let weights = try DiffWaveWeights(stateDict: stateDict, config: config)
        return try DiffWave(config: config, weights: weights)
    }
}
