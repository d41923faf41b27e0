/// Where the gated activation unit writes `z (c, n)`, rows `ld` apart: float32, or bfloat16
/// bit patterns when the next GEMM takes bfloat16 (converted in registers, no extra pass).
struct GateOutput {
    let base: UnsafeMutableRawPointer
    let ld: Int
    let isBFloat16: Bool

    static func float32(_ z: UnsafeMutablePointer<Float>, ld: Int) -> GateOutput { GateOutput(base: UnsafeMutableRawPointer(z), ld: ld, isBFloat16: false) }
    static func bfloat16(_ z: UnsafeMutablePointer<UInt16>, ld: Int) -> GateOutput { GateOutput(base: UnsafeMutableRawPointer(z), ld: ld, isBFloat16: true) }

    /// Row `i`'s start.
    func row(_ i: Int) -> UnsafeMutableRawPointer { base + i * ld * (isBFloat16 ? 2 : 4) }
}

/// How the gate kernels store lanes, and so how exactly they compute them: the kernels are
/// generic over it, so that each specialisation holds one kind of store (with both, the
/// compiler outlined them). bfloat16 keeps 8 bits, so its gate takes the coarse `exp` (error
/// 3e-5, a hundredth of bfloat16's rounding; the gate 0.78 -> 0.58 ns per element).
protocol LaneStore {
    /// Whether the gate may use the coarse `exp`.
    static var coarse: Bool { get }
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int)
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int, count: Int)
}

enum Float32Lanes: LaneStore {
    static var coarse: Bool { false }
    @_transparent
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int) {
        row.storeBytes(of: v, toByteOffset: 4 * j, as: Lanes.self)
    }
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int, count: Int) {
        for k in 0..<count { row.storeBytes(of: v[k], toByteOffset: 4 * (j + k), as: Float.self) }
    }
}

enum BFloat16Lanes: LaneStore {
    static var coarse: Bool { true }
    @_transparent
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int) {
        row.storeBytes(of: roundedToBFloat16(v), toByteOffset: 2 * j, as: LaneHalves.self)
    }
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int, count: Int) {
        let halves = roundedToBFloat16(v)
        for k in 0..<count { row.storeBytes(of: halves[k], toByteOffset: 2 * (j + k), as: UInt16.self) }
    }
}

/// `v` rounded to bfloat16 (nearest even) as bit patterns; `v` finite.
@_transparent
func roundedToBFloat16(_ v: Lanes) -> LaneHalves {
    let u = bits(v)
    return LaneHalves(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u &>> 16) & 1)) &>> 16)
}
