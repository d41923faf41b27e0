import Foundation
import Testing
@testable import DiffWave

/// One second at 22.05 kHz: a speech-band chord plus exact full-scale and
/// zero samples, all within [-1, 1].
private let signal: [Float] = {
    var samples = (0..<22_050).map { i -> Float in
        let t = Double(i) / 22_050
        return Float(0.5 * sin(2 * .pi * 220 * t) + 0.3 * sin(2 * .pi * 1_375 * t))
    }
    samples[100] = 1
    samples[101] = -1
    samples[102] = 0
    return samples
}()

private func maxError(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Test(arguments: AudioFormat.allCases)
func audioEncoderRoundTripsSampleRateAndLength(format: AudioFormat) throws {
    for rate in [16_000, 22_050, 44_100] {
        let data = try AudioEncoder.encode(signal, sampleRate: rate, format: format)
        #expect(!data.isEmpty)
        let decoded = try AudioDecoder.decode(data)
        #expect(decoded.sampleRate == rate)
        #expect(decoded.channels == 1)
        #expect(decoded.samples.count == signal.count)
    }
}

@Test func audioEncoderWAVHeader() throws {
    let data = try AudioEncoder.encode(signal, sampleRate: 22_050, format: .wav)
    let bytes = [UInt8](data)
    #expect(bytes[0..<4].elementsEqual("RIFF".utf8))
    #expect(bytes[8..<12].elementsEqual("WAVE".utf8))
    #expect(bytes[12..<16].elementsEqual("fmt ".utf8))
    let riffSize = bytes[4..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
    #expect(riffSize == bytes.count - 8)
    #expect(bytes[20] == 1)  // WAVE_FORMAT_PCM
    #expect(bytes[34] == 16)  // bits per sample
    #expect(bytes.count == 44 + 2 * signal.count)
}

@Test func audioEncoderWAVFloatIsBitExact() throws {
    // Includes values a 16-bit path would lose: -0, a subnormal, tiny and out-of-range values.
    var samples = signal
    samples += [-0.0, .leastNonzeroMagnitude, 1e-30, 1.5, -3, .ulpOfOne]
    let data = try AudioEncoder.encode(samples, sampleRate: 22_050, format: .wavF32)
    let bytes = [UInt8](data)
    #expect(bytes[0..<4].elementsEqual("RIFF".utf8))
    #expect(bytes[8..<12].elementsEqual("WAVE".utf8))
    #expect(bytes[20] == 3)  // WAVE_FORMAT_IEEE_FLOAT
    let decoded = try AudioDecoder.decode(data)
    #expect(decoded.samples.map(\.bitPattern) == samples.map(\.bitPattern))
}

@Test(arguments: [AudioFormat.wav, .flac])
func audioEncoder16BitIsWithinOneStep(format: AudioFormat) throws {
    let decoded = try AudioDecoder.decode(AudioEncoder.encode(signal, sampleRate: 22_050, format: format))
    #expect(maxError(decoded.samples, signal) <= 1 / 32_767)
    #expect(decoded.samples[101] == -1)
    #expect(decoded.samples[102] == 0)
}

@Test(arguments: [AudioFormat.wav, .flac])
func audioEncoder16BitIsExactOnTheGrid(format: AudioFormat) throws {
    // Values that are already k/32768 survive untouched (libsndfile 1.2
    // floors in its WAV path and rounds in FLAC, so only these agree exactly).
    let grid = (-32_768..<32_768).map { Float($0) / 32_768 }
    let decoded = try AudioDecoder.decode(AudioEncoder.encode(grid, sampleRate: 22_050, format: format))
    #expect(decoded.samples == grid, "\(zip(decoded.samples, grid).filter { $0 != $1 }.count) samples differ")
}

@Test(arguments: [AudioFormat.wav, .flac])
func audioEncoderClipsInsteadOfWrapping(format: AudioFormat) throws {
    let decoded = try AudioDecoder.decode(AudioEncoder.encode([1.5, -1.5, 1, -1], sampleRate: 8_000, format: format))
    #expect(decoded.samples.map { $0 * 32_768 } == [32_767, -32_768, 32_767, -32_768])
}

@Test func audioEncoderOggIsCloseAndSmall() throws {
    let data = try AudioEncoder.encode(signal, sampleRate: 22_050, format: .ogg)
    #expect(data.starts(with: "OggS".utf8))
    let wav = try AudioEncoder.encode(signal, sampleRate: 22_050, format: .wav)
    #expect(data.count < wav.count / 4)
    let decoded = try AudioDecoder.decode(data)
    #expect(abs(decoded.samples.count - signal.count) <= 1_024)
    let count = min(decoded.samples.count, signal.count)
    let squaredError = zip(decoded.samples, signal).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    #expect((squaredError / Float(count)).squareRoot() < 0.02)
}

@Test(arguments: AudioFormat.allCases)
func audioEncoderIsDeterministic(format: AudioFormat) throws {
    // `seed=` promises identical bytes: no timestamps, no random stream ids.
    let first = try AudioEncoder.encode(signal, sampleRate: 22_050, format: format)
    let second = try AudioEncoder.encode(signal, sampleRate: 22_050, format: format)
    #expect(first == second)
}

@Test(arguments: AudioFormat.allCases)
func audioEncoderEncodesEmptyInput(format: AudioFormat) throws {
    let data = try AudioEncoder.encode([], sampleRate: 22_050, format: format)
    #expect(!data.isEmpty)
    let decoded = try AudioDecoder.decode(data)
    #expect(decoded.samples.isEmpty)
    #expect(decoded.sampleRate == 22_050)
}

@Test(arguments: [0, -1, Int(Int32.max) + 1])
func audioEncoderRejectsBadSampleRates(rate: Int) {
    #expect(caught { _ = try AudioEncoder.encode(signal, sampleRate: rate, format: .wav) }?.code == .audio)
}

@Test func audioEncoderReportsLibsndfileFailures() {
    // Vorbis has no mode for 1 MHz; libsndfile fails when it starts the encoder.
    let error = caught { _ = try AudioEncoder.encode(signal, sampleRate: 1_000_000, format: .ogg) }
    #expect(error?.code == .audio)
    #expect(error?.message.hasPrefix("sf_") == true)
}

/// Issue 21: the file itself names the model that made it, since headers are lost on saving.
@Test(arguments: AudioFormat.allCases)
func audioEncoderWritesTheCommentIntoTheFile(format: AudioFormat) throws {
    let comment = "model sha256:" + String(repeating: "ab", count: 32) + " (tiny.pt)"
    let tagged = try AudioEncoder.encode(Array(signal.prefix(4096)), sampleRate: 22_050, format: format, comment: comment)
    #expect(try AudioDecoder.comment(of: tagged) == comment)
    #expect(try AudioDecoder.decode(tagged).samples.count == 4096, "the samples are unchanged")
    let plain = try AudioEncoder.encode(Array(signal.prefix(4096)), sampleRate: 22_050, format: format)
    #expect(try AudioDecoder.comment(of: plain) == nil)
    // Still reproducible: the same samples and comment give the same bytes.
    #expect(try AudioEncoder.encode(Array(signal.prefix(4096)), sampleRate: 22_050, format: format, comment: comment) == tagged)
}
