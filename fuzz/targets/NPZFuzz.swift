// libFuzzer target: NPZ.read (zip container, stored and deflated entries, a byte budget).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPZ(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let budget = 1 << 20
    if let arrays = try? NPZ.read(data, maxBytes: budget) {
        let total = arrays.reduce(0) { $0 + $1.tensor.count * 4 }
        if total > 4 * budget { fatalError("\(total) bytes of arrays from a \(budget)-byte budget") }
    }
    return 0
}
