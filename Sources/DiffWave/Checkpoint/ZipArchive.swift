import Foundation
import ZIPFoundation

/// Read-only access to a zip archive: `.npz` arrays and torch zip checkpoints share it, so
/// zip handling (stored or deflated entries, size limits, error wording) lives in one place.
/// ZIPFoundation's errors become `DiffWaveError`s carrying the caller's code, so an npz fails
/// as `.array` and a checkpoint as `.checkpoint`, each message starting with `label`.
final class ZipArchive {
    private let archive: Archive
    private let code: DiffWaveError.Code
    private let label: String
    private let entries: [String: Entry]
    /// File entries in central-directory order, the order their writer added them.
    let paths: [String]
    /// Entries we extract ourselves (see `locateEntries`), the archive's size, and its bytes.
    private let located: [String: Location]
    private let size: Int
    private let bytes: (Int, Int) -> [UInt8]

    /// Opens an archive held in memory (an upload, or a checkpoint already read).
    ///
    /// The bytes go through an unlinked temporary file rather than ZIPFoundation's in-memory
    /// mode: that mode traps (`Range requires lowerBound <= upperBound`, in
    /// `Archive.MemoryFile.readData`) when an entry's offsets point past the end of the data,
    /// so a 342-byte `.npz` upload killed the server (found by `fuzz/run npz`). Reading past
    /// the end of a file is a short read, which ZIPFoundation reports as an error.
    init(data: Data, code: DiffWaveError.Code, label: String) throws(DiffWaveError) {
        guard Self.hasEndRecord(data.suffix(Self.endRecordWindow)) else { throw Self.notAZip(code, label) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("diffwave-zip-\(UUID().uuidString)")
        do {
            try data.write(to: url)
        } catch {
            throw DiffWaveError(.io, "cannot stage \(label) in \(url.deletingLastPathComponent().path): \(error.localizedDescription)")
        }
        // The archive keeps its file open; the name is not needed once it is.
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw Self.notAZip(code, label)
        }
        (self.code, self.label) = (code, label)
        (paths, entries) = Self.index(archive)
        size = data.count
        bytes = Self.reader(data)
        located = Self.locateEntries(size: size, read: bytes)
    }

    /// Opens an archive file, which ZIPFoundation then reads entry by entry as asked.
    init(contentsOf url: URL, code: DiffWaveError.Code, label: String) throws(DiffWaveError) {
        let tail: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: size - min(size, UInt64(Self.endRecordWindow)))
            tail = try handle.readToEnd() ?? Data()
        } catch {
            throw DiffWaveError(.io, "cannot open \(url.path): \(error.localizedDescription)")
        }
        guard Self.hasEndRecord(tail) else { throw Self.notAZip(code, label) }
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch let error as Archive.ArchiveError where error == .missingEndOfCentralDirectoryRecord {
            throw Self.notAZip(code, label)
        } catch {
            throw DiffWaveError(.io, "cannot open \(url.path): \(error.localizedDescription)")
        }
        (self.code, self.label) = (code, label)
        (paths, entries) = Self.index(archive)
        if let handle = try? FileHandle(forReadingFrom: url), let end = try? handle.seekToEnd() {
            size = Int(end)
            bytes = Self.reader(handle)  // the handle stays open as long as the archive
        } else {
            size = 0
            bytes = { _, _ in [] }
        }
        located = Self.locateEntries(size: size, read: bytes)
    }

    /// The end-of-central-directory record (22 bytes) plus the longest comment (65,535 bytes)
    /// it may carry: APPNOTE 4.3.16 puts the record within this many bytes of the end.
    static let endRecordWindow = 22 + 65_535

    /// Whether the signature PK\u{5}\u{6} occurs in `tail`. ZIPFoundation, finding none, would
    /// scan the whole input backwards one byte at a time (seconds for a large upload), so
    /// non-zip input is turned away here first.
    static func hasEndRecord(_ tail: Data) -> Bool {
        tail.withUnsafeBytes { raw in
            guard raw.count >= 22 else { return false }
            for i in stride(from: raw.count - 22, through: 0, by: -1)
            where raw[i] == 0x50 && raw[i + 1] == 0x4B && raw[i + 2] == 0x05 && raw[i + 3] == 0x06 {
                return true
            }
            return false
        }
    }

    private static func notAZip(_ code: DiffWaveError.Code, _ label: String) -> DiffWaveError {
        DiffWaveError(code, "\(label) is truncated or not a zip archive (no end-of-central-directory record)")
    }

    private static func index(_ archive: Archive) -> ([String], [String: Entry]) {
        var paths: [String] = []
        var entries: [String: Entry] = [:]
        for entry in archive where entry.type == .file && entries[entry.path] == nil {
            paths.append(entry.path)
            entries[entry.path] = entry
        }
        return (paths, entries)
    }

    func contains(_ path: String) -> Bool {
        entries[path] != nil
    }

    /// The size the central directory declares for `path`, before reading it.
    func declaredSize(_ path: String) -> Int? {
        entries[path].map { Int(clamping: $0.uncompressedSize) }
    }

    /// The whole uncompressed contents of `path`, CRC-checked. Refuses an entry whose declared
    /// size exceeds `limit`, and stops inflating as soon as the output outgrows the declared
    /// size, so a deflate bomb costs at most `limit` bytes of memory.
    func read(_ path: String, limit: Int = .max) throws(DiffWaveError) -> Data {
        guard let entry = entries[path] else {
            throw DiffWaveError(code, "\(label) has no entry '\(path)'")
        }
        let declared = Int(clamping: entry.uncompressedSize)
        guard declared <= limit else {
            throw DiffWaveError.tooLarge("\(label) entry '\(path)' is \(declared) bytes, over the limit of \(limit)", limit: limit)
        }
        if let location = located[path] {
            guard location.uncompressedSize <= limit else {
                throw DiffWaveError.tooLarge("\(label) entry '\(path)' is \(location.uncompressedSize) bytes, over the limit of \(limit)", limit: limit)
            }
            return try Self.extractLocated(location, size: size, read: bytes, path: path, code: code, label: label)
        }
        // Only ZIP64 entries are left to ZIPFoundation's extraction (see `locateEntries`); any
        // other entry we could not place (e.g. a name in another encoding) is refused.
        guard entry.compressedSize >= 0xFFFF_FFFF || entry.uncompressedSize >= 0xFFFF_FFFF else {
            throw DiffWaveError(code, "\(label) entry '\(path)' cannot be located in the archive")
        }
        // The declared size is the writer's claim, not a fact: reserve at most 16 MiB up front
        // and let the data grow as it inflates (a 400-byte checkpoint declaring 4 GiB made this
        // a 4 GiB malloc; found by `fuzz/run torch-checkpoint`).
        var out = Data(capacity: min(declared, 1 << 24))
        do {
            let chunk = min(max(declared, 1), 1 << 20)
            let crc = try archive.extract(entry, bufferSize: chunk, skipCRC32: false) { part in
                guard out.count + part.count <= declared else { throw Oversized() }
                out.append(part)
            }
            // The consumer form of `extract` returns the CRC instead of checking it. An entry
            // whose data descriptor ZIPFoundation could not find reports 0: nothing to compare.
            if entry.checksum != 0 && crc != entry.checksum { throw CorruptCRC() }
        } catch is Oversized {
            throw DiffWaveError(code, "\(label) entry '\(path)' inflates beyond its declared \(declared) bytes")
        } catch is CorruptCRC {
            throw DiffWaveError(code, "\(label) entry '\(path)' is corrupt (CRC mismatch)")
        } catch let error as Archive.ArchiveError where error == .invalidCompressionMethod {
            throw DiffWaveError(code, "\(label) entry '\(path)' uses a compression method other than stored or deflate")
        } catch {
            throw DiffWaveError(code, "\(label) entry '\(path)' is unreadable (\(error))")
        }
        guard out.count == declared else {
            throw DiffWaveError(code, "\(label) entry '\(path)' is truncated: expected \(declared) bytes, got \(out.count)")
        }
        return out
    }

    private struct Oversized: Error {}
    private struct CorruptCRC: Error {}
}
