import Foundation
import Testing
@testable import DiffWave

/// A 16-bit PCM WAV built by hand.
private func wav16(channels: Int, sampleRate: Int, interleaved: [Int16]) -> Data {
    pcmWAV(channels: channels, sampleRate: sampleRate, bits: 16, interleaved: interleaved.map(Int.init))
}

@Test func audioDecoderReadsHandMadeWAV() throws {
    let decoded = try AudioDecoder.decode(wav16(channels: 1, sampleRate: 8_000, interleaved: [0, 16_384, -32_768, 32_767]))
    #expect(decoded.sampleRate == 8_000)
    #expect(decoded.channels == 1)
    #expect(decoded.samples == [0, 0.5, -1, Float(32_767) / 32_768])
}

@Test func audioDecoderKeepsTheFirstOfTwoChannels() throws {
    let frames = 40_000  // several read chunks
    let interleaved = (0..<frames).flatMap { [Int16($0 % 30_000), Int16(-($0 % 20_000))] }
    let decoded = try AudioDecoder.decode(wav16(channels: 2, sampleRate: 44_100, interleaved: interleaved))
    #expect(decoded.channels == 2)
    #expect(decoded.sampleRate == 44_100)
    #expect(decoded.samples == (0..<frames).map { Float($0 % 30_000) / 32_768 })
}

@Test func audioDecoderAcceptsADataSlice() throws {
    let file = wav16(channels: 1, sampleRate: 16_000, interleaved: [1, 2, 3])
    let padded = Data([0xFF, 0xFF, 0xFF]) + file + Data([0xEE])
    let slice = padded[3..<(3 + file.count)]
    #expect(slice.startIndex == 3)
    #expect(try AudioDecoder.decode(slice).samples == [1, 2, 3].map { Float($0) / 32_768 })
}

@Test func audioDecoderRejectsEmptyData() {
    let error = caught { _ = try AudioDecoder.decode(Data()) }
    #expect(error?.code == .audio)
    #expect(error?.message.hasPrefix("sf_open_virtual: ") == true)
}

@Test func audioDecoderRejectsBytesThatAreNotAudio() {
    #expect(caught { _ = try AudioDecoder.decode(Data("this is certainly not a sound file, honest".utf8)) }?.code == .audio)
    #expect(caught { _ = try AudioDecoder.decode(Data(repeating: 0, count: 4_096)) }?.code == .audio)
}

@Test func audioDecoderRejectsACorruptFLACBody() throws {
    let samples = (0..<22_050).map { Float(0.5 * sin(Double($0) * 0.03)) }
    var data = try AudioEncoder.encode(samples, sampleRate: 22_050, format: .flac)
    for i in stride(from: 200, to: data.count, by: 7) {
        data[i] ^= 0x5A
    }
    let error = caught { _ = try AudioDecoder.decode(data) }
    #expect(error?.code == .audio)
    #expect(error?.message.hasPrefix("sf_readf_float: ") == true)
}

@Test func audioDecoderRejectsATruncatedFLAC() throws {
    let samples = (0..<22_050).map { Float(0.5 * sin(Double($0) * 0.03)) }
    let data = try AudioEncoder.encode(samples, sampleRate: 22_050, format: .flac)
    #expect(caught { _ = try AudioDecoder.decode(data.prefix(data.count / 2)) }?.code == .audio)
}

@Test func audioDecoderEnforcesMaxFrames() throws {
    let data = try AudioEncoder.encode([Float](repeating: 0.1, count: 1_000), sampleRate: 8_000, format: .wav)
    #expect(try AudioDecoder.decode(data, maxFrames: 1_000).samples.count == 1_000)
    #expect(caught { _ = try AudioDecoder.decode(data, maxFrames: 999) }?.code == .input)
}
