import Foundation
import TestSupport
import Testing
@testable import DiffWave

private func sine(hz: Double, rate: Int, count: Int, amplitude: Double = 0.5) -> [Float] {
    (0..<count).map { Float(amplitude * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
}

/// Max |a − b| away from the edges, where the zero padding beyond the signal
/// legitimately changes the output.
private func interiorError(_ a: [Float], _ b: [Float], margin: Int) -> Float {
    let n = min(a.count, b.count)
    return maxAbsDifference(Array(a[margin..<(n - margin)]), Array(b[margin..<(n - margin)]))
}

@Test func resamplerKeepsTheDuration() throws {
    let down = try Resampler(from: 44_100, to: 22_050)
    #expect(down.outputCount(for: 44_100) == 22_050)
    #expect(down.outputCount(for: 44_101) == 22_051)  // ceil
    #expect(down.resample([Float](repeating: 0, count: 1_001)).count == 501)
    let up = try Resampler(from: 16_000, to: 22_050)
    #expect(up.outputCount(for: 16_000) == 22_050)
    #expect(up.resample([Float](repeating: 0, count: 100)).count == 138)  // ceil(100 · 441 / 320)
    #expect(up.resample([]).isEmpty)
}

@Test func resamplerAtTheSameRateIsTheIdentity() throws {
    let x = sine(hz: 440, rate: 22_050, count: 1_000)
    #expect(try Resampler(from: 22_050, to: 22_050).resample(x) == x)
}

@Test func resamplerReproducesAnInBandSineWhenDownsampling() throws {
    let x = sine(hz: 1_000, rate: 44_100, count: 44_100)
    let y = try Resampler(from: 44_100, to: 22_050).resample(x)
    #expect(interiorError(y, sine(hz: 1_000, rate: 22_050, count: 22_050), margin: 100) < 1e-3)
}

@Test func resamplerReproducesAnInBandSineWhenUpsampling() throws {
    let x = sine(hz: 3_000, rate: 16_000, count: 16_000)
    let y = try Resampler(from: 16_000, to: 22_050).resample(x)
    #expect(interiorError(y, sine(hz: 3_000, rate: 22_050, count: 22_050), margin: 100) < 1e-3)
}

@Test func resamplerRemovesWhatWouldAlias() throws {
    // 15 kHz is above the new Nyquist (11025 Hz): it must vanish, not fold to 7050 Hz.
    let x = sine(hz: 15_000, rate: 44_100, count: 44_100)
    let y = try Resampler(from: 44_100, to: 22_050).resample(x)
    let interior = y[100..<(y.count - 100)]
    #expect(interior.map { abs($0) }.max()! < 1e-3)
}

@Test func resamplerPassesDirectCurrentAtUnitGain() throws {
    let x = [Float](repeating: 0.5, count: 8_000)
    for (from, to) in [(8_000, 22_050), (48_000, 22_050), (44_100, 48_000)] {
        let y = try Resampler(from: from, to: to).resample(x)
        let interior = y[100..<(y.count - 100)]
        #expect(interior.map { abs($0 - 0.5) }.max()! < 1e-4, "\(from) → \(to)")
    }
}

@Test func resamplerTabulatedAndDirectTapsAgree() throws {
    let x = sine(hz: 700, rate: 48_000, count: 4_800)
    let tabulated = try Resampler(from: 48_000, to: 22_050).resample(x)
    let direct = try Resampler(from: 48_000, to: 22_050, maxTabulatedTaps: 0).resample(x)
    #expect(tabulated == direct)
}

@Test func resamplerRejectsNonPositiveRates() {
    do {
        _ = try Resampler(from: 0, to: 22_050)
        Issue.record("a zero rate was accepted")
    } catch {
        #expect(error.code == .input)
    }
}

@Test func kaiserWindowAndBesselI0() {
    #expect(abs(besselI0(0) - 1) < 1e-15)
    #expect(abs(besselI0(1) - 1.2660658777520082) < 1e-14)
    #expect(abs(besselI0(8.6) - 750.4611595631659) < 1e-9)
    #expect(kaiser(0, beta: 8.6) == 1)
    #expect(kaiser(1.5, beta: 8.6) == 0)
    #expect(abs(kaiser(0.5, beta: 8.6) - kaiser(-0.5, beta: 8.6)) < 1e-15)
    #expect(sinc(0) == 1)
    #expect(abs(sinc(3)) < 1e-15)
}
