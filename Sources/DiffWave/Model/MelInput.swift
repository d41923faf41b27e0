/// What the model accepts as a mel spectrogram: `(n_mels, frames)` float values, finite,
/// at least one frame; a leading batch axis of 1 is dropped.
public enum MelInput {
    /// Returns the mel as `(n_mels, frames)` or a one-line reason it cannot be used.
    public static func prepare(_ array: Tensor, config: DiffWaveConfig) throws(DiffWaveError) -> Tensor {
        var mel = array
        if mel.shape.count == 3 && mel.shape[0] == 1 { mel.shape.removeFirst() }
        try check(mel, config: config)
        return mel
    }

    static func check(_ mel: Tensor, config: DiffWaveConfig) throws(DiffWaveError) {
        guard mel.shape.count == 2 else {
            throw DiffWaveError(.input, "mel must have shape [n_mels, frames] or [1, n_mels, frames], got \(Tensor.describe(mel.shape))")
        }
        guard mel.shape[0] == config.nMels else {
            throw DiffWaveError(.input, "mel has \(mel.shape[0]) mel bands, the model expects \(config.nMels) (shape must be [\(config.nMels), frames])")
        }
        guard mel.shape[1] >= 1 else { throw DiffWaveError(.input, "mel has zero frames") }
        if let i = mel.data.firstIndex(where: { !$0.isFinite }) {
            throw DiffWaveError(.input, "mel contains a non-finite value (\(mel.data[i])) at band \(i / mel.shape[1]), frame \(i % mel.shape[1])")
        }
    }
}
