/// A kind of failure, as RFC 9457 §3.1.1 means a problem type: a stable relative URI
/// (`/problems/<name>`) that clients switch on instead of parsing the English `detail`, a
/// stable `title` (§3.1.3: it does not change from occurrence to occurrence), the failure class
/// its status comes from, and the short description that dereferencing the URI answers
/// (§4: "human-readable documentation for the problem type").
public struct ProblemType: Sendable, Hashable, CustomStringConvertible {
    /// The last path segment of the URI: lower case words joined by hyphens.
    public let name: String
    public let title: String
    /// The failure class, and so the status (`HTTPError.status`), of every error of this type.
    public let code: HTTPError.Code
    /// What went wrong and what the client can do about it, for `GET /problems/<name>`.
    public let summary: String

    public init(_ name: String, title: String, code: HTTPError.Code, summary: String) {
        precondition(!name.isEmpty && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D },
                     "problem type name '\(name)' must be lower-case letters, digits and hyphens")
        self.name = name
        self.title = title
        self.code = code
        self.summary = summary
    }

    /// The relative URI reference the problem's `type` member carries (RFC 9457 §3.1.1:
    /// relative references resolve against the document's base, i.e. this server).
    public var uri: String { "/problems/" + name }

    public var description: String { uri }

    /// The plain-text page `GET /problems/<name>` answers.
    public var page: String {
        "\(title)\n\ntype: \(uri)\nstatus: \(HTTPError(self, "").status.code)\n\n\(summary)\n"
    }
}
