import DiffWave
import Foundation

/// The one shared, read-only model plus its prepared schedules; runs a job's spec to audio bytes.
public final class VocodingEngine: Sendable {
    public let model: DiffWave
    /// Whether the weights came from a trained checkpoint (false for the built-in untrained default).
    public let trained: Bool
    /// Which weights these are: the checkpoint's SHA-256 and file name, or the built-in model's fixed identity.
    public let identity: ModelIdentity
    /// The float32 sampler of each schedule; a bfloat16 job gets its own on the same schedule.
    let samplers: [NoiseSchedule.Kind: Sampler]
    /// The model's own analysis (copy synthesis, `POST /mel`); its FFT plan is made once.
    let melFrontend: MelFrontend

    /// The workspace budget of a bfloat16 job (the float32 samplers hold their own).
    let bf16MemoryBudgetBytes: Int

    /// - Parameter identity: the checkpoint's (`DiffWave.loadIdentified`); nil gives the
    ///   built-in untrained model's identity for the model's configuration.
    public init(model: DiffWave, trained: Bool, identity: ModelIdentity? = nil,
                memoryBudgetBytes: Int = Sampler.defaultMemoryBudgetBytes(.float32),
                bf16MemoryBudgetBytes: Int = Sampler.defaultMemoryBudgetBytes(.bfloat16)) throws(DiffWaveError) {
        self.model = model
        self.trained = trained
        self.identity = identity ?? .untrained(config: model.config)
        self.bf16MemoryBudgetBytes = bf16MemoryBudgetBytes
        var samplers: [NoiseSchedule.Kind: Sampler] = [:]
        for kind in NoiseSchedule.Kind.allCases {
            samplers[kind] = try Sampler(model: model, schedule: NoiseSchedule(kind, config: model.config),
                                         memoryBudgetBytes: memoryBudgetBytes)
        }
        self.samplers = samplers
        melFrontend = try MelFrontend(config: model.config)
    }

    public func steps(_ kind: NoiseSchedule.Kind) -> Int { samplers[kind]!.schedule.count }

    /// Runs the reverse diffusion for `spec`; `progress` is called after each step and
    /// returning false stops the run with a `.cancelled` error.
    func run(_ spec: JobSpec, threads: Int, progress: Sampler.Progress) throws(DiffWaveError) -> (audio: Data, seconds: Double) {
        let exact = samplers[spec.schedule]!
        // Requests were checked against Precision.isAvailable, so this cannot throw for them.
        let sampler = spec.precision == exact.precision
            ? exact : try Sampler(model: model, schedule: exact.schedule, precision: spec.precision,
                                  memoryBudgetBytes: bf16MemoryBudgetBytes)
        let samples: [Float]
        switch spec.input {
        case .mel(let mel):
            samples = try sampler.vocode(mel: mel, label: spec.label, noise: .seed(spec.seed), threads: threads, progress: progress)
        case .samples(let n):
            samples = try sampler.generate(samples: n, label: spec.label, noise: .seed(spec.seed), threads: threads, progress: progress)
        }
        let audio = try AudioEncoder.encode(samples, sampleRate: model.config.sampleRate, format: spec.format,
                                            comment: audioComment)
        return (audio, Double(samples.count) / Double(model.config.sampleRate))
    }

    /// What every audio file says of the model that made it (`ModelIdentity.audioComment`).
    var audioComment: String { identity.audioComment }
}
