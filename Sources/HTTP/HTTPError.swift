/// A request the server will not fulfil: a problem type naming the kind of failure (RFC 9457
/// §3.1.1), its failure class (`code`), plus a one-line message for the client (the problem's
/// `detail`, §3.1.4). The HTTP status is derived from the code in exactly one place, `status`;
/// an error made from a code alone gets that code's generic type (`Code.problemType`), a layer
/// above gives its own kinds of error their own types (`ProblemType`). Fields that the error
/// response must carry (e.g. `Allow` on 405, `Retry-After` on 503) travel in `headers`.
public struct HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// The request is syntactically invalid: request-line, fields, framing, chunked coding.
        case malformed
        /// No credentials, or credentials the server does not accept; carries `WWW-Authenticate`.
        case unauthorized
        /// No resource at the target path.
        case notFound
        /// The path exists but not for this method; carries `Allow`.
        case methodNotAllowed
        /// No representation matches `Accept` (e.g. an unknown audio format).
        case notAcceptable
        /// The client was too slow to send the head or the body.
        case requestTimeout
        /// The resource is not in a state for this request (e.g. audio before the job finished).
        case conflict
        /// The resource existed but has expired.
        case gone
        /// The route needs a declared content length.
        case lengthRequired
        /// The content is larger than the configured limit.
        case contentTooLarge
        /// The request-line is longer than the configured limit.
        case uriTooLong
        /// The content's media type (or content coding) is not one the route accepts.
        case unsupportedMediaType
        /// An `Expect` value other than `100-continue`.
        case expectationFailed
        /// Well-formed content that the route cannot use (wrong shape, NaN, bad parameter).
        case unprocessable
        /// The header section (or trailer section) is over its byte or field-count limit.
        case headersTooLarge
        /// A bug or an unexpected failure on the server's side.
        case `internal`
        /// An unknown method, or a transfer coding the server does not implement.
        case notImplemented
        /// Over capacity or draining; normally carries `Retry-After`.
        case unavailable
        /// A major HTTP version other than 1.
        case versionNotSupported
        /// The client closed its connection before the answer (nginx's 499); only ever logged.
        case clientClosedRequest
    }

    public let code: Code
    /// The kind of failure, for clients to switch on (the problem's `type` and `title`).
    public let type: ProblemType
    public let message: String
    public var headers: HTTPHeaders

    /// An error of `code`'s generic kind.
    public init(_ code: Code, _ message: String, headers: HTTPHeaders = [:]) {
        self.init(code.problemType, message, headers: headers)
    }

    /// An error of a specific kind; its failure class (and so its status) is the type's.
    public init(_ type: ProblemType, _ message: String, headers: HTTPHeaders = [:]) {
        self.code = type.code
        self.type = type
        self.message = message
        self.headers = headers
    }

    /// The one mapping from failure class to status code.
    public var status: HTTPStatus {
        switch code {
        case .malformed: .badRequest
        case .unauthorized: .unauthorized
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .notAcceptable: .notAcceptable
        case .requestTimeout: .requestTimeout
        case .conflict: .conflict
        case .gone: .gone
        case .lengthRequired: .lengthRequired
        case .contentTooLarge: .contentTooLarge
        case .uriTooLong: .uriTooLong
        case .unsupportedMediaType: .unsupportedMediaType
        case .expectationFailed: .expectationFailed
        case .unprocessable: .unprocessableContent
        case .headersTooLarge: .requestHeaderFieldsTooLarge
        case .internal: .internalServerError
        case .notImplemented: .notImplemented
        case .unavailable: .serviceUnavailable
        case .versionNotSupported: .httpVersionNotSupported
        case .clientClosedRequest: .clientClosedRequest
        }
    }

    public var description: String { "\(status): \(message)" }
}
