// libFuzzer target: ZipArchive (the one zip reader: end record, central directory, entries
// read whole under a limit and CRC-checked).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZipArchive(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let archive = try? ZipArchive(data: data, code: .checkpoint, label: "fuzz input") else { return 0 }
    for path in archive.paths.prefix(16) {
        if let contents = try? archive.read(path, limit: 1 << 20), contents.count > 1 << 20 {
            fatalError("read \(contents.count) bytes past a limit of \(1 << 20)")
        }
    }
    return 0
}
