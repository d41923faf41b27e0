import Testing
@testable import DiffWave

@Suite struct DiffWaveConfigTests {
    @Test func withoutParamsTheReferenceDefaultsApply() throws {
        let c = try DiffWaveConfig(params: nil)
        #expect(c == .base)
        #expect(c.noiseSchedule.count == 50 && c.noiseSchedule.first == 1e-4 && c.noiseSchedule.last == 0.05)
        #expect(abs(c.noiseSchedule[1] - (1e-4 + (0.05 - 1e-4) / 49)) < 1e-15)
        #expect(c.inferenceNoiseSchedule == [0.0001, 0.001, 0.01, 0.05, 0.2, 0.5])
    }

    @Test func paramsOverrideTheDefaults() throws {
        let c = try DiffWaveConfig(params: [
            "residual_layers": .int(6), "residual_channels": .int(8), "unconditional": .bool(true),
            "inference_noise_schedule": .list([.double(0.001), .double(0.5)]), "max_grad_norm": .none,
        ])
        #expect(c.residualLayers == 6 && c.residualChannels == 8 && c.conditioning == .none)
        #expect(c.inferenceNoiseSchedule == [0.001, 0.5])
        #expect(c.dilationCycleLength == 10)
    }

    @Test func nFFTComesFromParamsAndDefaultsTo1024() throws {
        #expect(DiffWaveConfig.base.nFFT == 1024)
        #expect(try DiffWaveConfig(params: ["n_fft": .int(2048)]).nFFT == 2048)
        #expect(try DiffWaveConfig(params: ["n_fft": .none]).nFFT == 1024)
    }

    @Test func aWronglyTypedParamIsRejected() {
        #expect(throws: DiffWaveError(.config, "params['n_mels'] must be an integer")) {
            try DiffWaveConfig(params: ["n_mels": .string("80")])
        }
    }

    @Test func hopOtherThan256IsRejected() {
        var c = DiffWaveConfig.base
        c.hopSamples = 300
        #expect(throws: DiffWaveError.self) { try c.validate() }
        do { try c.validate() } catch { #expect(error.message.contains("hop_samples must be 256")) }
    }

    @Test func dilationsCycle() {
        let c = DiffWaveConfig.base
        #expect((0..<12).map(c.dilation(ofLayer:)) == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1, 2])
    }
}
