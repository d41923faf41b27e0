import Foundation
import TestSupport
import Testing

/// Regressions for what Schemathesis (scripts/schemathesis) and the fuzzers (fuzz/run) found
/// against the live service.
@Suite(.serialized) struct SchemathesisFindingsTests {
    /// fuzz/run npz: a 342-byte .npz whose entry offsets point past its end killed the server
    /// (a trap inside ZIPFoundation's in-memory archive). It is a 4xx now, and the server lives.
    @Test func npzWithOffsetsPastTheEndIsRefusedAndTheServerLives() async throws {
        let server = try ServiceProcess()
        let npz = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("fuzz/npz-offset-past-end.npz"))
        try await onThread {
            let client = try server.client()
            for type in ["application/x-npz", "application/octet-stream"] {
                let response = try client.request("POST", "/vocode", headers: [("Content-Type", type)], body: npz)
                #expect((400..<500).contains(response.status), "\(type): \(response.status) \(response.text)")
            }
            #expect(try client.request("GET", "/healthz").status == 200)
        }
        #expect(server.isRunning)
        #expect(try server.terminate() == 0)
    }

    /// ST204 + ST101: `QUERY /healthz` was a 501 (a server error); an unsupported method on an
    /// existing path is a 405 with Allow.
    @Test func unknownMethodOnAnExistingPathIs405() async throws {
        let server = try ServiceProcess()
        try await onThread {
            let client = try server.client()
            for path in ["/healthz", "/jobs/abc", "/vocode", "/openapi.yaml"] {
                let response = try client.request("QUERY", path)
                #expect(response.status == 405, "\(path)")
                #expect(response.header("Allow") != nil, "\(path)")
                #expect(response.header("Content-Type") == "application/problem+json")
            }
        }
        #expect(try server.terminate() == 0)
    }

    /// ST201: `{"samples": null, "seconds": null}` (schema-invalid) was accepted as "default
    /// length"; a member that is present must be a number.
    @Test func generateWithNullLengthIs400() async throws {
        let server = try ServiceProcess(["--max-samples", "60000"], model: "tiny_uncond.pt")
        try await onThread {
            let client = try server.client()
            for body in [#"{"samples": null, "seconds": null}"#, #"{"samples": null}"#, #"{"seconds": null}"#] {
                let response = try client.request("POST", "/generate?async=true", headers: [("Content-Type", "application/json")], body: Data(body.utf8))
                #expect(response.status == 400, "\(body)")
            }
            #expect(try client.request("POST", "/generate", headers: [("Content-Type", "application/json")], body: Data(#"{"samples": 256}"#.utf8)).status == 200)
            #expect(try client.request("POST", "/generate", headers: [("Content-Type", "application/json")], body: Data("{}".utf8)).status == 200)
        }
        #expect(try server.terminate() == 0)
    }

    /// ST202: a JSON mel holding numbers that underflow Float (5e-324) was a 400.
    @Test func jsonMelWithDenormalsIsVocoded() async throws {
        let server = try ServiceProcess()
        try await onThread {
            let client = try server.client()
            let row = "[5e-324, 1.1125369292536007e-308, 0.5]"
            let body = "{\"mel\": [" + Array(repeating: row, count: 80).joined(separator: ", ") + "]}"
            let response = try client.request("POST", "/vocode", headers: [("Content-Type", "application/json")], body: Data(body.utf8))
            #expect(response.status == 200, "\(response.text)")
        }
        #expect(try server.terminate() == 0)
    }
}
