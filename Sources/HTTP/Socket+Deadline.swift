import Foundation

/// Blocking-style reads and writes over the non-blocking socket, bounded by deadlines: poll
/// until ready or out of time, then one recv/send.
extension Socket {
    enum ReadOutcome: Equatable, Sendable {
        /// This many bytes were read into the front of the buffer.
        case bytes(Int)
        /// The peer closed its sending side.
        case endOfStream
        /// The deadline passed with nothing to read.
        case timedOut
        /// The `wakeup` socket became readable first.
        case wokenUp
    }

    /// Waits until data arrives (or the deadline passes, or `wakeup` is readable), then reads.
    func receive(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant,
                 wakeup: Socket? = nil) throws(SocketError) -> ReadOutcome {
        while true {
            switch try receive(into: buffer) {
            case .bytes(let count): return .bytes(count)
            case .endOfStream: return .endOfStream
            case .wouldBlock: break
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return .timedOut }
            var requests: [(Socket, PollEvents)] = [(self, .readable)]
            if let wakeup { requests.append((wakeup, .readable)) }
            let ready = try Socket.poll(requests, timeout: remaining)
            if ready.count > 1, !ready[1].isEmpty { return .wokenUp }
        }
    }

    /// Writes all of `data`, waiting at most `timeout` each time the send buffer is full.
    /// - Returns: false when the peer stopped reading for longer than `timeout`.
    func sendAll(_ data: Data, timeout: Duration) throws(SocketError) -> Bool {
        var offset = 0
        while offset < data.count {
            // Data.withUnsafeBytes rethrows untyped errors, so the typed one travels in a Result.
            let sent = try data.withUnsafeBytes { bytes in
                Result { () throws(SocketError) in try send(UnsafeRawBufferPointer(rebasing: bytes[offset...])) }
            }.get()
            offset += sent
            if sent == 0 {
                let ready = try Socket.poll([(self, .writable)], timeout: timeout)
                if ready[0].isEmpty { return false }
            }
        }
        return true
    }

    /// A connected TCP client socket (used by tests and tools; the server only accepts).
    static func connect(host: String, port: UInt16, timeout: Duration = .seconds(5)) throws(SocketError) -> Socket {
        let address = try SocketAddress(host: host, port: port)
        let socket = try Socket.makeTCP(family: address.family)
        if try !socket.connect(to: address) {
            let ready = try Socket.poll([(socket, .writable)], timeout: timeout)
            guard !ready[0].isEmpty else { throw SocketError("connect", errno: ETIMEDOUT) }
            let pending = try socket.option(level: SOL_SOCKET, name: SO_ERROR)
            guard pending == 0 else { throw SocketError("connect", errno: pending) }
        }
        return socket
    }
}
