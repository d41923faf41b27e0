import TestSupport
import Testing
@testable import DiffWave

/// The upsampler layer against the textbook scatter form of ConvTranspose2d, whole and in
/// windows: the engine computes the second layer one time tile at a time.
@Suite struct TransposedConv2DTests {
    /// Scatter form: every input pixel adds `input[i, j] * kernel[kh, kw]` at
    /// `(i - 1 + kh, j * s - s/2 + kw)` (padding (1, s/2) crops), then bias and leaky ReLU.
    static func scatter(_ input: [Float], h: Int, w: Int, kernel: [Float], bias: Float, stride s: Int, slope: Float) -> [Float] {
        let outW = w * s
        var out = [Float](repeating: 0, count: h * outW)
        for i in 0..<h {
            for j in 0..<w {
                for kh in 0..<3 {
                    for kw in 0..<(2 * s) {
                        let y = i - 1 + kh, x = j * s - s / 2 + kw
                        if y >= 0 && y < h && x >= 0 && x < outW { out[y * outW + x] += input[i * w + j] * kernel[kh * 2 * s + kw] }
                    }
                }
            }
        }
        return out.map { v in let b = v + bias; return b < 0 ? b * slope : b }
    }

    static func run(_ input: [Float], h: Int, w: Int, kernel: [Float], bias: Float, stride s: Int, columns: Range<Int>) -> [Float] {
        var out = [Float](repeating: .nan, count: h * columns.count)
        input.withUnsafeBufferPointer { i in kernel.withUnsafeBufferPointer { k in out.withUnsafeMutableBufferPointer { o in
            transposedConv2DLeakyReLU(i.baseAddress!, height: h, width: w, kernel: k.baseAddress!, bias: bias, stride: s,
                                      slope: 0.4, columns: columns, into: o.baseAddress!, ld: columns.count)
        } } }
        return out
    }

    static func data(_ n: Int, seed: UInt64) -> [Float] {
        var noise = GaussianNoise(seed: seed)
        var x = [Float](repeating: 0, count: n)
        noise.fill(&x)
        return x
    }

    /// Stride 16 takes the vector path for whole groups; 6 the scalar one throughout.
    @Test(arguments: [16, 6])
    func matchesTheScatterFormWholeAndInWindows(_ s: Int) {
        let h = 5, w = 7
        let input = Self.data(h * w, seed: 1), kernel = Self.data(3 * 2 * s, seed: 2)
        let expected = Self.scatter(input, h: h, w: w, kernel: kernel, bias: -0.1, stride: s, slope: 0.4)
        let outW = w * s
        let whole = Self.run(input, h: h, w: w, kernel: kernel, bias: -0.1, stride: s, columns: 0..<outW)
        #expect(maxAbsDifference(whole, expected) < 1e-5)
        // Windows starting and ending inside groups, at the edges, and one column wide.
        for window in [3..<(outW - 5), 0..<1, (outW - 1)..<outW, (s / 2)..<(s / 2 + 2 * s), 1..<(outW - 1)] {
            let part = Self.run(input, h: h, w: w, kernel: kernel, bias: -0.1, stride: s, columns: window)
            for row in 0..<h {
                let got = Array(part[(row * window.count)..<((row + 1) * window.count)])
                #expect(got == Array(whole[(row * outW + window.lowerBound)..<(row * outW + window.upperBound)]), "\(window) row \(row)")
            }
        }
    }
}
