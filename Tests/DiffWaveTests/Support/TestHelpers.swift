import Foundation
@testable import DiffWave

/// A PCM WAV built by hand (8-bit unsigned, or 16/24/32-bit signed little-endian), so the
/// decoder and the mel frontend are checked against bytes the encoder did not write.
func pcmWAV(channels: Int, sampleRate: Int, bits: Int, interleaved: [Int]) -> Data {
    func le(_ value: Int, _ size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
    let width = bits / 8
    let dataBytes = interleaved.flatMap { bits == 8 ? [UInt8($0 + 128)] : le($0, width) }
    var bytes: [UInt8] = Array("RIFF".utf8) + le(36 + dataBytes.count, 4) + Array("WAVE".utf8)
    bytes += Array("fmt ".utf8) + le(16, 4) + le(1, 2) + le(channels, 2) + le(sampleRate, 4)
    bytes += le(sampleRate * channels * width, 4) + le(channels * width, 2) + le(bits, 2)
    bytes += Array("data".utf8) + le(dataBytes.count, 4) + dataBytes
    return Data(bytes)
}

/// The `DiffWaveError` that `body` throws, or nil.
func caught(_ body: () throws -> Void) -> DiffWaveError? {
    do {
        try body()
        return nil
    } catch {
        return error as? DiffWaveError
    }
}
