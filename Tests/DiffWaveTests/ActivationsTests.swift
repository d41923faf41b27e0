import Foundation
import Testing
@testable import DiffWave

/// The vectorised exp and gate against libm over the range the network produces and beyond.
@Suite struct ActivationsTests {
    @Test func vectorExpMatchesLibm() {
        var worst: Float = 0
        for i in 0..<20_000 {
            let x = -80 + Float(i) * 0.0084
            let lanes = exp(Lanes(repeating: x))
            worst = max(worst, abs(lanes[0] - expf(x)) / expf(x))
        }
        #expect(worst < 4e-7)
    }

    /// The gate with the conv's bias and an added `(2c, n)` term (a cached conditioner
    /// projection), or none.
    @Test(arguments: [false, true])
    func gatedTanhMatchesLibm(added: Bool) {
        let c = 3, n = 37
        var y = [Float](repeating: 0, count: 2 * c * n)
        for i in y.indices { y[i] = Float(i % 97) * 0.37 - 18 }
        let extra: [Float] = (0..<(2 * c * n)).map { Float($0 % 11) * 0.5 - 2.5 }
        let bias: [Float] = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6]
        var z = [Float](repeating: .nan, count: c * n), z16 = [UInt16](repeating: 0, count: c * n)
        extra.withUnsafeBufferPointer { e in z.withUnsafeMutableBufferPointer { zp in z16.withUnsafeMutableBufferPointer { hp in
            let e = added ? AddedTerm.float32(e.baseAddress!, ld: n) : nil
            gatedTanh(y, ldy: n, bias: bias, added: e, into: .float32(zp.baseAddress!, ld: n), channels: c, columns: n)
            gatedTanh(y, ldy: n, bias: bias, added: e, into: .bfloat16(hp.baseAddress!, ld: n), channels: c, columns: n)
        } } }
        // Written as bfloat16 (the tail too), the same values within what bfloat16 and the coarse exp lose.
        #expect(GateOutputTests.bfloat16Error(z16, z) <= 1)
        var worst: Float = 0
        for i in 0..<c {
            for j in 0..<n {
                let ag = added ? extra[i * n + j] : 0, af = added ? extra[(c + i) * n + j] : 0
                let g = y[i * n + j] + ag + bias[i], f = y[(c + i) * n + j] + af + bias[c + i]
                worst = max(worst, abs(z[i * n + j] - tanhf(f) / (1 + expf(-g))))
            }
        }
        #expect(worst < 2e-7)
    }

    /// A bfloat16 added term (the projection cache under bfloat16) reads as the floats it
    /// stands for: the same output, bit for bit, as those floats given as float32, tail lanes too.
    @Test func bfloat16AddedTermReadsAsItsFloats() {
        let c = 3, n = 37
        let y: [Float] = (0..<(2 * c * n)).map { Float($0 % 89) * 0.29 - 13 }
        let extra: [Float] = (0..<(2 * c * n)).map { Float($0 % 13) * 0.731 - 4.1 }
        var extra16 = [UInt16](repeating: 0, count: extra.count)
        convertToBFloat16(extra, count: extra.count, into: &extra16)
        let widened = extra16.map { Float(bitPattern: UInt32($0) << 16) }
        #expect(widened != extra)   // the rounding is real
        let bias: [Float] = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6]
        var fromFloats = [UInt16](repeating: 0, count: c * n), fromHalves = fromFloats
        widened.withUnsafeBufferPointer { w in extra16.withUnsafeBufferPointer { h in
            fromFloats.withUnsafeMutableBufferPointer { a in fromHalves.withUnsafeMutableBufferPointer { b in
                gatedTanh(y, ldy: n, bias: bias, added: .float32(w.baseAddress!, ld: n), into: .bfloat16(a.baseAddress!, ld: n), channels: c, columns: n)
                gatedTanh(y, ldy: n, bias: bias, added: .bfloat16(h.baseAddress!, ld: n), into: .bfloat16(b.baseAddress!, ld: n), channels: c, columns: n)
            } }
        } }
        #expect(fromHalves == fromFloats)
    }

    /// The coarse gate (bfloat16 outputs only) over the range the network produces and beyond.
    @Test func coarseGateStaysWithin4e5() {
        var worst: Float = 0
        for i in 0..<4_000 {
            let g = -40 + Float(i) * 0.02, f = 30 - Float(i) * 0.015
            let z = gatedTanh(gate: Lanes(repeating: g), filter: Lanes(repeating: f), coarse: true)
            worst = max(worst, abs(z[0] - tanhf(f) / (1 + expf(-g))))
        }
        #expect(worst < 4e-5)
    }
}
