import Foundation
import Logging
@testable import VocoderServer

/// A test client on a raw TCP socket: writes exactly the bytes it is given and reads
/// responses back with deadlines, so tests can speak malformed, slow or pipelined HTTP.
/// `@unchecked Sendable`: a client is used by one thread at a time; tests only hand it from one
/// thread to another across an await.
final class RawClient: @unchecked Sendable {
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let socket: Socket
    private var pending: [UInt8] = []

    init(port: UInt16) throws {
        socket = try Socket.connect(host: "127.0.0.1", port: port)
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        guard try socket.sendAll(Data(bytes), timeout: .seconds(5)) else { throw Failure(description: "send timed out") }
    }

    /// Reads until `count` bytes are pending or the stream ends; false on end of stream.
    private func fill(to count: Int, deadline: ContinuousClock.Instant) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while pending.count < count {
            let outcome = try buffer.withUnsafeMutableBytes { try socket.receive(into: $0, deadline: deadline) }
            switch outcome {
            case .bytes(let n): pending += buffer[0..<n]
            case .endOfStream: return false
            case .timedOut: throw Failure(description: "timed out waiting for the server")
            case .wokenUp: break
            }
        }
        return true
    }

    /// Reads one response. Returns nil when the server closed the connection before sending
    /// a byte of it. `hasBody: false` for responses to HEAD.
    func readResponse(hasBody: Bool = true, timeout: Duration = .seconds(5)) throws -> Response? {
        let deadline = ContinuousClock.now + timeout
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            if let range = pending.firstRange(of: terminator) {
                headEnd = range.upperBound
            } else if try !fill(to: pending.count + 1, deadline: deadline) {
                if pending.isEmpty { return nil }
                throw Failure(description: "connection closed mid-response: \(String(decoding: pending, as: UTF8.self))")
            }
        }
        let headText = String(decoding: pending[0..<(headEnd! - 4)], as: UTF8.self)
        pending.removeFirst(headEnd!)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line in \(headText)")
        }
        var headers = HTTPHeaders()
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers.add(String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        var body = Data()
        if hasBody, status >= 200, status != 204, status != 304, let length = headers["Content-Length"].flatMap(Int.init) {
            guard try fill(to: length, deadline: deadline) else { throw Failure(description: "connection closed mid-body") }
            body = Data(pending[0..<length])
            pending.removeFirst(length)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// True when the server closes the connection (after any remaining bytes) within `timeout`.
    func isClosedByServer(within timeout: Duration = .seconds(3)) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        do {
            while try fill(to: pending.count + 1, deadline: deadline) {}
            return true
        } catch let error as SocketError where error.errno == ECONNRESET {
            return true
        } catch is Failure {
            return false
        }
    }
}

/// A logger that drops everything, for quiet tests.
let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// Starts a server on an ephemeral port of 127.0.0.1, runs `body` on a thread of its own,
/// and shuts the server down. The client side blocks on sockets, so it must not run on the
/// cooperative pool, where the handlers it waits for run (a 2-core machine has 2 such threads).
func withServer(
    limits: ServerLimits = ServerLimits(), router: Router = testRouter(),
    _ body: @escaping @Sendable (HTTPServer) throws -> Void
) async throws {
    let server = HTTPServer(host: "127.0.0.1", port: 0, router: router, limits: limits, logger: quietLogger)
    try server.start()
    let result = await onThread { Result { try body(server) } }
    await server.shutdown(gracePeriod: .milliseconds(100))
    try result.get()
}

/// Runs blocking work on a new thread and waits for it without holding a pool thread.
func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.start()
    }
}

/// Routes used by the server tests.
func testRouter() -> Router {
    var router = Router()
    router.get("/hello") { _, _ in .text("hello") }
    router.get("/slow") { request, _ in
        let milliseconds = Int(request.queryValue("ms") ?? "") ?? 100
        try? await Task.sleep(for: .milliseconds(milliseconds))
        return .text("slow \(milliseconds)")
    }
    router.post("/echo") { request, _ in
        HTTPResponse(status: .ok, contentType: "application/octet-stream", body: request.body)
    }
    router.get("/jobs/{id}") { _, parameters in .text("job \(parameters["id"] ?? "")") }
    router.delete("/jobs/{id}") { _, _ in HTTPResponse(status: .noContent) }
    router.get("/bye") { _, _ in HTTPResponse(status: .ok, headers: ["Connection": "close"], body: Data("bye".utf8)) }
    return router
}
