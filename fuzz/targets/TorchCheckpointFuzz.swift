// libFuzzer target: TorchCheckpoint(data:) — the zip-format and legacy checkpoint readers and
// the allow-listed Unpickler behind them.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorchCheckpoint(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? TorchCheckpoint(data: Data(bytes: start, count: count))
    return 0
}
