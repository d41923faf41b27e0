import Foundation

/// An RFC 9457 problem details object, the body of every error response
/// (`application/problem+json`).
public struct ProblemDetails: Codable, Equatable, Sendable {
    /// RFC 9457 §3 — the media type of the JSON serialization.
    public static let mediaType = "application/problem+json"

    /// RFC 9457 §3.1.1 — a URI reference identifying the problem type; "about:blank" when the
    /// problem has no semantics beyond its status code (§4.2.1).
    public var type: String
    /// RFC 9457 §3.1.3 — a short summary; with "about:blank" it SHOULD be the status's
    /// recommended reason phrase (§4.2.1).
    public var title: String
    /// RFC 9457 §3.1.2 — the HTTP status code, repeated for the consumer's convenience.
    public var status: Int
    /// RFC 9457 §3.1.4 — an explanation specific to this occurrence.
    public var detail: String?
    /// RFC 9457 §3.1.5 — a URI reference identifying this occurrence.
    public var instance: String?

    public init(type: String = "about:blank", title: String, status: Int, detail: String? = nil, instance: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
    }

    /// The problem for an `HTTPError`: its type's URI and title, its status, its message as detail.
    public init(_ error: HTTPError, instance: String? = nil) {
        self.init(type: error.type.uri, title: error.type.title, status: error.status.code, detail: error.message, instance: instance)
    }

    private enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance
    }

    /// Encodes members in the order RFC 9457 lists them; absent optionals are omitted.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encodeIfPresent(instance, forKey: .instance)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // RFC 9457 §3.1.1 — when "type" is absent its value is assumed to be "about:blank".
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? "about:blank"
        title = try container.decode(String.self, forKey: .title)
        status = try container.decode(Int.self, forKey: .status)
        detail = try container.decodeIfPresent(String.self, forKey: .detail)
        instance = try container.decodeIfPresent(String.self, forKey: .instance)
    }

    /// The JSON serialization, members in RFC 9457 order (`type`, `title`, `status`,
    /// `detail`, `instance`) so that the bytes are stable. (`JSONEncoder` does not promise
    /// any member order.)
    public func jsonData() -> Data {
        var members = ["\"type\":\(JSONText.string(type))", "\"title\":\(JSONText.string(title))", "\"status\":\(status)"]
        if let detail { members.append("\"detail\":\(JSONText.string(detail))") }
        if let instance { members.append("\"instance\":\(JSONText.string(instance))") }
        return Data("{\(members.joined(separator: ","))}".utf8)
    }
}
