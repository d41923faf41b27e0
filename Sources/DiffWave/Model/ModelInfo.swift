/// A model's description as `diffwave info` and `GET /model` print it (snake_case keys).
public struct ModelInfo: Codable, Equatable, Sendable {
    public var residualLayers: Int
    public var residualChannels: Int
    public var dilationCycleLength: Int
    public var nMels: Int
    public var hopSamples: Int
    public var sampleRate: Int
    public var unconditional: Bool
    public var parameters: Int
    /// Steps of the full (training) schedule and of the fast schedule.
    public var trainingSteps: Int
    public var fastSteps: Int

    enum CodingKeys: String, CodingKey {
        case residualLayers = "residual_layers", residualChannels = "residual_channels"
        case dilationCycleLength = "dilation_cycle_length", nMels = "n_mels", hopSamples = "hop_samples"
        case sampleRate = "sample_rate", unconditional, parameters
        case trainingSteps = "training_steps", fastSteps = "fast_steps"
    }

    public init(_ model: DiffWave) {
        let c = model.config
        residualLayers = c.residualLayers
        residualChannels = c.residualChannels
        dilationCycleLength = c.dilationCycleLength
        nMels = c.nMels
        hopSamples = c.hopSamples
        sampleRate = c.sampleRate
        unconditional = c.unconditional
        parameters = model.parameterCount
        trainingSteps = c.noiseSchedule.count
        fastSteps = c.inferenceNoiseSchedule.count
    }
}
