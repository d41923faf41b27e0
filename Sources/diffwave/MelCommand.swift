import ArgumentParser
import DiffWave
import Foundation

struct MelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mel",
        abstract: "Compute the reference mel spectrogram of an audio file and write it as .npy ([n_mels, frames], float32).")

    @Argument(help: "Audio file: WAV, FLAC, Ogg, ... (first channel of a multi-channel file).")
    var audio: String

    @Option(name: [.short, .long], help: "Where to write the mel (.npy).")
    var output: String

    @Option(help: "Checkpoint whose sample_rate, n_fft, hop_samples and n_mels to use. Default: the reference BASE settings (22050 Hz, 80 mels, hop 256, n_fft 1024).")
    var model: String?

    @Flag(help: "Resample audio at another rate to the model's instead of refusing it.")
    var resample = false

    func run() throws {
        try reportingErrors {
            let config = try model.map { path throws(DiffWaveError) in try DiffWave.load(contentsOf: URL(fileURLWithPath: path)).config } ?? .base
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: audio))
            } catch {
                throw DiffWaveError(.io, "cannot read audio file \(audio): \(error.localizedDescription)")
            }
            let mel: Tensor
            do throws(DiffWaveError) {
                mel = try MelFrontend(config: config).mel(ofAudioFile: data, resample: resample)
            } catch {
                throw DiffWaveError(error.code, "audio file \(audio): \(error.message)")
            }
            do {
                try NPY.encode(mel).write(to: URL(fileURLWithPath: output))
            } catch {
                throw DiffWaveError(.io, "cannot write \(output): \(error.localizedDescription)")
            }
        }
    }
}
