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

    /// K from `num_classes` or the embedding's rows; D from `label_embedding_dim` or 128 (the
    /// weights then check the tensor against both); names optional. A mel model stays one.
    @Test func labelsComeFromParamsAndTheEmbeddingTensor() throws {
        let names: PickleValue = .list(["a", "b", "c", "d"].map { .string($0) })
        #expect(try DiffWaveConfig(params: ["num_classes": .int(4), "label_embedding_dim": .int(16), "class_names": names],
                                   labelEmbedding: [4, 16]).conditioning
                == .melAndLabel(ClassLabels(count: 4, embeddingDim: 16, names: ["a", "b", "c", "d"])))
        #expect(try DiffWaveConfig(params: nil, labelEmbedding: [7, 128]).conditioning == .melAndLabel(ClassLabels(count: 7)))
        #expect(try DiffWaveConfig(params: ["unconditional": .bool(true), "class_names": .list([])], labelEmbedding: [5, 32]).conditioning
                == .label(ClassLabels(count: 5, embeddingDim: 128)))
        #expect(try DiffWaveConfig(params: ["class_names": .none], labelEmbedding: [2, 128]).conditioning.labels?.names == [])
        #expect(try DiffWaveConfig(params: ["num_classes": .int(0)]).conditioning == .mel)
    }

    @Test func labelParamsWithoutTheirTensorOrOfTheWrongTypeAreRejected() {
        #expect(throws: DiffWaveError(.weights, "checkpoint is missing tensor 'label_embedding.weight' (params['num_classes'] is 10)")) {
            try DiffWaveConfig(params: ["num_classes": .int(10)])
        }
        #expect(throws: DiffWaveError(.config, "params['class_names'] must be a list of strings")) {
            try DiffWaveConfig(params: ["class_names": .list([.int(1)])], labelEmbedding: [1, 128])
        }
        #expect(throws: DiffWaveError(.config, "params['label_embedding_dim'] must be an integer")) {
            try DiffWaveConfig(params: ["label_embedding_dim": .string("128")], labelEmbedding: [1, 128])
        }
    }

    @Test func theSC09PresetIsThePapers() throws {
        let c = DiffWaveConfig.sc09
        try c.validate()
        #expect((c.residualLayers, c.residualChannels, c.dilationCycleLength, c.sampleRate, c.audioLen) == (36, 256, 12, 16000, 16000))
        #expect(c.noiseSchedule.count == 200 && c.noiseSchedule.first == 1e-4 && c.noiseSchedule.last == 0.02)
        #expect(c.conditioning == .label(ClassLabels(count: 10, embeddingDim: 128, names: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])))
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
