import Foundation

/// Incremental HTTP/1.1 request parser (RFC 9112). Feed it bytes as they arrive; it returns,
/// in order, the events those bytes complete: a `head` when a header section is complete (so
/// the connection can answer `Expect: 100-continue` and switch to body deadlines), then the
/// `request` once its body is complete. Several pipelined requests in one feed come out in
/// order. The first violation yields `error` with the status to answer, after which the parser
/// accepts nothing more: the connection must respond and close.
///
/// Strictness, chosen where RFC 9112 leaves a choice: a lone LF is not accepted as a line
/// terminator (§2.2), messages with both Content-Length and Transfer-Encoding are rejected
/// (§6.1), obs-fold is rejected (§5.2), and a Transfer-Encoding whose final coding is not
/// `chunked` is a 400 (§6.3 ¶4: the length cannot be determined) while a final `chunked`
/// preceded by any other coding is a 501 (§6.1: a coding the server does not understand).
struct RequestParser {
    enum Event: Sendable {
        case head(RequestHead)
        case request(HTTPRequest)
        case error(HTTPError)
    }

    enum Phase: Equatable, Sendable {
        /// Between requests with nothing buffered.
        case idle
        /// Some of a request-line or header section has arrived.
        case head
        /// The head is complete and content is being read.
        case body
        /// An error was reported; nothing more will be parsed.
        case failed
    }

    private enum State {
        case idle, headers, body, chunked, failed
    }

    /// A request whose request-line has been parsed while its fields are still arriving.
    private struct PartialHead {
        var method: HTTPMethod
        var target: String
        var requestTarget: RequestTarget
        var version: HTTPVersion
        var headers = HTTPHeaders()
        var headerBytes = 0
    }

    let limits: ServerLimits
    private var state = State.idle
    /// Received bytes not yet consumed.
    private var buffer: [UInt8] = []
    /// Bytes at the front of `buffer` known to hold no LF (see `HTTPSyntax.scanLine`).
    private var scanned = 0
    private var partial: PartialHead?
    private var head: RequestHead?
    private var body = Data()
    private var remainingBodyBytes = 0
    private var chunkedDecoder: ChunkedBodyDecoder?

    init(limits: ServerLimits = ServerLimits()) {
        self.limits = limits
    }

    var phase: Phase {
        switch state {
        case .idle: buffer.isEmpty ? .idle : .head
        case .headers: .head
        case .body, .chunked: .body
        case .failed: .failed
        }
    }

    /// The head of the request whose body is being read (or was, when parsing failed), if any.
    var currentHead: RequestHead? { head }

    mutating func feed<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [Event] {
        guard state != .failed else { return [] }
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        var cursor = 0
        do throws(HTTPError) {
            while try step(cursor: &cursor, events: &events) {}
        } catch {
            events.append(.error(error))
            // `head` is kept: the failing request's method and path, when known, are still
            // wanted for the error response (HEAD) and the log line.
            state = .failed
            buffer = []
            partial = nil
            body = Data()
            return events
        }
        buffer.removeFirst(cursor)
        return events
    }

    /// Parses one element at `buffer[cursor...]`; returns false when more input is needed.
    private mutating func step(cursor: inout Int, events: inout [Event]) throws(HTTPError) -> Bool {
        let input = buffer[cursor...]
        switch state {
        case .failed:
            return false

        case .idle:
            // RFC 9112 §2.2 — a server SHOULD ignore at least one empty line (CRLF) received
            // prior to the request-line.
            if input.starts(with: [HTTPSyntax.cr, HTTPSyntax.lf]) {
                cursor += 2
                // The CR may have been scanned on its own in an earlier feed; what is scanned
                // now starts after the empty line.
                scanned = 0
                return true
            }
            switch try HTTPSyntax.scanLine(input, scanned: &scanned, limit: limits.maxRequestLineBytes) {
            case .incomplete:
                try Self.rejectEarlyInvalidMethod(input)
                return false
            case .tooLong:
                // RFC 9112 §3 — a server receiving a request-target longer than it wishes to
                // parse MUST respond 414.
                throw HTTPError(.uriTooLong, "request-line longer than \(limits.maxRequestLineBytes) bytes")
            case .complete(let line, let consumed):
                cursor += consumed
                partial = try Self.parseRequestLine(line)
                state = .headers
                return true
            }

        case .headers:
            let used = partial!.headerBytes
            switch try HTTPSyntax.scanLine(input, scanned: &scanned, limit: max(0, limits.maxHeaderBytes - used - 2)) {
            case .incomplete:
                return false
            case .tooLong:
                // RFC 6585 §5 — 431 when the header fields are too large.
                throw HTTPError(.headersTooLarge, "header section larger than \(limits.maxHeaderBytes) bytes")
            case .complete(let line, let consumed):
                cursor += consumed
                if line.isEmpty {
                    try finishHead(events: &events)
                    return true
                }
                if let first = line.first, HTTPSyntax.isWhitespace(first) {
                    if partial!.headers.isEmpty {
                        // RFC 9112 §2.2 — whitespace between the start-line and the first field
                        // MUST be rejected or consumed; we reject.
                        throw HTTPError(.malformed, "whitespace before the first header field")
                    }
                    // RFC 9112 §5.2 — a server MUST reject obs-fold with 400 (or unfold it).
                    throw HTTPError(.malformed, "obsolete line folding in header section")
                }
                let field = try HTTPSyntax.parseFieldLine(line)
                partial!.headers.add(field.name, field.value)
                partial!.headerBytes += consumed
                guard partial!.headers.count <= limits.maxHeaderCount else {
                    throw HTTPError(.headersTooLarge, "more than \(limits.maxHeaderCount) header fields")
                }
                return true
            }

        case .body:
            guard !input.isEmpty else { return false }
            let take = min(remainingBodyBytes, input.count)
            body.append(contentsOf: input.prefix(take))
            cursor += take
            remainingBodyBytes -= take
            if remainingBodyBytes == 0 { completeRequest(events: &events) }
            return true

        case .chunked:
            guard !input.isEmpty else { return false }
            let (consumed, progress) = try chunkedDecoder!.decode(input, into: &body)
            cursor += consumed
            guard progress == .done else { return false }
            completeRequest(events: &events)
            return true
        }
    }

    private mutating func completeRequest(events: inout [Event]) {
        events.append(.request(head!.request(body: body)))
        head = nil
        body = Data()
        chunkedDecoder = nil
        state = .idle
    }

    /// Fails fast on input that cannot be HTTP (e.g. a TLS handshake) instead of waiting for
    /// a line end: everything before the first SP must be method token characters.
    private static func rejectEarlyInvalidMethod(_ input: ArraySlice<UInt8>) throws(HTTPError) {
        if let end = input.firstIndex(where: { !HTTPSyntax.isTokenChar($0) }),
           input[end] != HTTPSyntax.sp, input[end] != HTTPSyntax.cr {
            throw HTTPError(.malformed, "invalid character in method")
        }
    }

    /// RFC 9112 §3 — request-line = method SP request-target SP HTTP-version, each element
    /// separated by exactly one SP (we do not accept other whitespace).
    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPError) -> PartialHead {
        let parts = line.split(separator: HTTPSyntax.sp, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw HTTPError(.malformed, "request-line is not 'method SP target SP version'")
        }
        // RFC 9110 §9.1 — method = token
        guard HTTPSyntax.isToken(parts[0]) else {
            throw HTTPError(.malformed, "invalid character in method")
        }
        let version = try HTTPVersion.parse(parts[2])
        let method = HTTPMethod(String(decoding: parts[0], as: UTF8.self))
        let target = try RequestTarget.parse(parts[1], method: method)
        return PartialHead(method: method, target: String(decoding: parts[1], as: UTF8.self),
                           requestTarget: target, version: version)
    }

    /// The header section is complete: check the fields that decide framing and expectations,
    /// announce the head, and set up reading the body.
    private mutating func finishHead(events: inout [Event]) throws(HTTPError) {
        let partial = self.partial!
        self.partial = nil
        let headers = partial.headers

        // RFC 9112 §3.2 — a server MUST respond 400 to an HTTP/1.1 request without Host and to
        // any request with more than one Host field line or an invalid Host value.
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 { throw HTTPError(.malformed, "more than one Host header field") }
        if hosts.isEmpty, partial.version >= .http1_1 { throw HTTPError(.malformed, "HTTP/1.1 request without Host") }
        if let host = hosts.first, host.contains(where: { " \t,/?#@".contains($0) }) {
            throw HTTPError(.malformed, "invalid Host header field")
        }

        let framing = try Self.framing(of: headers, version: partial.version, maxBodyBytes: limits.maxBodyBytes)

        // RFC 9110 §10.1.1 — an expectation other than 100-continue MAY be answered 417;
        // a server MUST ignore expectations in an HTTP/1.0 request.
        if partial.version >= .http1_1, let other = headers.tokens(for: "Expect").first(where: { $0 != "100-continue" }) {
            throw HTTPError(.expectationFailed, "unsupported expectation '\(other)'")
        }

        let head = RequestHead(method: partial.method, target: partial.target, requestTarget: partial.requestTarget,
                               version: partial.version, headers: headers, framing: framing)
        events.append(.head(head))
        self.head = head
        switch framing {
        case .none:
            completeRequest(events: &events)
        case .contentLength(let length):
            remainingBodyBytes = length
            body = Data(capacity: min(length, 1 << 20))  // never trust a declared length for a big allocation
            state = .body
        case .chunked:
            chunkedDecoder = ChunkedBodyDecoder(limits: limits)
            state = .chunked
        }
    }

    /// RFC 9112 §6.3 — the message body length of a request.
    static func framing(of headers: HTTPHeaders, version: HTTPVersion, maxBodyBytes: Int) throws(HTTPError) -> RequestHead.Framing {
        let contentLengths = headers.values(for: "Content-Length")
        if headers.contains("Transfer-Encoding") {
            // RFC 9112 §6.1 — an HTTP/1.0 message with Transfer-Encoding has faulty framing.
            guard version >= .http1_1 else {
                throw HTTPError(.malformed, "Transfer-Encoding in an HTTP/1.0 request")
            }
            // RFC 9112 §6.1 — reject simultaneous Content-Length and Transfer-Encoding
            // (a server MAY; it is the request-smuggling vector of §11.2).
            guard contentLengths.isEmpty else {
                throw HTTPError(.malformed, "both Content-Length and Transfer-Encoding")
            }
            // RFC 9112 §7 — transfer-coding names are case-insensitive; parameters follow ';'.
            let codings = headers.tokens(for: "Transfer-Encoding").map { coding in
                String(coding.prefix { $0 != ";" }).trimmingCharacters(in: [" ", "\t"])
            }
            // RFC 9112 §6.3 ¶4 — if chunked is not the final coding of a request, the length
            // cannot be determined: the server MUST respond 400 and close.
            guard codings.last == "chunked" else {
                throw HTTPError(.malformed, "Transfer-Encoding does not end with chunked")
            }
            // RFC 9112 §7.1 — a sender MUST NOT apply chunked more than once.
            guard !codings.dropLast().contains("chunked") else {
                throw HTTPError(.malformed, "chunked applied more than once")
            }
            // RFC 9112 §6.1 — a transfer coding the server does not understand SHOULD be
            // answered 501; chunked is the only one we implement.
            if let unknown = codings.dropLast().first {
                throw HTTPError(.notImplemented, "transfer coding '\(unknown)' is not implemented")
            }
            return .chunked
        }
        guard !contentLengths.isEmpty else {
            // RFC 9112 §6.3 ¶7 — a request with neither has no content.
            return .none
        }
        // RFC 9110 §8.6 — Content-Length = 1*DIGIT; a list of identical values (or repeated
        // identical fields) MAY be accepted as one; RFC 9112 §6.3 ¶5 — differing or invalid
        // values are an unrecoverable framing error: 400 and close.
        var length: Int?
        for element in contentLengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let digits = element.trimmingCharacters(in: [" ", "\t"])
            guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                throw HTTPError(.malformed, "invalid Content-Length")
            }
            // RFC 9110 §8.6 — anticipate large numerals; prevent integer overflow.
            guard let value = Int(digits) else {
                throw HTTPError(.malformed, "Content-Length overflows")
            }
            if let length, length != value {
                throw HTTPError(.malformed, "conflicting Content-Length values")
            }
            length = value
        }
        let declared = length!
        // RFC 9110 §15.5.14 — refuse content larger than we are willing to process; reported
        // as soon as the head is parsed, before any of the content is read.
        guard declared <= maxBodyBytes else {
            throw HTTPError(.contentTooLarge, "Content-Length \(declared) exceeds the limit of \(maxBodyBytes) bytes")
        }
        return declared == 0 ? .none : .contentLength(declared)
    }
}
