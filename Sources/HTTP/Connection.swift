import Foundation
import Logging

/// One client connection, served start to finish on its own thread: read with deadlines, feed
/// the parser, answer `Expect: 100-continue`, run each request through the router in order
/// (pipelined requests are answered in the order received, RFC 9112 §9.3.2), write the
/// responses, and close when either side asks, on a parse error, or on a timeout.
///
/// Deadlines (see `ServerLimits`): before a connection's first request, `headerTimeout` from
/// accept; between requests, `idleKeepAliveTimeout` (a silent close: nothing was asked);
/// once a request has started, `headerTimeout` from its first byte to the end of its head,
/// then `bodyReadTimeout` for each read of the body (both answered 408 and closed).
final class Connection {
    private let socket: Socket
    private let id: Int
    private let router: Router
    private let limits: ServerLimits
    private let logger: Logger
    private let drain: WakeupSignal
    private let acceptedAt: ContinuousClock.Instant
    private var parser: RequestParser
    private let clock = ContinuousClock()

    init(socket: Socket, id: Int, router: Router, limits: ServerLimits, logger: Logger,
         drain: WakeupSignal, acceptedAt: ContinuousClock.Instant) {
        self.socket = socket
        self.id = id
        self.router = router
        self.limits = limits
        var logger = logger
        logger[metadataKey: "connection"] = "\(id)"
        self.logger = logger
        self.drain = drain
        self.acceptedAt = acceptedAt
        self.parser = RequestParser(limits: limits)
    }

    /// Serves the connection until it is done. The socket is closed when the last reference
    /// to it goes, after this returns.
    func run() {
        do throws(SocketError) {
            try serve()
        } catch {
            // The peer reset the connection or a write failed: nothing more can be said to it.
            logger.debug("connection ended: \(error)")
        }
    }

    private func serve() throws(SocketError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { buffer.deallocate() }
        // When the current request's first byte arrived (accept time for the first request).
        var requestStart: ContinuousClock.Instant? = acceptedAt
        var idleSince = acceptedAt
        // The current body: when its first read began, and the bytes received since.
        var bodyStart: ContinuousClock.Instant?
        var bodyBytes = 0

        while true {
            let phase = parser.phase
            let deadline: ContinuousClock.Instant
            switch phase {
            case .idle:
                // RFC 9112 §9.3 — between requests a server may close an idle connection; we do
                // so when the server drains too.
                if drain.isFired { return }
                deadline = requestStart.map { $0 + limits.headerTimeout } ?? idleSince + limits.idleKeepAliveTimeout
            case .head:
                deadline = (requestStart ?? clock.now) + limits.headerTimeout
            case .body:
                deadline = bodyDeadline(start: &bodyStart, received: bodyBytes)
            case .failed:
                return
            }

            let outcome = try socket.receive(into: buffer, deadline: deadline, wakeup: phase == .idle ? drain.socket : nil)
            switch outcome {
            case .wokenUp, .endOfStream:
                // Draining while idle, or the client closed: if it closed mid-request there is
                // nobody left to answer.
                return
            case .timedOut:
                if phase == .idle { return }
                // RFC 9110 §15.5.9 — 408 when the request did not arrive in time; the server
                // SHOULD send "close".
                let what = phase == .head ? "request header section" : "request content"
                try respondWithError(HTTPError(.requestTimeout, "\(what) not received in time"), head: parser.currentHead,
                                     start: requestStart ?? clock.now)
                return
            case .bytes(let count):
                if requestStart == nil { requestStart = clock.now }
                if phase == .body { bodyBytes += count }
                let events = parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                for (index, event) in events.enumerated() {
                    switch event {
                    case .head(let head):
                        // RFC 9110 §10.1.1 — the head is acceptable, so encourage the client to
                        // send the content; skipped when the content already arrived with it.
                        let contentFollowed = index + 1 < events.count
                        if head.expectsContinue && !contentFollowed {
                            guard try socket.sendAll(HTTPResponse.continueBytes, timeout: limits.writeTimeout) else { return }
                        }
                    case .request(let request):
                        switch try respond(to: request, start: requestStart ?? clock.now) {
                        case .keepOpen: break
                        case .close: lingeringClose(); return
                        case .abandon: return
                        }
                        requestStart = nil
                        idleSince = clock.now
                        bodyStart = nil
                        bodyBytes = 0
                    case .error(let error):
                        try respondWithError(error, head: parser.currentHead, start: requestStart ?? clock.now)
                        return
                    }
                }
                // Bytes of the next request arrived with the end of the previous one.
                if parser.phase == .head && requestStart == nil { requestStart = clock.now }
            }
        }
    }

    /// The deadline of the next body read: `bodyReadTimeout` from now, and no later than the
    /// time by which `minBodyRate` bytes per second, counted after a first `bodyReadTimeout`
    /// of grace, would have brought `received` bytes (slow-body defence, e.g. R-U-Dead-Yet).
    private func bodyDeadline(start: inout ContinuousClock.Instant?, received: Int) -> ContinuousClock.Instant {
        let now = clock.now
        let bodyStart = start ?? now
        start = bodyStart
        let perRead = now + limits.bodyReadTimeout
        guard limits.minBodyRate > 0 else { return perRead }
        let earned = Duration.milliseconds(Int64(min(Double(received) / Double(limits.minBodyRate) * 1000, 1e12)))
        return min(perRead, bodyStart + limits.bodyReadTimeout + earned)
    }

    /// What happens to the connection after a response.
    private enum AfterResponse {
        /// Wait for the next request.
        case keepOpen
        /// Close in stages (`lingeringClose`): the response was written.
        case close
        /// Close at once: the client stopped reading, so there is nothing to protect.
        case abandon
    }

    /// Runs the handler and writes its response.
    private func respond(to request: HTTPRequest, start: ContinuousClock.Instant) throws(SocketError) -> AfterResponse {
        // The handler runs here, on this connection's thread (Router.Handler).
        var request = request
        let socket = self.socket
        request.clientHasGone = {
            // Zero-timeout poll: a FIN (or reset) from the client since it sent the request.
            let events = (try? Socket.poll([(socket, .peerClosed)], timeout: .zero))?.first ?? []
            return !events.isDisjoint(with: [.peerClosed, .failed])
        }
        var response = router.respond(to: request)
        response.headers.set(RequestID.field, request.requestID)
        // RFC 9112 §9.3 — persistence follows the request's version and "close" option; a
        // handler may ask to close, and a draining server closes after the current response.
        let keepAlive = request.wantsKeepAlive && !drain.isFired
            && !response.headers.tokens(for: "Connection").contains("close")
        let bytes = response.serialized(requestMethod: request.method, requestVersion: request.version, keepAlive: keepAlive)
        let written = try socket.sendAll(bytes, timeout: limits.writeTimeout)
        log(method: request.method.rawValue, path: request.path, status: response.status,
            bytes: response.sendsContent(requestMethod: request.method) ? response.body.count : 0, start: start,
            requestID: request.requestID, detail: written ? nil : "write timed out: the client stopped reading",
            extra: response.logMetadata)
        return !written ? .abandon : keepAlive ? .keepOpen : .close
    }

    /// Answers a request that cannot be parsed (or arrived too slowly) and closes: after a
    /// framing error the rest of the stream cannot be trusted (RFC 9112 §6.3).
    private func respondWithError(_ error: HTTPError, head: RequestHead?, start: ContinuousClock.Instant) throws(SocketError) {
        // A request that never parsed still gets an id: the client's, when its head arrived.
        let requestID = head.map { RequestID.of($0.headers) } ?? RequestID.generate()
        var response = HTTPResponse(problem: error)
        response.headers.set(RequestID.field, requestID)
        let bytes = response.serialized(requestMethod: head?.method, requestVersion: head?.version ?? .http1_1, keepAlive: false)
        let written = try socket.sendAll(bytes, timeout: limits.writeTimeout)
        log(method: head?.method.rawValue ?? "-", path: head?.requestTarget.path ?? "-", status: response.status,
            bytes: response.body.count, start: start, requestID: requestID, detail: error.message)
        if written { lingeringClose() }
    }

    /// RFC 9112 §9.6 — close in stages: shut down the sending side, then read and discard
    /// until the client closes (or `lingerTimeout`), so that unread input does not make the
    /// kernel reset the connection before the client has read our response.
    private func lingeringClose() {
        try? socket.shutdown(.write)
        let deadline = clock.now + limits.lingerTimeout
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 1)
        defer { scratch.deallocate() }
        while true {
            guard case .bytes = try? socket.receive(into: scratch, deadline: deadline) else { return }
        }
    }

    /// One line per request, with what the handler put in the response's `logMetadata` (the
    /// service's job id, which ties the line to the job's own lines). The request's fields are
    /// metadata too (`LogField`), for a structured handler to emit as fields of their own.
    private func log(method: String, path: String, status: HTTPStatus, bytes: Int, start: ContinuousClock.Instant,
                     requestID: String, detail: String? = nil, extra: [String: String] = [:]) {
        let elapsed = clock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let duration = (milliseconds * 10).rounded() / 10
        var metadata: Logger.Metadata = extra.mapValues { .string($0) }
        metadata[LogField.requestID] = .string(requestID)
        metadata[LogField.method] = .string(method)
        metadata[LogField.path] = .string(path)
        metadata[LogField.status] = .stringConvertible(status.code)
        metadata[LogField.bytes] = .stringConvertible(bytes)
        metadata[LogField.durationMS] = .stringConvertible(duration)
        if let detail { metadata["detail"] = "\(detail)" }
        logger.info("\(method) \(path) \(status.code) \(bytes)B \(String(format: "%.1f", duration))ms", metadata: metadata)
    }
}
