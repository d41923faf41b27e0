import Foundation

extension DiffWave {
    /// Loads a reference `diffwave` checkpoint: its `params` (or the reference defaults)
    /// and its `model` state dict, checked tensor by tensor against that config.
    public static func load(contentsOf url: URL) throws(DiffWaveError) -> DiffWave {
        let checkpoint = try TorchCheckpoint.load(contentsOf: url)
        let config = try DiffWaveConfig(params: checkpoint.params)
        try config.validate()
        let weights = try DiffWaveWeights(stateDict: checkpoint.stateDict(), config: config)
        return try DiffWave(config: config, weights: weights)
    }
}
