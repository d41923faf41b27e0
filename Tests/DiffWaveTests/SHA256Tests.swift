import Foundation
import Testing
@testable import DiffWave

/// FIPS 180-4's examples (NIST's "SHA256.pdf" and the long-message vector of the SHA-2
/// validation system), and the same digest however the bytes are split.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func knownDigests(_ message: String, _ hex: String) {
        #expect(SHA256.hash(Array(message.utf8)).hex == hex)
    }

    @Test func aMillionAs() {
        #expect(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)).hex
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func splittingTheInputDoesNotChangeTheDigest() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 31 + 7) }
        let whole = SHA256.hash(bytes)
        // Pieces that straddle block boundaries, end exactly on them, and are empty.
        for sizes in [[1, 63, 64, 65, 0, 807], [55, 1, 8, 936], [999, 1], [64, 64, 64, 808]] {
            var hash = SHA256()
            var offset = 0
            for size in sizes {
                hash.update(bytes[offset..<offset + size])
                offset += size
            }
            #expect(hash.finalize() == whole, "pieces \(sizes)")
        }
        // Messages of every length around the padding boundary (55, 56, 64 bytes) differ.
        let digests = Set((50...70).map { SHA256.hash(bytes.prefix($0)).hex })
        #expect(digests.count == 21)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum"), "needs coreutils' sha256sum"))
    func sha256sumAgrees() throws {
        // A check against a tool we did not write, where the machine has coreutils.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(UUID().uuidString)")
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.hasPrefix(SHA256.hash(bytes).hex + " "))
    }
}
