#if canImport(Glibc)
import Glibc
#endif

/// Memory for the engine's whole-signal buffers (activations, caches). From a huge page up,
/// a private anonymous mapping of whole 2 MiB pages, 2 MiB aligned and advised for transparent
/// huge pages (Linux grants them on `madvise` in its default THP mode): a tile touches 64 rows
/// of each buffer, a row apart, and with 4 KiB pages that is a TLB miss and, once per request,
/// a page fault per 4 KiB (bf16, 2 s, one thread: 4-8 % faster). Mapped, not malloc'd, so
/// that freeing returns the memory at once: from the heap, glibc kept freed buffers of one
/// request beside the next one's (its mmap threshold rises after the first free), +28 MiB of
/// peak RSS at 2 s. Fresh mappings read as zeros and are faulted in by whoever first writes
/// them, the compute threads.
enum LargeAllocation {
    static let hugePageBytes = 2 << 20

    /// `count` zeroed floats; release them with `free(_:count:)`.
    static func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = 4 * max(count, 1)
        if bytes >= hugePageBytes, let mapped = try? map(bytes: mappedBytes(bytes)) {
            // Only advice: without huge pages (THP off, other kernels) the buffer works the same.
            try? adviseHugePages(mapped, bytes: mappedBytes(bytes))
            return mapped.bindMemory(to: Float.self, capacity: count)
        }
        // Small buffers, and big ones where mapping failed, from the ordinary allocator.
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        return p
    }

    /// Releases what `floats(count)` returned.
    static func free(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let bytes = 4 * max(count, 1)
        if bytes >= hugePageBytes, UInt(bitPattern: p) % UInt(hugePageBytes) == 0,
           (try? unmap(UnsafeMutableRawPointer(p), bytes: mappedBytes(bytes))) != nil {
            return
        }
        p.deallocate()
    }

    /// `bytes` rounded up to whole huge pages.
    static func mappedBytes(_ bytes: Int) -> Int { (bytes + hugePageBytes - 1) / hugePageBytes * hugePageBytes }

    /// A private anonymous read-write mapping of `bytes` (whole huge pages), huge-page aligned:
    /// one huge page more is mapped and the misaligned ends unmapped.
    static func map(bytes: Int) throws(DiffWaveError) -> UnsafeMutableRawPointer {
        let span = bytes + hugePageBytes
        guard let raw = mmap(nil, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
            throw DiffWaveError(.io, "mmap of \(span) bytes failed: \(String(cString: strerror(errno)))")
        }
        let head = (hugePageBytes - Int(UInt(bitPattern: raw) % UInt(hugePageBytes))) % hugePageBytes
        if head > 0 { try unmap(raw, bytes: head) }
        try unmap(raw + head + bytes, bytes: span - head - bytes)
        return raw + head
    }

    /// `munmap` of `bytes` from the page-aligned `address`.
    static func unmap(_ address: UnsafeMutableRawPointer, bytes: Int) throws(DiffWaveError) {
        guard bytes > 0 else { return }
        guard munmap(address, bytes) == 0 else {
            throw DiffWaveError(.io, "munmap of \(bytes) bytes failed: \(String(cString: strerror(errno)))")
        }
    }

    /// `madvise(MADV_HUGEPAGE)` over `bytes` from the page-aligned `address`.
    static func adviseHugePages(_ address: UnsafeMutableRawPointer, bytes: Int) throws(DiffWaveError) {
        guard madvise(address, bytes, MADV_HUGEPAGE) == 0 else {
            throw DiffWaveError(.io, "madvise(MADV_HUGEPAGE) failed: \(String(cString: strerror(errno)))")
        }
    }
}
