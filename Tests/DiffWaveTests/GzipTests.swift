import Foundation
import Testing
@testable import DiffWave

@Suite struct GzipTests {
    static let payload = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) })

    @Test func roundTrips() throws {
        let packed = try Gzip.compress(Self.payload)
        #expect(packed.prefix(2) == Data([0x1f, 0x8b]))
        #expect(packed.count < Self.payload.count)
        #expect(try Gzip.decompress(packed, maxBytes: 1 << 20) == Self.payload)
        #expect(try Gzip.decompress(Gzip.compress(Data()), maxBytes: 10) == Data())
    }

    @Test func theOutputCapHolds() throws {
        let bomb = try Gzip.compress(Data(count: 5_000_000))
        #expect(throws: DiffWaveError.tooLarge("gzip body inflates to more than 1000000 bytes", limit: 1_000_000)) {
            try Gzip.decompress(bomb, maxBytes: 1_000_000)
        }
    }

    @Test func truncatedAndCorruptBodiesAreRejected() throws {
        let packed = try Gzip.compress(Self.payload)
        #expect(throws: DiffWaveError(.compression, "gzip body is truncated")) {
            try Gzip.decompress(packed.prefix(packed.count / 2), maxBytes: 1 << 20)
        }
        var corrupt = packed
        corrupt[corrupt.count - 6] ^= 0xff  // the CRC-32 trailer
        #expect(throws: DiffWaveError.self) { try Gzip.decompress(corrupt, maxBytes: 1 << 20) }
        #expect(throws: DiffWaveError.self) { try Gzip.decompress(Data("not gzip".utf8), maxBytes: 1 << 20) }
    }
}
