import Foundation
import Testing
@testable import DiffWave

private func rejection(_ values: [Float]) -> DiffWaveError? {
    do {
        try MelRange.check(Tensor(shape: [1, values.count], data: values))
        return nil
    } catch {
        return error
    }
}

@Test func melRangeAcceptsTheReferenceMel() throws {
    try MelRange.check(Fixtures.npy("speech.mel.npy"))
    try MelRange.check(Fixtures.npy("tiny.mel.npy"))
}

@Test func melRangeAcceptsTheEdgesAndRoundOff() {
    #expect(rejection([0, 1, 0.5]) == nil)
    #expect(rejection([-5e-7, 1 + 5e-7]) == nil)
    #expect(rejection([]) == nil)
}

@Test func melRangeRejectsValuesOutsideZeroToOne() {
    #expect(rejection([0.5, 1.01])?.code == .range)
    #expect(rejection([-0.01, 0.5])?.code == .range)
}

@Test func melRangeExplainsANaturalLogMel() throws {
    // A Tacotron 2 / HiFi-GAN mel: ln of magnitudes, about −11.5 ... 2.
    let error = try #require(rejection([-11.5, -4, 0.5, 2]))
    #expect(error.code == .range)
    #expect(error.message.hasPrefix("mel values must lie in [0, 1]: "))
    #expect(error.message.contains("got min -11.5 max 2.0"))
    #expect(error.message.contains("natural-log"))
    #expect(!error.message.contains("\n"))
}

@Test func melRangeRejectsNonFiniteValues() throws {
    let error = try #require(rejection([0.5, .nan]))
    #expect(error.message.contains("non-finite"))
    #expect(rejection([.infinity])?.code == .range)
}
