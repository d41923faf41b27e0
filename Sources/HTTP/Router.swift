import Foundation

/// Maps method + path to a handler. Patterns are absolute paths whose segments are literals
/// or `{name}` parameters (a whole segment, never empty), e.g. `/jobs/{id}/audio`. A path
/// matching no pattern is 404; a path whose patterns lack the method is 405 with `Allow`;
/// `HEAD` runs the `GET` handler (the connection omits the content). Literal segments win over
/// parameters, so `/jobs/stats` can coexist with `/jobs/{id}`.
public struct Router: Sendable {
    /// A handler gets the request and its decoded path parameters and runs on the connection's
    /// own thread: it may block it (e.g. until a job finishes), never anyone else's. It may throw
    /// an `HTTPError`, which becomes a problem+json response.
    public typealias Handler = @Sendable (HTTPRequest, [String: String]) throws(HTTPError) -> HTTPResponse

    private enum Segment: Equatable, Sendable {
        case literal(String)
        case parameter(String)
    }

    private struct Route: Sendable {
        let method: HTTPMethod
        let pattern: String
        let segments: [Segment]
        let handler: Handler
    }

    private var routes: [Route] = []

    public init() {}

    /// Every registered (method, pattern) pair in registration order, e.g. to compare with
    /// openapi.yaml. HEAD is implied by GET and not listed.
    public var registeredRoutes: [(method: HTTPMethod, pattern: String)] {
        routes.map { (method: $0.method, pattern: $0.pattern) }
    }

    /// Registers `handler` for `method` on `pattern`. Registering the same method and pattern
    /// twice, or a malformed pattern, is a programming error.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        let segments = Self.parsePattern(pattern)
        precondition(!routes.contains { $0.method == method && $0.segments == segments },
                     "route \(method) \(pattern) registered twice")
        routes.append(Route(method: method, pattern: pattern, segments: segments, handler: handler))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { add(.post, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { add(.delete, pattern, handler) }

    /// Finds the handler for a method and a (percent-encoded) path.
    /// - Returns: the handler and its path parameters, or the error to answer: 405 with `Allow`
    ///   for any other method on a path that exists (whether or not RFC 9110 defines the
    ///   method: the client learns what the resource supports, and no 5xx is spent on a client
    ///   error), 404 for a path that does not, or 501 for a method no route uses and RFC 9110
    ///   does not define on a path that does not exist (§9.1).
    public func match(_ method: HTTPMethod, path: String) -> Result<(handler: Handler, parameters: [String: String]), HTTPError> {
        // RFC 9110 §9.1 — a method that is unrecognized or not implemented SHOULD get 501.
        let knownMethod = HTTPMethod.standard.contains(method) || routes.contains { $0.method == method }
        let unknownMethod = HTTPError(.notImplemented, "method \(method) is not implemented")
        guard let segments = Self.decodedSegments(path) else {
            return .failure(knownMethod ? HTTPError(.notFound, "no resource at \(path)") : unknownMethod)
        }
        // Among the patterns matching the path, the most specific (most literals, leftmost
        // first) decides which resource this is.
        var best: (score: [Bool], routes: [(Route, [String: String])])?
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            let score = route.segments.map { if case .literal = $0 { true } else { false } }
            if let current = best, current.score == score {
                best!.routes.append((route, parameters))
            } else if best == nil || score.lexicographicallyPrecedes(best!.score, by: { $0 && !$1 }) {
                best = (score, [(route, parameters)])
            }
        }
        guard let candidates = best?.routes else {
            return .failure(knownMethod ? HTTPError(.notFound, "no resource at \(path)") : unknownMethod)
        }
        // RFC 9110 §9.3.2 — HEAD is GET without content.
        let lookup = method == .head ? [HTTPMethod.head, .get] : [method]
        for wanted in lookup {
            if let (route, parameters) = candidates.first(where: { $0.0.method == wanted }) {
                return .success((route.handler, parameters))
            }
        }
        // RFC 9110 §15.5.6 — a 405 response MUST carry Allow listing the supported methods.
        let allow = Self.allowValue(candidates.map(\.0.method))
        return .failure(HTTPError(.methodNotAllowed, "\(method) is not allowed on \(path); allowed: \(allow)",
                                  headers: ["Allow": allow]))
    }

    /// Runs the matching handler; routing failures and thrown errors become problem+json.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        switch match(request.method, path: request.path) {
        case .failure(let error):
            return HTTPResponse(problem: error)
        case .success(let (handler, parameters)):
            do {
                return try handler(request, parameters)
            } catch {
                return HTTPResponse(problem: error)
            }
        }
    }

    /// RFC 9110 §10.2.1 — Allow = #method; GET implies HEAD. Standard methods in RFC order,
    /// then others alphabetically.
    private static func allowValue(_ methods: [HTTPMethod]) -> String {
        var set = Set(methods)
        if set.contains(.get) { set.insert(.head) }
        let standard = HTTPMethod.standard.filter(set.contains)
        let others = set.subtracting(HTTPMethod.standard).map(\.rawValue).sorted()
        return (standard.map(\.rawValue) + others).joined(separator: ", ")
    }

    private static func parsePattern(_ pattern: String) -> [Segment] {
        precondition(pattern.hasPrefix("/"), "route pattern \(pattern) must start with /")
        var names = Set<String>()
        return pattern.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                let name = String(part.dropFirst().dropLast())
                precondition(!name.contains("{") && !name.contains("}"), "bad parameter in route pattern \(pattern)")
                precondition(names.insert(name).inserted, "parameter {\(name)} repeated in route pattern \(pattern)")
                return .parameter(name)
            }
            precondition(!part.contains("{") && !part.contains("}"), "bad segment '\(part)' in route pattern \(pattern)")
            return .literal(String(part))
        }
    }

    /// The path's segments, each percent-decoded (so `%2F` stays inside its segment).
    private static func decodedSegments(_ path: String) -> [String]? {
        guard path.hasPrefix("/") else { return nil }
        var segments: [String] = []
        for part in path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard let decoded = RequestTarget.percentDecode(part, plusAsSpace: false) else { return nil }
            segments.append(decoded)
        }
        return segments
    }

    private static func match(_ pattern: [Segment], _ segments: [String]) -> [String: String]? {
        guard pattern.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, segments) {
            switch expected {
            case .literal(let literal):
                guard literal == actual else { return nil }
            case .parameter(let name):
                guard !actual.isEmpty else { return nil }
                parameters[name] = actual
            }
        }
        return parameters
    }
}
