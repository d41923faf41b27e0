import Testing
@testable import DiffWave

@Suite struct WorkspaceLayoutTests {
    /// The caches' blocks lie side by side, two bytes a value under bfloat16 and four under
    /// float32; the total is the activations and scratch plus what is cached.
    @Test(arguments: [(Precision.float32, 4), (.bfloat16, 2)])
    func sizesAndOffsets(precision: Precision, bytes: Int) {
        let c = 8, m = 80, n = 1000
        let layout = WorkspaceLayout(channels: c, depth: 3 * c + m, samples: n, tile: 512, threads: 2, precision: precision)
        #expect(layout.mels == m)
        #expect(layout.melBytes == m * n * bytes && layout.cachedLayerBytes == 2 * c * n * bytes)
        // The second tile's (M, width) block follows the first's (M, 512).
        #expect(layout.melOffset(start: 512) == m * 512 * bytes)
        #expect(layout.melOffset(start: 512, column: 515) == layout.melOffset(start: 512) + 3 * bytes)
        // Layer 1's cache follows layer 0's whole (2C, N).
        #expect(layout.projectionOffset(layer: 0, column: 512) == 2 * c * 512 * bytes)
        #expect(layout.projectionOffset(layer: 1, column: 0) == layout.cachedLayerBytes)
        let activations = layout.bytes(cachedLayers: 0, melCached: false)
        #expect(activations == 4 * (3 * c * n + 2 * Workspace.TileScratch.floats(channels: c, depth: 3 * c + m, tile: 512, precision: precision)))
        #expect(layout.bytes(cachedLayers: 2, melCached: true) == activations + 2 * layout.cachedLayerBytes + layout.melBytes)
    }
}
