// libFuzzer target: NPY.read (.npy header parsing, dtype decoding, shape and size checks).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    if let tensor = try? NPY.read(data) {
        // A tensor read back holds exactly the elements its shape says.
        if tensor.shape.reduce(1, *) != tensor.count { fatalError("shape \(tensor.shape) but \(tensor.count) values") }
    }
    return 0
}
