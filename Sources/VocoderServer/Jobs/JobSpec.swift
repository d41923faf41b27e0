import DiffWave

/// What a vocoding job computes: its input and sampling options, validated before queueing.
public struct JobSpec: Sendable {
    public enum Input: Sendable {
        /// A validated mel `(n_mels, frames)` for a conditional model.
        case mel(Tensor)
        /// A sample count for an unconditional model.
        case samples(Int)
    }

    public var input: Input
    public var schedule: NoiseSchedule.Kind
    public var seed: UInt64
    public var format: AudioFormat
    /// The GEMMs' number format (`.float32` is the exact path).
    public var precision: Precision

    public init(input: Input, schedule: NoiseSchedule.Kind, seed: UInt64, format: AudioFormat, precision: Precision = .float32) {
        self.input = input
        self.precision = precision
        self.schedule = schedule
        self.seed = seed
        self.format = format
    }
}
