import DiffWave

/// What a vocoding job computes: its input and sampling options, validated before queueing.
public struct JobSpec: Sendable {
    public enum Input: Sendable {
        /// A validated mel `(n_mels, frames)` for a model conditioned on one.
        case mel(Tensor)
        /// A sample count for a model without a mel.
        case samples(Int)
    }

    public var input: Input
    public var schedule: NoiseSchedule.Kind
    public var seed: UInt64
    public var format: AudioFormat
    /// The GEMMs' number format (`.float32` is the exact path).
    public var precision: Precision
    /// The class index for a class-conditional model (checked against it), nil for a model without classes.
    public var label: Int?

    public init(input: Input, schedule: NoiseSchedule.Kind, seed: UInt64, format: AudioFormat, precision: Precision = .float32,
                label: Int? = nil) {
        self.input = input
        self.label = label
        self.precision = precision
        self.schedule = schedule
        self.seed = seed
        self.format = format
    }
}
