import Foundation
import HTTP

/// `GET /problems/{name}`: what each problem type means, in plain text, so that a problem's
/// `type` URI dereferences to its documentation (RFC 9457 §3.1.1, §4).
struct ProblemRoutes: Sendable {
    private static let pages: [String: String] = Dictionary(uniqueKeysWithValues: ProblemType.catalogue.map { ($0.name, $0.page) })

    func page(_ parameters: [String: String]) throws(HTTPError) -> HTTPResponse {
        let name = parameters["name"] ?? ""
        guard let page = Self.pages[name] else {
            throw HTTPError(.notFound, "no problem type '\(name)'; the types are listed in /openapi.yaml")
        }
        return HTTPResponse.text(page)
    }
}
