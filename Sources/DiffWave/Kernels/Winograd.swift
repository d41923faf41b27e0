/// Winograd's minimal filtering F(2, 3) (Lavin & Gray, "Fast Algorithms for Convolutional
/// Neural Networks", 2016) for the kernel-size-3 dilated `Conv1d`: two outputs `t` and
/// `t + d` from four products instead of six.
///
/// With the taps `g0, g1, g2` and the inputs `d0..d3 = y(t - d), y(t), y(t + d), y(t + 2d)`:
///
///     m1 = g0 (d0 - d2)      m2 = (g0 + g1 + g2)/2 (d1 + d2)
///     m4 = g2 (d1 - d3)      m3 = (g0 - g1 + g2)/2 (d2 - d1)
///     out(t) = m1 + m2 + m3,   out(t + d) = m2 - m3 - m4
///
/// Each product is a GEMM over half the tile's columns. A tile's columns pair up in blocks of
/// `2d`: the first `d` columns of a block ("even") with the `d` after them ("odd"); pair `p`
/// of block `b` is column `2db + r` with `p = bd + r`. From the transformed inputs to the
/// residual update a tile stays in pair order, `[even columns | odd columns]` (the GEMMs do
/// not care about column order): the kernels move runs of `d` columns, vectors of `d` lanes
/// (2, 4, 8) or of whole `Lanes` (16 and up), and never shuffle lanes; at d = 1 they are
/// plain loops over interleaved columns, which the compiler vectorises.
enum Winograd {
    /// Whether the kernels handle dilation `d`: runs of whole vectors.
    static func supports(dilation d: Int) -> Bool {
        d >= Lanes.scalarCount ? d % Lanes.scalarCount == 0 : [1, 2, 4, 8].contains(d)
    }

    /// Whether they apply to a tile of `n` columns: whole blocks of pairs, whole vectors of pairs.
    static func applies(columns n: Int, dilation d: Int) -> Bool {
        supports(dilation: d) && n % (2 * d) == 0 && n % (2 * Lanes.scalarCount) == 0
    }

}

typealias FourRows = (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
typealias FourProducts = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)

/// The input transform, with the step bias added first as in `stackDilatedTaps`:
/// `x (c, N)` -> four `(c, n / 2)` blocks, rows `ld` apart:
/// `u1 = y0 - y2`, `u2 = y1 + y2`, `u3 = y2 - y1`, `u4 = y1 - y3`, with `y = x + bias`.
/// The tile must lie inside the signal with `d` columns to spare on each side (no padding).
@inline(__always)
func winogradInputTransform(
    _ x: UnsafePointer<Float>, channels c: Int, samples total: Int, bias: UnsafePointer<Float>,
    start t0: Int, columns n: Int, dilation d: Int, into u: FourRows, ld: Int
) {
    precondition(Winograd.applies(columns: n, dilation: d) && t0 >= d && t0 + n + d <= total)
    for ch in 0..<c {
        let row = x + ch * total + t0, out = (u.0 + ch * ld, u.1 + ch * ld, u.2 + ch * ld, u.3 + ch * ld)
        switch d {
        case 1: winogradInputRowOfPairs(row, bias: bias[ch], columns: n, into: out)
        case 2: winogradInputRow(SIMD2<Float>.self, row, bias: bias[ch], columns: n, dilation: d, into: out)
        case 4: winogradInputRow(SIMD4<Float>.self, row, bias: bias[ch], columns: n, dilation: d, into: out)
        case 8: winogradInputRow(SIMD8<Float>.self, row, bias: bias[ch], columns: n, dilation: d, into: out)
        default: winogradInputRow(Lanes.self, row, bias: bias[ch], columns: n, dilation: d, into: out)
        }
    }
}

/// One row of the input transform in vectors of `V`: `y(t - d)` is the odd run before,
/// `y(t + 2d)` the even run after.
@inline(never)
func winogradInputRow<V: SIMD>(_: V.Type, _ row: UnsafePointer<Float>, bias: Float, columns n: Int, dilation d: Int,
                               into u: FourRows) where V.Scalar == Float {
    let b = V(repeating: bias), x = UnsafeRawPointer(row)
    @inline(__always) func y(_ column: Int) -> V { x.loadUnaligned(fromByteOffset: 4 * column, as: V.self) + b }
    let out = (UnsafeMutableRawPointer(u.0), UnsafeMutableRawPointer(u.1), UnsafeMutableRawPointer(u.2), UnsafeMutableRawPointer(u.3))
    // Column t of block b's even run is pair p = t - bd.
    for block in 0..<(n / (2 * d)) {
        for t in Swift.stride(from: 2 * d * block, to: 2 * d * block + d, by: V.scalarCount) {
            let p = 4 * (t - d * block), y0 = y(t - d), y1 = y(t), y2 = y(t + d), y3 = y(t + 2 * d)
            out.0.storeBytes(of: y0 - y2, toByteOffset: p, as: V.self)
            out.1.storeBytes(of: y1 + y2, toByteOffset: p, as: V.self)
            out.2.storeBytes(of: y2 - y1, toByteOffset: p, as: V.self)
            out.3.storeBytes(of: y1 - y3, toByteOffset: p, as: V.self)
        }
    }
}

/// `winogradInputRow` at d = 1: pair p is columns 2p and 2p + 1.
@inline(never)
func winogradInputRowOfPairs(_ x: UnsafePointer<Float>, bias b: Float, columns n: Int, into u: FourRows) {
    for p in 0..<(n / 2) {
        let y0 = x[2 * p - 1] + b, y1 = x[2 * p] + b, y2 = x[2 * p + 1] + b, y3 = x[2 * p + 2] + b
        u.0[p] = y0 - y2
        u.1[p] = y1 + y2
        u.2[p] = y2 - y1
        u.3[p] = y1 - y3
    }
}

/// A tile's rows `src (rows, n)`, rows `ldSource` apart, in pair order: the even columns into
/// `even`, the odd ones into `odd`, `(rows, n / 2)` each, rows `ld` apart (the mel's rows of
/// `u1` and `u4`, the cached conditioner's tiles).
@inline(__always)
func winogradSplitColumns(_ src: UnsafePointer<Float>, ldSource: Int, rows: Int, columns n: Int, dilation d: Int,
                          even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>, ld: Int) {
    for row in 0..<rows {
        let from = src + row * ldSource, e = even + row * ld, o = odd + row * ld
        switch d {
        case 1: winogradSplitRowOfPairs(from, columns: n, even: e, odd: o)
        case 2: winogradSplitRow(SIMD2<Float>.self, from, columns: n, dilation: d, even: e, odd: o)
        case 4: winogradSplitRow(SIMD4<Float>.self, from, columns: n, dilation: d, even: e, odd: o)
        case 8: winogradSplitRow(SIMD8<Float>.self, from, columns: n, dilation: d, even: e, odd: o)
        default: winogradSplitRow(Lanes.self, from, columns: n, dilation: d, even: e, odd: o)
        }
    }
}

@inline(never)
func winogradSplitRow<V: SIMD>(_: V.Type, _ src: UnsafePointer<Float>, columns n: Int, dilation d: Int,
                               even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    let x = UnsafeRawPointer(src), e = UnsafeMutableRawPointer(even), o = UnsafeMutableRawPointer(odd)
    for block in 0..<(n / (2 * d)) {
        for t in Swift.stride(from: 2 * d * block, to: 2 * d * block + d, by: V.scalarCount) {
            let p = 4 * (t - d * block)
            e.storeBytes(of: x.loadUnaligned(fromByteOffset: 4 * t, as: V.self), toByteOffset: p, as: V.self)
            o.storeBytes(of: x.loadUnaligned(fromByteOffset: 4 * (t + d), as: V.self), toByteOffset: p, as: V.self)
        }
    }
}

/// `winogradSplitRow` at d = 1.
@inline(never)
func winogradSplitRowOfPairs(_ src: UnsafePointer<Float>, columns n: Int,
                             even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>) {
    for p in 0..<(n / 2) {
        even[p] = src[2 * p]
        odd[p] = src[2 * p + 1]
    }
}

/// The output transform fused with the gated activation unit, the conv's bias and, where
/// there is one, a precomputed term: four products `m1..m4 (2c, n / 2)`, rows `ldm` apart, gate
/// rows then filter rows, and `added (2c, n)` in pair order (rows `ldAdded` apart) ->
/// `z (c, n)` in pair order (`z[:, p]` from `m1 + m2 + m3`, `z[:, n/2 + p]` from
/// `m2 - m3 - m4`), `z = σ(gate + b_gate) ⊙ tanh(filter + b_filter)`.
@inline(__always)
func winogradGatedTanh(
    _ m: FourProducts, ldm: Int, bias: UnsafePointer<Float>, added: UnsafePointer<Float>?, ldAdded: Int,
    into z: UnsafeMutablePointer<Float>, ldz: Int, channels c: Int, columns n: Int
) {
    for i in 0..<c {
        let gate = (m.0 + i * ldm, m.1 + i * ldm, m.2 + i * ldm, m.3 + i * ldm)
        let filter = (m.0 + (c + i) * ldm, m.1 + (c + i) * ldm, m.2 + (c + i) * ldm, m.3 + (c + i) * ldm)
        winogradGateRow(gate, filter, bias: (bias[i], bias[c + i]), added: added.map { ($0 + i * ldAdded, $0 + (c + i) * ldAdded) },
                        into: z + i * ldz, pairs: n / 2)
    }
}

@inline(never)
func winogradGateRow(_ g: FourProducts, _ f: FourProducts, bias: (Float, Float),
                     added: (UnsafePointer<Float>, UnsafePointer<Float>)?, into z: UnsafeMutablePointer<Float>, pairs: Int) {
    let bg = Lanes(repeating: bias.0), bf = Lanes(repeating: bias.1), out = UnsafeMutableRawPointer(z)
    @inline(__always) func load(_ p: UnsafePointer<Float>, _ offset: Int) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(fromByteOffset: offset, as: Lanes.self)
    }
    let odd = 4 * pairs
    for v in 0..<(pairs / Lanes.scalarCount) {
        let p = 4 * Lanes.scalarCount * v   // byte offset
        let g0 = load(g.0, p), g1 = load(g.1, p), g2 = load(g.2, p), g3 = load(g.3, p)
        let f0 = load(f.0, p), f1 = load(f.1, p), f2 = load(f.2, p), f3 = load(f.3, p)
        // The biases, plus the added term where there is one (loop-invariant: the compiler unswitches it).
        var (eg, ef, og, of) = (bg, bf, bg, bf)
        if let (ag, af) = added {
            (eg, ef) = (load(ag, p) + bg, load(af, p) + bf)
            (og, of) = (load(ag, odd + p) + bg, load(af, odd + p) + bf)
        }
        out.storeBytes(of: gatedTanh(gate: g0 + g1 + g2 + eg, filter: f0 + f1 + f2 + ef), toByteOffset: p, as: Lanes.self)
        out.storeBytes(of: gatedTanh(gate: g1 - g2 - g3 + og, filter: f1 - f2 - f3 + of), toByteOffset: odd + p, as: Lanes.self)
    }
}

/// The residual and skip updates for a tile in pair order: `x' = (x + residual + b_r) / √2`
/// and `skip += s + b_s`, with `x`, `x'` and `skip` rows in column order (`ld` apart) and
/// `projected (2c, n)` = residual rows then skip rows, in pair order.
@inline(__always)
func winogradResidualUpdate(
    _ projected: UnsafePointer<Float>, bias: UnsafePointer<Float>, x: UnsafePointer<Float>,
    xNext: UnsafeMutablePointer<Float>, skip: UnsafeMutablePointer<Float>, ld: Int,
    channels c: Int, columns n: Int, dilation d: Int
) {
    for ch in 0..<c {
        let residual = projected + ch * n, s = projected + (c + ch) * n, b = (bias[ch], bias[c + ch])
        let rows = (x + ch * ld, xNext + ch * ld, skip + ch * ld)
        switch d {
        case 1: winogradUpdateRowOfPairs(residual, s, bias: b, rows, columns: n)
        case 2: winogradUpdateRow(SIMD2<Float>.self, residual, s, bias: b, rows, columns: n, dilation: d)
        case 4: winogradUpdateRow(SIMD4<Float>.self, residual, s, bias: b, rows, columns: n, dilation: d)
        case 8: winogradUpdateRow(SIMD8<Float>.self, residual, s, bias: b, rows, columns: n, dilation: d)
        default: winogradUpdateRow(Lanes.self, residual, s, bias: b, rows, columns: n, dilation: d)
        }
    }
}

@inline(never)
func winogradUpdateRow<V: SIMD>(
    _: V.Type, _ residual: UnsafePointer<Float>, _ s: UnsafePointer<Float>, bias: (Float, Float),
    _ rows: (x: UnsafePointer<Float>, xNext: UnsafeMutablePointer<Float>, skip: UnsafeMutablePointer<Float>),
    columns n: Int, dilation d: Int
) where V.Scalar == Float {
    let br = V(repeating: bias.0), bs = V(repeating: bias.1), scale = V(repeating: 1 / Float(2).squareRoot())
    let x = UnsafeRawPointer(rows.x), next = UnsafeMutableRawPointer(rows.xNext), sum = UnsafeMutableRawPointer(rows.skip)
    let r = UnsafeRawPointer(residual), k = UnsafeRawPointer(s)
    @inline(__always) func update(column t: Int, pair p: Int) {
        let res = r.loadUnaligned(fromByteOffset: 4 * p, as: V.self), sk = k.loadUnaligned(fromByteOffset: 4 * p, as: V.self)
        next.storeBytes(of: (x.loadUnaligned(fromByteOffset: 4 * t, as: V.self) + (res + br)) * scale, toByteOffset: 4 * t, as: V.self)
        sum.storeBytes(of: sum.loadUnaligned(fromByteOffset: 4 * t, as: V.self) + (sk + bs), toByteOffset: 4 * t, as: V.self)
    }
    // Column t of block b's even run is pair t - bd; its odd partner t + d is pair n/2 + t - bd.
    for block in 0..<(n / (2 * d)) {
        for t in Swift.stride(from: 2 * d * block, to: 2 * d * block + d, by: V.scalarCount) {
            update(column: t, pair: t - d * block)
            update(column: t + d, pair: n / 2 + t - d * block)
        }
    }
}

/// `winogradUpdateRow` at d = 1.
@inline(never)
func winogradUpdateRowOfPairs(
    _ residual: UnsafePointer<Float>, _ s: UnsafePointer<Float>, bias: (Float, Float),
    _ rows: (x: UnsafePointer<Float>, xNext: UnsafeMutablePointer<Float>, skip: UnsafeMutablePointer<Float>), columns n: Int
) {
    let scale = 1 / Float(2).squareRoot(), half = n / 2
    for p in 0..<half {
        rows.xNext[2 * p] = (rows.x[2 * p] + (residual[p] + bias.0)) * scale
        rows.xNext[2 * p + 1] = (rows.x[2 * p + 1] + (residual[half + p] + bias.0)) * scale
        rows.skip[2 * p] += s[p] + bias.1
        rows.skip[2 * p + 1] += s[half + p] + bias.1
    }
}
