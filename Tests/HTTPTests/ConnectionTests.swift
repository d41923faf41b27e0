import Foundation
import Testing
import TestSupport
@testable import HTTP

/// One connection's behaviour over a real socket: keep-alive, pipelining, 100-continue,
/// timeouts and error responses.
@Suite struct ConnectionTests {
    @Test func keepAliveServesTwoRequestsOnOneConnection() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let first = try #require(try client.readResponse())
            #expect(first.status == 200)
            #expect(first.text == "hello")
            #expect(first.headers["Connection"] == nil)
            #expect(first.headers["Date"] != nil)
            try client.send("GET /jobs/7 HTTP/1.1\r\nHost: t\r\n\r\n")
            let second = try #require(try client.readResponse())
            #expect(second.text == "job 7")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            // The first is the slowest: its response must still come first.
            try client.send("GET /slow?ms=150 HTTP/1.1\r\nHost: t\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd"
                + "GET /slow?ms=1 HTTP/1.1\r\nHost: t\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n"
                + "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            var bodies: [String] = []
            for _ in 0..<5 { bodies.append(try #require(try client.readResponse()).text) }
            #expect(bodies == ["slow 150", "abcd", "slow 1", "xyz", "hello"])
        }
    }

    @Test func requestSplitAcrossManyWrites() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            for byte in "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nsplit".utf8 {
                try client.send([byte])
            }
            #expect(try client.readResponse()?.text == "split")
        }
    }

    @Test func notFoundAndMethodNotAllowedAreProblems() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\nPUT /jobs/1 HTTP/1.1\r\nHost: t\r\n\r\n")
            let notFound = try #require(try client.readResponse())
            #expect(notFound.status == 404)
            #expect(notFound.headers["Content-Type"] == "application/problem+json")
            let problem = try JSONDecoder().decode(ProblemDetails.self, from: notFound.body)
            #expect(problem.status == 404)
            #expect(problem.type == "/problems/not-found")
            #expect(problem.title == "Not found")
            let notAllowed = try #require(try client.readResponse())
            #expect(notAllowed.status == 405)
            #expect(notAllowed.headers["Allow"] == "GET, HEAD, DELETE")
            // Routing errors are ordinary responses: the connection stays usable.
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse()?.status == 200)
        }
    }

    @Test func headGetsTheLengthWithoutTheContent() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /jobs/9 HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try #require(try client.readResponse(hasBody: false))
            #expect(head.status == 200)
            #expect(head.headers["Content-Length"] == "5")
            // Had the content been sent, it would be read here as the next status line.
            #expect(try client.readResponse()?.text == "job 9")
        }
    }

    @Test func largeBodiesRoundTrip() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            let body = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try client.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            let response = try #require(try client.readResponse())
            #expect(response.body == Data(body))
        }
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let interim = try #require(try client.readResponse(timeout: .seconds(2)))
            #expect(interim.status == 100)
            try client.send("hello")
            #expect(try client.readResponse()?.text == "hello")
        }
    }

    @Test func oversizedDeclaredBodyIs413BeforeAnyOfItIsSent() async throws {
        try await withServer(limits: ServerLimits(maxBodyBytes: 1000)) { server in
            let client = try TestClient(port: server.port)
            // No 100 Continue first: the status is final from the head alone.
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n")
            let response = try #require(try client.readResponse(timeout: .seconds(2)))
            #expect(response.status == 413)
            #expect(response.headers["Connection"] == "close")
            #expect(try JSONDecoder().decode(ProblemDetails.self, from: response.body).status == 413)
            #expect(try client.isClosedByServer())
        }
    }

    @Test func oversizedBodyWithoutExpectIsAlso413BeforeTheBody() async throws {
        try await withServer(limits: ServerLimits(maxBodyBytes: 1000)) { server in
            let client = try TestClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 50000000\r\n\r\n")
            #expect(try client.readResponse(timeout: .seconds(2))?.status == 413)
        }
    }

    @Test func slowHeadIs408ThenClose() async throws {
        try await withServer(limits: ServerLimits(headerTimeout: .milliseconds(300))) { server in
            let client = try TestClient(port: server.port)
            let start = ContinuousClock.now
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n")
            let response = try #require(try client.readResponse(timeout: .seconds(3)))
            let elapsed = ContinuousClock.now - start
            #expect(response.status == 408)
            #expect(response.headers["Connection"] == "close")
            #expect(elapsed >= .milliseconds(250))
            #expect(elapsed < .seconds(2))
            #expect(try client.isClosedByServer())
        }
    }

    @Test func tricklingHeadDoesNotExtendTheHeaderDeadline() async throws {
        try await withServer(limits: ServerLimits(headerTimeout: .milliseconds(300))) { server in
            let client = try TestClient(port: server.port)
            let start = ContinuousClock.now
            try client.send("GET /hello HTTP/1.1\r\n")
            for _ in 0..<4 {
                Thread.sleep(forTimeInterval: 0.1)
                try? client.send("X: y\r\n")
            }
            #expect(try client.readResponse(timeout: .seconds(3))?.status == 408)
            #expect(ContinuousClock.now - start < .milliseconds(900))
        }
    }

    @Test func slowBodyIs408() async throws {
        try await withServer(limits: ServerLimits(bodyReadTimeout: .milliseconds(200))) { server in
            let client = try TestClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
            #expect(try client.readResponse(timeout: .seconds(3))?.status == 408)
        }
    }

    @Test func idleKeepAliveConnectionIsClosedSilently() async throws {
        try await withServer(limits: ServerLimits(idleKeepAliveTimeout: .milliseconds(200))) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse()?.status == 200)
            #expect(try client.isClosedByServer(within: .seconds(2)))
            #expect(try client.readResponse() == nil)
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(try client.readResponse())
            #expect(response.headers["Connection"] == "close")
            #expect(try client.isClosedByServer())
        }
    }

    @Test func handlerCanCloseTheConnection() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /bye HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse()?.headers["Connection"] == "close")
            #expect(try client.isClosedByServer())
        }
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() async throws {
        try await withServer { server in
            let plain = try TestClient(port: server.port)
            try plain.send("GET /hello HTTP/1.0\r\n\r\n")
            #expect(try plain.readResponse()?.headers["Connection"] == "close")
            #expect(try plain.isClosedByServer())

            let keepAlive = try TestClient(port: server.port)
            try keepAlive.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keepAlive.readResponse()?.headers["Connection"] == "keep-alive")
            try keepAlive.send("GET /jobs/2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keepAlive.readResponse()?.text == "job 2")
        }
    }

    @Test func malformedRequestIs400ProblemThenClose() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n")
            #expect(try client.readResponse()?.status == 200)
            let response = try #require(try client.readResponse())
            #expect(response.status == 400)
            #expect(response.headers["Content-Type"] == "application/problem+json")
            let problem = try JSONDecoder().decode(ProblemDetails.self, from: response.body)
            #expect(problem.type == "/problems/malformed-request")
            #expect(problem.title == "Malformed request")
            #expect(response.headers["X-Request-Id"]?.count == 32, "a request that never parsed still gets an id")
            #expect(problem.detail?.isEmpty == false)
            #expect(try client.isClosedByServer())
        }
    }

    @Test func unsupportedVersionIs505() async throws {
        try await withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /hello HTTP/2.0\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse()?.status == 505)
        }
    }

    @Test func chunkedBodyOverTheLimitIs413WhileStillArriving() async throws {
        try await withServer(limits: ServerLimits(maxBodyBytes: 16)) { server in
            let client = try TestClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n1\r\n")
            #expect(try client.readResponse(timeout: .seconds(2))?.status == 413)
        }
    }

    @Test func oversizedHeadersAre431AndLongTargetsAre414() async throws {
        try await withServer(limits: ServerLimits(maxRequestLineBytes: 100, maxHeaderBytes: 200)) { server in
            let headers = try TestClient(port: server.port)
            try headers.send("GET /hello HTTP/1.1\r\nHost: t\r\nX: \(String(repeating: "v", count: 300))\r\n\r\n")
            #expect(try headers.readResponse()?.status == 431)
            let target = try TestClient(port: server.port)
            try target.send("GET /\(String(repeating: "a", count: 200)) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try target.readResponse()?.status == 414)
        }
    }

    @Test func clientThatStopsReadingIsDroppedAfterTheWriteTimeout() async throws {
        try await withServer(limits: ServerLimits(writeTimeout: .milliseconds(200))) { server in
            let client = try TestClient(port: server.port)
            let body = [UInt8](repeating: 0x61, count: 32 << 20)
            // Ask for 32 MiB back and never read it: more than the socket buffers hold.
            try client.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            let deadline = ContinuousClock.now + .seconds(3)
            while server.connectionCount > 0 && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
            #expect(server.connectionCount == 0)
        }
    }
}

/// Issue 21: every response carries the request's id, and the request's log line has it with
/// the request's own fields.
@Suite struct ConnectionRequestIDTests {
    @Test func aUsableClientIdIsKeptAndEchoed() async throws {
        let capture = LogCapture()
        try withServer(logger: capture.logger) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /request-id HTTP/1.1\r\nHost: t\r\nX-Request-Id: pipeline-42\r\n\r\n")
            let response = try #require(try client.readResponse())
            #expect(response.headers["X-Request-Id"] == "pipeline-42")
            #expect(response.text == "pipeline-42", "the handler sees the same id")
        }
        let line = try #require(capture.entries.first { $0.metadata["path"] == "/request-id" })
        #expect(line.metadata["request_id"] == "pipeline-42")
        #expect(line.metadata["method"] == "GET" && line.metadata["status"] == "200")
        #expect(line.metadata["bytes"] == "11")
        #expect(line.metadata["duration_ms"].flatMap(Double.init) != nil)
    }

    @Test func anUnusableIdIsReplacedByAMadeOne() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /request-id HTTP/1.1\r\nHost: t\r\nX-Request-Id: \(String(repeating: "y", count: 129))\r\n\r\n")
            let response = try #require(try client.readResponse())
            let id = try #require(response.headers["X-Request-Id"])
            #expect(id.wholeMatch(of: /[0-9a-f]{32}/) != nil)
            #expect(response.text == id)
        }
    }

    @Test func errorsAndUnknownPathsCarryAnIdToo() throws {
        try withServer { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /nowhere HTTP/1.1\r\nHost: t\r\nX-Request-Id: lost-1\r\n\r\n")
            #expect(try client.readResponse()?.headers["X-Request-Id"] == "lost-1")
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Request-Id: bad-1\r\nBad Name: x\r\n\r\n")
            let malformed = try #require(try client.readResponse())
            #expect(malformed.status == 400)
            // The head never parsed, so the client's id is unknown: one is made.
            #expect(malformed.headers["X-Request-Id"]?.wholeMatch(of: /[0-9a-f]{32}/) != nil)
        }
    }
}
