/// Every limit the HTTP layer enforces, with its default. A request over a size limit is
/// answered with the status named on the field and the connection is closed; a client over
/// a time limit gets 408 (or a silent close when it was merely idle).
public struct ServerLimits: Sendable, Equatable {
    /// Longest request-line (method, target, version; CRLF excluded) → 414. Default 8 KiB.
    /// Also bounds one chunk-size line of a chunked body (→ 400).
    public var maxRequestLineBytes: Int
    /// Longest header section, field lines with their CRLFs, request-line excluded → 431.
    /// Also bounds the trailer section of a chunked body. Default 32 KiB.
    public var maxHeaderBytes: Int
    /// Most header field lines (and most trailer field lines) → 431. Default 100.
    public var maxHeaderCount: Int
    /// Largest request content, decoded from chunked if need be → 413; a declared
    /// `Content-Length` over it is refused before any of the body is read. Default 64 MiB.
    public var maxBodyBytes: Int
    /// Time from a request's first byte (or from accept, for a connection's first request)
    /// to the end of its header section → 408 and close. Default 10 s.
    public var headerTimeout: Duration
    /// Longest wait for each read of the body → 408 and close. Default 30 s.
    public var bodyReadTimeout: Duration
    /// Slowest average rate, in bytes per second, at which a body may arrive once it has had
    /// `bodyReadTimeout` to start → 408 and close; 0 disables. Without it a client sending a
    /// byte just before each read deadline holds its connection for as long as the body lasts
    /// (slowhttptest -B). Default 1024.
    public var minBodyRate: Int
    /// Longest wait for the next request on a kept-alive connection → silent close. Default 5 s.
    public var idleKeepAliveTimeout: Duration
    /// Most open connections; one more is answered 503 and closed. Default 256.
    public var maxConnections: Int
    /// Longest wait for each write to make progress (a client not reading) → close. Default 30 s.
    public var writeTimeout: Duration
    /// After an error response, how long unread input is still drained before the socket is
    /// closed, so that the client reads the response instead of a reset (RFC 9112 §9.6).
    /// Default 2 s.
    public var lingerTimeout: Duration

    public init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 64 * 1024 * 1024,
        headerTimeout: Duration = .seconds(10),
        bodyReadTimeout: Duration = .seconds(30),
        minBodyRate: Int = 1024,
        idleKeepAliveTimeout: Duration = .seconds(5),
        maxConnections: Int = 256,
        writeTimeout: Duration = .seconds(30),
        lingerTimeout: Duration = .seconds(2)
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeout = headerTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.minBodyRate = minBodyRate
        self.idleKeepAliveTimeout = idleKeepAliveTimeout
        self.maxConnections = maxConnections
        self.writeTimeout = writeTimeout
        self.lingerTimeout = lingerTimeout
    }
}
