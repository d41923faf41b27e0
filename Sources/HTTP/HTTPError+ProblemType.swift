extension HTTPError.Code {
    /// The generic problem type of each failure class: what an error made from a bare code is
    /// (the parser's, the router's, and a route's that has no kind of its own).
    public var problemType: ProblemType {
        switch self {
        case .malformed:
            ProblemType("malformed-request", title: "Malformed request", code: .malformed,
                summary: "The request could not be parsed: its request-line, header fields, framing, query or body is not what the protocol or the route's media type allows. The detail names the part.")
        case .unauthorized:
            ProblemType("unauthorized", title: "Authentication required", code: .unauthorized,
                summary: "This server requires a bearer token (RFC 6750): send Authorization: Bearer <token> with one of the tokens it was given. The probes, /openapi.yaml and these pages need none.")
        case .notFound:
            ProblemType("not-found", title: "Not found", code: .notFound,
                summary: "No resource at this path.")
        case .methodNotAllowed:
            ProblemType("method-not-allowed", title: "Method not allowed", code: .methodNotAllowed,
                summary: "The path exists, but not for this method; the Allow header lists the methods it takes.")
        case .notAcceptable:
            ProblemType("not-acceptable", title: "Not acceptable", code: .notAcceptable,
                summary: "No representation this server makes matches the Accept header (the audio types are audio/wav, audio/flac and audio/ogg).")
        case .requestTimeout:
            ProblemType("request-timeout", title: "Request timeout", code: .requestTimeout,
                summary: "The request's head or body did not arrive in time (header-timeout, body-read-timeout, min-body-rate); the connection is closed.")
        case .conflict:
            ProblemType("conflict", title: "Conflict", code: .conflict,
                summary: "The resource is not in a state for this request.")
        case .gone:
            ProblemType("gone", title: "Gone", code: .gone,
                summary: "The resource existed but is no longer kept.")
        case .lengthRequired:
            ProblemType("length-required", title: "Length required", code: .lengthRequired,
                summary: "The route needs a declared Content-Length.")
        case .contentTooLarge:
            ProblemType("content-too-large", title: "Content too large", code: .contentTooLarge,
                summary: "The request body is larger than this server accepts (max-body-bytes, refused from its Content-Length before it is read; max-decoded-body-bytes after gzip decoding).")
        case .uriTooLong:
            ProblemType("uri-too-long", title: "URI too long", code: .uriTooLong,
                summary: "The request-line is longer than max-request-line-bytes.")
        case .unsupportedMediaType:
            ProblemType("unsupported-media-type", title: "Unsupported media type", code: .unsupportedMediaType,
                summary: "The body's Content-Type or Content-Encoding is not one the route takes; the detail (and Accept-Post, where sent) names those it does.")
        case .expectationFailed:
            ProblemType("expectation-failed", title: "Expectation failed", code: .expectationFailed,
                summary: "An Expect value other than 100-continue.")
        case .unprocessable:
            ProblemType("unprocessable-content", title: "Unprocessable content", code: .unprocessable,
                summary: "The request is well-formed but cannot be used as it is (e.g. a parameter out of its range); the detail says which part and why.")
        case .headersTooLarge:
            ProblemType("headers-too-large", title: "Header fields too large", code: .headersTooLarge,
                summary: "The header (or trailer) section is over max-header-bytes or max-header-count.")
        case .internal:
            ProblemType("internal-error", title: "Internal error", code: .internal,
                summary: "The server failed on a request it had accepted; this is a fault of the server, not of the request.")
        case .notImplemented:
            ProblemType("not-implemented", title: "Not implemented", code: .notImplemented,
                summary: "A method or transfer coding this server does not implement.")
        case .unavailable:
            ProblemType("unavailable", title: "Service unavailable", code: .unavailable,
                summary: "The server cannot take the request now (e.g. every connection slot is taken); retry after the Retry-After seconds.")
        case .clientClosedRequest:
            ProblemType("client-closed-request", title: "Client closed request", code: .clientClosedRequest,
                summary: "The client closed its connection before its answer (nginx's 499), and a synchronous request's job was cancelled. Never sent: it names the request's log line.")
        case .versionNotSupported:
            ProblemType("http-version-not-supported", title: "HTTP version not supported", code: .versionNotSupported,
                summary: "Only HTTP/1.x is served.")
        }
    }
}

extension ProblemType {
    /// Every generic kind, one per `HTTPError.Code`.
    public static var generic: [ProblemType] { HTTPError.Code.allCases.map(\.problemType) }
}
