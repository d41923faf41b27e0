import Testing
@testable import DiffWave

@Suite struct AddedTermTests {
    /// Rows are `ld` values apart in either format: 4 bytes a value in float32, 2 in bfloat16.
    @Test func rowsAreLdValuesApart() {
        let floats = UnsafeMutablePointer<Float>.allocate(capacity: 64), halves = UnsafeMutablePointer<UInt16>.allocate(capacity: 64)
        defer { floats.deallocate(); halves.deallocate() }
        let f = AddedTerm.float32(floats, ld: 10), h = AddedTerm.bfloat16(halves, ld: 10)
        #expect(f.row(3) == UnsafeRawPointer(floats + 30) && !f.isBFloat16)
        #expect(h.row(3) == UnsafeRawPointer(halves + 30) && h.isBFloat16)
    }

    /// A bfloat16 value loads as the float32 whose high half it is, lanes and single elements
    /// alike, at any offset; float32 loads as itself.
    @Test func loadsWidenBFloat16Exactly() {
        let values: [Float] = (0..<40).map { Float($0) * -0.37 + 3.25 }
        var halves = [UInt16](repeating: 0, count: values.count)
        convertToBFloat16(values, count: values.count, into: &halves)
        let widened = halves.map { Float(bitPattern: UInt32($0) << 16) }
        halves.withUnsafeBytes { h in values.withUnsafeBytes { f in
            for j in [0, 3, 24] {
                let lanes = BFloat16Lanes.load(h.baseAddress!, at: j), plain = Float32Lanes.load(f.baseAddress!, at: j)
                #expect((0..<16).allSatisfy { lanes[$0] == widened[j + $0] && plain[$0] == values[j + $0] })
                #expect(BFloat16Lanes.element(h.baseAddress!, at: j + 1) == widened[j + 1])
                #expect(Float32Lanes.element(f.baseAddress!, at: j + 1) == values[j + 1])
            }
        } }
    }
}
