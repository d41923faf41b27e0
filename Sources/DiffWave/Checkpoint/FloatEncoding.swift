/// The on-disk float formats that arrive as `Float`: `.npy` dtypes (`f2`, `f4`, `f8`)
/// and torch storage types (Half, BFloat16, Float, Double). One decoder serves both
/// readers so byte order and half-float rounding are handled in a single place.
enum FloatEncoding: Sendable {
    case float16
    case bfloat16
    case float32
    case float64

    var byteCount: Int {
        switch self {
        case .float16, .bfloat16: 2
        case .float32: 4
        case .float64: 8
        }
    }

    /// Decodes `count` values stored back to back at `source` (which need not be aligned).
    /// The caller has checked that `count * byteCount` bytes are readable.
    func decode(_ source: UnsafeRawPointer, count: Int, bigEndian: Bool, into destination: UnsafeMutablePointer<Float>) {
        switch self {
        case .float32:
            #if _endian(little)
            let native = !bigEndian
            #else
            let native = bigEndian
            #endif
            if native {
                // Same layout as Float: one memcpy instead of a loop.
                UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
                return
            }
            for i in 0..<count {
                let bits = source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                destination[i] = Float(bitPattern: bits.byteSwapped)
            }
        case .float64:
            for i in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                destination[i] = Float(Double(bitPattern: bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)))
            }
        case .float16:
            for i in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                destination[i] = Self.halfToFloat(bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw))
            }
        case .bfloat16:
            for i in 0..<count {
                let raw = source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                let bits = bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
                // bfloat16 is the top half of a float32.
                destination[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        }
    }

    /// IEEE 754 binary16 to binary32, exact for every input (subnormals, ±inf, NaN payloads).
    /// Written out because `Float16` is unavailable on some targets (Intel macOS).
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa * 2^-24, exactly representable in float32.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 127 - 15) << 23) | (mantissa << 13))
        }
    }
}
