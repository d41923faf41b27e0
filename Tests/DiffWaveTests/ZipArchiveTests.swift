import Foundation
import Testing
@testable import DiffWave

struct ZipArchiveTests {
    @Test func listsAndReadsEntriesFromDataAndFromAFile() throws {
        let url = Fixtures.url("npy/stored.npz")
        for archive in [try ZipArchive(data: Data(contentsOf: url), code: .array, label: "npz"),
                        try ZipArchive(contentsOf: url, code: .array, label: "npz")] {
            #expect(archive.paths == ["first.npy", "second.npy"])
            #expect(archive.contains("first.npy") && !archive.contains("third.npy"))
            #expect(archive.declaredSize("first.npy") == 140)
            let first = try archive.read("first.npy")
            #expect(first.count == 140 && first.prefix(6) == Data(NPY.magic))
        }
    }

    @Test func reportsErrorsWithTheCallersCodeAndLabel() throws {
        let archive = try ZipArchive(data: Fixtures.data("npy/stored.npz"), code: .checkpoint, label: "checkpoint")
        #expect(throws: DiffWaveError(.checkpoint, "checkpoint has no entry 'nope'")) { try archive.read("nope") }
        // Over a limit is its own case whatever the caller's code: it is answered 413, not 400.
        #expect(throws: DiffWaveError.tooLarge("checkpoint entry 'second.npy' is 176 bytes, over the limit of 100", limit: 100)) {
            try archive.read("second.npy", limit: 100)
        }
        // The reason's wording is Foundation's and differs by platform.
        let missing = #expect(throws: DiffWaveError.self) {
            try ZipArchive(contentsOf: URL(fileURLWithPath: "/nonexistent/x.zip"), code: .checkpoint, label: "checkpoint")
        }
        #expect(missing?.code == .io && missing?.message.hasPrefix("cannot open /nonexistent/x.zip: ") == true)
    }

    @Test func detectsACorruptStoredEntry() throws {
        var data = try Fixtures.data("npy/stored.npz")
        // Flip one byte of first.npy's float payload (its header is 128 bytes long).
        let magic = try #require(data.firstRange(of: Data(NPY.magic)))
        data[magic.lowerBound + 130] ^= 0xFF
        let archive = try ZipArchive(data: data, code: .array, label: "npz")
        #expect(throws: DiffWaveError(.array, "npz entry 'first.npy' is corrupt (CRC mismatch)")) { try archive.read("first.npy") }
        #expect(try archive.read("second.npy").count == 176)
    }

    @Test func turnsAwayLargeNonZipInputQuickly() throws {
        // 8 MB of zeros: ZIPFoundation alone would seek through every byte looking for the end record.
        let junk = Data(count: 8 << 20)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: DiffWaveError(.array, "npz is truncated or not a zip archive (no end-of-central-directory record)")) {
                try ZipArchive(data: junk, code: .array, label: "npz")
            }
        }
        #expect(elapsed < .seconds(1))
        #expect(!ZipArchive.hasEndRecord(Data([0x50, 0x4B, 0x05, 0x06])))  // shorter than a record
        #expect(ZipArchive.hasEndRecord(Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))))
    }
}
