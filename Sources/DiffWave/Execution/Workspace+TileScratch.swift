extension Workspace {
    /// One thread's tile scratch: the stacked GEMM input `[y(t - d); y(t); y(t + d); mel(t)]`
    /// (3C + M, tile) or Winograd's input blocks and the mel in phase order ((2C + M, tile) at
    /// most); the dilated conv output (2C, tile), or Winograd's products (4C, tile at most) and
    /// before them the mel in column order (M, tile); the gated activation (C, tile) and the
    /// output projection (2C, tile), which under Winograd first holds the conditioner's.
    final class TileScratch {
        let stacked: UnsafeMutablePointer<Float>
        let conv: UnsafeMutablePointer<Float>
        let gated: UnsafeMutablePointer<Float>
        let projected: UnsafeMutablePointer<Float>
        /// Under `.bfloat16`: the GEMMs' bfloat16 inputs (`stacked` converted, the gate's `z`
        /// written directly), and the matmuls for each tile width a thread meets (the full
        /// tile and each range's rest): the conv with and without the conditioner's rows (cached
        /// layers), the output projection, its skip rows alone (the last layer), and the
        /// conditioner's projection `(2C, M) @ (M, width)` alone (conditional models).
        let stacked16: UnsafeMutablePointer<UInt16>
        let gated16: UnsafeMutablePointer<UInt16>
        let matmuls: [Int: (conv: BF16Matmul, taps: BF16Matmul, output: BF16Matmul, skip: BF16Matmul, conditioner: BF16Matmul?)]
        /// Under `.bfloat16`: Winograd's `m + 2` products `(2C, C) @ (C, tile / m)` as one batched
        /// matmul for each transform that divides a full tile: one call instead of `m + 2` saves
        /// the per-call overhead, and the result is bit-identical.
        let winograd: [Winograd: BF16Matmul]

        /// - Throws: `DiffWaveError` when oneDNN cannot build a bfloat16 matmul here (a CPU
        ///   without bfloat16: callers check `Precision.isAvailable` first, to say so sooner).
        init(channels c: Int, depth: Int, tile: Int, widths: Set<Int>, precision: Precision,
             allocate: (Int) -> UnsafeMutablePointer<Float>) throws(DiffWaveError) {
            stacked = allocate(depth * tile)
            conv = allocate(max(4 * c, depth - 3 * c) * tile)
            gated = allocate(c * tile)
            projected = allocate(2 * c * tile)
            let half = precision == .bfloat16 ? 1 : 0   // two bfloat16 values per float
            stacked16 = UnsafeMutableRawPointer(allocate(half * (depth * tile + 1) / 2)).assumingMemoryBound(to: UInt16.self)
            gated16 = UnsafeMutableRawPointer(allocate(half * (c * tile + 1) / 2)).assumingMemoryBound(to: UInt16.self)
            var matmuls: [Int: (conv: BF16Matmul, taps: BF16Matmul, output: BF16Matmul, skip: BF16Matmul, conditioner: BF16Matmul?)] = [:]
            let m = depth - 3 * c
            if precision == .bfloat16 {
                for w in widths {
                    matmuls[w] = (try BF16Matmul(m: 2 * c, n: w, k: depth, lda: depth, ldb: w, ldc: w),
                                  try BF16Matmul(m: 2 * c, n: w, k: 3 * c, lda: depth, ldb: w, ldc: w),
                                  try BF16Matmul(m: 2 * c, n: w, k: c, lda: c, ldb: w, ldc: w),
                                  try BF16Matmul(m: c, n: w, k: c, lda: c, ldb: w, ldc: w),
                                  m > 0 ? try BF16Matmul(m: 2 * c, n: w, k: m, lda: m, ldb: w, ldc: w) : nil)
                }
            }
            self.matmuls = matmuls
            var winograd: [Winograd: BF16Matmul] = [:]
            if precision == .bfloat16 {
                for w in Winograd.allCases where tile % w.phases == 0 {
                    let q = tile / w.phases
                    winograd[w] = try BF16Matmul(m: 2 * c, n: q, k: c, lda: c, ldb: q, ldc: q, batch: w.products)
                }
            }
            self.winograd = winograd
        }

        static func floats(channels c: Int, depth: Int, tile: Int, precision: Precision) -> Int {
            (depth + max(4 * c, depth - 3 * c) + 3 * c) * tile + (precision == .bfloat16 ? (depth + c) * tile / 2 : 0)
        }
    }
}
