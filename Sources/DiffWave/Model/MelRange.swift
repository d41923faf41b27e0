/// The value range of the mels DiffWave is trained on. The reference's
/// normalisation (`MelFrontend`) maps every mel into [0, 1]; a mel outside it
/// was made some other way, typically a natural-log mel from a Tacotron 2 or
/// HiFi-GAN pipeline (values around −11 ... 2), and vocodes to noise or
/// silence without any error. The CLI (`vocode`, unless `--no-strict`) and the
/// service (unless `strict=false`) check mels with this before sampling.
public enum MelRange {
    /// How far outside [0, 1] a value may lie before it counts as out of range
    /// (float round-off from a conversion).
    public static let tolerance: Float = 1e-6

    /// Throws `DiffWaveError(.range)` if any value lies outside
    /// `[−tolerance, 1 + tolerance]` (or is not finite), saying what the model
    /// expects and the mel's actual range.
    public static func check(_ mel: Tensor) throws(DiffWaveError) {
        guard !mel.data.isEmpty else { return }
        var low = Float.infinity, high = -Float.infinity
        var finite = true
        for x in mel.data {
            if !x.isFinite { finite = false; continue }
            low = min(low, x)
            high = max(high, x)
        }
        guard !finite || low < -tolerance || high > 1 + tolerance else { return }
        let range = finite ? "got min \(low) max \(high)" : "got non-finite values (finite min \(low) max \(high))"
        throw DiffWaveError(.range, "mel values must lie in [0, 1]: this model expects the reference normalisation clamp((20·log10(max(mel, 1e-5)) − 20 + 100) / 100, 0, 1); \(range) — a natural-log (Tacotron 2 / HiFi-GAN) mel L converts approximately as clamp((8.6859·L + 80) / 100, 0, 1)")
    }
}
