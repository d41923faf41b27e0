import Testing
@testable import DiffWave

@Suite struct TimeTileTests {
    /// The columns a tile writes in a layer of dilation `d`.
    static func columns(_ t: TimeTile, dilation d: Int) -> [Int] {
        guard let run = t.run else { return Array(t.columns) }
        return (0..<(t.width / run)).flatMap { k in (t.start + k * d)..<(t.start + k * d + run) }
    }

    @Test func baseLayersTakeStridedTilesWhereF4DoesNotFitATile() {
        let runs = DiffWaveConfig.base.dilationCycleLength
        #expect((0..<runs).map { TimeTile.stridedRun(tile: 512, dilation: 1 << $0) } == [nil, nil, nil, nil, nil, nil, nil, nil, 128, 128])
        #expect(TimeTile.stridedRun(tile: 37, dilation: 512) == nil)
        #expect(TimeTile.stridedRun(tile: 64, dilation: 32) == 16)
    }

    /// Every column of the range exactly once; strided tiles keep d columns from the signal's
    /// ends, and each of their runs lies inside one of the range's contiguous tiles.
    /// `strided`: whether some dilation gives the range strided tiles (700 samples are too few
    /// for any), so that their checks are known to have run.
    @Test(arguments: [(0..<22050, 44100, 512, true), (22050..<44100, 44100, 512, true), (100..<5000, 5100, 512, true),
                      (0..<700, 700, 512, false), (0..<1152, 2304, 64, true), (1152..<2304, 2304, 64, true)])
    func planCoversTheRangeOnce(range: Range<Int>, samples: Int, tile: Int, strided: Bool) {
        var stridedTiles = 0
        for d in [1, 16, 32, 128, 256, 512] {
            let plan = TimeTile.plan(range: range, samples: samples, tile: tile, dilation: d)
            #expect(plan.flatMap { Self.columns($0, dilation: d) }.sorted() == Array(range), "dilation \(d)")
            let contiguous = TimeTile.plan(range: range, samples: samples, tile: tile, dilation: 1).map(\.columns)
            for t in plan {
                guard let run = t.run else { continue }
                stridedTiles += 1
                let written = Self.columns(t, dilation: d)
                #expect(t.width == tile && written.min()! >= d && written.max()! + 1 + d <= samples)
                for k in 0..<4 {
                    let runColumns = (t.start + k * d)..<(t.start + k * d + run)
                    #expect(contiguous.contains { $0.count == tile && $0.contains(runColumns.lowerBound) && $0.contains(runColumns.upperBound - 1) })
                }
            }
        }
        #expect((stridedTiles > 0) == strided, "\(stridedTiles) strided tiles")
    }

    @Test func baseAtTwoSecondsIsMostlyStrided() {
        let plan = TimeTile.plan(range: 0..<22050, samples: 44100, tile: 512, dilation: 512)
        #expect(plan.filter { $0.run != nil }.count == 40)   // ten blocks of 2048 from column 512
        #expect(plan.first == .contiguous(0..<512))
    }
}
