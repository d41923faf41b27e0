import Testing
@testable import HTTP

@Suite struct HTTPErrorProblemTypeTests {
    @Test func everyCodeHasItsOwnGenericType() {
        let types = HTTPError.Code.allCases.map(\.problemType)
        #expect(Set(types.map(\.name)).count == types.count, "no two failure classes share a type")
        #expect(Set(types.map(\.title)).count == types.count)
        for code in HTTPError.Code.allCases {
            #expect(code.problemType.code == code, "\(code)'s type must carry \(code)")
            #expect(!code.problemType.summary.isEmpty)
        }
        #expect(ProblemType.generic == types)
    }

    @Test(arguments: [
        (HTTPError.Code.malformed, "/problems/malformed-request", 400), (.unauthorized, "/problems/unauthorized", 401),
        (.notFound, "/problems/not-found", 404), (.methodNotAllowed, "/problems/method-not-allowed", 405),
        (.requestTimeout, "/problems/request-timeout", 408), (.contentTooLarge, "/problems/content-too-large", 413),
        (.unprocessable, "/problems/unprocessable-content", 422), (.headersTooLarge, "/problems/headers-too-large", 431),
        (.internal, "/problems/internal-error", 500), (.unavailable, "/problems/unavailable", 503),
    ])
    func aBareCodeGetsItsGenericType(_ code: HTTPError.Code, _ uri: String, _ status: Int) {
        let error = HTTPError(code, "why")
        #expect(error.type.uri == uri)
        #expect(error.status.code == status)
    }
}
