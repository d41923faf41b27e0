/// One of the mel upsampler's layers: a single-channel `ConvTranspose2d` with kernel
/// `(3, 2 * stride)`, stride `(1, stride)` and padding `(1, stride / 2)`, then leaky ReLU.
///
/// `input (h, w)` -> `output (h, w * stride)`. In scatter form every input pixel adds
/// `input[i, j] * kernel[kh, kw]` to `output[i - 1 + kh, j * stride - stride/2 + kw]`;
/// gathered per output pixel, each column sees exactly two kernel columns
/// (`kw = (x + stride/2) mod stride` and `kw + stride`) from two input columns.
func transposedConv2DLeakyReLU(
    _ input: UnsafePointer<Float>, height h: Int, width w: Int,
    kernel: UnsafePointer<Float>, bias: Float, stride s: Int, slope: Float,
    into output: UnsafeMutablePointer<Float>
) {
    let kw = 2 * s, pad = s / 2, outW = w * s
    for row in 0..<h {
        let out = output + row * outW
        for x in 0..<outW { out[x] = bias }
        for kh in 0..<3 {
            let src = row + 1 - kh
            guard src >= 0 && src < h else { continue }
            let inRow = input + src * w, k = kernel + kh * kw
            for x in 0..<outW {
                let r = (x + pad) % s, j = (x + pad) / s
                var acc: Float = 0
                if j < w { acc += inRow[j] * k[r] }
                if j >= 1 { acc += inRow[j - 1] * k[r + s] }
                out[x] += acc
            }
        }
        leakyReLUInPlace(out, count: outW, slope: slope)
    }
}
