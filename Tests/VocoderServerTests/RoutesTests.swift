import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

/// The router made from `APIRoute`; DocumentationTests checks that openapi.yaml says the same.
@Suite struct RoutesTests {
    @Test func registersEveryRouteOfTheTableInOrder() async throws {
        try await withService { service, _ in
            let routes = service.makeRouter().registeredRoutes.map { "\($0.method.rawValue) \($0.pattern)" }
            #expect(routes == APIRoute.allCases.map { "\($0.method.rawValue) \($0.pattern)" })
        }
    }

    @Test func wrongMethodsAre405WithAllow() async throws {
        try await withService { _, router in
            let vocode = try await router.send(.get, "/vocode")
            #expect(vocode.status == .methodNotAllowed)
            #expect(vocode.headers["Allow"] == "POST")
            let job = try await router.send(.post, "/jobs/abc")
            #expect(job.status == .methodNotAllowed)
            #expect(job.headers["Allow"] == "GET, HEAD, DELETE")
            #expect(try await router.send(.get, "/nowhere").status == .notFound)
        }
    }

    @Test func everyAnswerIsCountedByItsPattern() async throws {
        try await withService { _, router in
            _ = try await router.send(.get, "/healthz")
            _ = try await router.send(.get, "/jobs/one")
            _ = try await router.send(.get, "/jobs/two")
            _ = try await router.send(.post, "/vocode", headers: ["Content-Type": "text/csv"], body: Data("x".utf8))
            let t = try await router.send(.get, "/metrics").text
            #expect(t.contains(#"diffwave_http_requests_total{route="/healthz",method="GET",status="200"} 1"#), "\(t)")
            #expect(t.contains(#"diffwave_http_requests_total{route="/jobs/{id}",method="GET",status="404"} 2"#))
            #expect(t.contains(#"diffwave_http_requests_total{route="/vocode",method="POST",status="415"} 1"#))
        }
    }
}
