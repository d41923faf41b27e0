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

    @Test func anUnavailablePrecisionIsRejectedUpFront() throws {
        let model = try Fixtures.model("tiny_uncond")
        for precision in Precision.allCases where !precision.isAvailable {
            #expect(throws: DiffWaveError.self) {
                _ = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config), precision: precision)
            }
        }
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
        let mel = try NPY.read(Data(contentsOf: Fixtures.directory.appendingPathComponent("tiny.mel.npy")))
        let f32 = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config))
        let bf16 = try Sampler(model: model, schedule: NoiseSchedule(.fast, config: model.config), precision: .bfloat16)
        for threads in [1, 2] {
            let exact = try f32.vocode(mel: mel, noise: .seed(11), threads: threads)
            let fast = try bf16.vocode(mel: mel, noise: .seed(11), threads: threads)
            #expect(Self.snr(fast, reference: exact) >= 40, "threads \(threads): SNR \(Self.snr(fast, reference: exact)) dB")
        }
    }
}
