import Foundation
import Testing
@testable import DiffWave

@Suite struct PrecisionTests {
    @Test func float32IsTheDefaultAndAvailable() throws {
        let model = try Fixtures.model("tiny_uncond")
        let sampler = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config))
        #expect(sampler.precision == .float32)
        #expect(Precision.float32.isAvailable)
    }

    /// On every CPU: bfloat16 is forced unavailable here (`bfloat16AvailableOverride`), as it is
    /// where oneDNN has no bf16 matmul.
    @Test func anUnavailablePrecisionIsRejectedUpFront() throws {
        let model = try Fixtures.model("tiny_uncond")
        let schedule = try NoiseSchedule(.fast, config: model.config)
        Precision.$bfloat16AvailableOverride.withValue(false) {
            #expect(!Precision.bfloat16.isAvailable)
            #expect(Precision.float32.isAvailable)
            #expect(throws: DiffWaveError(.config, "precision bf16 is not available on this machine (oneDNN has no bf16 matmul here)")) {
                _ = try Sampler(model: model, schedule: schedule, precision: .bfloat16)
            }
        }
    }

    /// Without the override, availability is oneDNN's answer on this CPU.
    @Test func availabilityIsOneDNNsAnswerUnlessOverridden() {
        #expect(Precision.bfloat16.isAvailable == BF16Matmul.isSupported)
        Precision.$bfloat16AvailableOverride.withValue(true) { #expect(Precision.bfloat16.isAvailable) }
    }
}

extension PrecisionTests {
    /// `10·log10(Σ ref² / Σ (ref - x)²)`.
    static func snr(_ x: [Float], reference: [Float]) -> Double {
        var signal = 0.0, noise = 0.0
        for (a, b) in zip(reference, x) {
            signal += Double(a) * Double(a)
            noise += Double(a - b) * Double(a - b)
        }
        return 10 * log10(signal / max(noise, .leastNonzeroMagnitude))
    }

    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"))
    func bfloat16StaysWithin40dBOfFloat32() throws {
        let model = try Fixtures.model("tiny")
        let mel = try Fixtures.npy("tiny.mel.npy")
        let f32 = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config))
        let bf16 = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config), precision: .bfloat16)
        for threads in [1, 2] {
            let exact = try f32.vocode(mel: mel, noise: .seed(11), threads: threads)
            let fast = try bf16.vocode(mel: mel, noise: .seed(11), threads: threads)
            #expect(Self.snr(fast, reference: exact) >= 40, "threads \(threads): SNR \(Self.snr(fast, reference: exact)) dB")
        }
    }

    /// The label's bias rides the same gate under bfloat16: class-conditional models, with and without a mel.
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"),
          arguments: ["tiny_class", "tiny_speaker"])
    func bfloat16StaysWithin40dBOfFloat32WithALabel(_ name: String) throws {
        let model = try Fixtures.model(name)
        let label = try Fixtures.label(of: name)
        let f32 = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config))
        let bf16 = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config), precision: .bfloat16)
        func run(_ sampler: Sampler) throws -> [Float] {
            model.config.conditioning.takesMel
                ? try sampler.vocode(mel: Fixtures.npy("\(name).mel.npy"), label: label, noise: .seed(11))
                : try sampler.generate(samples: 3200, label: label, noise: .seed(11))
        }
        let exact = try run(f32), fast = try run(bf16)
        #expect(Self.snr(fast, reference: exact) >= 40, "\(name): SNR \(Self.snr(fast, reference: exact)) dB")
    }
}
