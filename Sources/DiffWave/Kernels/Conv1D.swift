/// `out (cout, n) = bias (cout) + W (cout, cin) @ x (cin, n)`: a kernel-size-1 `Conv1d`
/// (and a `Linear` over channels) as one GEMM. `x` and `out` rows have strides `ldx`, `ldout`.
@inline(__always)
func pointwiseConv(
    _ w: UnsafePointer<Float>, bias: UnsafePointer<Float>, cout: Int, cin: Int,
    _ x: UnsafePointer<Float>, ldx: Int, columns n: Int,
    into out: UnsafeMutablePointer<Float>, ldout: Int, accumulate: Bool = false
) {
    if !accumulate {
        for i in 0..<cout { (out + i * ldout).update(repeating: bias[i], count: n) }
    } else {
        addRowBias(out, bias, rows: cout, columns: n, ld: ldout)
    }
    gemm(m: cout, n: n, k: cin, w, lda: cin, x, ldb: ldx, out, ldc: ldout, beta: 1)
}

/// A kernel-size-3 dilated `Conv1d` with "same" zero padding, as three GEMMs over shifted
/// windows of one padded buffer (no im2col copy):
/// `out (cout, n) = bias + Σ_k W_k (cout, cin) @ y (cin, t + (k - 1) * dilation)`.
/// `y` points at column 0 of a buffer whose rows (stride `ldy`) hold valid data, or zeros,
/// `dilation` columns to either side.
@inline(__always)
func dilatedConv3(
    taps: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
    bias: UnsafePointer<Float>, cout: Int, cin: Int, dilation d: Int,
    _ y: UnsafePointer<Float>, ldy: Int, columns n: Int,
    into out: UnsafeMutablePointer<Float>, ldout: Int
) {
    for i in 0..<cout { (out + i * ldout).update(repeating: bias[i], count: n) }
    gemm(m: cout, n: n, k: cin, taps.0, lda: cin, y - d, ldb: ldy, out, ldc: ldout, beta: 1)
    gemm(m: cout, n: n, k: cin, taps.1, lda: cin, y, ldb: ldy, out, ldc: ldout, beta: 1)
    gemm(m: cout, n: n, k: cin, taps.2, lda: cin, y + d, ldb: ldy, out, ldc: ldout, beta: 1)
}
