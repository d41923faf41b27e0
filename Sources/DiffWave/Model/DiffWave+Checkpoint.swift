import Foundation

extension DiffWave {
    /// Loads a reference `diffwave` checkpoint: its `params` (or the reference defaults) and
    /// its `model` state dict, checked tensor by tensor against that config. A label embedding
    /// in the state dict makes the model class-conditional (../shared/reference/README.md).
    public static func load(contentsOf url: URL) throws(DiffWaveError) -> DiffWave {
        try load(TorchCheckpoint.load(contentsOf: url))
    }

    /// The model and its identity (`ModelIdentity`: the file's SHA-256 and name), from one read
    /// of the file: what the service and the CLI serve and stamp their audio with.
    public static func loadIdentified(contentsOf url: URL) throws(DiffWaveError) -> (model: DiffWave, identity: ModelIdentity) {
        let data = try TorchCheckpoint.contents(of: url)
        return (try load(TorchCheckpoint(data: data)), ModelIdentity(checkpoint: data, fileName: url.lastPathComponent))
    }

    private static func load(_ checkpoint: TorchCheckpoint) throws(DiffWaveError) -> DiffWave {
        let stateDict = try checkpoint.stateDict()
        let config = try DiffWaveConfig(params: checkpoint.params,
                                        labelEmbedding: stateDict[DiffWaveWeights.labelEmbeddingKey]?.shape)
        try config.validate()
        let weights = try DiffWaveWeights(stateDict: stateDict, config: config)
        return try DiffWave(config: config, weights: weights)
    }
}
