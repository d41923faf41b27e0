import ArgumentParser
import DiffWave
import Foundation

/// The options `vocode` and `generate` share: model, schedule, noise and output.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Checkpoint: a reference diffwave .pt file (zip or legacy torch format).")
    var model: String

    @Option(help: "Sampling schedule: fast (the model's inference betas) or full (the training betas).")
    var schedule: NoiseSchedule.Kind = .fast

    @Option(help: "A custom schedule: comma-separated betas (overrides --schedule); each step must match a training step.")
    var betas: String?

    @Option(help: "GEMM number format: f32 (exact, default) or bf16 (bfloat16 weights and activations, f32 accumulation).")
    var precision: Precision = .float32

    @Option(help: "MiB a request's workspace may hold: the activations, then the cached upsampled mel and as many layers of conditioner projection as fit (0: no cache). Default: 224 under f32, 2048 under bf16.")
    var memoryBudgetMb: Int?

    @Option(help: "Seed of the Gaussian noise (same seed, same audio).")
    var seed: UInt64?

    @Option(help: "Pre-drawn noise, .npy of shape [steps, samples] in the reference's draw order.")
    var noise: String?

    @Option(help: "Audio format: wav (16-bit PCM), wav-f32, flac or ogg. Default: from the output's extension, else wav.")
    var format: AudioFormat?

    @Option(name: [.short, .long], help: "Where to write the audio.")
    var output: String

    @Option(help: "Class label, for a class-conditional checkpoint (and only for one): an index (all digits) or one of its class_names.")
    var label: String?

    func validate() throws {
        if seed != nil && noise != nil { throw ValidationError("give either --seed or --noise, not both") }
        if let memoryBudgetMb, !(0...Sampler.maxMemoryBudgetMB).contains(memoryBudgetMb) { throw ValidationError("--memory-budget-mb must be in 0...\(Sampler.maxMemoryBudgetMB)") }
        if let betas, parsedBetas == nil { throw ValidationError("--betas must be comma-separated numbers, got '\(betas)'") }
    }

    /// The checkpoint's model and identity (for the audio's comment), from one read of the file.
    func loadModel() throws(DiffWaveError) -> (model: DiffWave, identity: ModelIdentity) {
        try DiffWave.loadIdentified(contentsOf: URL(fileURLWithPath: model))
    }

    /// The class index `--label` names for `model`; a one-line error when the model needs a
    /// label and none was given, or takes none, or the label is out of range or unknown.
    func classIndex(for model: DiffWave) throws(DiffWaveError) -> Int? {
        try model.config.conditioning.classIndex(of: label.map(Label.init(parsing:)))
    }

    var parsedBetas: [Double]? {
        guard let betas else { return nil }
        let values = betas.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        return values.isEmpty || values.contains(nil) ? nil : values.compactMap { $0 }
    }

    func sampler(for model: DiffWave) throws(DiffWaveError) -> Sampler {
        if let custom = parsedBetas {
            return try Sampler(model: model, schedule: NoiseSchedule(betas: custom, training: model.config.noiseSchedule),
                               precision: precision, memoryBudgetBytes: memoryBudgetMb.map { $0 << 20 })
        }
        return try Sampler(model: model, schedule: NoiseSchedule(schedule, config: model.config), precision: precision,
                           memoryBudgetBytes: memoryBudgetMb.map { $0 << 20 })
    }

    func noiseSource() throws(DiffWaveError) -> NoiseSource {
        if let noise { return .draws(try readNPY(noise, what: "noise")) }
        return .seed(seed ?? 0)
    }

    var resolvedFormat: AudioFormat {
        if let format { return format }
        return AudioFormat.allCases.first { output.lowercased().hasSuffix("." + $0.fileExtension) && $0 != .wavF32 } ?? .wav
    }

    /// Writes the audio file, which names the checkpoint that made it in its metadata comment,
    /// as the service's files do.
    func write(_ samples: [Float], sampleRate: Int, identity: ModelIdentity) throws(DiffWaveError) {
        let data = try AudioEncoder.encode(samples, sampleRate: sampleRate, format: resolvedFormat, comment: identity.audioComment)
        do {
            try data.write(to: URL(fileURLWithPath: output))
        } catch {
            throw DiffWaveError(.io, "cannot write \(output): \(error.localizedDescription)")
        }
    }
}

func readNPY(_ path: String, what: String) throws(DiffWaveError) -> Tensor {
    let data: Data
    do {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw DiffWaveError(.io, "cannot read \(what) file \(path): \(error.localizedDescription)")
    }
    do {
        return try NPY.read(data)
    } catch {
        throw DiffWaveError(error.code, "\(what) file \(path): \(error.message)")
    }
}

extension NoiseSchedule.Kind: ExpressibleByArgument {}
extension AudioFormat: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}
