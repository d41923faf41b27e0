/// A term the gate adds before its activations, `(2c, n)` with rows `ld` apart: the
/// conditioner's projection, float32 from its GEMM or bfloat16 bit patterns from the
/// projection cache under `.bfloat16` (half the bytes to stream back; widened in registers).
struct AddedTerm {
    let base: UnsafeRawPointer
    let ld: Int
    let isBFloat16: Bool

    static func float32(_ p: UnsafePointer<Float>, ld: Int) -> AddedTerm { AddedTerm(base: UnsafeRawPointer(p), ld: ld, isBFloat16: false) }
    static func bfloat16(_ p: UnsafePointer<UInt16>, ld: Int) -> AddedTerm { AddedTerm(base: UnsafeRawPointer(p), ld: ld, isBFloat16: true) }

    /// Row `i`'s start.
    func row(_ i: Int) -> UnsafeRawPointer { base + i * ld * (isBFloat16 ? 2 : 4) }
}

/// How the gate kernels load an added term's lanes: generic, like `LaneStore`, so that each
/// specialisation holds one kind of load.
protocol LaneLoad {
    /// Lanes `j ..< j + 16` of `row`, as float32.
    static func load(_ row: UnsafeRawPointer, at j: Int) -> Lanes
    /// Element `j` of `row`, as float32.
    static func element(_ row: UnsafeRawPointer, at j: Int) -> Float
}

extension Float32Lanes: LaneLoad {
    @_transparent
    static func load(_ row: UnsafeRawPointer, at j: Int) -> Lanes { row.loadUnaligned(fromByteOffset: 4 * j, as: Lanes.self) }
    @_transparent
    static func element(_ row: UnsafeRawPointer, at j: Int) -> Float { row.loadUnaligned(fromByteOffset: 4 * j, as: Float.self) }
}

extension BFloat16Lanes: LaneLoad {
    /// A bfloat16 is the high half of the float32 it stands for.
    @_transparent
    static func load(_ row: UnsafeRawPointer, at j: Int) -> Lanes {
        unsafeBitCast(LaneBits(truncatingIfNeeded: row.loadUnaligned(fromByteOffset: 2 * j, as: LaneHalves.self)) &<< 16, to: Lanes.self)
    }
    @_transparent
    static func element(_ row: UnsafeRawPointer, at j: Int) -> Float {
        Float(bitPattern: UInt32(row.loadUnaligned(fromByteOffset: 2 * j, as: UInt16.self)) << 16)
    }
}
