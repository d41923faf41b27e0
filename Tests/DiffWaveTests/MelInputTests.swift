import Testing
@testable import DiffWave

@Suite struct MelInputTests {
    let config = DiffWaveConfig.base

    @Test func aBatchAxisOfOneIsDropped() throws {
        let mel = try MelInput.prepare(Tensor(zeros: [1, 80, 3]), config: config)
        #expect(mel.shape == [80, 3])
    }

    @Test(arguments: [
        ([80], "mel must have shape [n_mels, frames] or [1, n_mels, frames], got [80]"),
        ([2, 80, 3], "mel must have shape [n_mels, frames] or [1, n_mels, frames], got [2, 80, 3]"),
        ([40, 3], "mel has 40 mel bands, the model expects 80 (shape must be [80, frames])"),
        ([80, 0], "mel has zero frames"),
    ])
    func badShapesAreRejected(_ shape: [Int], _ message: String) {
        #expect(throws: DiffWaveError(.input, message)) { try MelInput.prepare(Tensor(zeros: shape), config: config) }
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteValuesAreRejected(_ value: Float) {
        var mel = Tensor(zeros: [80, 4])
        mel.data[4 * 10 + 2] = value
        #expect(throws: DiffWaveError(.input, "mel contains a non-finite value (\(value)) at band 10, frame 2")) {
            try MelInput.prepare(mel, config: config)
        }
    }
}
