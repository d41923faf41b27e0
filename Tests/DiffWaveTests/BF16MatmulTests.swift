import Testing
@testable import DiffWave

@Suite(.enabled(if: BF16Matmul.isSupported, "needs a CPU where oneDNN runs bf16"))
struct BF16MatmulTests {
    /// Small integers are exact in bfloat16 and their products' sums exact in float32, so the
    /// matmul must match the naive product bit for bit.
    static func values(_ count: Int, seed: Int) -> [Float] { (0..<count).map { Float(($0 * 7 + seed) % 11 - 5) } }
    static func bits(_ v: [Float]) -> [UInt16] { v.map { UInt16(truncatingIfNeeded: $0.bitPattern >> 16) } }

    /// `c (batch, m, n) = a (batch, m, k) @ b (batch, k, n)`, the long way.
    static func naive(_ a: [Float], _ b: [Float], batch: Int, m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: batch * m * n)
        for p in 0..<batch { for i in 0..<m { for j in 0..<n { for l in 0..<k {
            c[(p * m + i) * n + j] += a[(p * m + i) * k + l] * b[(p * k + l) * n + j]
        } } } }
        return c
    }

    @Test(arguments: [1, 6])
    func matchesTheNaiveProduct(batch: Int) throws {
        let (m, n, k) = (32, 48, 16)
        let a = Self.values(batch * m * k, seed: 1), b = Self.values(batch * k * n, seed: 4)
        let matmul = try BF16Matmul(m: m, n: n, k: k, lda: k, ldb: n, ldc: n, batch: batch)
        var c = [Float](repeating: .nan, count: batch * m * n)
        Self.bits(a).withUnsafeBufferPointer { a in Self.bits(b).withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
            matmul.run(a.baseAddress!, b.baseAddress!, c.baseAddress!)
        } } }
        #expect(c == Self.naive(a, b, batch: batch, m: m, n: n, k: k))
    }

    @Test func leadingDimensionsSelectASubmatrix() throws {
        // A (4, 3) inside rows of 5, as the conv's weights hold the conditioner's columns.
        let a = Self.values(4 * 5, seed: 2), b = Self.values(3 * 8, seed: 3)
        let matmul = try BF16Matmul(m: 4, n: 8, k: 3, lda: 5, ldb: 8, ldc: 8)
        var c = [Float](repeating: .nan, count: 4 * 8)
        Self.bits(a).withUnsafeBufferPointer { a in Self.bits(b).withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
            matmul.run(a.baseAddress! + 2, b.baseAddress!, c.baseAddress!)
        } } }
        let sub = (0..<4).flatMap { i in (0..<3).map { a[i * 5 + 2 + $0] } }
        #expect(c == Self.naive(sub, b, batch: 1, m: 4, n: 8, k: 3))
    }
}
