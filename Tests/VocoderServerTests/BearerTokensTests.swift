import Foundation
import Testing
@testable import VocoderServer

@Suite struct BearerTokensTests {
    /// A fresh token file in the temporary directory, removed by the caller.
    private func tokenFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func tokensAreLinesWithoutBlanksOrSurroundingSpace() throws {
        let path = try tokenFile("alpha\n\n  beta  \r\n\tgamma\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tokens = try BearerTokens(path: path)
        #expect(tokens.count == 3)
        for token in ["alpha", "beta", "gamma"] {
            #expect(tokens.accepts(authorization: "Bearer \(token)"), "\(token)")
        }
        #expect(tokens.accepts(authorization: "Bearer  beta "), "space around the credential belongs to the field, not the token")
    }

    @Test func onlyABearerCredentialWithAHeldTokenPasses() throws {
        let path = try tokenFile("s3cret\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tokens = try BearerTokens(path: path)
        #expect(tokens.accepts(authorization: "Bearer s3cret"))
        #expect(tokens.accepts(authorization: "bearer s3cret"), "the scheme is case-insensitive (RFC 9110 §11.1)")
        for refused in [nil, "", "Bearer", "Bearer ", "Basic czNjcmV0", "s3cret", "Bearer s3cre", "Bearer s3cret2", "Bearer S3CRET"] {
            #expect(!tokens.accepts(authorization: refused), "\(refused ?? "nil")")
        }
    }

    @Test func constantTimeEqualityComparesWholeTokens() {
        #expect(BearerTokens.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!BearerTokens.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!BearerTokens.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!BearerTokens.constantTimeEqual(Array("abc".utf8), []))
        #expect(BearerTokens.constantTimeEqual([], []))
    }

    @Test func aChangedFileIsReadAgainWithoutASignal() throws {
        let path = try tokenFile("old\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tokens = try BearerTokens(path: path)
        #expect(tokens.accepts(authorization: "Bearer old"))
        // As the kubelet updates a Secret: a new file renamed over the old one.
        try "new\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(tokens.accepts(authorization: "Bearer new"))
        #expect(!tokens.accepts(authorization: "Bearer old"))
    }

    @Test func reloadReadsNowAndAFailureKeepsTheTokensInForce() throws {
        let path = try tokenFile("one\n")
        let tokens = try BearerTokens(path: path)
        try "one\ntwo\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try tokens.reload() == 2)
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: ConfigurationError.self) { try tokens.reload() }
        #expect(tokens.accepts(authorization: "Bearer two"), "a missing file leaves the tokens in force")
    }

    @Test func anEmptiedFileRefusesEveryone() throws {
        let path = try tokenFile("one\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tokens = try BearerTokens(path: path)
        try "\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(!tokens.accepts(authorization: "Bearer one"))
        #expect(tokens.count == 0)
    }

    @Test func aMissingOrEmptyFileIsRefusedAtStart() throws {
        #expect(throws: ConfigurationError.self) { try BearerTokens(path: "/nonexistent/tokens") }
        let path = try tokenFile("  \n\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try BearerTokens(path: path)
            Issue.record("a file without tokens was accepted")
        } catch {
            #expect(error.message == "auth-token-file \(path) holds no token")
        }
    }
}
