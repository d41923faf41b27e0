import Foundation

/// A request whose header section is complete, as announced by `RequestParser` before the
/// body (if any) is read: the connection uses it to send `100 Continue` and to switch from the
/// header deadline to per-read body deadlines.
struct RequestHead: Sendable {
    /// How the content is delimited (RFC 9112 §6.3).
    enum Framing: Equatable, Sendable {
        /// No content (no Content-Length, no Transfer-Encoding, or Content-Length: 0).
        case none
        /// Exactly this many bytes follow.
        case contentLength(Int)
        /// Chunked transfer coding; the length is known only at the last chunk.
        case chunked
    }

    var method: HTTPMethod
    var target: String
    var requestTarget: RequestTarget
    var version: HTTPVersion
    var headers: HTTPHeaders
    var framing: Framing

    /// RFC 9110 §10.1.1 — the client waits for `100 Continue` before sending content: an
    /// HTTP/1.1 request with `Expect: 100-continue` that has content to send. (A server MUST
    /// ignore the expectation in an HTTP/1.0 request.)
    var expectsContinue: Bool {
        version >= .http1_1 && framing != .none && headers.tokens(for: "Expect").contains("100-continue")
    }

    func request(body: Data) -> HTTPRequest {
        HTTPRequest(method: method, target: target, path: requestTarget.path, query: requestTarget.query,
                    version: version, headers: headers, body: body)
    }
}
