import Foundation
import Testing
import TestSupport

/// Issue 21 item 8 against a live `diffwave serve --auth-token-file`: tokens from the file,
/// read again when it changes and on SIGHUP, and never in the log.
@Suite(.serialized) struct AuthenticationTests {
    @Test func theTokenFileGuardsTheServiceAndIsReadAgain() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        try "first-secret\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try ServiceProcess(["--auth-token-file", path])
        let client = try server.client()
        func status(_ target: String, token: String?) throws -> Int {
            try client.request("GET", target, headers: token.map { [("Authorization", "Bearer \($0)")] } ?? []).status
        }
        let refused = try client.request("GET", "/model")
        #expect(refused.status == 401)
        #expect(refused.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(refused.json?["type"] as? String == "/problems/unauthorized")
        #expect(try status("/model", token: "first-secret") == 200)
        for open in ["/healthz", "/readyz", "/openapi.yaml", "/problems/unauthorized"] {
            #expect(try status(open, token: nil) == 200, "\(open)")
        }
        #expect(try status("/metrics", token: nil) == 401)
        let vocoded = try client.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy"), ("Authorization", "Bearer first-secret")],
                                         body: Bodies.mel(frames: 2))
        #expect(vocoded.status == 200)

        // A Secret's update: the file is replaced, no signal. The next request sees it. (Its
        // timestamp is pinned so that the next step can hide a change from the server.)
        let pinned: [FileAttributeKey: Any] = [.modificationDate: Date(timeIntervalSince1970: 1_700_000_000)]
        try "second-secret\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes(pinned, ofItemAtPath: path)
        #expect(try status("/model", token: "second-secret") == 200)
        #expect(try status("/model", token: "first-secret") == 401)

        // Rewritten in place with the same size and timestamp: nothing tells the server, until SIGHUP.
        try "third--secret\n".write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes(pinned, ofItemAtPath: path)
        #expect(try status("/model", token: "third--secret") == 401, "the change is invisible without the signal")
        kill(server.pid, SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        while try status("/model", token: "third--secret") != 200, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(try status("/model", token: "third--secret") == 200)
        #expect(server.isRunning, "SIGHUP does not end the server")

        #expect(try server.terminate() == 0)
        for secret in ["first-secret", "second-secret", "third--secret"] {
            #expect(!server.log.contains(secret), "a token reached the log")
        }
        #expect(server.log.contains("SIGHUP"))
    }

    @Test func anUnreadableTokenFileStopsTheStart() throws {
        #expect(throws: (any Error).self) { try ServiceProcess(["--auth-token-file", "/nonexistent/tokens"]) }
    }
}
