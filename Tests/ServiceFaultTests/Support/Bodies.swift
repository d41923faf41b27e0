import Foundation

/// Test bodies.
enum Bodies {
    /// A `.npy` v1 float32 C-order array of `shape` filled with `value`.
    static func npy(shape: [Int], value: Float = 0.5) -> Data {
        npyHeader(shape: shape) + floats(count: shape.reduce(1, *), value: value)
    }

    /// Only the header of a `.npy` v1 float32 array: lets a test declare any shape.
    static func npyHeader(shape: [Int], descr: String = "<f4") -> Data {
        let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
        dict += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(dict.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(dict.utf8))
        return data
    }

    static func floats(count: Int, value: Float) -> Data {
        var data = Data(capacity: count * 4)
        let bits = value.bitPattern.littleEndian
        for _ in 0..<count { withUnsafeBytes(of: bits) { data.append(contentsOf: $0) } }
        return data
    }

    /// A mel of `frames` frames for the tiny model (80 mels).
    static func mel(frames: Int) -> Data { npy(shape: [80, frames]) }
}

/// The rank of a job status in its life: statuses only move forward.
func statusRank(_ status: String) -> Int {
    switch status {
    case "queued": 0
    case "running": 1
    case "succeeded", "failed", "cancelled": 2
    default: -1
    }
}
