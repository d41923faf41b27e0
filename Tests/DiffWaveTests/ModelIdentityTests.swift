import Foundation
import Testing
@testable import DiffWave

@Suite struct ModelIdentityTests {
    /// The identity comes with the model, from the same read of the file.
    @Test func aCheckpointIsItsFilesSHA256() throws {
        let identity = try DiffWave.loadIdentified(contentsOf: Fixtures.url("tiny.pt")).identity
        #expect(identity.sha256 == SHA256.hash(try Fixtures.data("tiny.pt")).hex)
        #expect(identity.fileName == "tiny.pt")
        #expect(identity.digest == "sha256:" + identity.sha256)
        #expect(identity.sha256.wholeMatch(of: /[0-9a-f]{64}/) != nil)
        // Another checkpoint, another identity.
        #expect(try DiffWave.loadIdentified(contentsOf: Fixtures.url("tiny_class.pt")).identity.sha256 != identity.sha256)
    }

    @Test func theAudioCommentNamesDigestAndFile() {
        let hex = String(repeating: "0f", count: 32)
        #expect(ModelIdentity(sha256: hex, fileName: "lj.pt").audioComment == "model sha256:\(hex) (lj.pt)")
        #expect(ModelIdentity(sha256: hex, fileName: nil).audioComment == "model sha256:\(hex)")
    }

    /// One bit of the weights changed is another model (a shared store's instances run only
    /// jobs of their own digest).
    @Test func oneFlippedBitIsAnotherIdentity() throws {
        let bytes = try Fixtures.data("tiny.pt")
        var flipped = bytes
        flipped[bytes.count / 2] ^= 1
        #expect(ModelIdentity(checkpoint: flipped, fileName: "tiny.pt") != ModelIdentity(checkpoint: bytes, fileName: "tiny.pt"))
    }

    @Test func anUnreadableCheckpointIsAnIOError() {
        let error = caught { _ = try DiffWave.loadIdentified(contentsOf: URL(fileURLWithPath: "/nonexistent/model.pt")) }
        #expect(error?.code == .io)
    }

    @Test func theBuiltInModelHasAFixedIdentityPerConfiguration() {
        let base = ModelIdentity.untrained(config: .base)
        #expect(base == ModelIdentity.untrained(config: .base), "the same every time (and every process)")
        #expect(base.fileName == nil)
        var other = DiffWaveConfig.base
        other.residualLayers = 2
        #expect(ModelIdentity.untrained(config: other) != base)
        #expect(ModelIdentity.untrained(config: .base, seed: 1) != base)
    }
}
