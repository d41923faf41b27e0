import Testing
@testable import DiffWave

/// The gate's two ways of storing lanes: float32 as is, bfloat16 rounded to nearest even.
@Suite struct GateOutputTests {
    /// The largest error of bfloat16 gate outputs `z16` against the float32 gate's `z`, in
    /// units of what they may lose: half a bfloat16 ulp of rounding plus the coarse `exp`'s
    /// 4e-5 (`LaneStore`). At most 1 where they are as good as the format allows.
    static func bfloat16Error(_ z16: [UInt16], _ z: [Float]) -> Float {
        zip(z16, z).map { h, v in abs(Float(bitPattern: UInt32(h) << 16) - v) / (abs(v) / 256 + 4e-5) }.max() ?? 0
    }

    /// Values whose low halves sit below, at and above the rounding midpoint, with even and odd
    /// bfloat16 neighbours, and both signs.
    static let lanes: Lanes = {
        let patterns: [UInt32] = [0x3F80_7FFF, 0x3F80_8000, 0x3F81_8000, 0x3F80_8001, 0xBF80_8000, 0xBF81_8000,
                                  0x3F80_0000, 0x4049_0FDB, 0x0000_0000, 0x8000_0000, 0x7F7F_0000, 0x3E80_FFFF,
                                  0x4120_8000, 0x4121_8000, 0xC2C8_1234, 0x3A83_126F]
        var v = Lanes()
        for (k, p) in patterns.enumerated() { v[k] = Float(bitPattern: p) }
        return v
    }()

    @Test func bfloat16RoundsToNearestEven() {
        let h = roundedToBFloat16(Self.lanes)
        #expect(h[0] == 0x3F80 && h[1] == 0x3F80 && h[2] == 0x3F82 && h[3] == 0x3F81)   // below, tie to even, tie up to even, above
        #expect(h[4] == 0xBF80 && h[5] == 0xBF82)                                      // ties, negative
        for k in 0..<Lanes.scalarCount {
            let exact = Float(bitPattern: UInt32(h[k]) << 16)
            #expect(abs(exact - Self.lanes[k]) <= abs(Self.lanes[k]) / 256)              // within half a bfloat16 ulp
        }
    }

    /// Whole vectors and a tail of `count` lanes land at the right offsets of the right row, in
    /// the right format, and nothing beyond them is touched.
    @Test(arguments: [false, true])
    func storesWholeVectorsAndTails(bfloat16: Bool) {
        let ld = 40, halves = roundedToBFloat16(Self.lanes)
        var f32 = [Float](repeating: -7, count: 2 * ld), b16 = [UInt16](repeating: 0xFFFF, count: 2 * ld)
        f32.withUnsafeMutableBufferPointer { fp in b16.withUnsafeMutableBufferPointer { bp in
            let out: GateOutput = bfloat16 ? .bfloat16(bp.baseAddress!, ld: ld) : .float32(fp.baseAddress!, ld: ld)
            let row = out.row(1)
            if bfloat16 {
                BFloat16Lanes.store(Self.lanes, into: row, at: 3)
                BFloat16Lanes.store(Self.lanes, into: row, at: 19, count: 5)
            } else {
                Float32Lanes.store(Self.lanes, into: row, at: 3)
                Float32Lanes.store(Self.lanes, into: row, at: 19, count: 5)
            }
        } }
        for j in 0..<(2 * ld) {
            let (r, c) = (j / ld, j % ld)
            let lane: Int? = r != 1 ? nil : (3..<19).contains(c) ? c - 3 : (19..<24).contains(c) ? c - 19 : nil
            if bfloat16 {
                #expect(b16[j] == lane.map { halves[$0] } ?? 0xFFFF)
                #expect(f32[j] == -7)
            } else {
                #expect(f32[j] == lane.map { Self.lanes[$0] } ?? -7)
                #expect(b16[j] == 0xFFFF)
            }
        }
    }

    /// Runs of 2, 4 and 8 lanes land `stride` columns apart; 16 and up, the whole vector at once.
    /// Nothing between the runs is touched.
    @Test(arguments: [2, 4, 8, 16], [false, true])
    func storesRunsOfLanesStrideApart(run: Int, bfloat16: Bool) {
        let n = 160, j = 5, stride = 4 * run, halves = roundedToBFloat16(Self.lanes)
        var f32 = [Float](repeating: -7, count: n), b16 = [UInt16](repeating: 0xFFFF, count: n)
        f32.withUnsafeMutableBytes { fp in b16.withUnsafeMutableBytes { bp in
            if bfloat16 {
                BFloat16Lanes.store(Self.lanes, into: bp.baseAddress!, at: j, runsOf: run, stride: stride)
            } else {
                Float32Lanes.store(Self.lanes, into: fp.baseAddress!, at: j, runsOf: run, stride: stride)
            }
        } }
        var expected = [Int?](repeating: nil, count: n)
        for lane in 0..<Lanes.scalarCount {
            expected[run >= Lanes.scalarCount ? j + lane : j + (lane / run) * stride + lane % run] = lane
        }
        for column in 0..<n {
            if bfloat16 {
                #expect(b16[column] == expected[column].map { halves[$0] } ?? 0xFFFF, "column \(column)")
            } else {
                #expect(f32[column] == expected[column].map { Self.lanes[$0] } ?? -7, "column \(column)")
            }
        }
    }

    /// F(4, 3)'s four phases back in column order: phase k's run r at `j + 4 run r + k run`,
    /// 64 contiguous columns from `j` (bfloat16 interleaves runs of 2 and 4 in registers).
    @Test(arguments: [2, 4, 8], [false, true])
    func storesFourPhasesInColumnOrder(run: Int, bfloat16: Bool) {
        let n = 80, j = 6
        let phases = (0..<4).map { k in Lanes((0..<Lanes.scalarCount).map { Float(100 * k + $0) + 0.5 }) }
        var f32 = [Float](repeating: -7, count: n), b16 = [UInt16](repeating: 0xFFFF, count: n)
        f32.withUnsafeMutableBytes { fp in b16.withUnsafeMutableBytes { bp in
            let v = (phases[0], phases[1], phases[2], phases[3])
            if bfloat16 {
                BFloat16Lanes.storeFourPhases(v, into: bp.baseAddress!, at: j, runsOf: run)
            } else {
                Float32Lanes.storeFourPhases(v, into: fp.baseAddress!, at: j, runsOf: run)
            }
        } }
        var expected = [Float?](repeating: nil, count: n)
        for k in 0..<4 {
            for lane in 0..<Lanes.scalarCount { expected[j + 4 * run * (lane / run) + k * run + lane % run] = phases[k][lane] }
        }
        #expect(expected[j..<(j + 64)].allSatisfy { $0 != nil })
        for column in 0..<n {
            if bfloat16 {
                #expect(b16[column] == expected[column].map { roundedToBFloat16(Lanes(repeating: $0))[0] } ?? 0xFFFF, "column \(column)")
            } else {
                #expect(f32[column] == expected[column] ?? -7, "column \(column)")
            }
        }
    }
}
