import Foundation
import Testing
import TestSupport

/// Issue 21 item 2: `diffwave serve --log-format json` writes one JSON object per line, and each
/// carries the fields that apply to it. Served: a synchronous /vocode, an asynchronous one
/// polled to the end, and 4xx answers (before and after routing).
@Suite(.serialized) struct StructuredLogTests {
    @Test func everyLineIsAJSONObjectWithTheFieldsThatApply() throws {
        let server = try ServiceProcess(["--log-format", "json"])
        let client = try server.client()
        let sync = try client.request("POST", "/vocode?seed=1", headers: [("Content-Type", "application/x-npy"), ("X-Request-Id", "sync-1")],
                                      body: Bodies.mel(frames: 2))
        #expect(sync.status == 200)
        let async = try client.request("POST", "/vocode?async=true", headers: [("Content-Type", "application/x-npy"), ("X-Request-Id", "async-1")],
                                       body: Bodies.mel(frames: 2))
        #expect(async.status == 202)
        let asyncJob = try #require(async.header("X-Job-Id"))
        let deadline = Date().addingTimeInterval(30)
        while try client.request("GET", "/jobs/\(asyncJob)").json?["status"] as? String != "succeeded", Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(try client.request("POST", "/vocode", headers: [("Content-Type", "text/csv"), ("X-Request-Id", "bad-1")], body: Data("1".utf8)).status == 415)
        #expect(try client.request("GET", "/nowhere", headers: [("X-Request-Id", "lost-1")]).status == 404)
        try client.send("GET /x HTTP/1.1\r\nHost: t\r\nBad Name: y\r\n\r\n")
        #expect(try client.readResponse()?.status == 400)
        #expect(try server.terminate() == 0)

        // Every line parses, with a timestamp (RFC 3339, UTC), a level and a message.
        let lines = server.log.split(separator: "\n").map(String.init)
        #expect(lines.count >= 10)
        var objects: [[String: Any]] = []
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                Issue.record("not a JSON object: \(line)")
                continue
            }
            let timestamp = object["timestamp"] as? String ?? ""
            #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/) != nil, "\(line)")
            #expect(object["level"] is String && object["message"] is String, "\(line)")
            objects.append(object)
        }

        // A request line: request_id, method, path, status, bytes, duration_ms; its job's id where it made one.
        func requestLine(_ id: String) -> [String: Any]? { objects.first { $0["request_id"] as? String == id && $0["method"] != nil } }
        for (id, method, path, status) in [("sync-1", "POST", "/vocode", 200), ("async-1", "POST", "/vocode", 202),
                                           ("bad-1", "POST", "/vocode", 415), ("lost-1", "GET", "/nowhere", 404)] {
            let line = try #require(requestLine(id), "no request line for \(id)")
            #expect(line["method"] as? String == method && line["path"] as? String == path, "\(line)")
            #expect(line["status"] as? Int == status, "\(line)")
            #expect((line["bytes"] as? Int ?? -1) > 0, "\(line)")
            #expect(line["duration_ms"] is Double || line["duration_ms"] is Int, "\(line)")
            #expect((line["job_id"] != nil) == (status < 300), "a job id where the request made a job: \(line)")
        }
        // The malformed request never parsed: it still has a request line with a made id.
        let malformed = try #require(objects.first { $0["status"] as? Int == 400 })
        #expect((malformed["request_id"] as? String)?.count == 32)

        // Job lines: the job's id and the id of the request that made it; no HTTP fields.
        let syncJob = try #require(requestLine("sync-1")?["job_id"] as? String)
        for (job, request) in [(syncJob, "sync-1"), (asyncJob, "async-1")] {
            let jobLines = objects.filter { $0["job_id"] as? String == job && $0["method"] == nil }
            #expect(Set(jobLines.compactMap { $0["message"] as? String }) == ["job queued", "job finished"], "\(jobLines)")
            #expect(jobLines.allSatisfy { $0["request_id"] as? String == request }, "\(jobLines)")
        }
        // The status polls are requests of their own, each about the async job.
        #expect(objects.contains { $0["path"] as? String == "/jobs/\(asyncJob)" && $0["job_id"] as? String == asyncJob })
    }

    @Test func textStaysTheDefault() throws {
        let server = try ServiceProcess()
        #expect(try server.client().request("GET", "/healthz", headers: [("X-Request-Id", "probe-1")]).status == 200)
        #expect(try server.terminate() == 0)
        let line = try #require(server.log.split(separator: "\n").first { $0.contains("GET /healthz") })
        #expect(!line.hasPrefix("{"))
        #expect(line.contains("request_id=probe-1"))
    }
}
