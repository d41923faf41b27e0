import Foundation

extension AudioEncoder {
    /// The serial number every encoded Ogg stream gets ("DWav").
    static let oggSerialNumber: UInt32 = 0x6176_5744

    /// libsndfile numbers each Ogg stream with a clock-seeded random serial,
    /// so the same audio would encode to different bytes on every call. The
    /// serial only has to be unique among streams multiplexed in one file,
    /// and ours carry one, so rewrite it to a constant on every page and
    /// recompute the page checksums.
    static func pinOggSerialNumber(_ data: inout Data, to serial: UInt32 = oggSerialNumber) throws(DiffWaveError) {
        var bytes = [UInt8](data)
        var page = 0
        while page < bytes.count {
            // RFC 3533 §6: "OggS", version, flags, granule (8), serial (4),
            // sequence (4), CRC (4), segment count, segment table, body.
            guard page + 27 <= bytes.count, bytes[page..<page + 4].elementsEqual("OggS".utf8) else {
                throw DiffWaveError(.audio, "Ogg page expected at byte \(page)")
            }
            let segments = Int(bytes[page + 26])
            guard page + 27 + segments <= bytes.count else {
                throw DiffWaveError(.audio, "Ogg page at byte \(page) is truncated")
            }
            let bodyLength = bytes[(page + 27)..<(page + 27 + segments)].reduce(0) { $0 + Int($1) }
            let end = page + 27 + segments + bodyLength
            guard end <= bytes.count else {
                throw DiffWaveError(.audio, "Ogg page at byte \(page) is truncated")
            }
            store(serial, in: &bytes, at: page + 14)
            // The checksum covers the whole page with its own field zeroed.
            store(0, in: &bytes, at: page + 22)
            store(oggCRC(bytes[page..<end]), in: &bytes, at: page + 22)
            page = end
        }
        data = Data(bytes)
    }

    private static func store(_ value: UInt32, in bytes: inout [UInt8], at offset: Int) {
        for i in 0..<4 {
            bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))
        }
    }

    /// RFC 3533 §6: CRC-32, polynomial 0x04c11db7, initial value 0, not
    /// reflected, no final XOR (unlike zlib's CRC-32).
    static func oggCRC(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0
        for byte in bytes {
            crc = (crc << 8) ^ oggCRCTable[Int((crc >> 24) ^ UInt32(byte))]
        }
        return crc
    }

    private static let oggCRCTable: [UInt32] = (0..<256).map { (index: UInt32) in
        var r = index << 24
        for _ in 0..<8 {
            r = r & 0x8000_0000 != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1
        }
        return r
    }
}
