import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A zeroed float buffer for the engine's whole-signal data (activations, caches), released
/// in `deinit`. From a huge page up it is a private anonymous mapping of whole 2 MiB pages,
/// 2 MiB aligned and advised for transparent huge pages (Linux grants them on `madvise` in its
/// default THP mode): a tile touches 64 rows of each buffer, a row apart, and with 4 KiB pages
/// every row is a TLB miss and, once per request, every 4 KiB a page fault. Mapped, not
/// malloc'd, so that freeing returns the memory at once: from the heap, glibc kept one
/// request's freed buffers beside the next one's (its mmap threshold rises after the first
/// free), which raised the peak RSS. Fresh mappings read as zeros and are faulted in by
/// whoever first writes them, the compute threads. Figures: bench/README.md.
///
/// A buffer whose contents are always written before they are read may come from `spares`
/// instead: mappings that the thread's last workspace released (`Spares`).
final class LargeAllocation {
    static let hugePageBytes = 2 << 20

    let floats: UnsafeMutablePointer<Float>
    /// The mapping's length; 0 where the buffer came from the ordinary allocator.
    private let mappedBytes: Int
    /// Where the mapping goes back to when released, if it may be reused.
    private let spares: Spares?

    /// A buffer of `count` floats, zeroed; with `spares`, a mapping from them if one fits (its
    /// contents left as they were), and back to them when released.
    init(floats count: Int, spares: Spares? = nil) {
        let bytes = 4 * max(count, 1), whole = (bytes + Self.hugePageBytes - 1) / Self.hugePageBytes * Self.hugePageBytes
        self.spares = bytes >= Self.hugePageBytes ? spares : nil
        if let spare = self.spares?.take(bytes: whole) {
            floats = spare.bindMemory(to: Float.self, capacity: count)
            mappedBytes = whole
        } else if bytes >= Self.hugePageBytes, let mapped = try? Self.map(bytes: whole) {
            // Only advice: without huge pages (THP off, other kernels) the buffer works the same.
            try? Self.adviseHugePages(mapped, bytes: whole)
            floats = mapped.bindMemory(to: Float.self, capacity: count)
            mappedBytes = whole
        } else {
            // Small buffers, and big ones where mapping failed, from the ordinary allocator.
            floats = .allocate(capacity: max(count, 1))
            floats.initialize(repeating: 0, count: max(count, 1))
            mappedBytes = 0
        }
    }

    deinit {
        if mappedBytes == 0 { return floats.deallocate() }
        if let spares { return spares.keep(UnsafeMutableRawPointer(floats), bytes: mappedBytes) }
        // Unmapping our own mapping fails only on a bad address; then the pages stay mapped.
        try? Self.unmap(UnsafeMutableRawPointer(floats), bytes: mappedBytes)
    }

    /// Mappings released by a thread's workspaces, for the thread's next workspace: reused,
    /// they skip the kernel's zeroing of fresh pages and their faults, which with the bf16
    /// projection cache became a visible part of a request (bench/README.md). The next
    /// workspace takes what fits (`take`) and then releases the rest (`releaseUntaken`), so that
    /// a thread holds at most its last workspace's buffers between requests: a service worker,
    /// one job's budget.
    final class Spares: @unchecked Sendable {
        private var mappings: [(address: UnsafeMutableRawPointer, bytes: Int)] = []
        private let lock = NSLock()

        /// The calling thread's spares.
        static var current: Spares {
            let key = "diffwave.LargeAllocation.Spares"
            if let spares = Thread.current.threadDictionary[key] as? Spares { return spares }
            let spares = Spares()
            Thread.current.threadDictionary[key] = spares
            return spares
        }

        /// The smallest kept mapping of at least `bytes` (whole huge pages), trimmed to `bytes`, if there is one.
        func take(bytes: Int) -> UnsafeMutableRawPointer? {
            let fit = lock.withLock { () -> (address: UnsafeMutableRawPointer, bytes: Int)? in
                guard let i = mappings.indices.filter({ mappings[$0].bytes >= bytes }).min(by: { mappings[$0].bytes < mappings[$1].bytes })
                else { return nil }
                return mappings.remove(at: i)
            }
            guard let fit else { return nil }
            try? LargeAllocation.unmap(fit.address + bytes, bytes: fit.bytes - bytes)
            return fit.address
        }

        func keep(_ address: UnsafeMutableRawPointer, bytes: Int) {
            lock.withLock { mappings.append((address, bytes)) }
        }

        /// Unmaps every kept mapping.
        func releaseUntaken() {
            let released = lock.withLock { defer { mappings = [] }; return mappings }
            for m in released { try? LargeAllocation.unmap(m.address, bytes: m.bytes) }
        }

        /// Bytes kept.
        var bytes: Int { lock.withLock { mappings.reduce(0) { $0 + $1.bytes } } }
    }

    /// A private anonymous read-write mapping of `bytes` (whole huge pages), huge-page aligned:
    /// one huge page more is mapped and the misaligned ends unmapped.
    static func map(bytes: Int) throws(DiffWaveError) -> UnsafeMutableRawPointer {
        let span = bytes + hugePageBytes
        guard let raw = mmap(nil, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
            throw DiffWaveError(.io, "mmap of \(span) bytes failed: \(String(cString: strerror(errno)))")
        }
        let head = (hugePageBytes - Int(UInt(bitPattern: raw) % UInt(hugePageBytes))) % hugePageBytes
        try unmap(raw, bytes: head)
        try unmap(raw + head + bytes, bytes: span - head - bytes)
        return raw + head
    }

    /// `munmap` of `bytes` from the page-aligned `address` (nothing for 0 bytes).
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
