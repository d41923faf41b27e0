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

/// Issue 21 item 8: with a token file every route but the open ones needs a bearer token.
@Suite struct RoutesAuthenticationTests {
    private func tokens(_ text: String = "good-token\n") throws -> (BearerTokens, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (try BearerTokens(path: path), path)
    }

    @Test func protectedRoutesAre401WithoutAHeldToken() async throws {
        let (tokens, path) = try tokens()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withService(tokens: tokens) { _, router in
            for (method, target) in [(HTTPMethod.post, "/vocode"), (.post, "/generate"), (.post, "/mel"), (.get, "/model"),
                                     (.get, "/metrics"), (.get, "/jobs/x"), (.get, "/jobs/x/audio"), (.delete, "/jobs/x")] {
                let bare = try await router.send(method, target)
                #expect(bare.status.code == 401, "\(method) \(target)")
                #expect(bare.headers["WWW-Authenticate"] == #"Bearer realm="diffwave""#)
                #expect(bare.problem?.type == "/problems/unauthorized")
                let wrong = try await router.send(method, target, headers: ["Authorization": "Bearer bad-token"])
                #expect(wrong.status.code == 401)
                #expect(wrong.headers["WWW-Authenticate"] == #"Bearer realm="diffwave", error="invalid_token""#)
                #expect(!wrong.text.contains("bad-token") && !wrong.text.contains("good-token"), "tokens never appear in answers")
            }
            let model = try await router.send(.get, "/model", headers: ["Authorization": "Bearer good-token"])
            #expect(model.status == .ok)
            let vocoded = try await router.vocode(testMel(frames: 2), headers: ["Content-Type": "application/x-npy", "Authorization": "Bearer good-token"])
            #expect(vocoded.status == .ok, "\(vocoded.text)")
        }
    }

    @Test func openRoutesNeedNoToken() async throws {
        let (tokens, path) = try tokens()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withService(tokens: tokens) { _, router in
            for target in ["/healthz", "/readyz", "/openapi.yaml", "/problems/unauthorized"] {
                let response = try await router.send(.get, target)
                #expect(response.status == .ok, "\(target)")
            }
        }
        try await withService(tokens: tokens, { $0.openMetrics = true }) { _, router in
            let metrics = try await router.send(.get, "/metrics"), model = try await router.send(.get, "/model")
            #expect(metrics.status == .ok)
            #expect(model.status.code == 401)
        }
    }

    @Test func withoutTokensNothingChanges() async throws {
        try await withService { _, router in
            let model = try await router.send(.get, "/model"), vocoded = try await router.vocode(testMel(frames: 2))
            #expect(model.status == .ok && vocoded.status == .ok)
        }
    }
}
