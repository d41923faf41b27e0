import Foundation

/// One decoded reply (RESP2, what hiredis 0.14 speaks), copied out of hiredis's memory.
public enum RedisReply: Sendable, Equatable {
    case string(Data)
    case status(String)
    case integer(Int)
    case array([RedisReply])
    case null

    /// The bulk string's bytes (a status reads as its text).
    public func data() throws(RedisError) -> Data {
        switch self {
        case .string(let data): return data
        case .status(let text): return Data(text.utf8)
        default: throw RedisError(.unexpectedReply, "expected a string reply, got \(kind)")
        }
    }

    /// The bulk string as UTF-8 text.
    public func text() throws(RedisError) -> String {
        let bytes = try data()
        guard let text = String(data: bytes, encoding: .utf8) else { throw RedisError(.unexpectedReply, "a string reply is not UTF-8") }
        return text
    }

    /// An integer reply, or a bulk string holding a decimal integer (`GET` of a counter).
    public func int() throws(RedisError) -> Int {
        switch self {
        case .integer(let value): return value
        case .string:
            guard let value = Int(try text()) else { throw RedisError(.unexpectedReply, "expected an integer, got a string that is none") }
            return value
        default: throw RedisError(.unexpectedReply, "expected an integer reply, got \(kind)")
        }
    }

    /// An array's elements; a null array (a `BLOCK` that timed out) reads as empty.
    public func array() throws(RedisError) -> [RedisReply] {
        switch self {
        case .array(let elements): return elements
        case .null: return []
        default: throw RedisError(.unexpectedReply, "expected an array reply, got \(kind)")
        }
    }

    public var isNull: Bool { self == .null }

    var kind: String {
        switch self {
        case .string: "a string"
        case .status: "a status"
        case .integer: "an integer"
        case .array: "an array"
        case .null: "nil"
        }
    }
}
