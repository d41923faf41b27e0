import Foundation
import Testing
@testable import HTTP

@Suite struct ProblemDetailsTests {
    @Test func encodesMembersInRFCOrder() {
        let problem = ProblemDetails(HTTPError(.contentTooLarge, "body exceeds 10 bytes"))
        let json = String(decoding: problem.jsonData(), as: UTF8.self)
        #expect(json == #"{"type":"/problems/content-too-large","title":"Content too large","status":413,"detail":"body exceeds 10 bytes"}"#)
    }

    @Test func escapesStrings() throws {
        let problem = ProblemDetails(title: "T", status: 400, detail: "quote \" slash \\ newline \n tab \t nul \u{0} é")
        let json = String(decoding: problem.jsonData(), as: UTF8.self)
        #expect(json.contains(#""detail":"quote \" slash \\ newline \n tab \t nul \u0000 é""#))
        #expect(try JSONDecoder().decode(ProblemDetails.self, from: problem.jsonData()) == problem)
    }

    @Test func roundTripsAndDefaultsTheType() throws {
        let problem = ProblemDetails(type: "https://example.com/probs/x", title: "T", status: 422, detail: "d/e", instance: "/jobs/1")
        #expect(try JSONDecoder().decode(ProblemDetails.self, from: problem.jsonData()) == problem)
        let minimal = try JSONDecoder().decode(ProblemDetails.self, from: Data(#"{"title":"Not Found","status":404}"#.utf8))
        #expect(minimal.type == "about:blank")
        #expect(minimal.detail == nil)
    }

    @Test func problemResponseCarriesStatusMediaTypeAndExtraFields() throws {
        let error = HTTPError(.unavailable, "queue is full", headers: ["Retry-After": "1"])
        let response = HTTPResponse(problem: error)
        #expect(response.status.code == 503)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        #expect(response.headers["Retry-After"] == "1")
        let problem = try JSONDecoder().decode(ProblemDetails.self, from: response.body)
        #expect(problem == ProblemDetails(type: "/problems/unavailable", title: "Service unavailable", status: 503, detail: "queue is full"))
    }
}
