import Testing
@testable import DiffWave

@Suite struct PackedWeightsTests {
    /// The dense bfloat16 conditioner the bf16 path multiplies by must be, bit for bit, the
    /// conditioner columns of the stacked layer (which the float32 path and the tests' reference use).
    @Test func denseConditionerMatchesStackedColumns() throws {
        let model = try DiffWave.untrained()
        let packed = model.packed, c = model.config.residualChannels, m = model.config.nMels, depth = packed.stackedDepth
        #expect(depth == 3 * c + m)
        #expect(packed.layers.count == model.config.residualLayers)
        for layer in packed.layers {
            var mismatches = 0
            for row in 0..<(2 * c) {
                for col in 0..<m where layer.conditioner16[row * m + col] != layer.stacked16[row * depth + 3 * c + col] { mismatches += 1 }
            }
            #expect(mismatches == 0)
        }
        // Not all zeros: the check above compares real weights.
        #expect((0..<(2 * c * m)).contains { packed.layers[0].conditioner16[$0] != 0 })
    }
}
