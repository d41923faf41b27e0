import ArgumentParser
import DiffWave
import Foundation

struct VocodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocode",
        abstract: "Turn a mel spectrogram (.npy, [n_mels, frames]) into audio.")

    @OptionGroup var options: SamplingOptions

    @Argument(help: "The mel spectrogram: .npy, float, [n_mels, frames] or [1, n_mels, frames], values in [0, 1].")
    var mel: String

    @Flag(inversion: .prefixedNo, help: "Refuse a mel with values outside [0, 1] (not the reference normalisation); --no-strict vocodes it anyway.")
    var strict = true

    func run() throws {
        try reportingErrors {
            let (model, identity) = try options.loadModel()
            let label = try options.classIndex(for: model)
            let input = try MelInput.prepare(readNPY(mel, what: "mel"), config: model.config)
            if strict {
                try MelRange.check(input)
            }
            let audio = try options.sampler(for: model).vocode(mel: input, label: label, noise: options.noiseSource())
            try options.write(audio, sampleRate: model.config.sampleRate, identity: identity)
        }
    }
}
