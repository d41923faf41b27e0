import Foundation
@testable import VocoderServer

/// A blocking HTTP/1.1 client over one raw TCP connection to 127.0.0.1: it writes exactly the
/// bytes it is given (so it can be slow, stop half-way or vanish) and reads responses back
/// with deadlines. One thread at a time.
final class TestClient: @unchecked Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: Data

        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let socket: Socket
    private var pending: [UInt8] = []

    init(port: UInt16) throws {
        socket = try Socket.connect(host: "127.0.0.1", port: port)
    }

    func send(_ text: String) throws { try send(Data(text.utf8)) }

    func send(_ data: Data) throws {
        guard try socket.sendAll(data, timeout: .seconds(10)) else { throw Failure(description: "send timed out") }
    }

    /// Sends one request with `Host` and `Content-Length` filled in.
    func sendRequest(_ method: String, _ target: String, headers: [(String, String)] = [], body: Data = Data()) throws {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Data(head.utf8) + body)
    }

    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: Data = Data(),
                 timeout: TimeInterval = 30) throws -> Response {
        try sendRequest(method, target, headers: headers, body: body)
        guard let response = try readResponse(hasBody: method != "HEAD", timeout: timeout) else {
            throw Failure(description: "connection closed before a response to \(method) \(target)")
        }
        return response
    }

    /// Closes abruptly: SO_LINGER 0 makes close send a reset instead of a FIN.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(socket.descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        try? socket.shutdown(.both)
    }

    /// Reads until `count` bytes are pending; false when the stream ends first.
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

    /// One response, or nil when the server closed before its first byte.
    func readResponse(hasBody: Bool = true, timeout: TimeInterval = 30) throws -> Response? {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
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
        var headers: [(name: String, value: String)] = []
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers.append((String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""))
        }
        var response = Response(status: status, headers: headers, body: Data())
        if hasBody, status >= 200, status != 204, status != 304,
           let length = response.header("Content-Length").flatMap(Int.init) {
            guard try fill(to: length, deadline: deadline) else {
                throw Failure(description: "closed mid-body (\(pending.count) of \(length) bytes)")
            }
            response.body = Data(pending[0..<length])
            pending.removeFirst(length)
        }
        return response
    }

    /// True when the server closes the connection within `timeout` (any bytes before are dropped).
    func isClosedByServer(within timeout: TimeInterval) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        do {
            while try fill(to: pending.count + 1, deadline: deadline) {}
            return true
        } catch let error as SocketError where error.errno == ECONNRESET {
            return true
        } catch {
            return false
        }
    }
}

/// Test bodies.
enum Bodies {
    /// A `.npy` v1 float32 C-order array of `shape` filled with `value`.
    static func npy(shape: [Int], value: Float = 0.5) -> Data {
        npyHeader(shape: shape) + floats(count: shape.reduce(1, *), value: value)
    }

    /// Only the header of a `.npy` v1 float32 array: lets a test declare any shape.
    static func npyHeader(shape: [Int], descr: String = "<f4") -> Data {
        let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
        dict += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(dict.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(dict.utf8))
        return data
    }

    static func floats(count: Int, value: Float) -> Data {
        var data = Data(capacity: count * 4)
        let bits = value.bitPattern.littleEndian
        for _ in 0..<count { withUnsafeBytes(of: bits) { data.append(contentsOf: $0) } }
        return data
    }

    /// A mel of `frames` frames for the tiny model (80 mels).
    static func mel(frames: Int) -> Data { npy(shape: [80, frames]) }
}

/// The rank of a job status in its life: statuses only move forward.
func statusRank(_ status: String) -> Int {
    switch status {
    case "queued": 0
    case "running": 1
    case "succeeded", "failed", "cancelled": 2
    default: -1
    }
}
