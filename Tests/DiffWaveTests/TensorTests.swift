import Testing
@testable import DiffWave

@Test func tensorDescribesItsShape() {
    let t = Tensor(zeros: [2, 3])
    #expect(t.count == 6)
    #expect(Tensor.describe(t.shape) == "[2, 3]")
}
