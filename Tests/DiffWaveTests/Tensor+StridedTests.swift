import Testing
@testable import DiffWave

struct TensorStridedTests {
    @Test func gatherTransposedView() {
        // A 2x3 row-major buffer seen as its 3x2 transpose.
        let source: [Float] = [1, 2, 3, 4, 5, 6]
        let t = source.withUnsafeBufferPointer { Tensor(gathering: $0, offset: 0, shape: [3, 2], strides: [1, 3]) }
        #expect(t == Tensor(shape: [3, 2], data: [1, 4, 2, 5, 3, 6]))
    }

    @Test func gatherWithOffsetAndSizeOneAxes() {
        let source: [Float] = Array(0..<10).map(Float.init)
        // Contiguous slice with a meaningless stride on a size-1 axis.
        let slice = source.withUnsafeBufferPointer { Tensor(gathering: $0, offset: 4, shape: [1, 3], strides: [99, 1]) }
        #expect(slice == Tensor(shape: [1, 3], data: [4, 5, 6]))
        // Every other element, and a broadcast (stride 0) axis.
        let stepped = source.withUnsafeBufferPointer { Tensor(gathering: $0, offset: 1, shape: [2, 3], strides: [0, 2]) }
        #expect(stepped == Tensor(shape: [2, 3], data: [1, 3, 5, 1, 3, 5]))
    }

    @Test func stridedExtent() {
        #expect(Tensor.stridedExtent(shape: [2, 3], strides: [3, 1], offset: 0) == 6)
        #expect(Tensor.stridedExtent(shape: [3, 2], strides: [1, 3], offset: 2) == 8)
        #expect(Tensor.stridedExtent(shape: [], strides: [], offset: 5) == 6)
        #expect(Tensor.stridedExtent(shape: [0, 4], strides: [4, 1], offset: 100) == 0)
        #expect(Tensor.stridedExtent(shape: [2], strides: [-1], offset: 0) == nil)
        #expect(Tensor.stridedExtent(shape: [2, 2], strides: [1], offset: 0) == nil)
        #expect(Tensor.stridedExtent(shape: [Int.max / 2, 4], strides: [4, 1], offset: 0) == nil)
    }
}
