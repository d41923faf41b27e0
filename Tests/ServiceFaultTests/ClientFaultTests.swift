import Foundation
import Testing
import HTTP
import TestSupport
@testable import VocoderServer

/// Clients that vanish or crawl: the server answers or closes at its deadlines and keeps
/// serving everyone else.
@Suite(.serialized) struct ClientFaultTests {
    @Test func disconnectMidUploadLeavesTheServerServing() async throws {
        let server = try ServiceProcess(["--workers", "1"])
        try await onThread {
            let body = Bodies.mel(frames: 200)
            // Ten clients each send half a body, then go: half close politely, half reset.
            for i in 0..<10 {
                let client = try server.client()
                try client.send("POST /vocode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-npy\r\nContent-Length: \(body.count)\r\n\r\n")
                try client.send(body.prefix(body.count / 2))
                if i % 2 == 0 { client.reset() } else { client.shutdown() }
            }
            let client = try server.client()
            #expect(try client.request("GET", "/healthz").status == 200)
            let vocoded = try client.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 4))
            #expect(vocoded.status == 200)
            #expect(vocoded.header("Content-Type") == "audio/wav")
        }
        #expect(server.isRunning)
        #expect(try server.terminate() == 0)
    }

    /// No work for no one: a synchronous client that closes its connection mid-job has its job
    /// cancelled (the server sees the EOF while the request waits, as nginx does), and the job
    /// waiting behind it on the one worker starts within about one diffusion step.
    @Test func aSyncClientThatClosesMidJobFreesTheWorkerForTheNext() async throws {
        let server = try ServiceProcess(["--workers", "1", "--threads-per-job", "1", "--queue", "4"])
        try await onThread {
            let observer = try server.client()
            func running() throws -> Bool {
                try observer.request("GET", "/metrics").text.contains(#"diffwave_jobs{state="running"} 1"#)
            }
            let leaving = try server.client()
            try leaving.sendRequest("POST", "/vocode?schedule=full&seed=1", headers: [("Content-Type", "application/x-npy")],
                                    body: Bodies.mel(frames: 800))
            let deadline = Date().addingTimeInterval(20)
            while try !running(), Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            let queued = try observer.request("POST", "/vocode?async=true&seed=2", headers: [("Content-Type", "application/x-npy")],
                                              body: Bodies.mel(frames: 2))
            #expect(queued.status == 202)
            let next = try #require(queued.header("X-Job-Id"))
            #expect(queued.json?["status"] as? String == "queued")

            let closedAt = Date()
            leaving.shutdown()
            var nextJob: [String: Any] = [:]
            while Date() < closedAt.addingTimeInterval(20) {
                nextJob = try observer.request("GET", "/jobs/\(next)").json ?? [:]
                if nextJob["status"] as? String == "succeeded" { break }
                Thread.sleep(forTimeInterval: 0.01)
            }
            #expect(nextJob["status"] as? String == "succeeded")

            // The abandoned job: cancelled part-way, counted.
            let line = try #require(server.log.split(separator: "\n").first { $0.contains("job abandoned") && $0.contains("client_gone") })
            let id = try #require(line.split(separator: " ").first { $0.hasPrefix("job_id=") }).dropFirst(7)
            let abandoned = try #require(try observer.request("GET", "/jobs/\(id)").json)
            #expect(abandoned["status"] as? String == "cancelled")
            let progress = try #require(abandoned["progress"] as? Double)
            #expect(progress > 0 && progress < 1)
            #expect(try observer.request("GET", "/metrics").text.contains(#"diffwave_abandoned_jobs_total{reason="client_gone"} 1"#))

            // Within one step: from the close, the client check (every 0.25 s), then at most the
            // step that was running; the next job starts as the cancelled one ends.
            let parse = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            let stepSeconds = try #require(abandoned["compute_seconds"] as? Double) / (progress * 50)
            let cancelledAt = try parse.parse(try #require(abandoned["finished_at"] as? String))
            let nextStarted = try parse.parse(try #require(nextJob["started_at"] as? String))
            #expect(cancelledAt.timeIntervalSince(closedAt) < 0.25 + 2 * stepSeconds + 0.25,
                    "cancelled \(cancelledAt.timeIntervalSince(closedAt)) s after the close; a step takes \(stepSeconds) s")
            #expect(nextStarted.timeIntervalSince(cancelledAt) < 0.1)
        }
        #expect(try server.terminate() == 0)
    }

    @Test func disconnectMidDownloadLeavesTheServerServing() async throws {
        let server = try ServiceProcess(["--workers", "2"])
        try await onThread {
            // Start several downloads of ~0.6 MB of audio and drop each after the first bytes.
            for i in 0..<3 {
                let client = try server.client()
                try client.sendRequest("POST", "/vocode?format=wav-f32", headers: [("Content-Type", "application/x-npy")],
                                       body: Bodies.mel(frames: 600))
                // Wait for the first byte of the answer (the audio is ready), then vanish.
                let deadline = Date().addingTimeInterval(60)
                var byte = [UInt8](repeating: 0, count: 1)
                while Date() < deadline {
                    let n = recv(client.descriptor, &byte, 1, Int32(MSG_PEEK))
                    if n != 0 { break }
                    Thread.sleep(forTimeInterval: 0.01)
                }
                if i % 2 == 0 { client.reset() } else { client.shutdown() }
            }
            // A client that never reads while the server writes a large response, then resets.
            let stalled = try server.client()
            try stalled.sendRequest("POST", "/vocode?format=wav-f32", headers: [("Content-Type", "application/x-npy")],
                                    body: Bodies.mel(frames: 600))
            let client = try server.client()
            #expect(try client.request("GET", "/healthz").status == 200)
            let vocoded = try client.request("POST", "/vocode", headers: [("Content-Type", "application/x-npy")], body: Bodies.mel(frames: 4),
                                             timeout: .seconds(90))
            #expect(vocoded.status == 200)
            stalled.reset()
            #expect(try client.request("GET", "/readyz").status == 200)
        }
        #expect(try server.terminate() == 0)
    }

    @Test func slowlorisHeadIsAnswered408AtTheDeadlineWhileOthersAreServed() async throws {
        let server = try ServiceProcess(["--header-timeout", "1"])
        try await onThread {
            let slow = try server.client()
            let start = Date()
            try slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            // One header line every 100 ms, until the server answers: the deadline is on the whole
            // head. The server answers and then only half-closes (a lingering close that reads on),
            // so each send before the answer is seen succeeds.
            var lines = 0
            while lines < 40 {
                // Others are served meanwhile.
                if lines % 5 == 0 {
                    let other = try server.client()
                    #expect(try other.request("GET", "/healthz", timeout: .seconds(2)).status == 200)
                }
                try slow.send("X-\(lines): a\r\n")
                lines += 1
                Thread.sleep(forTimeInterval: 0.1)
                var probe = [UInt8](repeating: 0, count: 1)
                if recv(slow.descriptor, &probe, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) >= 0 { break }
            }
            let elapsed = Date().timeIntervalSince(start)
            #expect(lines < 40, "no answer after \(lines) header lines")
            let answered = try #require(try slow.readResponse(timeout: .seconds(3)))
            #expect(answered.status == 408)
            #expect(answered.header("Content-Type") == "application/problem+json")
            #expect(elapsed >= 0.9 && elapsed < 3, "answered after \(elapsed) s")
            #expect(slow.isClosedByServer(within: .milliseconds(4000)))
        }
        #expect(try server.terminate() == 0)
    }

    @Test func stalledBodyIsAnswered408AtTheReadDeadline() async throws {
        let server = try ServiceProcess(["--body-read-timeout", "1"])
        try await onThread {
            let slow = try server.client()
            let start = Date()
            try slow.send("POST /vocode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-npy\r\nContent-Length: 100000\r\n\r\n")
            try slow.send(Bodies.mel(frames: 2).prefix(100))
            let other = try server.client()
            #expect(try other.request("GET", "/healthz", timeout: .seconds(2)).status == 200)
            let response = try slow.readResponse(timeout: .seconds(5))
            let elapsed = Date().timeIntervalSince(start)
            #expect(response?.status == 408)
            #expect(elapsed >= 0.9 && elapsed < 3, "answered after \(elapsed) s")
            #expect(slow.isClosedByServer(within: .milliseconds(4000)))
        }
        #expect(try server.terminate() == 0)
    }

    /// Found by scripts/stress (slowhttptest -B): a body trickling a few bytes before each read
    /// deadline held its connection for as long as the body lasted. Below --min-body-rate,
    /// after the first body-read-timeout, it is answered 408 and closed.
    @Test func bodyBelowTheMinimumRateIs408() async throws {
        let server = try ServiceProcess(["--body-read-timeout", "1", "--min-body-rate", "1000"])
        try await onThread {
            let slow = try server.client()
            let start = Date()
            try slow.send("POST /vocode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-npy\r\nContent-Length: 100000\r\n\r\n")
            var answered: TestClient.Response?
            for _ in 0..<40 {
                // 20 bytes every 100 ms: 200 bytes/s, each read well within its 1 s deadline.
                do { try slow.send(Data(repeating: 0x41, count: 20)) } catch { break }
                Thread.sleep(forTimeInterval: 0.1)
                var probe = [UInt8](repeating: 0, count: 1)
                if recv(slow.descriptor, &probe, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) >= 0 { break }
            }
            answered = try? slow.readResponse(timeout: .seconds(3))
            let elapsed = Date().timeIntervalSince(start)
            #expect(answered?.status == 408)
            #expect(elapsed >= 0.9 && elapsed < 2.5, "answered after \(elapsed) s")
            let other = try server.client()
            #expect(try other.request("GET", "/healthz", timeout: .seconds(2)).status == 200)
        }
        #expect(try server.terminate() == 0)
    }

    @Test func trickleBodyWithinTheReadDeadlineIsServed() async throws {
        let server = try ServiceProcess(["--body-read-timeout", "1"])
        try await onThread {
            let client = try server.client()
            let body = Bodies.mel(frames: 2)
            try client.send("POST /vocode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-npy\r\nContent-Length: \(body.count)\r\n\r\n")
            for start in stride(from: 0, to: body.count, by: 200) {
                try client.send(body[start..<min(body.count, start + 200)])
                Thread.sleep(forTimeInterval: 0.2)
            }
            #expect(try client.readResponse()?.status == 200)
        }
        #expect(try server.terminate() == 0)
    }

    /// Regression (found by ParserCorpusTests' byte-by-byte feed): an empty line after a request
    /// whose CR and LF arrive in separate reads crashed the whole server on the next byte.
    @Test func emptyLineSplitAcrossReadsDoesNotCrashTheServer() async throws {
        let server = try ServiceProcess()
        try await onThread {
            let client = try server.client()
            try client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n\r")
            #expect(try client.readResponse(timeout: .seconds(5))?.status == 200)
            Thread.sleep(forTimeInterval: 0.1)
            try client.send("\n")
            Thread.sleep(forTimeInterval: 0.1)
            try client.send("G")
            Thread.sleep(forTimeInterval: 0.1)
            try client.send("ET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(try client.readResponse(timeout: .seconds(5))?.status == 200)
        }
        #expect(server.isRunning)
        #expect(try server.terminate() == 0)
    }

    /// Pipelined requests on one connection get exactly one response each, in order.
    @Test func pipelinedRequestsGetOneResponseEach() async throws {
        let server = try ServiceProcess()
        try await onThread {
            let client = try server.client()
            let mel = Bodies.mel(frames: 2)
            var wire = Data()
            let targets = ["/healthz", "/readyz", "/nope", "/model", "/healthz"]
            for target in targets { wire += Data("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8) }
            wire += Data("POST /vocode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-npy\r\nContent-Length: \(mel.count)\r\n\r\n".utf8) + mel
            wire += Data("PUT /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".utf8)
            wire += Data("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
            wire += Data("GET /never HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            try client.send(wire)
            var statuses: [Int] = []
            while let response = try client.readResponse(timeout: .seconds(30)) { statuses.append(response.status) }
            #expect(statuses == [200, 200, 404, 200, 200, 200, 405, 200])
        }
        #expect(try server.terminate() == 0)
    }
}
