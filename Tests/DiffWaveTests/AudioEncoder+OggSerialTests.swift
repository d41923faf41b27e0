import Foundation
import Testing
@testable import DiffWave

@Test func oggCRCIsTheUnreflectedZeroInitVariant() {
    // CRC-32/POSIX without its final inversion: ~0x765E7680.
    #expect(AudioEncoder.oggCRC(ArraySlice("123456789".utf8)) == 0x89A1_897F)
    #expect(AudioEncoder.oggCRC([]) == 0)
}

@Test func oggSerialNumberIsPinnedOnEveryPage() throws {
    let samples = (0..<50_000).map { Float(0.4 * sin(Double($0) * 0.05)) }
    let data = try AudioEncoder.encode(samples, sampleRate: 22_050, format: .ogg)
    let bytes = [UInt8](data)
    var page = 0
    var pages = 0
    while page < bytes.count {
        #expect(bytes[page..<page + 4].elementsEqual("OggS".utf8))
        let serial = bytes[(page + 14)..<(page + 18)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(serial == AudioEncoder.oggSerialNumber)
        let segments = Int(bytes[page + 26])
        page += 27 + segments + bytes[(page + 27)..<(page + 27 + segments)].reduce(0) { $0 + Int($1) }
        pages += 1
    }
    #expect(page == bytes.count)
    #expect(pages > 2)
}

@Test func oggReserializedStreamStillDecodes() throws {
    // libogg drops pages whose checksum is wrong, so decoding checks the CRCs.
    let samples = (0..<10_000).map { Float(0.4 * sin(Double($0) * 0.05)) }
    var data = try AudioEncoder.encode(samples, sampleRate: 22_050, format: .ogg)
    let original = data
    try AudioEncoder.pinOggSerialNumber(&data, to: 0xDEAD_BEEF)
    #expect(data != original)
    #expect(try AudioDecoder.decode(data).samples.count == samples.count)
    try AudioEncoder.pinOggSerialNumber(&data)
    #expect(data == original)
}

@Test func oggSerialRewriteRejectsNonOgg() {
    var data = Data("RIFF....WAVE".utf8)
    #expect(throws: DiffWaveError.self) { try AudioEncoder.pinOggSerialNumber(&data) }
}
