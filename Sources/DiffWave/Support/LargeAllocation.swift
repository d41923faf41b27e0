#if canImport(Glibc)
import Glibc
#endif

/// Memory for the engine's whole-signal buffers (activations, caches): aligned to 2 MiB and
/// advised for transparent huge pages, which Linux grants on `madvise` only in its default
/// THP mode. A tile touches 64 rows of each buffer, a row apart; with 4 KiB pages that is a
/// TLB miss and, once per request, a page fault per 4 KiB (bf16, 2 s: 6 % faster with huge pages).
enum LargeAllocation {
    static let hugePageBytes = 2 << 20

    /// `floats` zeroed floats; buffers of a huge page or more in whole huge pages, advised.
    static func floats(_ floats: Int) -> UnsafeMutablePointer<Float> {
        let bytes = 4 * max(floats, 1), huge = bytes >= hugePageBytes
        let size = huge ? (bytes + hugePageBytes - 1) / hugePageBytes * hugePageBytes : bytes
        let raw = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: huge ? hugePageBytes : 64)
        // Only advice: without huge pages (THP off, other kernels) the buffer works the same.
        if huge { try? adviseHugePages(raw, bytes: size) }
        let p = raw.bindMemory(to: Float.self, capacity: max(floats, 1))
        p.initialize(repeating: 0, count: max(floats, 1))
        return p
    }

    /// `madvise(MADV_HUGEPAGE)` over `bytes` from the page-aligned `address`.
    static func adviseHugePages(_ address: UnsafeMutableRawPointer, bytes: Int) throws(DiffWaveError) {
        #if os(Linux)
        guard madvise(address, bytes, MADV_HUGEPAGE) == 0 else {
            throw DiffWaveError(.io, "madvise(MADV_HUGEPAGE) failed: \(String(cString: strerror(errno)))")
        }
        #endif
    }
}
