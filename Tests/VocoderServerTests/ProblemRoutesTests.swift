import Foundation
import Testing
import HTTP
@testable import VocoderServer

@Suite struct ProblemRoutesTests {
    @Test func everyTypeInTheCatalogueDereferencesToItsPage() async throws {
        try await withService { _, router in
            for type in ProblemType.catalogue {
                let response = try await router.send(.get, type.uri)
                #expect(response.status == .ok, "\(type.uri)")
                #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
                #expect(response.text == type.page)
                #expect(response.text.hasPrefix(type.title + "\n"))
            }
        }
    }

    @Test func anUnknownTypeIs404() async throws {
        try await withService { _, router in
            let response = try await router.send(.get, "/problems/no-such-thing")
            #expect(response.status == .notFound)
            #expect(response.problem?.type == "/problems/not-found")
        }
    }
}
