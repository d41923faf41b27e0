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
/// of block `b` is column `2db + r` with `p = bd + r`. The kernels here need `d` to be a whole
/// number of lanes, so every run of `d` columns is whole vectors.
enum Winograd {
    /// Whether the transforms apply to a tile of `n` columns at dilation `d`: whole blocks of
    /// pairs, runs of whole vectors.
    static func applies(columns n: Int, dilation d: Int) -> Bool {
        d % Lanes.scalarCount == 0 && n % (2 * d) == 0
    }
}

/// The input transform, with the step bias added first as in `stackDilatedTaps`:
/// `x (c, N)` -> four `(c, n / 2)` blocks, rows `ld` apart:
/// `u1 = y0 - y2`, `u2 = y1 + y2`, `u3 = y2 - y1`, `u4 = y1 - y3`, with `y = x + bias`.
/// The tile must lie inside the signal with `d` columns to spare on each side (no padding).
@inline(__always)
func winogradInputTransform(
    _ x: UnsafePointer<Float>, channels c: Int, samples total: Int, bias: UnsafePointer<Float>,
    start t0: Int, columns n: Int, dilation d: Int,
    into u: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
    ld: Int
) {
    precondition(Winograd.applies(columns: n, dilation: d) && t0 >= d && t0 + n + d <= total)
    let step = Lanes.scalarCount
    for ch in 0..<c {
        let row = UnsafeRawPointer(x + ch * total + t0), b = Lanes(repeating: bias[ch])
        let out = (UnsafeMutableRawPointer(u.0 + ch * ld), UnsafeMutableRawPointer(u.1 + ch * ld),
                   UnsafeMutableRawPointer(u.2 + ch * ld), UnsafeMutableRawPointer(u.3 + ch * ld))
        @inline(__always) func y(_ column: Int) -> Lanes { row.loadUnaligned(fromByteOffset: 4 * column, as: Lanes.self) + b }
        for block in 0..<(n / (2 * d)) {
            for r in Swift.stride(from: 0, to: d, by: step) {
                let t = 2 * d * block + r, p = 4 * (d * block + r)
                let y0 = y(t - d), y1 = y(t), y2 = y(t + d), y3 = y(t + 2 * d)
                out.0.storeBytes(of: y0 - y2, toByteOffset: p, as: Lanes.self)
                out.1.storeBytes(of: y1 + y2, toByteOffset: p, as: Lanes.self)
                out.2.storeBytes(of: y2 - y1, toByteOffset: p, as: Lanes.self)
                out.3.storeBytes(of: y1 - y3, toByteOffset: p, as: Lanes.self)
            }
        }
    }
}

/// Splits a tile's rows `src (rows, n)` into its even and odd columns, `even` and `odd`
/// `(rows, n / 2)`, rows `ld` apart (the conditioner's rows of `u1` and `u4`).
@inline(__always)
func winogradSplitColumns(_ src: UnsafePointer<Float>, rows: Int, columns n: Int, dilation d: Int,
                          even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>, ld: Int) {
    for row in 0..<rows {
        let from = src + row * n, e = even + row * ld, o = odd + row * ld
        for block in 0..<(n / (2 * d)) {
            (e + d * block).update(from: from + 2 * d * block, count: d)
            (o + d * block).update(from: from + 2 * d * block + d, count: d)
        }
    }
}

/// The output transform fused with the gated activation unit and the conv's bias:
/// four products `m1..m4 (2c, n / 2)`, rows `ldm` apart, gate rows then filter rows ->
/// `z (c, n)` in column order, `z = σ(gate + b_gate) ⊙ tanh(filter + b_filter)` with
/// `even = m1 + m2 + m3` and `odd = m2 - m3 - m4`.
@inline(__always)
func winogradGatedTanh(
    _ m: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>), ldm: Int,
    bias: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, ldz: Int,
    channels c: Int, columns n: Int, dilation d: Int
) {
    let step = Lanes.scalarCount
    for i in 0..<c {
        let bg = Lanes(repeating: bias[i]), bf = Lanes(repeating: bias[c + i])
        let out = UnsafeMutableRawPointer(z + i * ldz)
        @inline(__always) func load(_ p: UnsafePointer<Float>, _ row: Int, _ offset: Int) -> Lanes {
            UnsafeRawPointer(p + row * ldm).loadUnaligned(fromByteOffset: offset, as: Lanes.self)
        }
        for block in 0..<(n / (2 * d)) {
            for r in Swift.stride(from: 0, to: d, by: step) {
                let p = 4 * (d * block + r), t = 4 * (2 * d * block + r)
                let g = (load(m.0, i, p), load(m.1, i, p), load(m.2, i, p), load(m.3, i, p))
                let f = (load(m.0, c + i, p), load(m.1, c + i, p), load(m.2, c + i, p), load(m.3, c + i, p))
                let even = gatedTanh(gate: g.0 + g.1 + g.2 + bg, filter: f.0 + f.1 + f.2 + bf)
                let odd = gatedTanh(gate: g.1 - g.2 - g.3 + bg, filter: f.1 - f.2 - f.3 + bf)
                out.storeBytes(of: even, toByteOffset: t, as: Lanes.self)
                out.storeBytes(of: odd, toByteOffset: t + 4 * d, as: Lanes.self)
            }
        }
    }
}
