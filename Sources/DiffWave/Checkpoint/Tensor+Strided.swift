extension Tensor {
    /// One past the highest element index that the view `shape`/`strides` (in elements) at
    /// `offset` addresses, or nil when a size or stride is negative or the arithmetic
    /// overflows. An empty view addresses nothing and needs 0. Callers compare this with the
    /// source length before gathering, so hostile shapes fail before anything is allocated.
    static func stridedExtent(shape: [Int], strides: [Int], offset: Int) -> Int? {
        guard shape.count == strides.count, offset >= 0,
              shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else { return nil }
        if shape.contains(0) { return 0 }
        var last = offset
        for (size, stride) in zip(shape, strides) {
            let (step, o1) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, o2) = last.addingReportingOverflow(step)
            if o1 || o2 { return nil }
            last = sum
        }
        let (end, o3) = last.addingReportingOverflow(1)
        return o3 ? nil : end
    }

    /// The row-major strides of `shape`; a view with these strides is a plain slice.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step &*= shape[axis]
        }
        return strides
    }

    /// A row-major copy of the strided view `shape`/`strides` (in elements) starting at
    /// `offset` in `source`: how torch tensors (any stride) and Fortran-order `.npy` arrays
    /// (strides 1, d0, d0·d1, ...) become dense tensors. The caller has checked the view
    /// with `stridedExtent` against `source.count` and that the element count does not overflow.
    init(gathering source: UnsafeBufferPointer<Float>, offset: Int, shape: [Int], strides: [Int]) {
        let count = shape.reduce(1, *)
        if count == 0 {
            self.init(shape: shape, data: [])
            return
        }
        let dense = Self.contiguousStrides(shape)
        // Axes of size 1 never move, so their stride is irrelevant to contiguity.
        let isContiguous = shape.indices.allSatisfy { shape[$0] == 1 || strides[$0] == dense[$0] }
        if isContiguous {
            self.init(shape: shape, data: Array(source[offset..<(offset + count)]))
            return
        }
        let data = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            // Odometer over the destination in row-major order, last axis fastest,
            // carrying the source position along instead of recomputing it per element.
            let rank = shape.count
            var index = [Int](repeating: 0, count: rank)
            var position = offset
            for i in 0..<count {
                out[i] = source[position]
                var axis = rank - 1
                while axis >= 0 {
                    index[axis] += 1
                    position += strides[axis]
                    if index[axis] < shape[axis] { break }
                    position -= strides[axis] * shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
            initialized = count
        }
        self.init(shape: shape, data: data)
    }
}
