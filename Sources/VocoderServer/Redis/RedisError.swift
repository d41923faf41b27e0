/// A failed Redis call: what went wrong, by code, and a message naming the call. The job store
/// turns these into `ServiceError`s (Redis unreachable: 503; a malformed value: that job fails).
public struct RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No connection could be made (refused, unresolvable, timed out, authentication refused).
        case unreachable
        /// An established connection failed or timed out mid-command; it is closed.
        case connectionLost
        /// Redis answered with an error reply (`-ERR ...`, `WRONGTYPE`, `NOSCRIPT`, `OOM`).
        case serverError
        /// The reply's shape or a stored value is not what the caller expects.
        case unexpectedReply
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
