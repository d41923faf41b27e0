/// The id that ties a request to its log lines, its job and the client's own logs: the
/// client's `X-Request-Id` when it is usable, else one made here.
public enum RequestID {
    /// The header field that carries it, both ways.
    public static let field = "X-Request-Id"

    /// Longest client id kept; a longer one is replaced (it goes into every log line).
    public static let maxLength = 128

    /// The client's id when it is 1...`maxLength` visible ASCII characters (VCHAR, RFC 5234
    /// B.1: no space, no control character, nothing that could forge a log line), else nil.
    public static func accepted(_ value: String?) -> String? {
        guard let value, (1...maxLength).contains(value.utf8.count),
              value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return value
    }

    /// The id for a request: the first `X-Request-Id` field's value when it is usable, else a new one.
    public static func of(_ headers: HTTPHeaders) -> String {
        accepted(headers[field]) ?? generate()
    }

    /// 128 random bits as 32 lower-case hex digits.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(rng.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
