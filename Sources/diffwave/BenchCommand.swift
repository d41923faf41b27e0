import ArgumentParser
import DiffWave
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the sampler on a random mel (or, for a model without one, a label) and print one JSON object.")

    /// Random-weight models of the paper's shapes.
    enum Preset: String, ExpressibleByArgument, CaseIterable {
        /// The vocoder, BASE (the service's built-in model).
        case base
        /// Class-conditional generation of spoken digits (`DiffWaveConfig.sc09`): minutes at the full schedule.
        case sc09

        var config: DiffWaveConfig { self == .base ? .base : .sc09 }
    }

    @Option(help: "Checkpoint (.pt). Default: an untrained model of --preset.")
    var model: String?

    @Option(help: "Untrained model shape without --model: base (the vocoder) or sc09 (the paper's class-conditional digits model, 1-second samples).")
    var preset: Preset = .base

    @Option(help: "fast or full.")
    var schedule: NoiseSchedule.Kind = .fast

    @Option(help: "GEMM number format: f32 (exact, default) or bf16.")
    var precision: Precision = .float32

    @Option(help: "MiB a request's workspace may hold: the activations, then the cached upsampled mel and as many layers of conditioner projection as fit (0: no cache). Default: 224 under f32, 2048 under bf16.")
    var memoryBudgetMb: Int?

    @Option(help: "Seconds of audio to make (from a random mel of that length for a vocoder). Default: 2, or the model's audio_len without a mel.")
    var seconds: Double?

    @Option(help: "Compute threads for the one job.")
    var threads: Int = 1

    @Option(help: "Timed runs; the figures are their mean after one untimed warm-up.")
    var `repeat`: Int = 1

    @Flag(inversion: .prefixedNo, help: "Run once untimed first; --no-warm-up spares a run of minutes (sc09's full schedule), whose first-step costs are a small share anyway.")
    var warmUp = true

    func validate() throws {
        if let seconds, seconds <= 0 || seconds > 600 { throw ValidationError("--seconds must be in (0, 600]") }
        if model != nil && preset != .base { throw ValidationError("give --model or --preset, not both") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
        if let memoryBudgetMb, !(0...Sampler.maxMemoryBudgetMB).contains(memoryBudgetMb) { throw ValidationError("--memory-budget-mb must be in 0...\(Sampler.maxMemoryBudgetMB)") }
    }

    struct Report: Encodable {
        var audio_seconds: Double
        var compute_seconds: Double
        var rtf: Double
        var peak_rss_mb: Double
        var threads: Int
        var schedule: String
        var precision: String
        var layers: Int
        var channels: Int
        var conditioning: String
        var steps: Int
    }

    func run() throws {
        try reportingErrors {
            ComputeLibrary.useSingleThreadedBLAS()
            let net = try model.map { path throws(DiffWaveError) in try DiffWave.load(contentsOf: URL(fileURLWithPath: path)) }
                ?? DiffWave.untrained(config: preset.config)
            let config = net.config
            let seconds = seconds ?? (config.conditioning.takesMel ? 2 : config.audioLen.map { Double($0) / Double(config.sampleRate) } ?? 2)
            let samples = max(1, Int((seconds * Double(config.sampleRate)).rounded()))
            let frames = max(1, Int((Double(samples) / Double(config.hopSamples)).rounded()))
            // The first class: every label costs the same.
            let label = config.conditioning.labels.map { _ in 0 }
            var noise = GaussianNoise(seed: 1)
            // Values in [0, 1], the range of the reference's normalised log-mel.
            let mel = Tensor(shape: [config.nMels, frames], data: (0..<(config.nMels * frames)).map { _ in min(max(0.5 + 0.15 * noise.next(), 0), 1) })
            let sampler = try Sampler(model: net, schedule: NoiseSchedule(schedule, config: config), precision: precision,
                                      memoryBudgetBytes: memoryBudgetMb.map { $0 << 20 })
            let runOnce = { () throws(DiffWaveError) -> Double in
                let start = DispatchTime.now()
                if config.conditioning.takesMel {
                    _ = try sampler.vocode(mel: mel, label: label, noise: .seed(2), threads: threads)
                } else {
                    _ = try sampler.generate(samples: samples, label: label, noise: .seed(2), threads: threads)
                }
                return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            }
            if warmUp { _ = try runOnce() }
            var total = 0.0
            for _ in 0..<`repeat` { total += try runOnce() }
            let audioSeconds = Double(config.conditioning.takesMel ? frames * config.hopSamples : samples) / Double(config.sampleRate)
            let compute = total / Double(`repeat`)
            let report = Report(audio_seconds: audioSeconds, compute_seconds: compute, rtf: compute / audioSeconds,
                                peak_rss_mb: ProcessMemory.peakResidentMegabytes(), threads: threads, schedule: schedule.rawValue, precision: precision.rawValue,
                                layers: config.residualLayers, channels: config.residualChannels,
                                conditioning: config.conditioning.description, steps: sampler.schedule.count)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try! encoder.encode(report), as: UTF8.self))
        }
    }
}
