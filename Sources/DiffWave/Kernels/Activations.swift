import Foundation

// Element-wise kernels over raw buffers. Each names its shape; the forward pass
// composes them over preallocated memory so the step loop never allocates.

/// `silu(x) = x * sigmoid(x)`, in place over `n` values.
@inline(__always)
func siluInPlace(_ x: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { x[i] = x[i] / (1 + expf(-x[i])) }
}

/// Sixteen lanes: one AVX-512 register, two AVX2 registers.
///
/// The per-lane helpers below are `@_transparent`: with `@inline(__always)` the compiler still
/// outlined `exp` and the gate, passing the lanes through memory instead of registers.
typealias Lanes = SIMD16<Float>
typealias LaneBits = SIMD16<UInt32>
typealias LaneHalves = SIMD16<UInt16>

/// `e^x` per lane, to about 1 ulp for `x` in [-86, 88] (inputs are clamped there, which
/// moves `sigmoid` and `tanh` by less than 1e-37): `x = n·ln2 + r` with `|r| ≤ ln2/2`
/// (Cody–Waite, ln2 split in two), `e^r` by its degree-7 Taylor polynomial (truncation
/// error < 6e-9 relative), and `2^n` added straight into the exponent bits. `coarse`: degree 4
/// (error < 4e-5 relative), for results that are rounded to bfloat16 (8 bits) anyway.
@_transparent
func exp(_ x: Lanes, coarse: Bool = false) -> Lanes {
    // Compare-and-replace compiles to vector blends; `clamped` (built on `min`/`max`) to a lane loop.
    let lo = Lanes(repeating: -86), hi = Lanes(repeating: 88)
    let x = x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
    // Adding 1.5·2^23 rounds x·log2(e) to the nearest integer and leaves it in the low mantissa bits.
    let shifter = Lanes(repeating: 12_582_912)
    let shifted = fma(x, Lanes(repeating: 1.442_695_04), shifter)
    let n = shifted - shifter
    let r = fma(n, Lanes(repeating: -1.428_606_765_330_187e-6), fma(n, Lanes(repeating: -0.693_145_751_953_125), x))
    // Estrin's scheme: four independent pairs, then r² and r⁴, so the chain is three
    // multiply-adds deep instead of Horner's seven: independent multiply-adds overlap in the
    // pipeline instead of each waiting for the last.
    let r2 = r * r
    let p01 = r + Lanes(repeating: 1), p23 = fma(r, Lanes(repeating: 1.0 / 6), Lanes(repeating: 0.5))
    let p: Lanes
    if coarse {
        p = fma(fma(Lanes(repeating: 1.0 / 24), r2, p23), r2, p01)
    } else {
        let p45 = fma(r, Lanes(repeating: 1.0 / 120), Lanes(repeating: 1.0 / 24))
        let p67 = fma(r, Lanes(repeating: 1.0 / 5040), Lanes(repeating: 1.0 / 720))
        p = fma(fma(p67, r2, p45), r2 * r2, fma(p23, r2, p01))
    }
    let exponent = (bits(shifted) &- bits(shifter)) &<< 23
    return unsafeBitCast(bits(p) &+ exponent, to: Lanes.self)
}

/// `a · b + c` per lane, rounded once. Swift does not contract `a * b + c` on its own, so the
/// kernels spell out every multiply-add they want fused (one instruction and one rounding
/// instead of two).
@_transparent
func fma(_ a: Lanes, _ b: Lanes, _ c: Lanes) -> Lanes { c.addingProduct(a, b) }

/// The lanes' IEEE 754 bit patterns.
@_transparent
func bits(_ x: Lanes) -> LaneBits { unsafeBitCast(x, to: LaneBits.self) }

/// `sigmoid(gate) * tanh(filter)` per lane, with `tanh(f) = 1 - 2 / (1 + e^{2f})`
/// (absolute error a few 1e-8 over the whole line; `coarse`, 3e-5).
@_transparent
func gatedTanh(gate: Lanes, filter: Lanes, coarse: Bool = false) -> Lanes {
    let one = Lanes(repeating: 1)
    let tanh = one - Lanes(repeating: 2) / (one + exp(filter + filter, coarse: coarse))
    return tanh / (one + exp(-gate, coarse: coarse))
}

/// The gated activation unit with the conv's bias and, where there is one, a precomputed
/// term folded in: `z (c, n) = sigmoid(gate + added + b_gate) * tanh(filter + added + b_filter)`,
/// where `y (2c, n)` holds gate rows then filter rows (torch.chunk order), `bias (2c)` and
/// `added (2c, n)` likewise.
@inline(__always)
func gatedTanh(_ y: UnsafePointer<Float>, ldy: Int, bias: UnsafePointer<Float>, added: AddedTerm?,
               into z: GateOutput, channels c: Int, columns n: Int) {
    switch (z.isBFloat16, added?.isBFloat16 == true) {
    case (true, true):
        gatedTanh(BFloat16Lanes.self, BFloat16Lanes.self, y, ldy: ldy, bias: bias, added: added, into: z, channels: c, columns: n)
    case (true, false):
        gatedTanh(BFloat16Lanes.self, Float32Lanes.self, y, ldy: ldy, bias: bias, added: added, into: z, channels: c, columns: n)
    case (false, let bf16Added):
        precondition(!bf16Added, "a bfloat16 added term comes with a bfloat16 gate output")
        gatedTanh(Float32Lanes.self, Float32Lanes.self, y, ldy: ldy, bias: bias, added: added, into: z, channels: c, columns: n)
    }
}

@inline(never)
func gatedTanh<S: LaneStore, A: LaneLoad>(_: S.Type, _: A.Type, _ y: UnsafePointer<Float>, ldy: Int, bias: UnsafePointer<Float>,
                                          added: AddedTerm?, into z: GateOutput, channels c: Int, columns n: Int) {
    let whole = n & ~(Lanes.scalarCount - 1)
    for i in 0..<c {
        let gate = UnsafeRawPointer(y + i * ldy), filter = UnsafeRawPointer(y + (c + i) * ldy)
        let addedRows = added.map { ($0.row(i), $0.row(c + i)) }
        let out = z.row(i)
        let bg = Lanes(repeating: bias[i]), bf = Lanes(repeating: bias[c + i])
        for j in Swift.stride(from: 0, to: whole, by: Lanes.scalarCount) {
            var g = gate.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self), f = filter.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self)
            if let (ag, af) = addedRows {   // loop-invariant: the compiler unswitches it
                g += A.load(ag, at: j)
                f += A.load(af, at: j)
            }
            S.store(gatedTanh(gate: g + bg, filter: f + bf, coarse: S.coarse), into: out, at: j)
        }
        if whole < n {
            var g = bg, f = bf
            let gp = y + i * ldy, fp = y + (c + i) * ldy
            for j in whole..<n {
                let (ag, af): (Float, Float) = addedRows.map { (A.element($0.0, at: j), A.element($0.1, at: j)) } ?? (0, 0)
                g[j - whole] += gp[j] + ag
                f[j - whole] += fp[j] + af
            }
            S.store(gatedTanh(gate: g, filter: f, coarse: S.coarse), into: out, at: whole, count: n - whole)
        }
    }
}

/// `out (n) = bfloat16(x (n))` as bit patterns, rounding to nearest even (the inputs are
/// finite: weights and activations).
@inline(__always)
func convertToBFloat16(_ x: UnsafePointer<Float>, count n: Int, into out: UnsafeMutablePointer<UInt16>) {
    let whole = n & ~(Lanes.scalarCount - 1), src = UnsafeRawPointer(x), dst = UnsafeMutableRawPointer(out)
    for j in stride(from: 0, to: whole, by: Lanes.scalarCount) {
        dst.storeBytes(of: roundedToBFloat16(src.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self)), toByteOffset: j * 2, as: LaneHalves.self)
    }
    for j in whole..<n {
        let u = x[j].bitPattern
        out[j] = UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u &>> 16) & 1)) &>> 16)
    }
}
