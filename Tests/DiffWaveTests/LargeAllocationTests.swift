import Foundation
import Testing
@testable import DiffWave

/// Whole-signal buffers: zeroed; from one huge page up mapped, huge-page aligned, advised, and unmapped when freed.
@Suite struct LargeAllocationTests {
    /// The `VmFlags` of the /proc/self/smaps mapping that holds `address`.
    static func mappingFlags(_ address: UnsafeRawPointer) throws -> [Substring] {
        let a = UInt(bitPattern: address)
        // procfs files report size 0: read to the end rather than by size.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        let smaps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && bounds[0] <= a && a < bounds[1]
            } else if inside, fields.first == "VmFlags:" {
                return Array(fields.dropFirst())
            }
        }
        return []
    }

    @Test func largeBuffersAreMappedAlignedZeroedAdvisedAndReturned() throws {
        let floats = 3 * LargeAllocation.hugePageBytes / 4 + 5   // 3 huge pages and a bit
        var buffer: LargeAllocation? = LargeAllocation(floats: floats)
        let p = buffer!.floats
        #expect(UInt(bitPattern: p) % UInt(LargeAllocation.hugePageBytes) == 0)
        #expect(UnsafeBufferPointer(start: p, count: floats).allSatisfy { $0 == 0 })
        p[floats - 1] = 1   // the last float is inside the mapping
        #expect(try Self.mappingFlags(p).contains("hg"))   // VM_HUGEPAGE: madvise took
        buffer = nil
        #expect(try Self.mappingFlags(p).isEmpty)   // unmapped, not kept by the heap (tests run serially in CI)
    }

    /// A released spare-able buffer is kept (mapped, contents as they were) and handed to the
    /// next request for as much or less, trimmed to it; `releaseUntaken` unmaps the rest.
    @Test func sparesAreReusedTrimmedAndReleased() throws {
        let spares = LargeAllocation.Spares(), page = LargeAllocation.hugePageBytes
        var big: LargeAllocation? = LargeAllocation(floats: 3 * page / 4, spares: spares)   // 3 huge pages
        let p = big!.floats
        p[0] = 42
        big = nil
        let kept = try Self.mappingFlags(p)
        #expect(spares.bytes == 3 * page && !kept.isEmpty)
        // Two pages' worth: the same mapping, its contents kept, its third page unmapped.
        var reused: LargeAllocation? = LargeAllocation(floats: 2 * page / 4, spares: spares)
        #expect(reused!.floats == p && p[0] == 42 && spares.bytes == 0)
        let trimmed = try Self.mappingFlags(p + 2 * page / 4)
        #expect(trimmed.isEmpty)
        // Without spares, a fresh zeroed mapping; with nothing that fits, too.
        let fresh = LargeAllocation(floats: 2 * page / 4)
        #expect(fresh.floats != p && fresh.floats[0] == 0)
        reused = nil
        let larger = LargeAllocation(floats: 3 * page / 4, spares: spares)
        #expect(larger.floats != p && larger.floats[0] == 0 && spares.bytes == 2 * page)
        spares.releaseUntaken()
        let released = try Self.mappingFlags(p)
        #expect(spares.bytes == 0 && released.isEmpty)
    }

    @Test func failedMappingIsATypedError() {
        #expect(throws: DiffWaveError.self) { try LargeAllocation.map(bytes: 1 << 60) }   // ENOMEM
    }

    @Test func smallBuffersAreOrdinaryAndZeroed() {
        let buffer = LargeAllocation(floats: 1000)
        #expect(UnsafeBufferPointer(start: buffer.floats, count: 1000).allSatisfy { $0 == 0 })
    }

    @Test func refusedAdviceIsATypedError() {
        let p = UnsafeMutableRawPointer.allocate(byteCount: 8192, alignment: 4096)
        defer { p.deallocate() }
        #expect(throws: DiffWaveError.self) { try LargeAllocation.adviseHugePages(p + 1, bytes: 4096) }   // not page aligned: EINVAL
    }
}
