/// Where the gated activation unit writes `z (c, n)`, rows `ld` apart: float32, or bfloat16
/// bit patterns when the next GEMM takes bfloat16 (converted in registers, no extra pass).
struct GateOutput {
    let base: UnsafeMutableRawPointer
    let ld: Int
    let isBFloat16: Bool
    /// Winograd's gate on a contiguous tile: nil keeps `z` in phase order; a dilation `d` (a
    /// power of two) puts it back in column order, phase `k`'s position `q` at column
    /// `m d (q / d) + k d + q % d`, so that the output projection and the residual update
    /// see plain columns (at d = 2, 4, 8 the phase-order update moved 2 to 8 lanes at a time).
    var columnOrder: Int? = nil

    static func float32(_ z: UnsafeMutablePointer<Float>, ld: Int) -> GateOutput { GateOutput(base: UnsafeMutableRawPointer(z), ld: ld, isBFloat16: false) }
    static func bfloat16(_ z: UnsafeMutablePointer<UInt16>, ld: Int) -> GateOutput { GateOutput(base: UnsafeMutableRawPointer(z), ld: ld, isBFloat16: true) }

    /// Row `i`'s start.
    func row(_ i: Int) -> UnsafeMutableRawPointer { base + i * ld * (isBFloat16 ? 2 : 4) }
}

/// How the gate kernels store lanes, and so how exactly they compute them: the kernels are
/// generic over it, so that each specialisation holds one kind of store (with both, the
/// compiler outlined them). bfloat16 keeps 8 bits, so its gate takes the coarse `exp` (error
/// 3e-5, a hundredth of bfloat16's rounding): a shorter polynomial whose error the rounding
/// hides.
protocol LaneStore {
    /// Whether the gate may use the coarse `exp`.
    static var coarse: Bool { get }
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int)
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int, count: Int)
    /// Lanes in runs of `run` (2, 4, 8; whole `Lanes` from 16), run `r` at column `j + r stride`.
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int, runsOf run: Int, stride: Int)
    /// F(4, 3)'s four phases of the same positions, in runs of `run` < 16, back in column order:
    /// `4 · 16` contiguous columns from `j`, phase k's run r at `j + 4 run r + k run`.
    static func storeFourPhases(_ v: (Lanes, Lanes, Lanes, Lanes), into row: UnsafeMutableRawPointer, at j: Int, runsOf run: Int)
}

extension LaneStore {
    @_transparent
    static func storeFourPhases(_ v: (Lanes, Lanes, Lanes, Lanes), into row: UnsafeMutableRawPointer, at j: Int, runsOf run: Int) {
        storeFourPhasesRunByRun(v, into: row, at: j, runsOf: run)
    }

    /// `storeFourPhases` as four strided `store(_:into:at:runsOf:stride:)`.
    @_transparent
    static func storeFourPhasesRunByRun(_ v: (Lanes, Lanes, Lanes, Lanes), into row: UnsafeMutableRawPointer, at j: Int, runsOf run: Int) {
        store(v.0, into: row, at: j, runsOf: run, stride: 4 * run)
        store(v.1, into: row, at: j + run, runsOf: run, stride: 4 * run)
        store(v.2, into: row, at: j + 2 * run, runsOf: run, stride: 4 * run)
        store(v.3, into: row, at: j + 3 * run, runsOf: run, stride: 4 * run)
    }
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
    @_transparent
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int, runsOf run: Int, stride: Int) {
        switch run {
        case 2:
            let pairs = unsafeBitCast(v, to: SIMD8<UInt64>.self)
            for r in 0..<8 { row.storeBytes(of: pairs[r], toByteOffset: 4 * (j + r * stride), as: UInt64.self) }
        case 4:
            row.storeBytes(of: v.lowHalf.lowHalf, toByteOffset: 4 * j, as: SIMD4<Float>.self)
            row.storeBytes(of: v.lowHalf.highHalf, toByteOffset: 4 * (j + stride), as: SIMD4<Float>.self)
            row.storeBytes(of: v.highHalf.lowHalf, toByteOffset: 4 * (j + 2 * stride), as: SIMD4<Float>.self)
            row.storeBytes(of: v.highHalf.highHalf, toByteOffset: 4 * (j + 3 * stride), as: SIMD4<Float>.self)
        case 8:
            row.storeBytes(of: v.lowHalf, toByteOffset: 4 * j, as: SIMD8<Float>.self)
            row.storeBytes(of: v.highHalf, toByteOffset: 4 * (j + stride), as: SIMD8<Float>.self)
        default:
            store(v, into: row, at: j)
        }
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
    @_transparent
    static func store(_ v: Lanes, into row: UnsafeMutableRawPointer, at j: Int, runsOf run: Int, stride: Int) {
        let halves = roundedToBFloat16(v)
        switch run {
        case 2:
            let pairs = unsafeBitCast(halves, to: SIMD8<UInt32>.self)
            for r in 0..<8 { row.storeBytes(of: pairs[r], toByteOffset: 2 * (j + r * stride), as: UInt32.self) }
        case 4:
            let quads = unsafeBitCast(halves, to: SIMD4<UInt64>.self)
            for r in 0..<4 { row.storeBytes(of: quads[r], toByteOffset: 2 * (j + r * stride), as: UInt64.self) }
        case 8:
            row.storeBytes(of: halves.lowHalf, toByteOffset: 2 * j, as: SIMD8<UInt16>.self)
            row.storeBytes(of: halves.highHalf, toByteOffset: 2 * (j + stride), as: SIMD8<UInt16>.self)
        default:
            row.storeBytes(of: halves, toByteOffset: 2 * j, as: LaneHalves.self)
        }
    }
    /// Runs of 2 and 4 interleaved in registers (a 4 x 8 or 4 x 4 transpose of 32- or 64-bit
    /// runs), stored as whole vectors instead of 32 or 16 narrow stores.
    @_transparent
    static func storeFourPhases(_ v: (Lanes, Lanes, Lanes, Lanes), into row: UnsafeMutableRawPointer, at j: Int, runsOf run: Int) {
        let h = (roundedToBFloat16(v.0), roundedToBFloat16(v.1), roundedToBFloat16(v.2), roundedToBFloat16(v.3))
        switch run {
        case 2:
            let p = (unsafeBitCast(h.0, to: SIMD8<UInt32>.self), unsafeBitCast(h.1, to: SIMD8<UInt32>.self),
                     unsafeBitCast(h.2, to: SIMD8<UInt32>.self), unsafeBitCast(h.3, to: SIMD8<UInt32>.self))
            for c in 0..<4 {
                let a = 2 * c, b = 2 * c + 1
                row.storeBytes(of: SIMD8<UInt32>(p.0[a], p.1[a], p.2[a], p.3[a], p.0[b], p.1[b], p.2[b], p.3[b]),
                               toByteOffset: 2 * (j + 16 * c), as: SIMD8<UInt32>.self)
            }
        case 4:
            let q = (unsafeBitCast(h.0, to: SIMD4<UInt64>.self), unsafeBitCast(h.1, to: SIMD4<UInt64>.self),
                     unsafeBitCast(h.2, to: SIMD4<UInt64>.self), unsafeBitCast(h.3, to: SIMD4<UInt64>.self))
            for b in 0..<4 {
                row.storeBytes(of: SIMD4<UInt64>(q.0[b], q.1[b], q.2[b], q.3[b]), toByteOffset: 2 * (j + 16 * b), as: SIMD4<UInt64>.self)
            }
        default:
            storeFourPhasesRunByRun(v, into: row, at: j, runsOf: run)
        }
    }
}

/// `v` rounded to bfloat16 (nearest even) as bit patterns; `v` finite.
@_transparent
func roundedToBFloat16(_ v: Lanes) -> LaneHalves {
    let u = bits(v)
    return LaneHalves(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u &>> 16) & 1)) &>> 16)
}
