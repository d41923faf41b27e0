import Foundation

/// A minimal .zip writer for test bodies, well-formed and hostile: local headers, the central
/// directory and the end record, each entry exactly as described (nothing is checked).
public enum ZipWriter {
    public struct Entry: Sendable {
        public var name: String
        /// The bytes as stored in the archive: as they are (method 0) or raw deflate (method 8).
        public var stored: Data
        public var method: UInt16
        public var crc: UInt32
        /// The size the entry declares once extracted.
        public var size: Int
        /// The MS-DOS date field.
        public var date: UInt16

        public init(name: String, stored: Data, method: UInt16, crc: UInt32, size: Int, date: UInt16 = 0) {
            (self.name, self.stored, self.method, self.crc, self.size, self.date) = (name, stored, method, crc, size, date)
        }
    }

    public static func archive(_ entries: [Entry]) -> Data {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        var archive = Data(), central = Data()
        for entry in entries {
            let offset = UInt32(archive.count), name = Array(entry.name.utf8)
            // version needed, flags, method, time, date, CRC, sizes, name and extra lengths
            let common: [UInt8] = le16(20) + le16(0) + le16(Int(entry.method)) + le16(0) + le16(Int(entry.date)) + le32(entry.crc)
                + le32(UInt32(entry.stored.count)) + le32(UInt32(entry.size)) + le16(name.count) + le16(0)
            archive.append(contentsOf: le32(0x0403_4B50) + common + name)
            archive.append(entry.stored)
            // version made by, the common part, comment length, disk, internal and external attributes, offset
            central.append(contentsOf: le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name)
        }
        let directoryOffset = UInt32(archive.count)
        archive.append(central)
        archive.append(contentsOf: le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            + le32(UInt32(central.count)) + le32(directoryOffset) + le16(0))
        return archive
    }
}

/// A stored (uncompressed) zip archive, as `numpy.savez` writes one.
public func storedZip(_ entries: [(name: String, data: Data)]) -> Data {
    ZipWriter.archive(entries.map { ZipWriter.Entry(name: $0.name, stored: $0.data, method: 0, crc: crc32($0.data), size: $0.data.count, date: 0x21) })
}

/// CRC-32 (ISO 3309, the zip checksum).
public func crc32(_ data: Data) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in data {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}
