import ArgumentParser
import DiffWave
import Foundation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate audio from a checkpoint that takes no mel: unconditional, or of one class (--label).")

    @OptionGroup var options: SamplingOptions

    @Option(help: "Samples to generate. Default: as wide as --noise, else the checkpoint's audio_len, else 5 s.")
    var samples: Int?

    func validate() throws {
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let (model, identity) = try options.loadModel()
            let label = try options.classIndex(for: model)
            let noise = try options.noiseSource()
            var count = samples ?? model.config.audioLen ?? 5 * model.config.sampleRate
            if samples == nil, case .draws(let draws) = noise, draws.shape.count == 2 { count = draws.shape[1] }
            let audio = try options.sampler(for: model).generate(samples: count, label: label, noise: noise)
            try options.write(audio, sampleRate: model.config.sampleRate, identity: identity)
        }
    }
}
