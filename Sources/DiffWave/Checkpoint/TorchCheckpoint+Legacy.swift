import Foundation

/// torch's pre-1.6 serialization (`_use_new_zipfile_serialization=False`), one stream of:
/// a pickle of the magic number 0x1950a86a20f9469cfc6c, a pickle of the protocol version
/// (1001), a pickle of `sys_info` (byte order, type sizes), the main pickle, a pickle of the
/// list of storage keys, then for each key in that order a little-endian int64 element count
/// followed by the storage's raw bytes.
extension TorchCheckpoint {
    /// 0x1950a86a20f9469cfc6c as pickle's LONG1 stores it: little-endian two's complement.
    static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let legacyProtocolVersion = 1001

    static func legacy(_ data: Data) throws(DiffWaveError) -> TorchCheckpoint {
        let bytes = [UInt8](data)
        var unpickler = Unpickler(bytes)
        let magic: PickleValue
        do {
            magic = try unpickler.load()
        } catch where unpickler.namedForbiddenGlobal {
            throw error  // say what the file tried, whatever else it is
        } catch {
            // Some other pickle or binary that happens to start with 0x80.
            throw DiffWaveError(.checkpoint, "not a torch checkpoint (no zip signature, no legacy magic)")
        }
        guard magic == .bigInt(legacyMagic) else {
            throw DiffWaveError(.checkpoint, "not a torch checkpoint (a pickle without torch's legacy magic number)")
        }

        unpickler = Unpickler(bytes, from: unpickler.position)
        let version = try runPickle(&unpickler)
        guard version.intValue == legacyProtocolVersion else {
            throw DiffWaveError(.checkpoint, "legacy checkpoint has protocol version \(version.intValue.map(String.init) ?? version.kindName); only \(legacyProtocolVersion) is supported")
        }

        unpickler = Unpickler(bytes, from: unpickler.position)
        let sysInfo = try runPickle(&unpickler)
        if sysInfo["little_endian"]?.boolValue == false {
            throw DiffWaveError(.checkpoint, "checkpoint was saved on a big-endian machine, which is not supported")
        }

        unpickler = Unpickler(bytes, from: unpickler.position)
        let root = try runPickle(&unpickler)
        let storageTypes = unpickler.storageTypes

        unpickler = Unpickler(bytes, from: unpickler.position)
        let keyList = try runPickle(&unpickler)
        guard let keyValues = keyList.elements else {
            throw DiffWaveError(.checkpoint, "legacy checkpoint's storage key list is a \(keyList.kindName)")
        }

        // The records follow back to back; each one's length depends on its element size,
        // which only the main pickle's persistent ids tell.
        var records: [String: Range<Int>] = [:]
        var offset = unpickler.position
        for value in keyValues {
            guard let key = value.stringValue ?? value.intValue.map(String.init) else {
                throw DiffWaveError(.checkpoint, "legacy checkpoint has a storage key of type \(value.kindName)")
            }
            guard let type = storageTypes[key] else {
                throw DiffWaveError(.checkpoint, "legacy checkpoint lists storage '\(key)', which its pickle never uses")
            }
            guard bytes.count - offset >= 8 else {
                throw DiffWaveError(.checkpoint, "checkpoint is truncated: storage '\(key)' has no size record at offset \(offset)")
            }
            let count = bytes[offset..<(offset + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let start = offset + 8
            let (byteCount, overflow) = Int(clamping: count).multipliedReportingOverflow(by: type.elementSize)
            guard count <= UInt64(Int.max), !overflow, byteCount <= bytes.count - start else {
                throw DiffWaveError(.checkpoint, "checkpoint is truncated: storage '\(key)' needs \(count) × \(type.elementSize) bytes at offset \(start), \(bytes.count - start) remain")
            }
            records[key] = (data.startIndex + start)..<(data.startIndex + start + byteCount)
            offset = start + byteCount
        }
        return TorchCheckpoint(root: root, storages: .legacy(data, records: records))
    }
}
