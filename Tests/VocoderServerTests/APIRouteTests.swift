import HTTP
import Testing
@testable import VocoderServer

@Suite struct APIRouteTests {
    @Test func eachMethodAndPatternIsDeclaredOnce() {
        let keys = APIRoute.allCases.map { "\($0.method.rawValue) \($0.pattern)" }
        #expect(Set(keys).count == keys.count, "\(keys)")
    }

    @Test func patternsAreAbsolutePaths() {
        #expect(APIRoute.allCases.allSatisfy { $0.pattern.hasPrefix("/") && !$0.pattern.hasSuffix("/") })
    }
}

@Suite struct APIRouteOpennessTests {
    @Test func probesContractAndProblemPagesAreOpenMetricsOnlyWhenConfigured() {
        let open = Set(APIRoute.allCases.filter { $0.isOpen(openMetrics: false) })
        #expect(open == [.healthz, .readyz, .openAPI, .problem])
        #expect(Set(APIRoute.allCases.filter { $0.isOpen(openMetrics: true) }) == open.union([.metrics]))
    }
}
