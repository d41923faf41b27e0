import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP

/// The server as a whole: ephemeral ports, isolation between clients, the connection cap and
/// graceful shutdown.
@Suite struct HTTPServerTests {
    @Test func bindsAnEphemeralPort() async throws {
        try await withServer { server in
            #expect(server.port != 0)
            let client = try TestClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse()?.text == "hello")
        }
    }

    @Test func slowClientsDoNotBlockAFastOne() async throws {
        let limits = ServerLimits(headerTimeout: .seconds(5), bodyReadTimeout: .seconds(5))
        try await withServer(limits: limits) { server in
            // One client stalls mid-head, one mid-body, one sends garbage and stops reading.
            let stalledHead = try TestClient(port: server.port)
            try stalledHead.send("GET /hello HTTP/1.1\r\nHo")
            let stalledBody = try TestClient(port: server.port)
            try stalledBody.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
            let malformed = try TestClient(port: server.port)
            try malformed.send("NOT HTTP AT ALL\r\n\r\n")

            let start = ContinuousClock.now
            let fast = try TestClient(port: server.port)
            for index in 0..<3 {
                try fast.send("GET /jobs/\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try fast.readResponse(timeout: .seconds(2))?.text == "job \(index)")
            }
            #expect(ContinuousClock.now - start < .seconds(1))
            _ = (stalledHead, stalledBody, malformed)
        }
    }

    @Test func aSlowHandlerDoesNotDelayOtherConnections() async throws {
        try await withServer { server in
            let slow = try TestClient(port: server.port)
            try slow.send("GET /slow?ms=600 HTTP/1.1\r\nHost: t\r\n\r\n")
            let start = ContinuousClock.now
            let fast = try TestClient(port: server.port)
            try fast.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try fast.readResponse()?.text == "hello")
            #expect(ContinuousClock.now - start < .milliseconds(400))
            #expect(try slow.readResponse()?.text == "slow 600")
        }
    }

    @Test func manyConcurrentClients() async throws {
        try await withServer { server in
            let port = server.port
            let failures = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 32) { index in
                do {
                    let client = try TestClient(port: port)
                    for round in 0..<3 {
                        try client.send("GET /jobs/\(index)-\(round) HTTP/1.1\r\nHost: t\r\n\r\n")
                        if try client.readResponse()?.text != "job \(index)-\(round)" { failures.add(1, ordering: .relaxed) }
                    }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
            #expect(failures.load(ordering: .relaxed) == 0)
        }
    }

    @Test func connectionsOverTheCapGet503() async throws {
        try await withServer(limits: ServerLimits(maxConnections: 2)) { server in
            let first = try TestClient(port: server.port)
            let second = try TestClient(port: server.port)
            for client in [first, second] {
                try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse()?.status == 200)
            }
            #expect(server.connectionCount == 2)
            let third = try TestClient(port: server.port)
            let rejected = try #require(try third.readResponse(timeout: .seconds(2)))
            #expect(rejected.status == 503)
            #expect(rejected.headers["Retry-After"] == "1")
            #expect(rejected.headers["X-Request-Id"]?.count == 32, "a refused connection's answer has an id too")
            #expect(rejected.headers["Content-Type"] == "application/problem+json")
            #expect(rejected.headers["Connection"] == "close")
            #expect(try third.isClosedByServer())
            // The admitted ones are unaffected.
            try first.send("GET /jobs/1 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try first.readResponse()?.text == "job 1")
        }
    }

    @Test func gracefulShutdownFinishesInFlightRequestsAndClosesIdleOnes() async throws {
        let server = HTTPServer(host: "127.0.0.1", port: 0, router: testRouter(), logger: quietLogger)
        try server.start()
        let port = server.port
        let (idle, busy) = try await onThread { () -> Result<(TestClient, TestClient), any Error> in
            Result {
                let idle = try TestClient(port: port)
                try idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try idle.readResponse()
                let busy = try TestClient(port: port)
                try busy.send("GET /slow?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n")
                return (idle, busy)
            }
        }.get()
        try await Task.sleep(for: .milliseconds(50))  // the slow request is in its handler
        let shutdown = Task { try await onThread { server.shutdown(gracePeriod: .seconds(5)) } }
        let outcome = try await onThread { () -> Result<(Bool, TestClient.Response?, Bool), any Error> in
            Result {
                let idleClosed = idle.isClosedByServer(within: .seconds(2))
                let response = try busy.readResponse(timeout: .seconds(3))
                let busyClosed = busy.isClosedByServer(within: .seconds(2))
                // Close our side too, as a client does after `Connection: close`; this ends the
                // server's lingering close (which otherwise waits `lingerTimeout`).
                idle.shutdown()
                busy.shutdown()
                return (idleClosed, response, busyClosed)
            }
        }
        try await shutdown.value
        let (idleClosed, response, busyClosed) = try outcome.get()
        #expect(idleClosed)
        #expect(response?.text == "slow 300")
        #expect(response?.headers["Connection"] == "close")
        #expect(busyClosed)
        #expect(server.isDraining)
        #expect(server.connectionCount == 0)
        // New connections are refused.
        #expect(throws: TestClient.Failure.self) { _ = try TestClient(port: port) }
    }

    @Test func stopAcceptingRefusesNewConnectionsButKeepsOpenOnes() async throws {
        try await withServer { server in
            let open = try TestClient(port: server.port)
            try open.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try open.readResponse()?.status == 200)
            server.stopAccepting()
            #expect(throws: TestClient.Failure.self) { _ = try TestClient(port: server.port) }
            try open.send("GET /jobs/5 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try open.readResponse()?.text == "job 5")
        }
    }

    @Test func shutdownForcesConnectionsClosedAfterTheGracePeriod() async throws {
        let server = HTTPServer(host: "127.0.0.1", port: 0, router: testRouter(),
                                limits: ServerLimits(headerTimeout: .seconds(30)), logger: quietLogger)
        try server.start()
        let port = server.port
        let client = try await onThread { Result { () throws -> TestClient in
            let client = try TestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHo")  // stalled mid-head: not idle, not answered
            return client
        } }.get()
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        try await onThread { server.shutdown(gracePeriod: .milliseconds(100)) }
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(server.connectionCount == 0)
        _ = client
    }

    @Test func logsOneLinePerRequest() async throws {
        let capture = LogCapture()
        let server = HTTPServer(host: "127.0.0.1", port: 0, router: testRouter(), logger: capture.logger)
        try server.start()
        let port = server.port
        let result = try await onThread {
            Result { () throws -> Void in
                let client = try TestClient(port: port)
                try client.send("GET /jobs/3?x=1 HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi")
                _ = try client.readResponse()
                _ = try client.readResponse()
                try client.send("BAD\r\n\r\n")
                _ = try client.readResponse()
            }
        }
        try await onThread { server.shutdown(gracePeriod: .milliseconds(100)) }
        try result.get()
        let requests = capture.messages.filter { $0.hasPrefix("info ") && !$0.contains("listening") }
        #expect(requests.count == 3)
        #expect(requests.first?.hasPrefix("info GET /jobs/3 200 5B ") == true)
        #expect(requests.dropFirst().first?.hasPrefix("info POST /echo 200 2B ") == true)
        #expect(requests.last?.hasPrefix("info - - 400 ") == true)
        #expect(requests.allSatisfy { $0.hasSuffix("ms") })
    }
}
