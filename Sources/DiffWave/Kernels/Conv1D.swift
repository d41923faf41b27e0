/// The kernel-size-3 dilated `Conv1d`'s im2col, with the step bias added on the way:
/// `stacked (3c, n)` row block `k` = `x (c, N)[:, t0 + j + (k - 1)·d] + bias (c)` for the
/// tile's columns `j` in 0..<n, and zero where that falls outside 0..<N (the conv's "same"
/// padding, applied after the bias as the reference does). The conv is then one GEMM with
/// the taps laid side by side: `W (cout, 3c) @ stacked (3c, n)`.
@inline(__always)
func stackDilatedTaps(
    _ x: UnsafePointer<Float>, channels c: Int, samples total: Int, bias: UnsafePointer<Float>,
    start t0: Int, columns n: Int, dilation d: Int,
    into stacked: UnsafeMutablePointer<Float>, ldStacked: Int
) {
    for k in 0..<3 {
        let shift = (k - 1) * d
        // Columns whose source t0 + j + shift lies inside the signal.
        let lo = min(max(0, -(t0 + shift)), n), hi = max(min(n, total - t0 - shift), lo)
        for ch in 0..<c {
            let dst = stacked + (k * c + ch) * ldStacked, src = x + ch * total + t0 + shift, b = bias[ch]
            if lo > 0 { dst.update(repeating: 0, count: lo) }
            for j in lo..<hi { dst[j] = src[j] + b }
            if hi < n { (dst + hi).update(repeating: 0, count: n - hi) }
        }
    }
}
