/// A tile's block of its layer's projection cache (`Workspace.cachedConditioner`): stored
/// by the request's first step, which then reads it like the others (so that every step
/// adds the same values, rounded alike), and read by the rest.
struct ProjectionCache {
    let block: UnsafeMutableRawPointer
    let filled: Bool
    let precision: Precision
    let ld: Int

    /// Where a float32 projection GEMM writes: the block itself in float32, else nil (through `store`).
    var float32: UnsafeMutablePointer<Float>? { precision == .float32 ? block.assumingMemoryBound(to: Float.self) : nil }

    /// Stores the projection `(2C, ld)` computed into `projected` where it is not there already (bfloat16, rounded).
    func store(_ projected: UnsafePointer<Float>, channels c: Int) {
        if precision == .bfloat16 { convertToBFloat16(projected, count: 2 * c * ld, into: block.assumingMemoryBound(to: UInt16.self)) }
    }

    /// The gate's added term.
    var term: AddedTerm {
        precision == .bfloat16 ? .bfloat16(block.assumingMemoryBound(to: UInt16.self), ld: ld)
            : .float32(block.assumingMemoryBound(to: Float.self), ld: ld)
    }
}
