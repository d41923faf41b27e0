import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 test client over one raw TCP connection to 127.0.0.1: it writes exactly
/// the bytes it is given (so it can be malformed, slow, pipelined, stop half-way or vanish) and
/// reads responses back with deadlines. Plain POSIX sockets, so that it tests the server's
/// socket code instead of sharing it. One thread at a time.
public final class TestClient: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: Fields
        public var body: Data

        public func header(_ name: String) -> String? { headers[name] }
        public var text: String { String(decoding: body, as: UTF8.self) }
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    /// Response fields in order; names compare case-insensitively.
    public struct Fields: Sendable {
        public var all: [(name: String, value: String)] = []
        public subscript(name: String) -> String? {
            all.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let descriptor: Int32
    private var pending: [UInt8] = []

    public init(port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port): errno \(code)")
        }
    }

    deinit { close(descriptor) }

    public func send(_ text: String) throws { try send(Data(text.utf8)) }
    public func send(_ bytes: [UInt8]) throws { try send(Data(bytes)) }

    public func send(_ data: Data, timeout: Duration = .seconds(10)) throws {
        let deadline = ContinuousClock.now + timeout
        var offset = 0
        while offset < data.count {
            guard try wait(for: Int16(POLLOUT), until: deadline) else { throw Failure(description: "send timed out") }
            let n = data.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, data.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw Failure(description: "send: errno \(errno)")
            }
            offset += n
        }
    }

    /// Sends one request with `Host` and `Content-Length` filled in.
    public func sendRequest(_ method: String, _ target: String, headers: [(String, String)] = [], body: Data = Data()) throws {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Data(head.utf8) + body)
    }

    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: Data = Data(),
                        timeout: Duration = .seconds(30)) throws -> Response {
        try sendRequest(method, target, headers: headers, body: body)
        guard let response = try readResponse(hasBody: method != "HEAD", timeout: timeout) else {
            throw Failure(description: "connection closed before a response to \(method) \(target)")
        }
        return response
    }

    /// Closes abruptly: SO_LINGER 0 makes close send a reset instead of a FIN.
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Shuts down both directions (a FIN): the client is gone but the descriptor stays open.
    public func shutdown() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Waits for `events`; false when the deadline passes first.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant) throws -> Bool {
        while true {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return false }
            var request = pollfd(fd: descriptor, events: events, revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&request, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { throw Failure(description: "poll: errno \(errno)") }
        }
    }

    /// Reads until `count` bytes are pending; false when the stream ends first. A reset by the
    /// server counts as the end.
    private func fill(to count: Int, deadline: ContinuousClock.Instant) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while pending.count < count {
            guard try wait(for: Int16(POLLIN), until: deadline) else { throw Failure(description: "timed out waiting for the server") }
            let n = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                pending += buffer[0..<n]
            } else if n == 0 || errno == ECONNRESET {
                return false
            } else if errno != EINTR && errno != EAGAIN {
                throw Failure(description: "recv: errno \(errno)")
            }
        }
        return true
    }

    /// One response, or nil when the server closed before its first byte. `hasBody: false`
    /// for responses to HEAD.
    public func readResponse(hasBody: Bool = true, timeout: Duration = .seconds(30)) throws -> Response? {
        let deadline = ContinuousClock.now + timeout
        let terminator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            if let range = pending.firstRange(of: terminator) {
                headEnd = range.upperBound
            } else if try !fill(to: pending.count + 1, deadline: deadline) {
                if pending.isEmpty { return nil }
                throw Failure(description: "closed mid-head: \(String(decoding: pending, as: UTF8.self))")
            }
        }
        let headText = String(decoding: pending[0..<(headEnd! - 4)], as: UTF8.self)
        pending.removeFirst(headEnd!)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line in \(headText)")
        }
        var fields = Fields()
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            fields.all.append((String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""))
        }
        var response = Response(status: status, headers: fields, body: Data())
        if hasBody, status >= 200, status != 204, status != 304, let length = fields["Content-Length"].flatMap(Int.init) {
            guard try fill(to: length, deadline: deadline) else {
                throw Failure(description: "closed mid-body (\(pending.count) of \(length) bytes)")
            }
            response.body = Data(pending[0..<length])
            pending.removeFirst(length)
        }
        return response
    }

    /// True when the server closes the connection within `timeout` (any bytes before are dropped).
    public func isClosedByServer(within timeout: Duration = .seconds(3)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        do {
            while try fill(to: pending.count + 1, deadline: deadline) {}
            return true
        } catch {
            return false
        }
    }
}

/// Runs blocking work (a `TestClient`, a process wait) on a new thread and awaits it, so that
/// an async test does not hold one of the few cooperative threads meanwhile.
public func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    let result: Result<T, any Error> = await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: Result { try work() }) }
    }
    return try result.get()
}
