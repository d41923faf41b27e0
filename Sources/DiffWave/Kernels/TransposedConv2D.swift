/// One of the mel upsampler's layers: a single-channel `ConvTranspose2d` with kernel
/// `(3, 2 * stride)`, stride `(1, stride)` and padding `(1, stride / 2)`, then leaky ReLU,
/// computed for the output columns `columns` only.
///
/// `input (h, w)` -> `output (h, columns.count)`, rows `ld` apart. In scatter form every input
/// pixel adds `input[i, j] * kernel[kh, kw]` to `output[i - 1 + kh, j * stride - stride/2 + kw]`;
/// gathered, output column x sees two input columns, `j = (x + stride/2) / stride` through
/// kernel column `r = (x + stride/2) mod stride` and `j - 1` through `r + stride`. The
/// `stride` outputs that share j are one short loop over r, so a window costs what it covers:
/// the engine computes the second layer tile by tile instead of keeping its (M, N) output.
func transposedConv2DLeakyReLU(
    _ input: UnsafePointer<Float>, height h: Int, width w: Int,
    kernel: UnsafePointer<Float>, bias: Float, stride s: Int, slope: Float,
    columns: Range<Int>, into output: UnsafeMutablePointer<Float>, ld: Int
) {
    let kw = 2 * s, pad = s / 2
    // Where a stride is one vector, a whole group of s outputs is six vector multiply-adds.
    let vectorised = s == Lanes.scalarCount
    @inline(__always) func lanes(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
    let (lo0, hi0) = vectorised ? (lanes(kernel), lanes(kernel + s)) : (.zero, .zero)
    let (lo1, hi1) = vectorised ? (lanes(kernel + kw), lanes(kernel + kw + s)) : (.zero, .zero)
    let (lo2, hi2) = vectorised ? (lanes(kernel + 2 * kw), lanes(kernel + 2 * kw + s)) : (.zero, .zero)
    for row in 0..<h {
        let out = output + row * ld - columns.lowerBound
        // Input rows row + 1 - kh for kh = 0, 1, 2; nil outside the image.
        let rows = (row + 1 < h ? input + (row + 1) * w : nil, input + row * w, row >= 1 ? input + (row - 1) * w : nil)
        var x = columns.lowerBound
        while x < columns.upperBound {
            let j = (x + pad) / s, r0 = (x + pad) % s, count = min(s - r0, columns.upperBound - x)
            if vectorised && r0 == 0 && j >= 1, let above = rows.0, let below = rows.2 {
                // Whole groups with both input columns and all three input rows: no bounds, no division.
                let groups = min(w - j, (columns.upperBound - x) / s)
                // Column jj's inputs are the next group's jj - 1: each is loaded once.
                var previous = (Lanes(repeating: above[j - 1]), Lanes(repeating: rows.1[j - 1]), Lanes(repeating: below[j - 1]))
                for g in 0..<groups {
                    let jj = j + g
                    let current = (Lanes(repeating: above[jj]), Lanes(repeating: rows.1[jj]), Lanes(repeating: below[jj]))
                    var v = fma(current.0, lo0, fma(previous.0, hi0, Lanes(repeating: bias)))
                    v = fma(current.1, lo1, fma(previous.1, hi1, v))
                    v = fma(current.2, lo2, fma(previous.2, hi2, v))
                    v.replace(with: v * slope, where: v .< 0)
                    UnsafeMutableRawPointer(out + x + g * s).storeBytes(of: v, as: Lanes.self)
                    previous = current
                }
                x += groups * s
                if groups > 0 { continue }
            }
            // The two input columns of each row: j (zero past the width) and j - 1 (zero before 0).
            @inline(__always) func taps(_ p: UnsafePointer<Float>?) -> (Float, Float) {
                guard let p else { return (0, 0) }
                return (j < w ? p[j] : 0, j >= 1 ? p[j - 1] : 0)
            }
            let (a0, b0) = taps(rows.0), (a1, b1) = taps(rows.1), (a2, b2) = taps(rows.2)
            if vectorised && count == s {
                var v = Lanes(repeating: bias)
                if rows.0 != nil { v += Lanes(repeating: a0) * lo0 + Lanes(repeating: b0) * hi0 }
                v += Lanes(repeating: a1) * lo1 + Lanes(repeating: b1) * hi1
                if rows.2 != nil { v += Lanes(repeating: a2) * lo2 + Lanes(repeating: b2) * hi2 }
                v.replace(with: v * slope, where: v .< 0)
                UnsafeMutableRawPointer(out + x).storeBytes(of: v, as: Lanes.self)
            } else {
                for q in 0..<count {
                    let r = r0 + q
                    var v = bias
                    if rows.0 != nil { v += a0 * kernel[r] + b0 * kernel[r + s] }
                    v += a1 * kernel[kw + r] + b1 * kernel[kw + r + s]
                    if rows.2 != nil { v += a2 * kernel[2 * kw + r] + b2 * kernel[2 * kw + r + s] }
                    out[x + q] = v < 0 ? v * slope : v
                }
            }
            x += count
        }
    }
}
