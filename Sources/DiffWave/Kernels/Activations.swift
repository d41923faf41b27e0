import Foundation

// Element-wise kernels over raw buffers. Each names its shape; the forward pass
// composes them over preallocated memory so the step loop never allocates.

/// `silu(x) = x * sigmoid(x)`, in place over `n` values.
@inline(__always)
func siluInPlace(_ x: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { x[i] = x[i] / (1 + expf(-x[i])) }
}

/// `leaky_relu(x, slope)`, in place over `n` values.
@inline(__always)
func leakyReLUInPlace(_ x: UnsafeMutablePointer<Float>, count n: Int, slope: Float) {
    for i in 0..<n where x[i] < 0 { x[i] *= slope }
}

/// `rows (r, n) += bias (r)` broadcast along each row of length `n` with stride `ld`.
@inline(__always)
func addRowBias(_ rows: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows r: Int, columns n: Int, ld: Int) {
    for i in 0..<r {
        let row = rows + i * ld, b = bias[i]
        for j in 0..<n { row[j] += b }
    }
}

/// The gated activation unit: `z (c, n) = sigmoid(gate (c, n)) * tanh(filter (c, n))`,
/// where `y (2c, n)` holds gate rows then filter rows (torch.chunk order).
@inline(__always)
func gatedTanh(_ y: UnsafePointer<Float>, ldy: Int, into z: UnsafeMutablePointer<Float>, ldz: Int, channels c: Int, columns n: Int) {
    for i in 0..<c {
        let gate = y + i * ldy, filter = y + (c + i) * ldy, out = z + i * ldz
        for j in 0..<n {
            out[j] = tanhf(filter[j]) / (1 + expf(-gate[j]))
        }
    }
}
