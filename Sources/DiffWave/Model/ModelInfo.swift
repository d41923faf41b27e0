/// A model's description as `diffwave info` and `GET /model` print it (snake_case keys).
public struct ModelInfo: Codable, Equatable, Sendable {
    public var residualLayers: Int
    public var residualChannels: Int
    public var dilationCycleLength: Int
    public var nMels: Int
    public var hopSamples: Int
    public var sampleRate: Int
    /// Whether the model takes no mel (`generate`): kept beside `conditioning` for clients that read it.
    public var unconditional: Bool
    /// `none`, `mel`, `label` or `mel+label` (`Conditioning`).
    public var conditioning: String
    /// K and D of a class-conditional model, and its class names (nil without classes; empty without names).
    public var numClasses: Int?
    public var labelEmbeddingDim: Int?
    public var classNames: [String]?
    public var parameters: Int
    /// Steps of the full (training) schedule and of the fast schedule.
    public var trainingSteps: Int
    public var fastSteps: Int

    enum CodingKeys: String, CodingKey {
        case residualLayers = "residual_layers", residualChannels = "residual_channels"
        case dilationCycleLength = "dilation_cycle_length", nMels = "n_mels", hopSamples = "hop_samples"
        case sampleRate = "sample_rate", unconditional, conditioning, parameters
        case numClasses = "num_classes", labelEmbeddingDim = "label_embedding_dim", classNames = "class_names"
        case trainingSteps = "training_steps", fastSteps = "fast_steps"
    }

    /// Every key, the label fields as null for a model without classes (synthesized Codable
    /// would leave them out, and clients check for null).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(residualLayers, forKey: .residualLayers)
        try c.encode(residualChannels, forKey: .residualChannels)
        try c.encode(dilationCycleLength, forKey: .dilationCycleLength)
        try c.encode(nMels, forKey: .nMels)
        try c.encode(hopSamples, forKey: .hopSamples)
        try c.encode(sampleRate, forKey: .sampleRate)
        try c.encode(unconditional, forKey: .unconditional)
        try c.encode(conditioning, forKey: .conditioning)
        try c.encode(numClasses, forKey: .numClasses)
        try c.encode(labelEmbeddingDim, forKey: .labelEmbeddingDim)
        try c.encode(classNames, forKey: .classNames)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(trainingSteps, forKey: .trainingSteps)
        try c.encode(fastSteps, forKey: .fastSteps)
    }

    public init(_ model: DiffWave) {
        let c = model.config
        residualLayers = c.residualLayers
        residualChannels = c.residualChannels
        dilationCycleLength = c.dilationCycleLength
        nMels = c.nMels
        hopSamples = c.hopSamples
        sampleRate = c.sampleRate
        unconditional = !c.conditioning.takesMel
        conditioning = c.conditioning.description
        numClasses = c.conditioning.labels?.count
        labelEmbeddingDim = c.conditioning.labels?.embeddingDim
        classNames = c.conditioning.labels?.names
        parameters = model.parameterCount
        trainingSteps = c.noiseSchedule.count
        fastSteps = c.inferenceNoiseSchedule.count
    }
}
