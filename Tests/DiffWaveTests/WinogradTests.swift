import Foundation
import TestSupport
import Testing
@testable import DiffWave

/// Winograd F(2, 3) and F(4, 3) against the dilated conv computed directly: the transforms,
/// the products and the fused output transform and gate, then whole models that take the
/// Winograd paths for some layers and tiles and the direct one for others.
@Suite struct WinogradTests {
    static func random(_ n: Int, seed: UInt64) -> [Float] { TestModels.randomSignal(n, seed: seed) }

    @Test func appliesToWholeBlocksOfWholeVectors() {
        #expect(Winograd.f2.applies(columns: 512, dilation: 16))
        #expect(Winograd.f2.applies(columns: 512, dilation: 256))
        #expect(!Winograd.f2.applies(columns: 512, dilation: 512))   // a block is 1024 columns
        #expect(Winograd.f2.applies(columns: 512, dilation: 8))      // runs of one 8-lane vector
        #expect(Winograd.f2.applies(columns: 64, dilation: 2))
        #expect(!Winograd.f2.applies(columns: 48, dilation: 2))      // 24 pairs: not whole 16-lane vectors
        #expect(Winograd.f2.applies(columns: 512, dilation: 1))
        #expect(!Winograd.f2.applies(columns: 512, dilation: 3))
        #expect(!Winograd.f2.applies(columns: 500, dilation: 16))
        #expect(Winograd.f4.applies(columns: 512, dilation: 128))
        #expect(!Winograd.f4.applies(columns: 512, dilation: 256))   // a block is 1024 columns
        #expect(Winograd.f4.applies(columns: 64, dilation: 1))
        #expect(!Winograd.f4.applies(columns: 96, dilation: 2))      // 24 quads: not whole 16-lane vectors
        // Strided: runs shorter than d, of whole vectors, that divide d.
        #expect(Winograd.f4.applies(columns: 512, dilation: 256, run: 128))
        #expect(Winograd.f4.applies(columns: 512, dilation: 512, run: 128))
        #expect(!Winograd.f4.applies(columns: 512, dilation: 192, run: 128))
        #expect(!Winograd.f4.applies(columns: 512, dilation: 8, run: 4))
        #expect(!Winograd.f4.applies(columns: 500, dilation: 500, run: 125))
        #expect(Winograd.f4.span(columns: 512, dilation: 512, run: 128) == 3 * 512 + 128)
        #expect(Winograd.f4.span(columns: 512, dilation: 16, run: 16) == 512)
    }

    /// Both transforms at every kind of run: interleaved (1), short vectors (2, 4, 8), whole
    /// ones; and runs shorter than d (strided tiles), one block and two.
    static let cases: [(Winograd, Int, Int)] = Winograd.allCases.flatMap { w in [1, 2, 4, 8, 16, 32].map { (w, $0, $0) } }
        + [(.f4, 32, 16), (.f4, 64, 16), (.f2, 64, 32)]

    /// A `(c, n)` tile at dilation `d` with runs of `r`: the gate's output written out tap by tap
    /// over the span (`expected`), and what the kernels feed the gate: the Winograd products and
    /// the mel's projection in phase order (`added`).
    struct GateCase {
        let w: Winograd, c = 3, n: Int, q: Int, d: Int, span: Int
        let convBias: [Float], expected: [Float], added: [Float], products: [Float]

        init(_ w: Winograd, dilation d: Int, run r: Int) {
            let c = 3, m = 2, n = max(w.phases * r, 64), q = n / w.phases
            let span = w.span(columns: n, dilation: d, run: r), total = span + 2 * d + 5, t0 = d + 3
            let x = WinogradTests.random(c * total, seed: 1), mel = WinogradTests.random(m * span, seed: 2)
            let bias = WinogradTests.random(c, seed: 3), convBias = WinogradTests.random(2 * c, seed: 4)
            let g = (0..<3).map { WinogradTests.random(2 * c * c, seed: 10 + UInt64($0)) }, wm = WinogradTests.random(2 * c * m, seed: 20)
            (self.w, self.n, self.q, self.d, self.span, self.convBias) = (w, n, q, d, span, convBias)

            // Direct over the span: y(t) = x(t) + bias; conv(t) = Σ_k g_k y(t + (k - 1) d) + W_mel mel(t) + b.
            var expected = [Float](repeating: 0, count: c * span)
            for j in 0..<span {
                var conv = [Float](repeating: 0, count: 2 * c)
                for row in 0..<(2 * c) {
                    var v = convBias[row]
                    for k in 0..<3 {
                        for ch in 0..<c { v += g[k][row * c + ch] * (x[ch * total + t0 + j + (k - 1) * d] + bias[ch]) }
                    }
                    for k in 0..<m { v += wm[row * m + k] * mel[k * span + j] }
                    conv[row] = v
                }
                for i in 0..<c { expected[i * span + j] = tanhf(conv[c + i]) / (1 + expf(-conv[i])) }
            }
            self.expected = expected

            // Winograd: the input blocks (c, q) back to back, the mel in phase order and its
            // projection, the products by a plain triple loop.
            var u = [Float](repeating: .nan, count: w.products * c * q), melPhases = [Float](repeating: .nan, count: m * n)
            x.withUnsafeBufferPointer { xp in bias.withUnsafeBufferPointer { bp in mel.withUnsafeBufferPointer { mp in
                u.withUnsafeMutableBufferPointer { up in melPhases.withUnsafeMutableBufferPointer { sp in
                    winogradInputTransform(w, xp.baseAddress!, channels: c, samples: total, bias: bp.baseAddress!, start: t0,
                                           columns: n, dilation: d, run: r, into: up.baseAddress!, ld: q)
                    winogradSplitColumns(w, mp.baseAddress!, ldSource: span, rows: m, columns: n, dilation: d, run: r,
                                         into: sp.baseAddress!, ld: n)
                } }
            } } }
            added = (0..<(2 * c * n)).map { i in
                (0..<m).reduce(Float(0)) { $0 + wm[i / n * m + $1] * melPhases[$1 * n + i % n] }
            }
            products = w.weightTransform.enumerated().flatMap { j, gj in
                (0..<(2 * c * q)).map { i in
                    let row = i / q, p = i % q
                    return (0..<c).reduce(Float(0)) { sum, ch in
                        let k = row * c + ch
                        let weight = Float(gj.0 * Double(g[0][k]) + gj.1 * Double(g[1][k]) + gj.2 * Double(g[2][k]))
                        return sum + weight * u[(j * c + ch) * q + p]
                    }
                }
            }
        }

        /// z comes in phase order: phase k's position p is column m d (p / r) + k d + p % r.
        func phaseOrder(run r: Int) -> [Int] {
            (0..<w.phases).flatMap { k in (0..<q).map { p in w.phases * d * (p / r) + k * d + p % r } }
        }

        /// The gate over the products in phase order, into float32 and into bfloat16.
        func gate(columnOrder: Int? = nil) -> (z: [Float], z16: [UInt16]) {
            var z = [Float](repeating: .nan, count: c * n), z16 = [UInt16](repeating: 0, count: c * n)
            products.withUnsafeBufferPointer { pp in added.withUnsafeBufferPointer { ap in
                z.withUnsafeMutableBufferPointer { zp in z16.withUnsafeMutableBufferPointer { hp in
                    for var out in [GateOutput.float32(zp.baseAddress!, ld: n), .bfloat16(hp.baseAddress!, ld: n)] {
                        if let columnOrder { out.columnOrder = columnOrder }
                        winogradGatedTanh(w, pp.baseAddress!, ldm: q, bias: convBias, added: .float32(ap.baseAddress!, ld: n),
                                          into: out, channels: c, columns: n)
                    }
                } }
            } }
            return (z, z16)
        }
    }

    /// `z = σ(W_g ⋆ y + W_mel mel + b) ⊙ tanh(...)` for a `(c, n)` tile at dilation `d`, by the
    /// kernels, against the same sum written out tap by tap.
    @Test(arguments: cases)
    func transformsProductsAndGateMatchTheDirectConv(transform w: Winograd, dilation d: Int, run r: Int) {
        let t = GateCase(w, dilation: d, run: r), c = t.c, n = t.n
        let (z, z16) = t.gate()
        #expect(GateOutputTests.bfloat16Error(z16, z) <= 1)

        // The added term as bfloat16 (the projection cache under bfloat16) reads as the floats it stands for.
        var added16 = [UInt16](repeating: 0, count: t.added.count)
        convertToBFloat16(t.added, count: t.added.count, into: &added16)
        let widened = added16.map { Float(bitPattern: UInt32($0) << 16) }
        var fromFloats = [UInt16](repeating: 0, count: c * n), fromHalves = fromFloats
        t.products.withUnsafeBufferPointer { pp in widened.withUnsafeBufferPointer { wp in added16.withUnsafeBufferPointer { hp in
            fromFloats.withUnsafeMutableBufferPointer { a in fromHalves.withUnsafeMutableBufferPointer { b in
                winogradGatedTanh(w, pp.baseAddress!, ldm: t.q, bias: t.convBias, added: .float32(wp.baseAddress!, ld: n),
                                  into: .bfloat16(a.baseAddress!, ld: n), channels: c, columns: n)
                winogradGatedTanh(w, pp.baseAddress!, ldm: t.q, bias: t.convBias, added: .bfloat16(hp.baseAddress!, ld: n),
                                  into: .bfloat16(b.baseAddress!, ld: n), channels: c, columns: n)
            } }
        } } }
        #expect(fromHalves == fromFloats)
        let order = t.phaseOrder(run: r)
        let inPhaseOrder = (0..<c).flatMap { i in order.map { t.expected[i * t.span + $0] } }
        #expect(maxAbsDifference(z, inPhaseOrder) < 1e-5)
    }

    /// The contiguous tiles from d = 2 up, where the gate can put z back in column order.
    static let contiguousCases = cases.filter { _, d, r in r == d && d >= 2 }

    @Test func bothTransformsHaveContiguousCases() {
        #expect(Self.contiguousCases.count == 2 * 5)   // both transforms, d = 2, 4, 8, 16, 32
    }

    /// On a contiguous tile from d = 2 the gate can put z back in column order
    /// (`GateOutput.columnOrder`): the same values, each at its own column.
    @Test(arguments: contiguousCases)
    func gatePutsZBackInColumnOrderOnContiguousTiles(transform w: Winograd, dilation d: Int, run r: Int) {
        let t = GateCase(w, dilation: d, run: r), c = t.c, n = t.n
        let z16 = t.gate().z16, order = t.phaseOrder(run: r)
        let (zc, zc16) = t.gate(columnOrder: d)
        #expect(t.span == n, "a contiguous tile spans its own columns")
        #expect(maxAbsDifference(zc, Array(t.expected.prefix(c * t.span))) < 1e-5)
        #expect(zc16 == (0..<c).flatMap { i in order.indices.map { k in z16[i * n + order.firstIndex(of: k)!] } })
    }

    /// The mel's columns into phase order (`winogradSplitColumns`) for both transforms and every
    /// kind of run, in float32 and in bfloat16 (16-bit runs of 2 and 4 go through a transpose):
    /// phase k's position q is column m d (q / d) + k d + q % d.
    @Test(arguments: Winograd.allCases, [1, 2, 4, 8, 16])
    func splitsColumnsIntoPhaseOrder(transform w: Winograd, dilation d: Int) {
        let rows = 3, n = 256, ld = n + 8, q = n / w.phases
        let f32 = Self.random(rows * ld, seed: 30), b16 = f32.map { UInt16(truncatingIfNeeded: $0.bitPattern >> 16) }
        var outF32 = [Float](repeating: .nan, count: rows * n), outB16 = [UInt16](repeating: 0, count: rows * n)
        winogradSplitColumns(w, f32, ldSource: ld, rows: rows, columns: n, dilation: d, run: d, into: &outF32, ld: n)
        winogradSplitColumns(w, b16, ldSource: ld, rows: rows, columns: n, dilation: d, run: d, into: &outB16, ld: n)
        let column = (0..<w.phases).flatMap { k in (0..<q).map { p in w.phases * d * (p / d) + k * d + p % d } }
        for row in 0..<rows {
            #expect(Array(outF32[(row * n)..<(row * n + n)]) == column.map { f32[row * ld + $0] })
            #expect(Array(outB16[(row * n)..<(row * n + n)]) == column.map { b16[row * ld + $0] })
        }
    }

    /// A model whose layers have dilations 1...32: tiles of 512 take F(4, 3) away from the
    /// signal's ends, tiles of 96 take F(2, 3) up to d = 16 (24 quads are not whole vectors) and
    /// the direct path at 32, tiles of 64 F(4, 3) up to d = 16 and strided F(4, 3) tiles (runs of
    /// 16) at 32, tiles of 37 never take Winograd; the gate (contiguous tiles from d = 2) or the
    /// residual and skip updates (d = 1, strided tiles) put the phase-ordered tiles back in column order.
    @Test(arguments: [false, true])
    func winogradTilesMatchDirectTiles(conditional: Bool) throws {
        let model = try TestModels.sixLayerModel(conditional ? .mel : .none)
        #expect(model.packed.layers.allSatisfy { $0.winograd.map(\.transform) == [.f4, .f2] })
        let n = 4 * 512 + 256
        let x = Self.random(n, seed: 7)
        let mel = conditional ? TestModels.randomConditioner(model, samples: n, seed: 8) : nil
        for threads in [1, 2, 3] {
            let direct = DiffWaveTests.evaluate(model, x, step: 3, conditioner: mel,
                                                workspace: try Workspace(model: model, samples: n, threads: threads, tile: 37))
            for tile in [512, 96, 64] {
                let winograd = DiffWaveTests.evaluate(model, x, step: 3, conditioner: mel,
                                                      workspace: try Workspace(model: model, samples: n, threads: threads, tile: tile))
                #expect(maxAbsDifference(winograd, direct) < 1e-5)
            }
        }
    }

    /// The bfloat16 matmuls over Winograd's blocks: within 40 dB of float32, as the direct path.
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"))
    func bfloat16WinogradTilesStayCloseToFloat32() throws {
        let model = try TestModels.sixLayerModel()
        let n = 4 * 512
        let x = Self.random(n, seed: 9), mel = TestModels.randomConditioner(model, samples: n, seed: 10)
        let f32 = DiffWaveTests.evaluate(model, x, step: 3, conditioner: mel, workspace: try Workspace(model: model, samples: n, tile: 37))
        for tile in [512, 96, 64] {   // F(4, 3); F(2, 3) with the direct path; F(4, 3) with strided tiles
            // The mel upsampled per tile, and cached in bfloat16.
            for budget in [0, 64 << 20] {
                let workspace = try Workspace(model: model, samples: n, threads: 2, precision: .bfloat16, tile: tile, memoryBudgetBytes: budget)
                if budget > 0 { workspace.cacheConditioner(mel, model: model) }
                #expect(workspace.cachesMel == (budget > 0))
                let bf16 = DiffWaveTests.evaluate(model, x, step: 3, conditioner: mel, workspace: workspace)
                #expect(PrecisionTests.snr(bf16, reference: f32) > 40, "tile \(tile), budget \(budget)")
            }
        }
    }
}
