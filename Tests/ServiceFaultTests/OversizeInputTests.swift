import DiffWave
import Foundation
import TestSupport
import Testing

/// Requests that declare (or decompress to) far more than the limits allow are refused before
/// anything of that size is allocated: the server's peak RSS stays where it was.
@Suite(.serialized) struct OversizeInputTests {
    /// Peak RSS may grow by at most this much over the whole barrage (KiB).
    static let allowedGrowthKiB = 48 * 1024

    @Test func hostileSizesAreRefusedWithoutLargeAllocations() async throws {
        let server = try ServiceProcess(["--max-decoded-body-bytes", "4000000", "--max-body-bytes", "16000000"])
        try await onThread {
            let client = try server.client()
            // Warm up: one real job, so the baseline includes the engine's working set.
            #expect(try client.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 50)).status == 200)
            let baseline = try #require(server.memoryKiB("VmHWM"))

            func expectRefused(_ status: Set<Int>, _ what: String, _ send: (TestClient) throws -> TestClient.Response?) throws {
                let client = try server.client()
                let response = try send(client)
                #expect(response.map { status.contains($0.status) } == true, "\(what): \(response.map { "\($0.status) \($0.text)" } ?? "closed")")
                #expect(response?.header("Content-Type") == "application/problem+json", "\(what)")
            }

            // A Content-Length of a terabyte, and one just over the limit: 413 before the body.
            for length in ["1000000000000", "16000001", "99999999999999999999"] {
                try expectRefused(length.count > 19 ? [400] : [413], "Content-Length \(length)") { c in
                    try c.send("POST /vocode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-npy\r\nContent-Length: \(length)\r\n\r\n")
                    return try c.readResponse(timeout: .seconds(5))
                }
            }
            // A chunked body whose chunk header announces a terabyte.
            try expectRefused([413], "chunk of 1 TB") { c in
                try c.send("POST /vocode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-npy\r\nTransfer-Encoding: chunked\r\n\r\nE8D4A51000\r\n")
                return try c.readResponse(timeout: .seconds(5))
            }
            // .npy headers declaring huge shapes over a few bytes of data.
            for shape in [[80, 1_000_000_000_000], [80, 100_000_000], [1 << 40, 1 << 40], [80, 3000], [Int.max, 2], [0, 80]] {
                try expectRefused([400, 422], ".npy shape \(shape)") { c in
                    try c.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy")],
                                  body: Bodies.npyHeader(shape: shape) + Bodies.floats(count: 16, value: 0.5))
                }
            }
            // A real mel just over max-frames: 422 (the body is within the byte limit).
            try expectRefused([422], "2001 frames") { c in
                try c.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 2001))
            }
            // A gzip bomb: 128 MB of zeros in ~128 KB, over the 4 MB decoded limit.
            let bomb = try Gzip.compress(Bodies.npyHeader(shape: [80, 400_000]) + Data(count: 128_000_000))
            try expectRefused([413], "gzip bomb") { c in
                try c.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy"), ("Content-Encoding", "gzip")], body: bomb)
            }
            // An .npz whose entry inflates to 128 MB.
            try expectRefused([413, 400, 422], "npz bomb") { c in
                try c.request("POST", "/vocode", headers: [("Content-Type", "application/x-npz")], body: Zip.bomb(bytes: 128_000_000))
            }
            // JSON: one row of 6 million zeros (12 MB of text, within the body limit).
            let row = Data(("{\"mel\": [[" + String(repeating: "0,", count: 6_000_000) + "0]]}").utf8)
            try expectRefused([400, 413, 422], "JSON of 6M numbers") { c in
                try c.request("POST", "/vocode", headers: [("Content-Type", "application/json")], body: row, timeout: .seconds(60))
            }
            // Deeply nested JSON.
            let nested = Data(("{\"mel\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}").utf8)
            try expectRefused([400, 422], "JSON nested 100k deep") { c in
                try c.request("POST", "/vocode", headers: [("Content-Type", "application/json")], body: nested, timeout: .seconds(60))
            }
            // A header section far over the limit, and a request-line far over the limit.
            try expectRefused([431], "1 MB header") { c in
                try c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n")
                return try c.readResponse(timeout: .seconds(5))
            }
            try expectRefused([414], "1 MB request-line") { c in
                try c.send("GET /" + String(repeating: "a", count: 1 << 20) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                return try c.readResponse(timeout: .seconds(5))
            }

            #expect(try client.request("GET", "/healthz").status == 200)
            let peak = try #require(server.memoryKiB("VmHWM"))
            #expect(peak - baseline < Self.allowedGrowthKiB, "peak RSS grew by \(peak - baseline) KiB (baseline \(baseline) KiB)")
        }
        #expect(try server.terminate() == 0)
    }
}

/// Hostile archives.
enum Zip {
    /// One deflated entry `mel.npy` that inflates to an .npy of `bytes` zero bytes. The CRC is
    /// left 0: a reader must refuse the size before it could check it.
    static func bomb(bytes: Int) throws -> Data {
        let payload = Bodies.npyHeader(shape: [80, bytes / 320]) + Data(count: bytes)
        let gzip = try Gzip.compress(payload)
        // gzip = 10-byte header + raw deflate + CRC32 + ISIZE
        let deflated = gzip.subdata(in: 10..<(gzip.count - 8))
        return ZipWriter.archive([ZipWriter.Entry(name: "mel.npy", stored: deflated, method: 8, crc: 0, size: payload.count)])
    }
}
