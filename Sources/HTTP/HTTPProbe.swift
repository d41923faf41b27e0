import Foundation

/// A minimal HTTP/1.1 GET over the server's own socket wrapper: enough for a container
/// health check in an image that has no curl.
public enum HTTPProbe {
    /// The status code of `GET path` at host:port.
    public static func get(host: String, port: Int, path: String, timeout seconds: Double) throws -> Int {
        let timeout = Duration.milliseconds(Int64(seconds * 1000))
        let socket = try Socket.connect(host: host, port: UInt16(port), timeout: timeout)
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
        guard try socket.sendAll(Data(request.utf8), timeout: timeout) else { throw SocketError("send", errno: ETIMEDOUT) }
        var head = Data()
        var buffer = [UInt8](repeating: 0, count: 1024)
        let deadline = ContinuousClock.now + timeout
        // The status line is all that is needed: "HTTP/1.1 200 OK\r\n".
        while !head.contains(0x0A) {
            let outcome = try buffer.withUnsafeMutableBytes { (raw) throws(SocketError) in try socket.receive(into: raw, deadline: deadline) }
            switch outcome {
            case .bytes(let n): head.append(contentsOf: buffer[0..<n])
            case .timedOut: throw SocketError("recv", errno: ETIMEDOUT)
            case .endOfStream, .wokenUp: throw SocketError("recv", errno: ECONNRESET)
            }
        }
        let line = String(decoding: head.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw SocketError("recv", errno: EPROTO)
        }
        return status
    }
}
