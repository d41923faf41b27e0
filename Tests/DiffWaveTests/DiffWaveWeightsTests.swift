import Foundation
import Testing
@testable import DiffWave

@Suite struct DiffWaveWeightsTests {
    static let config: DiffWaveConfig = {
        var c = DiffWaveConfig.base
        c.residualLayers = 3; c.residualChannels = 4; c.dilationCycleLength = 2; c.nMels = 5
        return c
    }()

    static func stateDict() -> [String: Tensor] {
        DiffWaveWeights.untrainedStateDict(config: config, seed: 7)
    }

    @Test func aCompleteStateDictLoads() throws {
        let weights = try DiffWaveWeights(stateDict: Self.stateDict(), config: Self.config)
        #expect(weights.layers.count == 3)
        #expect(weights.layers[0].dilatedTaps.count == 3)
        #expect(weights.embeddingTable.count == 50 * 128)
    }

    @Test func dilatedTapsSplitTheKernelAxis() throws {
        let dict = Self.stateDict()
        let weights = try DiffWaveWeights(stateDict: dict, config: Self.config)
        let w = dict["residual_layers.1.dilated_conv.weight"]!  // (2C, C, 3)
        // Tap k of output channel o, input channel i is w[o, i, k].
        #expect(weights.layers[1].dilatedTaps[2][1 * 4 + 3] == w.data[(1 * 4 + 3) * 3 + 2])
        #expect(weights.layers[1].dilatedTaps[0][7 * 4 + 0] == w.data[(7 * 4 + 0) * 3 + 0])
    }

    @Test func aMissingTensorIsNamed() {
        var dict = Self.stateDict()
        dict["residual_layers.2.output_projection.bias"] = nil
        #expect(throws: DiffWaveError(.weights, "checkpoint is missing tensor 'residual_layers.2.output_projection.bias' of shape [8]")) {
            try DiffWaveWeights(stateDict: dict, config: Self.config)
        }
    }

    @Test func aMisShapedTensorNamesBothShapes() {
        var dict = Self.stateDict()
        dict["skip_projection.weight"] = Tensor(zeros: [4, 5, 1])
        #expect(throws: DiffWaveError(.weights, "tensor 'skip_projection.weight' has shape [4, 5, 1], expected [4, 4, 1]")) {
            try DiffWaveWeights(stateDict: dict, config: Self.config)
        }
    }

    @Test func anExtraTensorIsNamed() {
        var dict = Self.stateDict()
        dict["residual_layers.3.dilated_conv.bias"] = Tensor(zeros: [8])
        #expect(throws: DiffWaveError.self) { try DiffWaveWeights(stateDict: dict, config: Self.config) }
        do {
            _ = try DiffWaveWeights(stateDict: dict, config: Self.config)
        } catch {
            #expect(error.message.contains("unexpected tensor 'residual_layers.3.dilated_conv.bias'"))
        }
    }

    @Test func aSavedEmbeddingTableIsUsed() throws {
        var dict = Self.stateDict()
        var table = DiffWaveWeights.buildEmbeddingTable(steps: 50)
        #expect(table[128 + 0] == sinf(1))  // row t=1, j=0: sin(1 * 10^0)
        table[0] = 42
        dict[DiffWaveWeights.embeddingTableKey] = Tensor(shape: [50, 128], data: table)
        #expect(try DiffWaveWeights(stateDict: dict, config: Self.config).embeddingTable[0] == 42)
        dict[DiffWaveWeights.embeddingTableKey] = Tensor(zeros: [49, 128])
        #expect(throws: DiffWaveError.self) { try DiffWaveWeights(stateDict: dict, config: Self.config) }
    }

    static let labelled: DiffWaveConfig = {
        var c = config
        c.conditioning = .melAndLabel(ClassLabels(count: 3, embeddingDim: 6))
        return c
    }()

    @Test func labelTensorsLoadWithTheirShapes() throws {
        let weights = try DiffWaveWeights(stateDict: DiffWaveWeights.untrainedStateDict(config: Self.labelled, seed: 7), config: Self.labelled)
        #expect(weights.labelEmbedding?.count == 3 * 6)
        #expect(weights.labelProjections.map(\.weight.count) == [8 * 6, 8 * 6, 8 * 6])
        #expect(weights.labelProjections.map(\.bias.count) == [8, 8, 8])
        #expect(try DiffWaveWeights(stateDict: Self.stateDict(), config: Self.config).labelProjections.isEmpty)
    }

    @Test func aPartialSetOfLabelTensorsIsRefusedByName() {
        var dict = DiffWaveWeights.untrainedStateDict(config: Self.labelled, seed: 7)
        dict["residual_layers.1.label_projection.weight"] = nil
        #expect(throws: DiffWaveError(.weights, "checkpoint has 'label_embedding.weight' but is missing tensor 'residual_layers.1.label_projection.weight': every layer needs its label projection")) {
            try DiffWaveWeights(stateDict: dict, config: Self.labelled)
        }
        var plain = Self.stateDict()
        plain["residual_layers.0.label_projection.bias"] = Tensor(zeros: [8])
        #expect(throws: DiffWaveError(.weights, "checkpoint has tensor 'residual_layers.0.label_projection.bias' but no 'label_embedding.weight': a label projection needs the label embedding")) {
            try DiffWaveWeights(stateDict: plain, config: Self.config)
        }
    }

    @Test func misShapedLabelTensorsNameBothShapes() {
        var dict = DiffWaveWeights.untrainedStateDict(config: Self.labelled, seed: 7)
        dict["label_embedding.weight"] = Tensor(zeros: [3, 5])
        #expect(throws: DiffWaveError(.weights, "tensor 'label_embedding.weight' has shape [3, 5], expected [3, 6]")) {
            try DiffWaveWeights(stateDict: dict, config: Self.labelled)
        }
        dict = DiffWaveWeights.untrainedStateDict(config: Self.labelled, seed: 7)
        dict["residual_layers.2.label_projection.weight"] = Tensor(zeros: [8, 6])
        #expect(throws: DiffWaveError(.weights, "tensor 'residual_layers.2.label_projection.weight' has shape [8, 6], expected [8, 6, 1]")) {
            try DiffWaveWeights(stateDict: dict, config: Self.labelled)
        }
    }

    @Test func parameterCountMatchesBase() {
        // What torch counts for the reference's BASE checkpoint (sum of numel over its state dict).
        #expect(DiffWaveWeights.parameterCount(.base) == 2_619_971)
    }
}
