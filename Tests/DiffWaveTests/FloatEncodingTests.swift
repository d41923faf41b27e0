import Testing
@testable import DiffWave

struct FloatEncodingTests {
    @Test func halfFloatDecodingIsExactForSpecialValues() {
        #expect(FloatEncoding.halfToFloat(0x3C00) == 1)
        #expect(FloatEncoding.halfToFloat(0xC000) == -2)
        #expect(FloatEncoding.halfToFloat(0x7BFF) == 65504)
        #expect(FloatEncoding.halfToFloat(0x0001) == 0x1p-24)  // smallest subnormal
        #expect(FloatEncoding.halfToFloat(0x8000).sign == .minus)
        #expect(FloatEncoding.halfToFloat(0x7C00) == .infinity)
        #expect(FloatEncoding.halfToFloat(0x7E00).isNaN)
    }

    @Test func bfloat16AndBigEndianDecoding() {
        // 1.5 as bfloat16 (0x3FC0) big-endian, and -2.0 as big-endian float64.
        var out = [Float](repeating: 0, count: 1)
        let bf: [UInt8] = [0x3F, 0xC0]
        bf.withUnsafeBytes { FloatEncoding.bfloat16.decode($0.baseAddress!, count: 1, bigEndian: true, into: &out) }
        #expect(out == [1.5])
        let f8: [UInt8] = [0xC0, 0, 0, 0, 0, 0, 0, 0]
        f8.withUnsafeBytes { FloatEncoding.float64.decode($0.baseAddress!, count: 1, bigEndian: true, into: &out) }
        #expect(out == [-2])
    }
}
