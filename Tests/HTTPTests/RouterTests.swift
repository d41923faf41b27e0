import Foundation
import Testing
@testable import HTTP

@Suite struct RouterTests {
    /// A router whose handlers echo "<tag> <params>".
    private var router: Router {
        var router = Router()
        func echo(_ tag: String) -> Router.Handler {
            { _, parameters in
                let params = parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                return .text("\(tag) \(params)")
            }
        }
        router.post("/vocode", echo("vocode"))
        router.get("/jobs/{id}", echo("job"))
        router.delete("/jobs/{id}", echo("cancel"))
        router.get("/jobs/{id}/audio", echo("audio"))
        router.get("/jobs/stats", echo("stats"))
        router.get("/healthz", echo("health"))
        router.add("PURGE", "/cache", echo("purge"))
        return router
    }

    private func respond(_ method: HTTPMethod, _ target: String) async throws -> HTTPResponse {
        try router.respond(to: HTTPRequest(method: method, target: target))
    }

    private func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func matchesLiteralAndParameterPatterns() async throws {
        #expect(text(try await respond(.post, "/vocode?seed=1")) == "vocode ")
        #expect(text(try await respond(.get, "/jobs/abc")) == "job id=abc")
        #expect(text(try await respond(.delete, "/jobs/abc")) == "cancel id=abc")
        #expect(text(try await respond(.get, "/jobs/abc/audio")) == "audio id=abc")
        #expect(text(try await respond(.get, "/healthz")) == "health ")
        #expect(text(try await respond("PURGE", "/cache")) == "purge ")
    }

    @Test func literalSegmentsWinOverParameters() async throws {
        #expect(text(try await respond(.get, "/jobs/stats")) == "stats ")
    }

    @Test func parametersArePercentDecodedPerSegment() async throws {
        #expect(text(try await respond(.get, "/jobs/a%2Fb%20c")) == "job id=a/b c")
    }

    @Test func headRunsTheGetHandler() async throws {
        let response = try await respond(.head, "/jobs/7")
        #expect(response.status == .ok)
        #expect(text(response) == "job id=7")
    }

    @Test(arguments: ["/", "/jobs", "/jobs/", "/jobs//audio", "/jobs/1/audio/x", "/vocode/", "/healthz/extra", "/nope"])
    func unknownPathIs404(_ path: String) async throws {
        let response = try await respond(.get, path)
        #expect(response.status.code == 404)
        #expect(response.headers["Content-Type"] == "application/problem+json")
    }

    @Test func knownPathWithOtherMethodIs405WithAllow() async throws {
        let response = try await respond(.put, "/jobs/1")
        #expect(response.status.code == 405)
        #expect(response.headers["Allow"] == "GET, HEAD, DELETE")
        #expect(try await respond(.get, "/vocode").headers["Allow"] == "POST")
        #expect(try await respond(.post, "/healthz").headers["Allow"] == "GET, HEAD")
        #expect(try await respond(.delete, "/jobs/stats").headers["Allow"] == "GET, HEAD")
    }

    @Test func unknownMethodIs501() async throws {
        #expect(try await respond("BREW", "/nowhere").status.code == 501)
    }

    /// Found by Schemathesis (ST204): `QUERY /healthz` was a 501; on a path that exists any
    /// method it does not support is a 405 with `Allow`.
    @Test func unknownMethodOnAnExistingPathIs405WithAllow() async throws {
        let response = try await respond("BREW", "/jobs/1")
        #expect(response.status.code == 405)
        #expect(response.headers["Allow"] != nil)
    }

    @Test func thrownErrorsBecomeProblems() async throws {
        var router = Router()
        router.get("/fail") { _, _ throws(HTTPError) in
            throw HTTPError(.unprocessable, "wrong n_mels")
        }
        let response = router.respond(to: try HTTPRequest(method: .get, target: "/fail"))
        #expect(response.status.code == 422)
        let problem = try JSONDecoder().decode(ProblemDetails.self, from: response.body)
        #expect(problem.detail == "wrong n_mels")
        #expect(problem.status == 422)
    }

    @Test func registeredRoutesAreListedInOrder() {
        let listed = router.registeredRoutes.map { "\($0.method) \($0.pattern)" }
        #expect(listed == [
            "POST /vocode", "GET /jobs/{id}", "DELETE /jobs/{id}", "GET /jobs/{id}/audio",
            "GET /jobs/stats", "GET /healthz", "PURGE /cache",
        ])
    }
}
