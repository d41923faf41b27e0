import DiffWave
import Foundation
import Testing
import TestSupport
@testable import VocoderServer

@Suite struct ModelDigestTests {
    @Test func sameBytesSameDigestOtherBytesAnother() throws {
        let a = try ModelDigest.of(file: TestPaths.fixture("tiny.pt"))
        #expect(a == (try ModelDigest.of(file: TestPaths.fixture("tiny.pt"))))
        #expect(a.hasPrefix("fnv1a-") && a.count == 6 + 16)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString).pt")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("tiny.pt")))
        bytes[bytes.count / 2] ^= 1
        try bytes.write(to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        #expect(try ModelDigest.of(file: copy.path) != a, "one bit of the weights changed")
    }

    @Test func theUntrainedModelsDigestFollowsItsConfiguration() {
        var other = DiffWaveConfig.base
        other.residualLayers = 2
        #expect(ModelDigest.untrained(.base) == ModelDigest.untrained(.base))
        #expect(ModelDigest.untrained(.base) != ModelDigest.untrained(other))
    }
}
