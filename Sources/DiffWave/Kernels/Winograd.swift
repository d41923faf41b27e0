/// Winograd's minimal filtering F(m, 3) (Lavin & Gray, "Fast Algorithms for Convolutional
/// Neural Networks", 2016) for the kernel-size-3 dilated `Conv1d`: `m` outputs
/// `t, t + d, ..., t + (m - 1)d` from `m + 2` products instead of `3m`.
///
/// With the taps `g0, g1, g2` and the inputs `s_j = y(t + (j - 1)d)`, `j = 0...m + 1`:
///
/// F(2, 3):  m1 = g0 (s0 - s2)      m2 = (g0 + g1 + g2)/2 (s1 + s2)
///           m4 = g2 (s1 - s3)      m3 = (g0 - g1 + g2)/2 (s2 - s1)
///           out(t) = m1 + m2 + m3,   out(t + d) = m2 - m3 - m4
///
/// F(4, 3) (points 0, ±1, ±2, ∞): the products' weights are `G g` and their inputs `Bᵀ s`,
/// the outputs `Aᵀ m` (`weightTransform`, `winogradF4InputRow`, `winogradF4GateRow`).
///
/// Each product is a GEMM over `1/m` of the tile's columns. A tile's columns group in blocks
/// of `m` runs of `r` columns, `d` apart, `md` columns from one block to the next: the run at
/// offset `kd` is phase `k`, and position `q = br + j` of phase `k` is column `mdb + kd + j`.
/// A contiguous tile has r = d; a strided one (`TimeTile`), for a block wider than a tile, one
/// block of shorter runs. From the transformed inputs to the gate a tile stays in phase order,
/// `[phase 0 | phase 1 | ...]` per row (the GEMMs do not care about column order); on a
/// contiguous tile from d = 2 the gate writes `z` back in column order, so that the output
/// projection and the residual update run over plain columns (`GateOutput.columnOrder`: one
/// contiguous loop instead of updates moving 2 to 8 lanes at a time); at d = 1 and on
/// strided tiles it stays in phase order to the update. The kernels move runs of `r` columns as
/// vectors of `d` lanes (8) or of whole `Lanes` (16 and up); at d = 2 and 4 they load or store
/// whole vectors and transpose the short runs in registers (input transform, the bf16 mel's
/// split, the gate's stores); at d = 1 they are plain loops over interleaved columns, which
/// the compiler vectorises.
enum Winograd: Int, CaseIterable, Sendable {
    case f2 = 2
    case f4 = 4

    /// Outputs per group, `m`.
    var phases: Int { rawValue }
    /// Products per group, `m + 2`.
    var products: Int { rawValue + 2 }

    /// Each product's weights as a combination of the taps `(g0, g1, g2)`: the rows of `G`.
    var weightTransform: [(Double, Double, Double)] {
        switch self {
        case .f2: [(1, 0, 0), (0.5, 0.5, 0.5), (0.5, -0.5, 0.5), (0, 0, 1)]
        case .f4: [(1 / 4, 0, 0), (-1 / 6, -1 / 6, -1 / 6), (-1 / 6, 1 / 6, -1 / 6),
                   (1 / 24, 1 / 12, 1 / 6), (1 / 24, -1 / 12, 1 / 6), (0, 0, 1)]
        }
    }

    /// Whether the kernels handle dilation `d`: runs of whole vectors.
    static func supports(dilation d: Int) -> Bool {
        d >= Lanes.scalarCount ? d % Lanes.scalarCount == 0 : [1, 2, 4, 8].contains(d)
    }

    /// Whether the transform applies to a tile of `n` columns in blocks of `m` runs of `run`
    /// columns, `d` apart (`run` = d: contiguous blocks of `md` columns): whole blocks, whole
    /// vectors per run and per phase.
    func applies(columns n: Int, dilation d: Int, run r: Int? = nil) -> Bool {
        let r = r ?? d
        return Winograd.supports(dilation: d) && (r == d || (r % Lanes.scalarCount == 0 && r > 0 && d % r == 0))
            && n % (phases * r) == 0 && n % (phases * Lanes.scalarCount) == 0
    }

    /// How many columns a tile of `n` columns in runs of `r` spans, from its first column to its last.
    func span(columns n: Int, dilation d: Int, run r: Int) -> Int {
        phases * d * (n / (phases * r) - 1) + (phases - 1) * d + r
    }
}

/// The input transform, with the step bias added first as in `stackDilatedTaps`:
/// `x (c, N)` -> `products` blocks of `(c, n / m)`, rows `ld` apart, block `j` at `u + j c ld`.
/// The tile's columns, from `t0`, are blocks of `m` runs of `run` columns, `d` apart (`applies`);
/// it must lie inside the signal with `d` columns to spare on each side (no padding).
@inline(__always)
func winogradInputTransform(
    _ w: Winograd, _ x: UnsafePointer<Float>, channels c: Int, samples total: Int, bias: UnsafePointer<Float>,
    start t0: Int, columns n: Int, dilation d: Int, run r: Int, into u: UnsafeMutablePointer<Float>, ld: Int
) {
    precondition(w.applies(columns: n, dilation: d, run: r) && t0 >= d && t0 + w.span(columns: n, dilation: d, run: r) + d <= total)
    let blocks = c * ld
    for ch in 0..<c {
        let row = x + ch * total + t0, out = u + ch * ld, b = bias[ch]
        switch (w, d) {
        case (.f2, 1): winogradF2InputRowOfPairs(row, bias: b, columns: n, into: out, blocks: blocks)
        case (.f2, 2): winogradF2InputRow(SIMD2<Float>.self, row, bias: b, columns: n, dilation: d, run: r, into: out, blocks: blocks)
        case (.f2, 4): winogradF2InputRow(SIMD4<Float>.self, row, bias: b, columns: n, dilation: d, run: r, into: out, blocks: blocks)
        case (.f2, 8): winogradF2InputRow(SIMD8<Float>.self, row, bias: b, columns: n, dilation: d, run: r, into: out, blocks: blocks)
        case (.f2, _): winogradF2InputRow(Lanes.self, row, bias: b, columns: n, dilation: d, run: r, into: out, blocks: blocks)
        case (.f4, 1): winogradF4InputRowOfQuads(row, bias: b, columns: n, into: out, blocks: blocks)
        case (.f4, 2) where r == d, (.f4, 4) where r == d:
            winogradF4InputRowOfRuns(row, bias: b, columns: n, dilation: d, into: out, blocks: blocks)
        case (.f4, 2): winogradF4InputRow(SIMD2<Float>.self, row, bias: b, columns: n, dilation: d, run: r, into: out, blocks: blocks)
        case (.f4, 4): winogradF4InputRow(SIMD4<Float>.self, row, bias: b, columns: n, dilation: d, run: r, into: out, blocks: blocks)
        case (.f4, 8): winogradF4InputRow(SIMD8<Float>.self, row, bias: b, columns: n, dilation: d, run: r, into: out, blocks: blocks)
        case (.f4, _): winogradF4InputRow(Lanes.self, row, bias: b, columns: n, dilation: d, run: r, into: out, blocks: blocks)
        }
    }
}

/// One row of F(2, 3)'s input transform in vectors of `V`: `u1 = s0 - s2`, `u2 = s1 + s2`,
/// `u3 = s2 - s1`, `u4 = s1 - s3`, blocks `blocks` floats apart.
@inline(never)
func winogradF2InputRow<V: SIMD>(_: V.Type, _ row: UnsafePointer<Float>, bias: Float, columns n: Int, dilation d: Int,
                                 run r: Int, into u: UnsafeMutablePointer<Float>, blocks: Int) where V.Scalar == Float {
    let b = V(repeating: bias), x = UnsafeRawPointer(row), out = UnsafeMutableRawPointer(u), s = 4 * blocks
    @inline(__always) func y(_ column: Int) -> V { x.loadUnaligned(fromByteOffset: 4 * column, as: V.self) + b }
    for block in 0..<(n / (2 * r)) {
        for t in Swift.stride(from: 2 * d * block, to: 2 * d * block + r, by: V.scalarCount) {
            let q = 4 * (t - 2 * d * block + r * block), s0 = y(t - d), s1 = y(t), s2 = y(t + d), s3 = y(t + 2 * d)
            out.storeBytes(of: s0 - s2, toByteOffset: q, as: V.self)
            out.storeBytes(of: s1 + s2, toByteOffset: s + q, as: V.self)
            out.storeBytes(of: s2 - s1, toByteOffset: 2 * s + q, as: V.self)
            out.storeBytes(of: s1 - s3, toByteOffset: 3 * s + q, as: V.self)
        }
    }
}

/// `winogradF2InputRow` at d = 1: pair p is columns 2p and 2p + 1.
@inline(never)
func winogradF2InputRowOfPairs(_ x: UnsafePointer<Float>, bias b: Float, columns n: Int,
                               into u: UnsafeMutablePointer<Float>, blocks s: Int) {
    for p in 0..<(n / 2) {
        let s0 = x[2 * p - 1] + b, s1 = x[2 * p] + b, s2 = x[2 * p + 1] + b, s3 = x[2 * p + 2] + b
        u[p] = s0 - s2
        u[s + p] = s1 + s2
        u[2 * s + p] = s2 - s1
        u[3 * s + p] = s1 - s3
    }
}

/// One row of F(4, 3)'s input transform, `v = Bᵀ s`:
///
///     v0 = 4 s0 - 5 s2 + s4          v3 = -2 s1 - s2 + 2 s3 + s4
///     v1 = -4 s1 - 4 s2 + s3 + s4    v4 = 2 s1 - s2 - 2 s3 + s4
///     v2 = 4 s1 - 4 s2 - s3 + s4     v5 = 4 s1 - 5 s3 + s5
@inline(never)
func winogradF4InputRow<V: SIMD>(_: V.Type, _ row: UnsafePointer<Float>, bias: Float, columns n: Int, dilation d: Int,
                                 run r: Int, into u: UnsafeMutablePointer<Float>, blocks: Int) where V.Scalar == Float {
    let b = V(repeating: bias), x = UnsafeRawPointer(row), out = UnsafeMutableRawPointer(u), s = 4 * blocks
    @inline(__always) func y(_ column: Int) -> V { x.loadUnaligned(fromByteOffset: 4 * column, as: V.self) + b }
    for block in 0..<(n / (4 * r)) {
        for t in Swift.stride(from: 4 * d * block, to: 4 * d * block + r, by: V.scalarCount) {
            let q = 4 * (t - 4 * d * block + r * block)
            storeF4Inputs(y(t - d), y(t), y(t + d), y(t + 2 * d), y(t + 3 * d), y(t + 4 * d), into: out + q, blocks: s)
        }
    }
}

/// `winogradF4InputRow` on a contiguous tile at d = 2 or 4, 16 positions (64 columns) at a
/// time: `s1...s4` are the four phases of those columns, `s0` phase 3 of the 64 before them
/// shifted by one block, `s5` phase 0 of the 64 after; each phase taken from four whole vectors
/// by a transpose of their 64- or 128-bit runs in registers (`runsInPhases`).
@inline(never)
func winogradF4InputRowOfRuns(_ row: UnsafePointer<Float>, bias: Float, columns n: Int, dilation d: Int,
                              into u: UnsafeMutablePointer<Float>, blocks: Int) {
    let b = Lanes(repeating: bias), out = UnsafeMutableRawPointer(u), s = 4 * blocks
    for t in Swift.stride(from: 0, to: n, by: 64) {
        let q = 4 * (t / 4)   // byte offset of these 16 positions
        let (s1, s2, s3, s4) = runsInPhases(row + t, run: d)
        let s0 = runsInPhases(row + t - 4 * d, run: d).3 + b, s5 = runsInPhases(row + t + 4 * d, run: d).0 + b
        storeF4Inputs(s0, s1 + b, s2 + b, s3 + b, s4 + b, s5, into: out + q, blocks: s)
    }
}

/// `v = Bᵀ s` (`winogradF4InputRow`) for one vector of positions, block `j` at byte `j blocks`.
@_transparent
func storeF4Inputs<V: SIMD>(_ s0: V, _ s1: V, _ s2: V, _ s3: V, _ s4: V, _ s5: V, into out: UnsafeMutableRawPointer, blocks s: Int)
where V.Scalar == Float {
    let a = s4 - 4 * s2, c = s3 - 4 * s1, e = s4 - s2, f = s3 - s1
    out.storeBytes(of: 4 * (s0 - s2) + e, as: V.self)
    out.storeBytes(of: a + c, toByteOffset: s, as: V.self)
    out.storeBytes(of: a - c, toByteOffset: 2 * s, as: V.self)
    out.storeBytes(of: e + 2 * f, toByteOffset: 3 * s, as: V.self)
    out.storeBytes(of: e - 2 * f, toByteOffset: 4 * s, as: V.self)
    out.storeBytes(of: 4 * (s1 - s3) + (s5 - s3), toByteOffset: 5 * s, as: V.self)
}

/// The 64 columns from `x` in F(4, 3)'s four phases at d = `run` (2 or 4): phase k holds
/// runs k, k + 4, ... of `run` columns, 16 lanes each.
@_transparent
func runsInPhases(_ x: UnsafePointer<Float>, run: Int) -> (Lanes, Lanes, Lanes, Lanes) {
    let raw = UnsafeRawPointer(x)
    // Two branches with constant lane indices, so that each compiles to fixed shuffles: one
    // body choosing its indices by `run` made them variable and was slower end to end
    // (bench/README.md).
    if run == 2 {
        @_transparent func v(_ c: Int) -> SIMD8<UInt64> { raw.loadUnaligned(fromByteOffset: 64 * c, as: SIMD8<UInt64>.self) }
        let c = (v(0), v(1), v(2), v(3))
        @_transparent func phase(_ k: Int) -> Lanes {
            unsafeBitCast(SIMD8<UInt64>(c.0[k], c.0[k + 4], c.1[k], c.1[k + 4], c.2[k], c.2[k + 4], c.3[k], c.3[k + 4]), to: Lanes.self)
        }
        return (phase(0), phase(1), phase(2), phase(3))
    }
    @_transparent func v(_ c: Int) -> SIMD8<UInt64> { raw.loadUnaligned(fromByteOffset: 64 * c, as: SIMD8<UInt64>.self) }
    let c = (v(0), v(1), v(2), v(3))
    // Run k of vector c (one block of 16 columns) is its 64-bit lanes 2k and 2k + 1.
    @_transparent func phase(_ k: Int) -> Lanes {
        unsafeBitCast(SIMD8<UInt64>(c.0[2 * k], c.0[2 * k + 1], c.1[2 * k], c.1[2 * k + 1],
                                    c.2[2 * k], c.2[2 * k + 1], c.3[2 * k], c.3[2 * k + 1]), to: Lanes.self)
    }
    return (phase(0), phase(1), phase(2), phase(3))
}

/// `winogradF4InputRow` at d = 1: quad q is columns 4q...4q + 3.
@inline(never)
func winogradF4InputRowOfQuads(_ x: UnsafePointer<Float>, bias b: Float, columns n: Int,
                               into u: UnsafeMutablePointer<Float>, blocks s: Int) {
    for q in 0..<(n / 4) {
        let s0 = x[4 * q - 1] + b, s1 = x[4 * q] + b, s2 = x[4 * q + 1] + b
        let s3 = x[4 * q + 2] + b, s4 = x[4 * q + 3] + b, s5 = x[4 * q + 4] + b
        let a = s4 - 4 * s2, c = s3 - 4 * s1, e = s4 - s2, f = s3 - s1
        u[q] = 4 * (s0 - s2) + e
        u[s + q] = a + c
        u[2 * s + q] = a - c
        u[3 * s + q] = e + 2 * f
        u[4 * s + q] = e - 2 * f
        u[5 * s + q] = 4 * (s1 - s3) + (s5 - s3)
    }
}

/// A tile's rows `src (rows, n)`, rows `ldSource` apart, in phase order into `dst (rows, n)`,
/// rows `ld` apart (the mel's rows before its GEMM, float32 or bfloat16; the cached
/// conditioner's tiles).
@inline(__always)
func winogradSplitColumns<T: SIMDScalar>(_ w: Winograd, _ src: UnsafePointer<T>, ldSource: Int, rows: Int, columns n: Int,
                                         dilation d: Int, run r: Int, into dst: UnsafeMutablePointer<T>, ld: Int) {
    for row in 0..<rows {
        let from = src + row * ldSource, to = dst + row * ld
        if w == .f4, r == d, d == 2 || d == 4, MemoryLayout<T>.stride == 2 {
            winogradSplitRowOfBFloat16Runs(UnsafeRawPointer(from), columns: n, dilation: d, into: UnsafeMutableRawPointer(to))
            continue
        }
        switch (w, d) {
        case (.f2, 1): winogradSplitRowOfGroups(2, from, columns: n, into: to)
        case (.f4, 1): winogradSplitRowOfGroups(4, from, columns: n, into: to)
        case (_, 2): winogradSplitRow(SIMD2<T>.self, w.phases, from, columns: n, dilation: d, run: r, into: to)
        case (_, 4): winogradSplitRow(SIMD4<T>.self, w.phases, from, columns: n, dilation: d, run: r, into: to)
        case (_, 8): winogradSplitRow(SIMD8<T>.self, w.phases, from, columns: n, dilation: d, run: r, into: to)
        default: winogradSplitRow(SIMD16<T>.self, w.phases, from, columns: n, dilation: d, run: r, into: to)
        }
    }
}

@inline(never)
func winogradSplitRow<V: SIMD>(_: V.Type, _ phases: Int, _ src: UnsafePointer<V.Scalar>, columns n: Int, dilation d: Int,
                               run r: Int, into dst: UnsafeMutablePointer<V.Scalar>) {
    let size = MemoryLayout<V.Scalar>.stride
    let x = UnsafeRawPointer(src), out = UnsafeMutableRawPointer(dst), phase = size * (n / phases)
    for block in 0..<(n / (phases * r)) {
        for t in Swift.stride(from: phases * d * block, to: phases * d * block + r, by: V.scalarCount) {
            let q = size * (t - phases * d * block + r * block)
            for k in 0..<phases {
                out.storeBytes(of: x.loadUnaligned(fromByteOffset: size * (t + k * d), as: V.self), toByteOffset: k * phase + q, as: V.self)
            }
        }
    }
}

/// `winogradSplitRow` for F(4, 3) at d = 2 and 4 over 16-bit values: 64 columns at a time as
/// whole vectors, their runs of d (32 or 64 bits) transposed in registers into the four
/// phases (the inverse of `BFloat16Lanes.storeFourPhases`).
@inline(never)
func winogradSplitRowOfBFloat16Runs(_ x: UnsafeRawPointer, columns n: Int, dilation d: Int, into out: UnsafeMutableRawPointer) {
    let phase = 2 * (n / 4)
    for t in Swift.stride(from: 0, to: n, by: 64) {
        let q = 2 * (t / 4)   // byte offset of the 16 positions these columns hold in each phase
        if d == 2 {
            // Run e of vector c: column t + 16c + 2e, block 2c + e / 4, phase e % 4.
            @_transparent func v(_ c: Int) -> SIMD8<UInt32> { x.loadUnaligned(fromByteOffset: 2 * (t + 16 * c), as: SIMD8<UInt32>.self) }
            let c = (v(0), v(1), v(2), v(3))
            for k in 0..<4 {
                out.storeBytes(of: SIMD8<UInt32>(c.0[k], c.0[k + 4], c.1[k], c.1[k + 4], c.2[k], c.2[k + 4], c.3[k], c.3[k + 4]),
                               toByteOffset: k * phase + q, as: SIMD8<UInt32>.self)
            }
        } else {
            // Run e of vector c: column t + 16c + 4e, block c, phase e.
            @_transparent func v(_ c: Int) -> SIMD4<UInt64> { x.loadUnaligned(fromByteOffset: 2 * (t + 16 * c), as: SIMD4<UInt64>.self) }
            let c = (v(0), v(1), v(2), v(3))
            for k in 0..<4 {
                out.storeBytes(of: SIMD4<UInt64>(c.0[k], c.1[k], c.2[k], c.3[k]), toByteOffset: k * phase + q, as: SIMD4<UInt64>.self)
            }
        }
    }
}

/// `winogradSplitRow` at d = 1: group q is columns `phases q ...`. Inlined where `phases` is
/// a constant, so that the compiler vectorises the inner loop.
@inline(__always)
func winogradSplitRowOfGroups<T>(_ phases: Int, _ src: UnsafePointer<T>, columns n: Int, into dst: UnsafeMutablePointer<T>) {
    let count = n / phases
    for q in 0..<count {
        for k in 0..<phases { dst[k * count + q] = src[phases * q + k] }
    }
}

/// The output transform fused with the gated activation unit, the conv's bias and, where
/// there is one, a precomputed term: `products` blocks `m_j (2c, n / m)` at `m + j 2c ldm`, rows
/// `ldm` apart, gate rows then filter rows, and `added (2c, n)` in phase order
/// -> `z (c, n)` in phase order (or column order, `GateOutput.columnOrder`),
/// `z = σ(gate + b_gate) ⊙ tanh(filter + b_filter)`.
@inline(__always)
func winogradGatedTanh(
    _ w: Winograd, _ m: UnsafePointer<Float>, ldm: Int, bias: UnsafePointer<Float>, added: AddedTerm?,
    into z: GateOutput, channels c: Int, columns n: Int
) {
    precondition(z.isBFloat16 || added?.isBFloat16 != true, "a bfloat16 added term comes with a bfloat16 gate output")
    let blocks = 2 * c * ldm
    for i in 0..<c {
        let gate = m + i * ldm, filter = m + (c + i) * ldm, b = (bias[i], bias[c + i])
        let a = added.map { ($0.row(i), $0.row(c + i)) }
        let out = PhaseStore(row: z.row(i), phaseLength: n / w.phases, phases: w.phases, columnOrder: z.columnOrder)
        switch (w, z.isBFloat16, added?.isBFloat16 == true) {
        case (.f2, false, _): winogradF2GateRow(Float32Lanes.self, Float32Lanes.self, gate, filter, blocks: blocks, bias: b, added: a, into: out)
        case (.f2, true, false): winogradF2GateRow(BFloat16Lanes.self, Float32Lanes.self, gate, filter, blocks: blocks, bias: b, added: a, into: out)
        case (.f2, true, true): winogradF2GateRow(BFloat16Lanes.self, BFloat16Lanes.self, gate, filter, blocks: blocks, bias: b, added: a, into: out)
        case (.f4, false, _): winogradF4GateRow(Float32Lanes.self, Float32Lanes.self, gate, filter, blocks: blocks, bias: b, added: a, into: out)
        case (.f4, true, false): winogradF4GateRow(BFloat16Lanes.self, Float32Lanes.self, gate, filter, blocks: blocks, bias: b, added: a, into: out)
        case (.f4, true, true): winogradF4GateRow(BFloat16Lanes.self, BFloat16Lanes.self, gate, filter, blocks: blocks, bias: b, added: a, into: out)
        }
    }
}

/// Where a gate row puts phase `k`'s lanes `i ..< i + 16`: at `k n/m + i` (phase order), or
/// back at their columns (`GateOutput.columnOrder` = d): runs of d lanes `md` apart below 16.
struct PhaseStore {
    let row: UnsafeMutableRawPointer
    /// Positions per phase, `n / m`.
    let phaseLength: Int
    let d: Int, shift: Int, blockShift: Int

    init(row: UnsafeMutableRawPointer, phaseLength: Int, phases m: Int, columnOrder: Int?) {
        (self.row, self.phaseLength, d) = (row, phaseLength, columnOrder ?? 0)
        shift = d.trailingZeroBitCount
        blockShift = shift + m.trailingZeroBitCount
    }

    /// Position i is block i / d, offset i % d: column m d (i / d) + k d + i % d.
    @_transparent
    func column(phase k: Int, lane i: Int) -> Int { ((i >> shift) << blockShift) + k * d + (i & (d - 1)) }

    @_transparent
    func put<S: LaneStore>(_: S.Type, _ v: Lanes, phase k: Int, lane i: Int) {
        if d == 0 { return S.store(v, into: row, at: k * phaseLength + i) }
        S.store(v, into: row, at: column(phase: k, lane: i), runsOf: d, stride: 1 << blockShift)
    }
}

@inline(__always)
private func load(_ p: UnsafePointer<Float>, _ offset: Int) -> Lanes {
    UnsafeRawPointer(p).loadUnaligned(fromByteOffset: offset, as: Lanes.self)
}

/// F(2, 3): `out(t) = m1 + m2 + m3`, `out(t + d) = m2 - m3 - m4`.
@inline(never)
func winogradF2GateRow<S: LaneStore, A: LaneLoad>(_: S.Type, _: A.Type, _ g: UnsafePointer<Float>, _ f: UnsafePointer<Float>, blocks: Int,
                                                  bias: (Float, Float), added: (UnsafeRawPointer, UnsafeRawPointer)?, into out: PhaseStore) {
    let bg = Lanes(repeating: bias.0), bf = Lanes(repeating: bias.1)
    let pairs = out.phaseLength, s = 4 * blocks
    for v in 0..<(pairs / Lanes.scalarCount) {
        let p = 4 * Lanes.scalarCount * v   // byte offset of position 16v
        let g0 = load(g, p), g1 = load(g, s + p), g2 = load(g, 2 * s + p), g3 = load(g, 3 * s + p)
        let f0 = load(f, p), f1 = load(f, s + p), f2 = load(f, 2 * s + p), f3 = load(f, 3 * s + p)
        // The biases, plus the added term where there is one (loop-invariant: the compiler unswitches it).
        var (eg, ef, og, of) = (bg, bf, bg, bf)
        if let (ag, af) = added {
            let e = p / 4, o = pairs + e   // element offsets of the even and odd positions
            (eg, ef) = (A.load(ag, at: e) + bg, A.load(af, at: e) + bf)
            (og, of) = (A.load(ag, at: o) + bg, A.load(af, at: o) + bf)
        }
        out.put(S.self, gatedTanh(gate: g0 + g1 + g2 + eg, filter: f0 + f1 + f2 + ef, coarse: S.coarse), phase: 0, lane: p / 4)
        out.put(S.self, gatedTanh(gate: g1 - g2 - g3 + og, filter: f1 - f2 - f3 + of, coarse: S.coarse), phase: 1, lane: p / 4)
    }
}

/// F(4, 3), `out = Aᵀ m`: with `a = m1 + m2`, `b = m1 - m2`, `c = m3 + m4`, `e = m3 - m4`,
/// `out(t) = m0 + a + c`, `out(t + d) = b + 2e`, `out(t + 2d) = a + 4c`, `out(t + 3d) = b + 8e + m5`.
@inline(never)
func winogradF4GateRow<S: LaneStore, A: LaneLoad>(_: S.Type, _: A.Type, _ g: UnsafePointer<Float>, _ f: UnsafePointer<Float>, blocks: Int,
                                                  bias: (Float, Float), added: (UnsafeRawPointer, UnsafeRawPointer)?, into out: PhaseStore) {
    let bg = Lanes(repeating: bias.0), bf = Lanes(repeating: bias.1)
    let quads = out.phaseLength, s = 4 * blocks
    @inline(__always) func outputs(_ m: UnsafePointer<Float>, _ p: Int) -> (Lanes, Lanes, Lanes, Lanes) {
        let m0 = load(m, p), m1 = load(m, s + p), m2 = load(m, 2 * s + p)
        let m3 = load(m, 3 * s + p), m4 = load(m, 4 * s + p), m5 = load(m, 5 * s + p)
        let a = m1 + m2, b = m1 - m2, c = m3 + m4, e = m3 - m4
        return (m0 + a + c, fma(Lanes(repeating: 2), e, b), fma(Lanes(repeating: 4), c, a), fma(Lanes(repeating: 8), e, b) + m5)
    }
    for v in 0..<(quads / Lanes.scalarCount) {
        let p = 4 * Lanes.scalarCount * v   // byte offset
        var gate = outputs(g, p), filter = outputs(f, p)
        if let (ag, af) = added {
            let e = p / 4   // element offset in phase 0
            gate = (gate.0 + A.load(ag, at: e), gate.1 + A.load(ag, at: quads + e), gate.2 + A.load(ag, at: 2 * quads + e),
                    gate.3 + A.load(ag, at: 3 * quads + e))
            filter = (filter.0 + A.load(af, at: e), filter.1 + A.load(af, at: quads + e), filter.2 + A.load(af, at: 2 * quads + e),
                      filter.3 + A.load(af, at: 3 * quads + e))
        }
        let z = (gatedTanh(gate: gate.0 + bg, filter: filter.0 + bf, coarse: S.coarse),
                 gatedTanh(gate: gate.1 + bg, filter: filter.1 + bf, coarse: S.coarse),
                 gatedTanh(gate: gate.2 + bg, filter: filter.2 + bf, coarse: S.coarse),
                 gatedTanh(gate: gate.3 + bg, filter: filter.3 + bf, coarse: S.coarse))
        if out.d == 2 || out.d == 4 {
            S.storeFourPhases(z, into: out.row, at: out.column(phase: 0, lane: p / 4), runsOf: out.d)
        } else {
            out.put(S.self, z.0, phase: 0, lane: p / 4)
            out.put(S.self, z.1, phase: 1, lane: p / 4)
            out.put(S.self, z.2, phase: 2, lane: p / 4)
            out.put(S.self, z.3, phase: 3, lane: p / 4)
        }
    }
}

/// The residual and skip updates for a tile in phase order: `x' = (x + residual + b_r) / √2`
/// and `skip += s + b_s`, with `x`, `x'` and `skip` rows in column order (`ld` apart) and
/// `projected (2c, n)` = residual rows then skip rows, in phase order (in column order where
/// the gate wrote `z` so, `columnOrder`). Without `xNext`, the skip sum only (its residual rows
/// are not read).
@inline(__always)
func winogradResidualUpdate(
    _ w: Winograd, _ projected: UnsafePointer<Float>, bias: UnsafePointer<Float>, x: UnsafePointer<Float>,
    xNext: UnsafeMutablePointer<Float>?, skip: UnsafeMutablePointer<Float>, ld: Int,
    channels c: Int, columns n: Int, dilation d: Int, run r: Int, columnOrder: Bool
) {
    for ch in 0..<c {
        let residual = projected + ch * n, s = projected + (c + ch) * n, b = (bias[ch], bias[c + ch])
        let rows = (x + ch * ld, xNext.map { $0 + ch * ld }, skip + ch * ld)
        // Column order: one phase, one run of n columns.
        if columnOrder { winogradUpdateRow(Lanes.self, 1, residual, s, bias: b, rows, columns: n, dilation: n, run: n); continue }
        switch (w, d) {
        case (.f2, 1): winogradUpdateRowOfGroups(2, residual, s, bias: b, rows, columns: n)
        case (.f4, 1): winogradUpdateRowOfGroups(4, residual, s, bias: b, rows, columns: n)
        case (_, 2): winogradUpdateRow(SIMD2<Float>.self, w.phases, residual, s, bias: b, rows, columns: n, dilation: d, run: r)
        case (_, 4): winogradUpdateRow(SIMD4<Float>.self, w.phases, residual, s, bias: b, rows, columns: n, dilation: d, run: r)
        case (_, 8): winogradUpdateRow(SIMD8<Float>.self, w.phases, residual, s, bias: b, rows, columns: n, dilation: d, run: r)
        default: winogradUpdateRow(Lanes.self, w.phases, residual, s, bias: b, rows, columns: n, dilation: d, run: r)
        }
    }
}

typealias UpdateRows = (x: UnsafePointer<Float>, xNext: UnsafeMutablePointer<Float>?, skip: UnsafeMutablePointer<Float>)

@inline(never)
func winogradUpdateRow<V: SIMD>(
    _: V.Type, _ phases: Int, _ residual: UnsafePointer<Float>, _ s: UnsafePointer<Float>, bias: (Float, Float),
    _ rows: UpdateRows, columns n: Int, dilation d: Int, run r: Int
) where V.Scalar == Float {
    let br = V(repeating: bias.0), bs = V(repeating: bias.1), scale = V(repeating: 1 / Float(2).squareRoot())
    let x = UnsafeRawPointer(rows.x), next = UnsafeMutableRawPointer(rows.xNext), sum = UnsafeMutableRawPointer(rows.skip)
    let res = UnsafeRawPointer(residual), k = UnsafeRawPointer(s), phase = n / phases
    @inline(__always) func update(column t: Int, position q: Int) {
        if let next {
            let res = res.loadUnaligned(fromByteOffset: 4 * q, as: V.self)
            next.storeBytes(of: (x.loadUnaligned(fromByteOffset: 4 * t, as: V.self) + (res + br)) * scale, toByteOffset: 4 * t, as: V.self)
        }
        let sk = k.loadUnaligned(fromByteOffset: 4 * q, as: V.self)
        sum.storeBytes(of: sum.loadUnaligned(fromByteOffset: 4 * t, as: V.self) + (sk + bs), toByteOffset: 4 * t, as: V.self)
    }
    // Column t + jd of block b's runs is position jn/m + t - mdb + rb.
    for block in 0..<(n / (phases * r)) {
        for t in Swift.stride(from: phases * d * block, to: phases * d * block + r, by: V.scalarCount) {
            let q = t - phases * d * block + r * block
            for j in 0..<phases { update(column: t + j * d, position: j * phase + q) }
        }
    }
}

/// `winogradUpdateRow` at d = 1: group q is columns `phases q ...`. Inlined where `phases` is
/// a constant, so that the compiler vectorises the inner loop.
@inline(__always)
func winogradUpdateRowOfGroups(
    _ phases: Int, _ residual: UnsafePointer<Float>, _ s: UnsafePointer<Float>, bias: (Float, Float), _ rows: UpdateRows, columns n: Int
) {
    let scale = 1 / Float(2).squareRoot(), count = n / phases
    for q in 0..<count {
        for j in 0..<phases {
            let t = phases * q + j
            if let next = rows.xNext { next[t] = (rows.x[t] + (residual[j * count + q] + bias.0)) * scale }
            rows.skip[t] += s[j * count + q] + bias.1
        }
    }
}
