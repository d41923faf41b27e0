/// The columns that one thread computes at once in one layer: `width` contiguous columns
/// from `start`, or, in a layer whose Winograd F(4, 3) block (`4d` columns) is wider than a
/// tile, four runs of `width / 4` columns, `d` apart (`run`), which F(4, 3) takes as one
/// block. Strided tiles keep those layers (BASE: d = 256 and 512) on F(4, 3) instead of
/// F(2, 3) or the plain conv, at the GEMM shapes of every other layer.
struct TimeTile: Equatable {
    let start: Int
    let width: Int
    /// The run length of a strided tile; nil for a contiguous one.
    let run: Int?

    static func contiguous(_ columns: Range<Int>) -> TimeTile { TimeTile(start: columns.lowerBound, width: columns.count, run: nil) }

    /// The contiguous tile's columns.
    var columns: Range<Int> {
        precondition(run == nil, "a strided tile's columns are not one range")
        return start..<(start + width)
    }

    /// One thread's tiles for a layer of dilation `d` over `range` of a `samples`-column signal,
    /// `tile` columns wide. Strided tiles (`stridedRun`) fill blocks of `4d` columns that start a
    /// whole number of tiles into the range (so that each run lies inside one of its contiguous
    /// tiles, whose cached mel it reads) and keep `d` columns from the signal's ends;
    /// contiguous tiles cover the rest.
    static func plan(range: Range<Int>, samples: Int, tile: Int, dilation d: Int) -> [TimeTile] {
        let contiguous = { (r: Range<Int>) in grid(r, tile: tile).map(TimeTile.contiguous) }
        guard let run = stridedRun(tile: tile, dilation: d) else { return contiguous(range) }
        let block = 4 * d
        let first = range.lowerBound + (max(0, d - range.lowerBound) + tile - 1) / tile * tile
        let blocks = max(0, (min(range.upperBound, samples - d) - first) / block)
        guard blocks > 0 else { return contiguous(range) }
        let strided = (0..<blocks).flatMap { b in
            stride(from: 0, to: d, by: run).map { TimeTile(start: first + b * block + $0, width: tile, run: run) }
        }
        return contiguous(range.lowerBound..<first) + strided + contiguous((first + blocks * block)..<range.upperBound)
    }

    /// `range` cut into contiguous tiles of `tile` columns from its start, the last one shorter if need be.
    static func grid(_ range: Range<Int>, tile: Int) -> [Range<Int>] {
        stride(from: range.lowerBound, to: range.upperBound, by: tile).map { $0..<min($0 + tile, range.upperBound) }
    }

    /// The run length of strided tiles for dilation `d`: where F(4, 3) does not fit a contiguous
    /// tile but does in runs of a quarter tile that divide `d`; nil elsewhere.
    static func stridedRun(tile: Int, dilation d: Int) -> Int? {
        let run = tile / 4
        guard tile % 4 == 0, !Winograd.f4.applies(columns: tile, dilation: d),
              Winograd.f4.applies(columns: tile, dilation: d, run: run) else { return nil }
        return run
    }
}
