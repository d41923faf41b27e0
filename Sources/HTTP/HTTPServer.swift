import Foundation
import Logging
import Synchronization

/// The HTTP/1.1 server: a `Listener` accepting on one thread, one thread per connection
/// (`Connection`), requests dispatched through a `Router`, limits from `ServerLimits`.
/// A slow or malformed client only ever holds its own thread.
///
///     let server = HTTPServer(host: "0.0.0.0", port: 8080, router: router)
///     try server.start()
///     ...
///     server.stopAccepting()          // e.g. on SIGTERM: readiness goes false
///     server.shutdown()               // finish in-flight requests, then close everything
public final class HTTPServer: Sendable {
    public let host: String
    public let requestedPort: UInt16
    public let router: Router
    public let limits: ServerLimits
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var listener: Listener?
        var drain: WakeupSignal?
        var boundPort: UInt16 = 0
        var started = false
        var connections: [Int: Socket] = [:]
        var nextConnectionID = 0
    }

    /// - Parameters:
    ///   - host: a numeric IPv4/IPv6 address to bind (`0.0.0.0`, `127.0.0.1`, `::`) or `localhost`.
    ///   - port: the port; 0 lets the kernel choose (read it back from `port` after `start()`).
    public init(host: String = "0.0.0.0", port: UInt16 = 8080, router: Router,
                limits: ServerLimits = ServerLimits(), logger: Logger = Logger(label: "diffwave.http")) {
        self.host = host
        self.requestedPort = port
        self.router = router
        self.limits = limits
        self.logger = logger
    }

    /// The bound port once started (the kernel's choice when `port` was 0), else 0.
    public var port: UInt16 { state.withLock { $0.boundPort } }

    /// Open connections right now.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// True once `shutdown` has begun: idle connections close and responses carry `close`.
    public var isDraining: Bool { state.withLock { $0.drain?.isFired ?? false } }

    /// Binds, listens and starts accepting on a background thread. Returns once the port is
    /// bound, so a client may connect as soon as this returns.
    public func start() throws(SocketError) {
        let listener = try Listener(host: host, port: requestedPort)
        let drain = try WakeupSignal()
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            guard !state.started else { return true }
            state.listener = listener
            state.drain = drain
            state.boundPort = listener.port
            return false
        }
        precondition(!alreadyStarted, "HTTPServer started twice")
        listener.start(
            onAccept: { [self] socket in accepted(socket, drain: drain) },
            onError: { [logger] error in logger.error("accept failed: \(error)") }
        )
        logger.info("listening on \(host):\(listener.port)")
    }

    /// Stops accepting new connections (new attempts are refused); open ones carry on.
    public func stopAccepting() {
        let listener = state.withLock { state in
            defer { state.listener = nil }
            return state.listener
        }
        listener?.stop()
    }

    /// Graceful shutdown: stop accepting, close idle connections, let in-flight requests
    /// finish (their responses say `Connection: close`), and after `gracePeriod` shut down
    /// whatever is still open. Returns when every connection is gone, or shortly after the
    /// forced shutdown when a handler refuses to return. Blocks the calling thread meanwhile.
    public func shutdown(gracePeriod: Duration = .seconds(10)) {
        stopAccepting()
        state.withLock { $0.drain }?.fire()
        let clock = ContinuousClock()
        let graceEnd = clock.now + gracePeriod
        while connectionCount > 0 && clock.now < graceEnd {
            Thread.sleep(forTimeInterval: 0.005)
        }
        let stragglers = state.withLock { Array($0.connections.values) }
        guard !stragglers.isEmpty else { return }
        logger.warning("closing \(stragglers.count) connection(s) still open after the grace period")
        for socket in stragglers {
            try? socket.shutdown(.both)
        }
        let forcedEnd = clock.now + .seconds(1)
        while connectionCount > 0 && clock.now < forcedEnd {
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    /// Runs on the accept thread: admit the connection on a thread of its own, or turn it
    /// away with 503 when `maxConnections` are already open.
    private func accepted(_ socket: Socket, drain: WakeupSignal) {
        let acceptedAt = ContinuousClock.now
        try? socket.setNoDelay()
        let id: Int? = state.withLock { state in
            guard state.connections.count < limits.maxConnections else { return nil }
            let id = state.nextConnectionID
            state.nextConnectionID += 1
            state.connections[id] = socket
            return id
        }
        guard let id else {
            rejectOverCapacity(socket)
            return
        }
        let thread = Thread { [self] in
            let connection = Connection(socket: socket, id: id, router: router, limits: limits, logger: logger,
                                        drain: drain, acceptedAt: acceptedAt)
            connection.run()
            _ = state.withLock { $0.connections.removeValue(forKey: id) }
        }
        thread.name = "http-connection-\(id)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// RFC 9110 §15.6.4 — 503 with Retry-After when over capacity. Written without waiting
    /// (a fresh socket's send buffer is empty), so the accept thread never blocks on a client.
    private func rejectOverCapacity(_ socket: Socket) {
        let error = HTTPError(.unavailable, "the server has \(limits.maxConnections) open connections; retry shortly",
                              headers: ["Retry-After": "1"])
        let requestID = RequestID.generate()
        var response = HTTPResponse(problem: error)
        response.headers.set(RequestID.field, requestID)
        let bytes = response.serialized(requestMethod: nil, keepAlive: false)
        _ = bytes.withUnsafeBytes { try? socket.send($0) }
        // Take what the client already sent so that closing does not reset the connection
        // before it reads the 503 (RFC 9112 §9.6), then close by dropping the socket.
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 1)
        defer { scratch.deallocate() }
        _ = try? socket.receive(into: scratch)
        try? socket.shutdown(.write)
        logger.warning("- - 503 over capacity (\(limits.maxConnections) connections)",
                       metadata: [LogField.requestID: .string(requestID), LogField.status: .stringConvertible(503)])
    }
}
