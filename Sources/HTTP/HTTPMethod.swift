/// A request method (RFC 9110 §9). Methods are case-sensitive tokens, so `get` is not `GET`.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static let get = HTTPMethod("GET")
    public static let head = HTTPMethod("HEAD")
    public static let post = HTTPMethod("POST")
    public static let put = HTTPMethod("PUT")
    public static let delete = HTTPMethod("DELETE")
    public static let connect = HTTPMethod("CONNECT")
    public static let options = HTTPMethod("OPTIONS")
    public static let trace = HTTPMethod("TRACE")
    /// RFC 5789.
    public static let patch = HTTPMethod("PATCH")

    /// The methods RFC 9110 §9 (and RFC 5789) define, in the order they are listed there;
    /// `Allow` lists methods in this order.
    public static let standard: [HTTPMethod] = [.get, .head, .post, .put, .delete, .connect, .options, .trace, .patch]
}
