import Foundation

extension ZipArchive {
    /// Where an entry's bytes are and what they should inflate to, from the central directory
    /// and the entry's local header.
    struct Location: Sendable {
        var method: Int
        var compressedSize: Int
        var uncompressedSize: Int
        var crc: UInt32
        /// Offset of the entry's data (after its local header).
        var dataStart: Int
    }

    /// Locates the entries of an archive of `size` bytes, by name, for `extractLocated`.
    /// ZIPFoundation's extraction loops forever when an entry's data ends early: at end of
    /// file its reader returns no bytes and its inflate (or copy) loop asks again, so an
    /// 11-byte truncated deflate stream spun a thread forever at full CPU (found by `fuzz/run zip`).
    /// Entries located here are extracted by us, over exactly their bytes; ZIP64 entries (whose
    /// 32-bit fields hold 0xFFFFFFFF) are left to ZIPFoundation.
    ///
    /// APPNOTE 4.3.16 end record: directory size at +12, directory offset at +16; 4.3.12
    /// directory header: method at +10, CRC +16, compressed size +20, uncompressed +24, name
    /// length +28, extra +30, comment +32, local header offset +42, name at +46; 4.3.7 local
    /// header: name length at +26, extra length +28, data at +30 plus both.
    static func locateEntries(size: Int, read: (Int, Int) -> [UInt8]) -> [String: Location] {
        func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
        func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }
        let tailStart = max(0, size - endRecordWindow)
        let tail = read(tailStart, size - tailStart)
        guard tail.count >= 22,
              let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: {
                  tail[$0] == 0x50 && tail[$0 + 1] == 0x4B && tail[$0 + 2] == 0x05 && tail[$0 + 3] == 0x06
              })
        else { return [:] }
        let directorySize = u32(tail, end + 12), directoryOffset = u32(tail, end + 16)
        guard directoryOffset != 0xFFFF_FFFF, directoryOffset + directorySize <= size else { return [:] }
        let directory = read(directoryOffset, directorySize)
        var located: [String: Location] = [:]
        var at = 0
        while at + 46 <= directory.count, directory[at] == 0x50, directory[at + 1] == 0x4B,
              directory[at + 2] == 0x01, directory[at + 3] == 0x02 {
            let nameLength = u16(directory, at + 28)
            guard at + 46 + nameLength <= directory.count else { break }
            let name = String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            let compressed = u32(directory, at + 20), uncompressed = u32(directory, at + 24)
            let localOffset = u32(directory, at + 42)
            if located[name] == nil, compressed != 0xFFFF_FFFF, uncompressed != 0xFFFF_FFFF, localOffset != 0xFFFF_FFFF {
                let local = read(localOffset, 30)
                // A local header that is not there places the data past the end: the entry
                // is located with data that cannot fit, and reads as truncated.
                let dataStart = local.count == 30 && local[0] == 0x50 && local[1] == 0x4B && local[2] == 0x03 && local[3] == 0x04
                    ? localOffset + 30 + u16(local, 26) + u16(local, 28) : size + 1
                located[name] = Location(method: u16(directory, at + 10), compressedSize: compressed, uncompressedSize: uncompressed,
                                         crc: UInt32(u32(directory, at + 16)), dataStart: dataStart)
            }
            at += 46 + nameLength + u16(directory, at + 30) + u16(directory, at + 32)
        }
        return located
    }

    /// The whole uncompressed contents of a located entry: its bytes must lie inside the
    /// archive, a deflate stream must end within them, and the result must have the declared
    /// size and CRC.
    static func extractLocated(_ entry: Location, size: Int, read: (Int, Int) -> [UInt8], path: String,
                               code: DiffWaveError.Code, label: String) throws(DiffWaveError) -> Data {
        guard entry.dataStart <= size, entry.compressedSize <= size - entry.dataStart else {
            throw DiffWaveError(code, "\(label) entry '\(path)' is truncated: its data runs past the end of the archive")
        }
        let raw = Data(read(entry.dataStart, entry.compressedSize))
        let out: Data
        switch entry.method {
        case 0:
            out = raw
        case 8:
            do {
                out = try Gzip.inflateRaw(raw, maxBytes: entry.uncompressedSize)
            } catch {
                throw DiffWaveError(code, "\(label) entry '\(path)' is corrupt (\(error.message.replacingOccurrences(of: "gzip body", with: "deflate stream")))")
            }
        default:
            throw DiffWaveError(code, "\(label) entry '\(path)' uses a compression method other than stored or deflate")
        }
        guard out.count == entry.uncompressedSize else {
            throw DiffWaveError(code, "\(label) entry '\(path)' is truncated: expected \(entry.uncompressedSize) bytes, got \(out.count)")
        }
        if entry.crc != 0 && Gzip.crc32(out) != entry.crc {
            throw DiffWaveError(code, "\(label) entry '\(path)' is corrupt (CRC mismatch)")
        }
        return out
    }

    /// `read` over bytes in memory.
    static func reader(_ data: Data) -> @Sendable (Int, Int) -> [UInt8] {
        { offset, count in
            guard offset >= 0, offset < data.count, count > 0 else { return [] }
            let start = data.startIndex + offset
            return [UInt8](data[start..<min(data.endIndex, start + min(count, data.count - offset))])
        }
    }

    /// `read` over an open file.
    static func reader(_ handle: FileHandle) -> (Int, Int) -> [UInt8] {
        { offset, count in
            guard offset >= 0, count > 0, (try? handle.seek(toOffset: UInt64(offset))) != nil,
                  let bytes = try? handle.read(upToCount: count) else { return [] }
            return [UInt8](bytes)
        }
    }
}
