import Foundation
@testable import HTTP

/// Test conveniences over `RequestParser.Event`.
extension RequestParser.Event {
    var request: HTTPRequest? {
        if case .request(let request) = self { return request }
        return nil
    }

    var head: RequestHead? {
        if case .head(let head) = self { return head }
        return nil
    }

    var error: HTTPError? {
        if case .error(let error) = self { return error }
        return nil
    }
}

extension RequestParser {
    /// Feeds a whole string and returns the events.
    mutating func feed(_ text: String) -> [Event] { feed(Array(text.utf8)) }
}

/// Parses `text` in one feed with the given limits; returns the events.
func parseAll(_ text: String, limits: ServerLimits = ServerLimits()) -> [RequestParser.Event] {
    var parser = RequestParser(limits: limits)
    return parser.feed(text)
}

/// The status of the first error event, if any.
func errorStatus(_ text: String, limits: ServerLimits = ServerLimits()) -> Int? {
    parseAll(text, limits: limits).compactMap(\.error).first?.status.code
}
