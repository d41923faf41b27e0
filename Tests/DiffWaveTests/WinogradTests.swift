import Foundation
import Testing
@testable import DiffWave

/// Winograd F(2, 3) against the dilated conv computed directly: the transforms, the products
/// and the fused output transform and gate, then whole models that take the Winograd path
/// for some layers and tiles and the direct one for others.
@Suite struct WinogradTests {
    static func random(_ n: Int, seed: UInt64) -> [Float] { WorkspaceTests.randomSignal(n, seed: seed) }

    @Test func appliesToWholeBlocksOfWholeVectors() {
        #expect(Winograd.applies(columns: 512, dilation: 16))
        #expect(Winograd.applies(columns: 512, dilation: 256))
        #expect(!Winograd.applies(columns: 512, dilation: 512))   // a block is 1024 columns
        #expect(Winograd.applies(columns: 512, dilation: 8))      // runs of one 8-lane vector
        #expect(Winograd.applies(columns: 64, dilation: 2))
        #expect(!Winograd.applies(columns: 48, dilation: 2))      // 24 pairs: not whole 16-lane vectors
        #expect(Winograd.applies(columns: 512, dilation: 1))
        #expect(!Winograd.applies(columns: 512, dilation: 3))
        #expect(!Winograd.applies(columns: 500, dilation: 16))
    }

    /// `z = σ(W_g ⋆ y + mel terms + b) ⊙ tanh(...)` for a `(c, n)` tile at dilation `d`, by the
    /// kernels, against the same sum written out tap by tap.
    @Test(arguments: [1, 2, 4, 8, 16, 32])
    func transformsProductsAndGateMatchTheDirectConv(dilation d: Int) {
        let c = 3, m = 2, n = max(4 * d, 64), total = n + 2 * d + 5, t0 = d + 3, pairs = n / 2
        let x = Self.random(c * total, seed: 1), mel = Self.random(m * n, seed: 2)
        let bias = Self.random(c, seed: 3), convBias = Self.random(2 * c, seed: 4)
        let g = (0..<3).map { Self.random(2 * c * c, seed: 10 + UInt64($0)) }, wm = Self.random(2 * c * m, seed: 20)

        // Direct: y(t) = x(t) + bias; conv(t) = Σ_k g_k y(t + (k - 1) d) + W_mel mel(t) + b.
        var expected = [Float](repeating: 0, count: c * n)
        for j in 0..<n {
            var conv = [Float](repeating: 0, count: 2 * c)
            for row in 0..<(2 * c) {
                var v = convBias[row]
                for k in 0..<3 {
                    for ch in 0..<c { v += g[k][row * c + ch] * (x[ch * total + t0 + j + (k - 1) * d] + bias[ch]) }
                }
                for r in 0..<m { v += wm[row * m + r] * mel[r * n + j] }
                conv[row] = v
            }
            for i in 0..<c { expected[i * n + j] = tanhf(conv[c + i]) / (1 + expf(-conv[i])) }
        }

        // Winograd: the four input blocks, the products by a plain triple loop, the gate.
        // u1 (c + m), u2 (c), u3 (c), u4 (c + m) rows of `pairs`, back to back.
        let offsets = [0, c + m, 2 * c + m, 3 * c + m].map { $0 * pairs }
        var u = [Float](repeating: .nan, count: (4 * c + 2 * m) * pairs)
        x.withUnsafeBufferPointer { xp in bias.withUnsafeBufferPointer { bp in mel.withUnsafeBufferPointer { mp in
            u.withUnsafeMutableBufferPointer { up in
                let blocks = offsets.map { up.baseAddress! + $0 }
                winogradInputTransform(xp.baseAddress!, channels: c, samples: total, bias: bp.baseAddress!, start: t0,
                                       columns: n, dilation: d, into: (blocks[0], blocks[1], blocks[2], blocks[3]), ld: pairs)
                winogradSplitColumns(mp.baseAddress!, ldSource: n, rows: m, columns: n, dilation: d, even: blocks[0] + c * pairs,
                                     odd: blocks[3] + c * pairs, ld: pairs)
            }
        } } }
        let weights: [[Float]] = (0..<4).map { b in
            let depth = b == 0 || b == 3 ? c + m : c
            return (0..<(2 * c * depth)).map { i in
                let row = i / depth, col = i % depth
                if col >= c { return (b == 0 ? 1 : -1) * wm[row * m + col - c] }
                let k = row * c + col
                switch b {
                case 0: return g[0][k]
                case 1: return (g[0][k] + g[1][k] + g[2][k]) / 2
                case 2: return (g[0][k] - g[1][k] + g[2][k]) / 2
                default: return g[2][k]
                }
            }
        }
        let products: [[Float]] = (0..<4).map { b in
            let depth = b == 0 || b == 3 ? c + m : c
            return (0..<(2 * c * pairs)).map { i in
                let row = i / pairs, p = i % pairs
                return (0..<depth).reduce(Float(0)) { $0 + weights[b][row * depth + $1] * u[offsets[b] + $1 * pairs + p] }
            }
        }
        var z = [Float](repeating: .nan, count: c * n)
        products[0].withUnsafeBufferPointer { a in products[1].withUnsafeBufferPointer { b in
            products[2].withUnsafeBufferPointer { p3 in products[3].withUnsafeBufferPointer { p4 in
                z.withUnsafeMutableBufferPointer { zp in
                    winogradGatedTanh((a.baseAddress!, b.baseAddress!, p3.baseAddress!, p4.baseAddress!), ldm: pairs,
                                      bias: convBias, added: nil, ldAdded: 0, into: zp.baseAddress!, ldz: n, channels: c, columns: n)
                }
            } }
        } }
        // z comes in pair order: the even columns 2db + r (pair p = db + r), then their odd partners.
        let order = (0..<pairs).map { p in 2 * d * (p / d) + p % d }
        let inPairOrder = (0..<c).flatMap { i in (order + order.map { $0 + d }).map { expected[i * n + $0] } }
        #expect(maxAbsDifference(z, inPairOrder) < 1e-5)
    }

    /// A model whose layers have dilations 1...32: tiles of 512 take the Winograd path away
    /// from the signal's ends, tiles of 37 never do; the residual and skip
    /// updates put the pair-ordered tiles back in column order.
    @Test(arguments: [false, true])
    func winogradTilesMatchDirectTiles(conditional: Bool) throws {
        var config = DiffWaveConfig.base
        (config.residualLayers, config.residualChannels, config.dilationCycleLength, config.unconditional) = (6, 8, 6, !conditional)
        let model = try DiffWave.untrained(config: config)
        #expect(model.packed.layers.allSatisfy { $0.winograd != nil })
        let n = 4 * 512 + 256
        let x = Self.random(n, seed: 7)
        let mel: [Float]? = conditional
            ? model.upsampleFirstLayer(mel: Tensor(shape: [config.nMels, n / 256], data: Self.random(config.nMels * n / 256, seed: 8)))
            : nil
        for threads in [1, 2] {
            let winograd = DiffWaveTests.evaluate(model, x, step: 3, conditioner: mel,
                                                  workspace: Workspace(model: model, samples: n, threads: threads, tile: 512))
            let direct = DiffWaveTests.evaluate(model, x, step: 3, conditioner: mel,
                                                workspace: Workspace(model: model, samples: n, threads: threads, tile: 37))
            #expect(maxAbsDifference(winograd, direct) < 1e-5)
        }
    }

    /// The bfloat16 matmuls over Winograd's blocks: within 40 dB of float32, as the direct path.
    @Test(.enabled(if: Precision.bfloat16.isAvailable, "needs a CPU where oneDNN runs bf16"))
    func bfloat16WinogradTilesStayCloseToFloat32() throws {
        var config = DiffWaveConfig.base
        (config.residualLayers, config.residualChannels, config.dilationCycleLength) = (6, 8, 6)
        let model = try DiffWave.untrained(config: config)
        let n = 4 * 512
        let x = Self.random(n, seed: 9)
        let mel = model.upsampleFirstLayer(mel: Tensor(shape: [config.nMels, n / 256], data: Self.random(config.nMels * n / 256, seed: 10)))
        let f32 = DiffWaveTests.evaluate(model, x, step: 3, conditioner: mel, workspace: Workspace(model: model, samples: n, tile: 37))
        let bf16 = DiffWaveTests.evaluate(model, x, step: 3, conditioner: mel,
                                          workspace: Workspace(model: model, samples: n, precision: .bfloat16, tile: 512))
        #expect(PrecisionTests.snr(bf16, reference: f32) > 40)
    }
}
