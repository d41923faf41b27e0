import Foundation

/// A complete request as the parser delivers it to the router: head plus the whole body
/// (decoded from chunked framing when it was sent that way).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request-target exactly as received, e.g. `/jobs/42?wait=1`.
    public var target: String
    /// The target's path, still percent-encoded (the router decodes it segment by segment).
    public var path: String
    /// The target's query items in order, percent-decoded.
    public var query: [URLQueryItem]
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: Data
    /// Whether the client has closed its side of the connection since sending this request:
    /// a handler that waits (for a job) stops waiting for a client that cannot read the answer.
    /// Set by the connection; a request made elsewhere has a client that never goes.
    public var clientHasGone: @Sendable () -> Bool = { false }
    /// The request's id (`RequestID`): the client's `X-Request-Id` when usable, else a new one.
    /// The connection sends it back and logs it; the layer above records it with its work.
    public var requestID: String

    public init(
        method: HTTPMethod, target: String, path: String, query: [URLQueryItem] = [],
        version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:], body: Data = Data()
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.requestID = RequestID.of(headers)
    }

    /// Builds a request from a raw target, splitting and decoding it as the parser does.
    /// - Throws: 400 when the target is not a valid origin-form or absolute-form target.
    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = [:], body: Data = Data()
    ) throws(HTTPError) {
        let parsed = try RequestTarget.parse(ArraySlice(target.utf8), method: method)
        self.init(method: method, target: target, path: parsed.path, query: parsed.query,
                  version: version, headers: headers, body: body)
    }

    /// The value of the first query item called `name` (an item without `=` has value "").
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }.map { $0.value ?? "" }
    }

    /// Whether the client asked for the connection to stay open after this exchange
    /// (RFC 9112 §9.3): `close` ends it; otherwise HTTP/1.1 persists and HTTP/1.0 persists only
    /// with the `keep-alive` connection option.
    public var wantsKeepAlive: Bool {
        let options = headers.tokens(for: "Connection")
        if options.contains("close") { return false }
        if version >= .http1_1 { return true }
        return options.contains("keep-alive")
    }
}
