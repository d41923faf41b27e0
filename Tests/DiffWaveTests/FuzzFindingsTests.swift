import Foundation
import Testing
@testable import DiffWave

/// Inputs found by the libFuzzer targets (fuzz/run) that crashed a reader, kept as fixtures
/// (Fixtures/fuzz) so each stays a clean error.
@Suite struct FuzzFindingsTests {
    /// Zip entries whose offsets point past the end of the data trapped inside ZIPFoundation's
    /// in-memory archive (`Range requires lowerBound <= upperBound`): a 342-byte .npz upload
    /// killed the server. ZipArchive(data:) now reads through a file; each is a clean error.
    @Test func zipOffsetsPastTheEndAreErrorsNotCrashes() throws {
        // Their central directories are past the end: each reads as an archive with no entries
        // (so no arrays), and a checkpoint without its entries is an error.
        #expect(try NPZ.read(Fixtures.data("fuzz/npz-offset-past-end.npz")).isEmpty)
        #expect(throws: DiffWaveError.self) { try TorchCheckpoint(data: Fixtures.data("fuzz/pt-offset-past-end.pt")) }
        let archive = try ZipArchive(data: Fixtures.data("fuzz/zip-offset-past-end.zip"), code: .checkpoint, label: "fuzz input")
        #expect(archive.paths.isEmpty)
    }

    /// A 406-byte checkpoint whose entry declares 4 GiB made ZipArchive.read reserve 4 GiB
    /// before inflating anything (libFuzzer: malloc(4294967296)). It is an error now, with at
    /// most 16 MiB reserved up front.
    @Test func entryDeclaringGigabytesIsAnErrorWithoutReservingThem() throws {
        #expect(throws: DiffWaveError.self) { try TorchCheckpoint(data: Fixtures.data("fuzz/pt-declares-4gib.pt")) }
    }

    /// A 474-byte zip whose first entry's deflate stream ends early (11 bytes, 206 declared)
    /// made ZIPFoundation's inflate loop ask for more input forever: `ZipArchive.read` spun at
    /// 100% CPU. Entries are now inflated over exactly their bytes; each read is an error.
    @Test(.timeLimit(.minutes(1)))
    func truncatedDeflateEntryIsAnErrorNotASpin() throws {
        // The second: the same with an entry name that is not UTF-8, which our locator did not
        // match to ZIPFoundation's CP437 reading of it, so ZIPFoundation extracted it (and spun).
        for name in ["zip-truncated-deflate.zip", "zip-unlocated-name-spins.zip"] {
            let archive = try ZipArchive(data: Fixtures.data("fuzz/\(name)"), code: .array, label: "fuzz input")
            #expect(!archive.paths.isEmpty)
            let start = Date()
            for path in archive.paths {
                #expect(throws: DiffWaveError.self) { try archive.read(path, limit: 1 << 20) }
            }
            #expect(Date().timeIntervalSince(start) < 1, "\(name)")
        }
    }

    /// The staging file of an in-memory archive does not outlive the call.
    @Test func inMemoryArchivesLeaveNoTemporaryFiles() throws {
        let before = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("diffwave-zip-") }
        _ = try NPZ.read(Fixtures.data("fuzz/npz-offset-past-end.npz"))
        _ = try NPZ.read(Fixtures.data("npy/stored.npz"))
        let after = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("diffwave-zip-") }
        #expect(Set(after).subtracting(before).isEmpty)
    }
}
